//! Evidence is written as it is observed: every file is appended to and flushed line by line, so
//! a crash loses nothing already seen. Secrets are redacted before anything reaches disk.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

mod health;
mod redactor;
pub use health::Health;
pub use redactor::{Redactor, REDACTED};

/// One sample's evidence folder, `reports/<run-id>/samples/<slot>/`.
#[derive(Clone)]
pub struct SampleEvidence {
    pub run_dir: PathBuf,
    pub dir: PathBuf,
    pub redactor: Arc<Redactor>,
    pub health: Arc<Health>,
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
            health: Arc::default(),
            start: Instant::now(),
        })
    }

    pub fn log(&self, name: &str) -> EvidenceLog {
        EvidenceLog::open(
            self.dir.join(name),
            self.redactor.clone(),
            self.health.clone(),
            self.start,
        )
    }

    /// Writes a whole evidence file at once (a scan result, a table), redacted.
    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        self.write_bytes(name, self.redactor.redact(content).into_bytes())
    }

    /// Writes bytes as they are (a request body to send again), known secrets overwritten.
    pub fn write_bytes(&self, name: &str, mut content: Vec<u8>) -> PathBuf {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        self.redactor.redact_bytes(&mut content);
        if self.health.take(content.len() as u64, &path) {
            if let Err(e) = std::fs::write(&path, content) {
                self.health.failed(&path, &e);
            }
        }
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
    inner: Arc<Mutex<LogFile>>,
}

struct LogFile {
    path: PathBuf,
    file: Option<File>,
    redactor: Arc<Redactor>,
    health: Arc<Health>,
    /// Set once the sample's cap refused a line: the log says so once and then stays quiet.
    capped: bool,
    start: Instant,
    /// Per speaker, the end of the last chunk that could begin a secret the next chunk
    /// completes (an echo split across serial reads): written with that chunk, or at the end.
    held: Vec<(String, Vec<u8>)>,
}

/// A device that never sends the rest is not waited for past this many held bytes.
const MAX_HELD: usize = 256;

impl EvidenceLog {
    fn open(
        path: PathBuf,
        redactor: Arc<Redactor>,
        health: Arc<Health>,
        start: Instant,
    ) -> EvidenceLog {
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let file = match OpenOptions::new().create(true).append(true).open(&path) {
            Ok(f) => Some(f),
            Err(e) => {
                health.failed(&path, &e);
                None
            }
        };
        EvidenceLog {
            path: path.clone(),
            inner: Arc::new(Mutex::new(LogFile {
                path,
                file,
                redactor,
                health,
                capped: false,
                start,
                held: Vec::new(),
            })),
        }
    }

    /// `tag` says who spoke: `<` device, `>` hilt, `#` a note from hilt.
    pub fn line(&self, tag: &str, text: &str) {
        let mut log = self.inner.lock().unwrap();
        log.release_all();
        log.write(tag, text);
    }

    /// Device bytes as they arrive, chunk by chunk: a chunk's end that could begin a secret
    /// waits for the next chunk from the same speaker, so a secret split between two reads is
    /// redacted whole.
    pub fn bytes(&self, tag: &str, data: &[u8]) {
        let mut log = self.inner.lock().unwrap();
        let mut chunk = log.take_held(tag);
        chunk.extend_from_slice(data);
        let keep = log.redactor.could_continue(&chunk).min(MAX_HELD);
        let tail = chunk.split_off(chunk.len() - keep);
        if !tail.is_empty() {
            log.held.push((tag.to_string(), tail));
        }
        if !chunk.is_empty() {
            log.write(tag, &printable(&chunk));
        }
    }
}

impl LogFile {
    fn write(&mut self, tag: &str, text: &str) {
        if self.capped {
            return;
        }
        let stamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        let rel = self.start.elapsed().as_secs_f64();
        let redacted = self.redactor.redact(text);
        let text = inert(&redacted);
        let line = format!("{stamp} +{rel:.3}s {tag} {text}\n");
        let line = match self.health.take(line.len() as u64, &self.path) {
            true => line,
            false => {
                self.capped = true;
                format!("{stamp} +{rel:.3}s # evidence cap reached (suite `budgets.evidence_per_sample_kib`): this log ends here\n")
            }
        };
        let Some(f) = self.file.as_mut() else {
            return;
        };
        if let Err(e) = f.write_all(line.as_bytes()).and_then(|_| f.flush()) {
            self.health.failed(&self.path, &e);
            // One failure says it; the file is not tried again.
            self.file = None;
        }
    }

    fn take_held(&mut self, tag: &str) -> Vec<u8> {
        match self.held.iter().position(|(t, _)| t == tag) {
            Some(i) => self.held.remove(i).1,
            None => Vec::new(),
        }
    }

    /// What no next chunk completed is written now; a held start of 4 bytes or more of a
    /// secret is no less telling than the secret, so it is not written as it is.
    fn release_all(&mut self) {
        for (tag, bytes) in std::mem::take(&mut self.held) {
            match bytes.len() >= 4 {
                true => self.write(&tag, REDACTED),
                false => self.write(&tag, &printable(&bytes)),
            }
        }
    }
}

impl Drop for LogFile {
    fn drop(&mut self) {
        self.release_all();
    }
}

/// One log line that stays one line and shows what it says: control characters (ESC, CR, LF, the
/// C1 range) and bidi overrides are escaped, so device text cannot fake a log line or hide
/// itself in a terminal. Printable text, Unicode included, is kept as it is.
fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    let escape = |c: char| c.is_control() || is_hidden(c);
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

/// Characters that change how the text around them shows (bidi overrides and isolates, the
/// invisible direction marks) or that XML 1.0 forbids (noncharacters such as U+FFFF).
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        | '\u{fdd0}'..='\u{fdef}')
        || (c as u32) & 0xfffe == 0xfffe
}

/// Text for a report (terminal, JUnit, JSON, HTML): as `inert`, but a message's own line breaks
/// and tabs are kept. ESC, CR and the other controls, bidi overrides and XML's noncharacters
/// are written as `\u{..}`, so no escape sequence, not even an unterminated one, reaches a
/// terminal or a viewer, and the XML stays valid.
pub fn report_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if c.is_control() || is_hidden(c) => {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
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

    /// A password echoed in two serial reads is redacted whole; the start of one that never
    /// ends is not written as it is either.
    #[test]
    fn a_secret_split_between_two_chunks_is_redacted_whole() {
        let (evidence, _dir) = scratch("splitecho");
        evidence.redactor.add("hunter22");
        let log = evidence.log("console.log");
        log.bytes("<", b"Password: hun");
        log.bytes("<", b"ter22\r\n$ ");
        log.bytes("<", b"echo hunte");
        drop(log);
        let text = std::fs::read_to_string(evidence.dir.join("console.log")).unwrap();
        assert!(!text.contains("hun"), "{text}");
        assert_eq!(text.matches(REDACTED).count(), 2, "{text}");
        assert!(text.contains("< [redacted]\\r\\n$ "), "{text}");
    }

    /// Report text keeps its own line breaks; no escape sequence, bidi override or character
    /// XML 1.0 forbids survives.
    #[test]
    fn report_text_is_inert_and_keeps_its_lines() {
        let text = report_text(
            "a\nb\tc\r\u{1b}]0;x\u{7}\u{9b}\u{202e}\u{2067}\u{ffff}\u{fffe}\u{1fffe}\u{fdd0}é→",
        );
        assert_eq!(
            text,
            "a\nb\tc\\u{000d}\\u{001b}]0;x\\u{0007}\\u{009b}\\u{202e}\\u{2067}\\u{ffff}\\u{fffe}\\u{1fffe}\\u{fdd0}é→"
        );
    }

    /// A write that fails is counted, not swallowed; a log past the sample's cap says so once
    /// and then keeps nothing more.
    #[test]
    fn failed_writes_are_counted_and_the_cap_ends_a_log() {
        let (evidence, _dir) = scratch("health");
        std::fs::create_dir_all(evidence.dir.join("taken.json")).unwrap();
        evidence.write("taken.json", "{}");
        assert_eq!(evidence.health.failures().0, 1);
        evidence.health.set_cap(evidence.health.written() + 200);
        let log = evidence.log("console.log");
        for _ in 0..20 {
            log.line("<", "a line of device output");
        }
        let text = std::fs::read_to_string(&log.path).unwrap();
        assert!(text.len() <= 400, "{text}");
        assert_eq!(text.matches("evidence cap reached").count(), 1, "{text}");
        assert!(text.trim_end().ends_with("this log ends here"), "{text}");
        assert!(evidence.health.capped().unwrap().contains("console.log"));
    }

    #[test]
    fn redacts_longest_secret_first_and_escapes_bytes() {
        let r = Redactor::default();
        r.add("abcd");
        r.add("abcdef");
        assert_eq!(r.redact("x abcdef y abcd"), "x [redacted] y [redacted]");
        r.add("ab");
        assert_eq!(r.redact("ab cab"), "[redacted] cab");
        assert_eq!(printable(b"a\x1b[0m\r\n\xff"), "a\\x1b[0m\\r\\n\\xff");
    }
}
