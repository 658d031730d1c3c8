//! Credential assignments (`password=...`, `api_key: "..."`) whose value reads as a secret.

use super::{find_all, finding, Finding, Kind};

/// `password=...`, `api_key: ...` and the like with a value of at least 6 printable bytes.
pub(super) fn assignments(data: &[u8], out: &mut Vec<Finding>) {
    const NAMES: [&str; 8] = [
        "password",
        "passwd",
        "api_key",
        "apikey",
        "secret",
        "token",
        "psk",
        "private_key",
    ];
    let lower: Vec<u8> = data.iter().map(u8::to_ascii_lowercase).collect();
    for name in NAMES {
        for at in find_all(&lower, name.as_bytes()) {
            let mut i = at + name.len();
            while matches!(lower.get(i), Some(b'"' | b'\'' | b' ')) {
                i += 1;
            }
            if !matches!(lower.get(i), Some(b'=' | b':')) {
                continue;
            }
            i += 1;
            while matches!(lower.get(i), Some(b'"' | b'\'' | b' ')) {
                i += 1;
            }
            let quoted = i > 0 && matches!(lower.get(i - 1), Some(b'"' | b'\''));
            let value_len = data[i.min(data.len())..]
                .iter()
                .take(256)
                .take_while(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b',' | b';'))
                .count();
            if looks_like_secret(&data[i..i + value_len], quoted) {
                out.push(finding(Kind::Credential(name.into()), i, value_len));
            }
        }
    }
}

/// A value that reads as a secret rather than code or a label: six or more characters with a
/// letter and a digit or symbol (so `accessToken`, `"Password"` and `null` are not secrets);
/// unquoted, no code punctuation (`document.getElementById(`, `$(pw)`, `this.token`); never a
/// template (`{password}`, `%s`) or a mask (`******`).
fn looks_like_secret(value: &[u8], quoted: bool) -> bool {
    const CODE: &[u8] = b"()[]{}.$<>=`\\";
    const TEMPLATE: &[u8] = b"{}%$";
    let letter = value.iter().any(u8::is_ascii_alphabetic);
    let digit_or_symbol = value.iter().any(|b| !b.is_ascii_alphabetic() && *b != b'.');
    let code = !quoted && value.iter().any(|b| CODE.contains(b));
    let template = value.iter().any(|b| TEMPLATE.contains(b));
    let mask = value.windows(2).all(|w| w[0] == w[1]);
    value.len() >= 6 && letter && digit_or_symbol && !code && !template && !mask
}
