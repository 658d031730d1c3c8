//! Evidence is written as it is observed: every file is appended to and flushed line by line, so
//! a crash loses nothing already seen. Secrets are redacted before anything reaches disk.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// Known secrets of one sample (label password, the password hilt set at onboarding).
#[derive(Default)]
pub struct Redactor {
    secrets: RwLock<Vec<String>>,
    /// Account names: with each secret, their HTTP basic-auth token (base64 of `user:secret`)
    /// is a secret too, so a capture does not carry the password in encoded form.
    usernames: RwLock<Vec<String>>,
}

// Never derived: the secrets must not reach a debug print.
impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor")
    }
}

pub const REDACTED: &str = "[redacted]";

/// The base64 token of HTTP basic auth for an account, without its padding (the padding
/// depends on what follows in some encodings).
fn basic_token(username: &str, secret: &str) -> String {
    crate::util::encoding::base64(&format!("{username}:{secret}"))
        .trim_end_matches('=')
        .to_string()
}

impl Redactor {
    pub fn add(&self, secret: &str) {
        // Very short values would blank out ordinary words; passwords that short fail other checks.
        if secret.len() < 4 {
            return;
        }
        let users = self.usernames.read().unwrap().clone();
        let mut s = self.secrets.write().unwrap();
        let mut new = vec![secret.to_string()];
        new.extend(users.iter().map(|u| basic_token(u, secret)));
        for n in new {
            if !s.contains(&n) {
                s.push(n);
            }
        }
        s.sort_by_key(|x| std::cmp::Reverse(x.len()));
    }

    pub fn add_username(&self, username: &str) {
        {
            let mut u = self.usernames.write().unwrap();
            if u.iter().any(|x| x == username) {
                return;
            }
            u.push(username.to_string());
        }
        let secrets = self.secrets.read().unwrap().clone();
        for s in secrets {
            let token = basic_token(username, &s);
            let mut all = self.secrets.write().unwrap();
            if !all.contains(&token) {
                all.push(token);
            }
        }
        self.secrets
            .write()
            .unwrap()
            .sort_by_key(|x| std::cmp::Reverse(x.len()));
    }

    /// Overwrites every known secret in raw bytes (a captured packet) with `*` of the same
    /// length, so the protocol framing around it stays readable; returns how many were found.
    pub fn redact_bytes(&self, data: &mut [u8]) -> usize {
        let mut found = 0;
        for s in self.secrets.read().unwrap().iter() {
            let needle = s.as_bytes();
            let mut at = 0;
            while let Some(i) = data[at..].windows(needle.len()).position(|w| w == needle) {
                data[at + i..at + i + needle.len()].fill(b'*');
                at += i + needle.len();
                found += 1;
            }
        }
        found
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.secrets.read().unwrap().iter() {
            out = out.replace(s.as_str(), REDACTED);
        }
        out
    }
}

/// One sample's evidence folder, `reports/<run-id>/samples/<slot>/`.
#[derive(Clone)]
pub struct SampleEvidence {
    pub run_dir: PathBuf,
    pub dir: PathBuf,
    pub redactor: Arc<Redactor>,
    pub start: Instant,
}

impl SampleEvidence {
    pub fn new(run_dir: &Path, slot: &str) -> std::io::Result<SampleEvidence> {
        let dir = run_dir.join("samples").join(slot);
        std::fs::create_dir_all(&dir)?;
        Ok(SampleEvidence {
            run_dir: run_dir.to_path_buf(),
            dir,
            redactor: Arc::default(),
            start: Instant::now(),
        })
    }

    pub fn log(&self, name: &str) -> EvidenceLog {
        EvidenceLog::open(self.dir.join(name), self.redactor.clone(), self.start)
    }

    /// Writes a whole evidence file at once (a scan result, a table), redacted.
    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&path, self.redactor.redact(content));
        path
    }

    /// Path as the report cites it: relative to the run folder.
    pub fn cite(&self, path: &Path) -> String {
        path.strip_prefix(&self.run_dir)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// An append-only, timestamped log (console transcript, HTTP exchanges, login attempts).
#[derive(Clone)]
pub struct EvidenceLog {
    pub path: PathBuf,
    file: Arc<Mutex<Option<File>>>,
    redactor: Arc<Redactor>,
    start: Instant,
}

impl EvidenceLog {
    fn open(path: PathBuf, redactor: Arc<Redactor>, start: Instant) -> EvidenceLog {
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .ok();
        EvidenceLog {
            path,
            file: Arc::new(Mutex::new(file)),
            redactor,
            start,
        }
    }

    /// `tag` says who spoke: `<` device, `>` hilt, `#` a note from hilt.
    pub fn line(&self, tag: &str, text: &str) {
        let stamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let rel = self.start.elapsed().as_secs_f64();
        let redacted = self.redactor.redact(text);
        let text = inert(&redacted);
        if let Some(f) = self.file.lock().unwrap().as_mut() {
            let _ = writeln!(f, "{stamp} +{rel:.3}s {tag} {text}");
            let _ = f.flush();
        }
    }

    pub fn bytes(&self, tag: &str, data: &[u8]) {
        self.line(tag, &printable(data));
    }
}

/// One log line that stays one line and shows what it says: control characters (ESC, CR, LF, the
/// C1 range) and bidi overrides are escaped, so device text cannot fake a log line or hide
/// itself in a terminal. Printable text, Unicode included, is kept as it is.
fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    let escape =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if escape(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Device bytes as one readable line: printable ASCII kept, everything else escaped.
pub fn printable(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len());
    for &b in data {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

/// A sample evidence folder in a temp directory, removed when the guard drops (unit tests).
#[cfg(test)]
pub fn scratch(tag: &str) -> (SampleEvidence, ScratchDir) {
    let dir = std::env::temp_dir().join(format!(
        "hilt-{tag}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    (
        SampleEvidence::new(&dir, "s").expect("temp evidence folder"),
        ScratchDir(dir),
    )
}

#[cfg(test)]
pub struct ScratchDir(pub PathBuf);

#[cfg(test)]
impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_text_cannot_fake_a_log_line_or_hide_in_a_terminal() {
        let (ev, _guard) = scratch("inert");
        let log = ev.log("ftp-transcript.log");
        log.line(
            "<",
            "220 ok\r\n2026-01-01T00:00:00.000Z +0.000s # PASS\x1b[2K\u{202e}evil\u{9b}",
        );
        log.line("<", "Grüße, 設定 \\x41");
        let text = std::fs::read_to_string(&log.path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text
            .chars()
            .any(|c| c == '\x1b' || c == '\r' || c == '\u{202e}' || c == '\u{9b}'));
        assert!(
            text.contains("220 ok\\r\\n2026-01-01T00:00:00.000Z"),
            "{text}"
        );
        assert!(
            text.contains("\\u{001b}[2K\\u{202e}evil\\u{009b}"),
            "{text}"
        );
        assert!(
            text.contains("Grüße, 設定 \\x41"),
            "printable text is kept: {text}"
        );
    }

    #[test]
    fn redacts_secrets_in_bytes_keeping_their_length() {
        let r = Redactor::default();
        r.add("hunter22");
        let mut data = b"pw=hunter22&again=hunter22".to_vec();
        assert_eq!(r.redact_bytes(&mut data), 2);
        assert_eq!(&data, b"pw=********&again=********");
    }

    #[test]
    fn a_basic_auth_token_of_a_known_account_is_a_secret_too() {
        let r = Redactor::default();
        r.add("open sesame");
        r.add_username("Aladdin");
        // RFC 7617's example credential.
        let text = r.redact("Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(text, "Authorization: Basic [redacted]==");
    }

    #[test]
    fn redacts_longest_secret_first_and_escapes_bytes() {
        let r = Redactor::default();
        r.add("abcd");
        r.add("abcdef");
        assert_eq!(r.redact("x abcdef y abcd"), "x [redacted] y [redacted]");
        r.add("ab");
        assert_eq!(r.redact("ab"), "ab");
        assert_eq!(printable(b"a\x1b[0m\r\n\xff"), "a\\x1b[0m\\r\\n\\xff");
    }
}
