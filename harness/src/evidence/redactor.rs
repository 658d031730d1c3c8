//! The secrets of one sample (label password, the passwords hilt set), and every form in which
//! hilt itself writes them or a device echoes them: as typed, URL- and form-encoded, inside a
//! JSON string, escaped for a log line, in base64, and in an HTTP basic-auth token whatever its
//! account name. None of these forms reaches disk or a report.

use base64::Engine;
use std::sync::RwLock;

pub const REDACTED: &str = "[redacted]";

/// Shorter secrets would blank out ordinary words: they are matched only as whole tokens.
const SHORT: usize = 4;

#[derive(Default)]
pub struct Redactor {
    secrets: RwLock<Vec<String>>,
    usernames: RwLock<Vec<String>>,
    /// Every form of every secret of at least `SHORT` bytes, longest first.
    forms: RwLock<Vec<String>>,
    /// Secrets under `SHORT` bytes, as written and as a log line escapes them.
    short: RwLock<Vec<String>>,
}

// Never derived: the secrets must not reach a debug print.
impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor")
    }
}

impl Redactor {
    pub fn add(&self, secret: &str) {
        if secret.is_empty() || self.secrets.read().unwrap().iter().any(|s| s == secret) {
            return;
        }
        self.secrets.write().unwrap().push(secret.to_string());
        if secret.len() < SHORT {
            let mut short = self.short.write().unwrap();
            short.push(secret.to_string());
            short.push(super::printable(secret.as_bytes()));
            short.dedup();
            return;
        }
        let mut new = forms_of(secret);
        let users = self.usernames.read().unwrap().clone();
        new.extend(users.iter().map(|u| basic_token(u, secret)));
        self.extend(new);
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
        let tokens = secrets
            .iter()
            .filter(|s| s.len() >= SHORT)
            .map(|s| basic_token(username, s))
            .collect();
        self.extend(tokens);
    }

    fn extend(&self, new: Vec<String>) {
        let mut forms = self.forms.write().unwrap();
        for f in new {
            if !f.is_empty() && !forms.contains(&f) {
                forms.push(f);
            }
        }
        forms.sort_by_key(|x| std::cmp::Reverse(x.len()));
    }

    /// Overwrites every known secret in raw bytes (a captured packet) with `*` of the same
    /// length, so the protocol framing around it stays readable; returns how many were found.
    pub fn redact_bytes(&self, data: &mut [u8]) -> usize {
        let mut found = 0;
        for f in self.forms.read().unwrap().iter() {
            for at in places(data, f.as_bytes(), false) {
                data[at..at + f.len()].fill(b'*');
                found += 1;
            }
        }
        for s in self.short.read().unwrap().iter() {
            for at in places(data, s.as_bytes(), true) {
                data[at..at + s.len()].fill(b'*');
                found += 1;
            }
        }
        for (at, len) in self.basic_tokens_holding_a_secret(data) {
            data[at..at + len].fill(b'*');
            found += 1;
        }
        found
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for f in self.forms.read().unwrap().iter() {
            out = out.replace(f.as_str(), REDACTED);
        }
        for s in self.short.read().unwrap().iter() {
            out = replace_tokens(&out, s);
        }
        let tokens = self.basic_tokens_holding_a_secret(out.as_bytes());
        for (at, len) in tokens.into_iter().rev() {
            out.replace_range(at..at + len, REDACTED);
        }
        out
    }

    /// Text for a report: every secret redacted, then made inert (`super::report_text`).
    pub fn clean(&self, text: &str) -> String {
        super::report_text(&self.redact(text))
    }

    /// How many bytes at the end of `data` could begin a secret that the next chunk completes:
    /// a log written chunk by chunk holds them back until it knows.
    pub fn could_continue(&self, data: &[u8]) -> usize {
        let forms = self.forms.read().unwrap();
        let longest = forms.first().map_or(0, String::len);
        (1..longest.min(data.len() + 1))
            .rev()
            .find(|&n| {
                let tail = &data[data.len() - n..];
                forms
                    .iter()
                    .any(|f| f.len() > n && f.as_bytes().starts_with(tail))
            })
            .unwrap_or(0)
    }

    /// `Basic <token>` whose decoded `account:password` holds a known secret, whatever the
    /// account: the byte range of each token.
    fn basic_tokens_holding_a_secret(&self, data: &[u8]) -> Vec<(usize, usize)> {
        let secrets = self.secrets.read().unwrap();
        if secrets.is_empty() {
            return vec![];
        }
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(i) = find_ignore_case(&data[from..], b"basic ") {
            let start = from + i + 6;
            let len = data[start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                .count();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(&data[start..start + len])
                .unwrap_or_default();
            let pair = String::from_utf8_lossy(&decoded);
            let password = pair.split_once(':').map_or("", |(_, p)| p);
            if !password.is_empty() && secrets.iter().any(|s| password.contains(s.as_str())) {
                out.push((start, len));
            }
            from = start + len.max(1);
            if from >= data.len() {
                break;
            }
        }
        out
    }
}

/// The forms hilt or a device may write a secret in, each distinct.
fn forms_of(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap_or_default();
    let mut forms = vec![
        secret.to_string(),
        percent(secret, true),
        percent(secret, false),
        json.strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or(&json)
            .to_string(),
        json_ascii(secret),
        super::printable(secret.as_bytes()),
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(secret),
    ];
    forms.sort();
    forms.dedup();
    forms
}

/// `application/x-www-form-urlencoded` (space as `+`) or RFC 3986 percent-encoding.
fn percent(text: &str, form: bool) -> String {
    let mut out = String::new();
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => out.push(b as char),
            b'~' if !form => out.push('~'),
            b'*' if form => out.push('*'),
            b' ' if form => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A JSON string's content with everything past ASCII as `\uXXXX`, as many encoders write it.
fn json_ascii(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The base64 token of HTTP basic auth for an account, without its padding (the padding
/// depends on what follows in some encodings).
fn basic_token(username: &str, secret: &str) -> String {
    crate::util::encoding::base64(&format!("{username}:{secret}"))
        .trim_end_matches('=')
        .to_string()
}

/// Where `needle` starts in `hay`, not overlapping; with `whole`, only where no letter or digit
/// touches it on either side.
fn places(hay: &[u8], needle: &[u8], whole: bool) -> Vec<usize> {
    let mut out = Vec::new();
    if needle.is_empty() || needle.len() > hay.len() {
        return out;
    }
    let finder = memchr::memmem::Finder::new(needle);
    let mut at = 0;
    while let Some(i) = finder.find(&hay[at..]) {
        let start = at + i;
        let end = start + needle.len();
        let alone = |b: Option<&u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
        if !whole || (alone(start.checked_sub(1).and_then(|j| hay.get(j))) && alone(hay.get(end))) {
            out.push(start);
            at = end;
        } else {
            at = start + 1;
        }
        if at + needle.len() > hay.len() {
            break;
        }
    }
    out
}

fn replace_tokens(text: &str, needle: &str) -> String {
    let at = places(text.as_bytes(), needle.as_bytes(), true);
    let mut out = text.to_string();
    for start in at.into_iter().rev() {
        out.replace_range(start..start + needle.len(), REDACTED);
    }
    out
}

fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, hay).find(|&i| {
        hay.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(secrets: &[&str], users: &[&str]) -> Redactor {
        let r = Redactor::default();
        for u in users {
            r.add_username(u);
        }
        for s in secrets {
            r.add(s);
        }
        r
    }

    #[test]
    fn every_encoding_of_a_secret_is_redacted() {
        let r = redactor(&["Tr0ub4dor&3 é\\\t"], &[]);
        for text in [
            "pw=Tr0ub4dor%263+%C3%A9%5C%09&next=1",
            "/login?pw=Tr0ub4dor%263%20%C3%A9%5C%09",
            r#"{"password":"Tr0ub4dor&3 é\\\t"}"#,
            r#"{"password":"Tr0ub4dor&3 \u00e9\\\t"}"#,
            "echo Tr0ub4dor&3 \\xc3\\xa9\\\\\\t",
            "token VHIwdWI0ZG9yJjMgw6lcCQ",
        ] {
            let out = r.redact(text);
            assert!(out.contains(REDACTED), "{text} -> {out}");
            assert!(!out.contains("Tr0ub4dor"), "{text} -> {out}");
            assert!(!out.contains("VHIwdWI0ZG9y"), "{text} -> {out}");
        }
    }

    #[test]
    fn a_basic_token_is_redacted_whatever_its_account() {
        let r = redactor(&["s3cret-pass"], &["admin"]);
        let other = crate::util::encoding::base64("viewer:s3cret-pass");
        let text = format!("Authorization: Basic {other}\r\nX: 1");
        assert_eq!(
            r.redact(&text),
            format!("Authorization: Basic {REDACTED}\r\nX: 1")
        );
        let mut bytes = text.clone().into_bytes();
        assert_eq!(r.redact_bytes(&mut bytes), 1);
        assert!(!String::from_utf8_lossy(&bytes).contains(&other));
        let harmless = format!("Basic {}", crate::util::encoding::base64("viewer:other"));
        assert_eq!(r.redact(&harmless), harmless);
    }

    #[test]
    fn a_short_secret_is_redacted_where_it_stands_alone() {
        let r = redactor(&["ab1"], &[]);
        assert_eq!(r.redact("pw=ab1&x=tab1e"), format!("pw={REDACTED}&x=tab1e"));
        let mut bytes = b"ab1 cab1".to_vec();
        assert_eq!(r.redact_bytes(&mut bytes), 1);
        assert_eq!(bytes, b"*** cab1");
    }

    #[test]
    fn the_start_of_a_secret_at_a_chunks_end_is_held_back() {
        let r = redactor(&["hunter22"], &[]);
        assert_eq!(r.could_continue(b"login: hunt"), 4);
        assert_eq!(r.could_continue(b"login: hunter22"), 0);
        assert_eq!(r.could_continue(b"nothing"), 0);
        assert_eq!(r.could_continue(b""), 0);
    }

    #[test]
    fn redacts_secrets_in_bytes_keeping_their_length() {
        let r = redactor(&["hunter22"], &[]);
        let mut data = b"user=admin&pw=hunter22&x=hunter22".to_vec();
        assert_eq!(r.redact_bytes(&mut data), 2);
        assert_eq!(data, b"user=admin&pw=********&x=********");
    }

    #[test]
    fn hostile_bytes_are_redacted_without_panic() {
        let r = redactor(&["hunter22", "ab"], &["admin"]);
        let noise: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        for n in [0, 1, 5, 6, 7, 300, 5000] {
            let mut d = noise[..n].to_vec();
            let _ = r.redact_bytes(&mut d);
            let _ = r.could_continue(&d);
            let _ = r.redact(&String::from_utf8_lossy(&d));
        }
        let _ = r.redact("Basic Basic basic ");
    }
}
