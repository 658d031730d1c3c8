//! RFC 9116 security.txt, read as an officer needs it: the required fields (`Contact`, once or
//! more; `Expires`, exactly once and in the future) and whether the file is signed. The bytes
//! come from a web server hilt does not control: every line is bounded and nothing panics.

#[derive(Debug, Default, PartialEq)]
pub struct SecurityTxt {
    pub contacts: Vec<String>,
    pub expires: Vec<String>,
    pub policies: Vec<String>,
    pub canonical: Vec<String>,
    /// An OpenPGP cleartext signature wraps the fields.
    pub signed: bool,
    /// Lines that are neither a field, a comment nor blank (first few).
    pub malformed: Vec<String>,
}

const MAX_LINES: usize = 1000;

pub fn parse(bytes: &[u8]) -> SecurityTxt {
    let text = String::from_utf8_lossy(bytes);
    let mut out = SecurityTxt::default();
    let body = match signed_body(&text) {
        Some(body) => {
            out.signed = true;
            body
        }
        None => text.to_string(),
    };
    for line in body.lines().take(MAX_LINES) {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            if out.malformed.len() < 5 {
                out.malformed.push(line.chars().take(120).collect());
            }
            continue;
        };
        let value: String = value.trim().chars().take(512).collect();
        match name.trim().to_ascii_lowercase().as_str() {
            "contact" => out.contacts.push(value),
            "expires" => out.expires.push(value),
            "policy" => out.policies.push(value),
            "canonical" => out.canonical.push(value),
            _ => {}
        }
    }
    out
}

/// The cleartext of an OpenPGP signed message: after the armour header's blank line, before
/// the signature, with dash-escaping undone (RFC 4880 7.1).
fn signed_body(text: &str) -> Option<String> {
    let start = text.find("-----BEGIN PGP SIGNED MESSAGE-----")?;
    let rest = &text[start..];
    let blank = rest.find("\n\n").or_else(|| rest.find("\r\n\r\n"))?;
    let body = &rest[blank..];
    let end = body.find("-----BEGIN PGP SIGNATURE-----")?;
    Some(
        body[..end]
            .lines()
            .map(|l| l.strip_prefix("- ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// What is wrong with the required fields at `now`; empty when they are as RFC 9116 asks.
pub fn problems(txt: &SecurityTxt, now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
    let mut out = Vec::new();
    if txt.contacts.is_empty() {
        out.push("no `Contact` field (RFC 9116 2.5.3 requires at least one)".to_string());
    }
    for c in &txt.contacts {
        let scheme = c.split(':').next().unwrap_or_default().to_ascii_lowercase();
        if !matches!(scheme.as_str(), "mailto" | "https" | "tel") {
            out.push(format!(
                "`Contact: {c}` is not a mailto:, https: or tel: URI"
            ));
        }
    }
    match txt.expires.as_slice() {
        [] => out.push("no `Expires` field (RFC 9116 2.5.5 requires one)".to_string()),
        [one] => match chrono::DateTime::parse_from_rfc3339(one) {
            Ok(when) if when < now => out.push(format!(
                "expired: `Expires: {one}` is in the past, so its contact information is stale"
            )),
            Ok(_) => {}
            Err(_) => out.push(format!("`Expires: {one}` is not an RFC 3339 date and time")),
        },
        many => out.push(format!(
            "`Expires` appears {} times (RFC 9116 allows one)",
            many.len()
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .unwrap()
            .into()
    }

    #[test]
    fn a_complete_file_has_no_problems() {
        let t = parse(b"# ours\r\nContact: mailto:security@vendor.example\r\nExpires: 2027-06-30T00:00:00Z\r\nPolicy: https://vendor.example/disclosure\r\n");
        assert_eq!(t.contacts, ["mailto:security@vendor.example"]);
        assert_eq!(t.policies, ["https://vendor.example/disclosure"]);
        assert!(problems(&t, now()).is_empty());
    }

    #[test]
    fn missing_and_expired_fields_are_named() {
        let t = parse(b"Expires: 2025-01-01T00:00:00Z\n");
        let p = problems(&t, now());
        assert!(p[0].contains("no `Contact`"), "{p:?}");
        assert!(p[1].starts_with("expired"), "{p:?}");
        let t = parse(b"Contact: https://vendor.example/report\n");
        assert!(problems(&t, now())[0].contains("no `Expires`"));
        let t = parse(b"Contact: security@vendor.example\nExpires: soon\nExpires: later\n");
        let p = problems(&t, now());
        assert!(p[0].contains("not a mailto:"), "{p:?}");
        assert!(p[1].contains("appears 2 times"), "{p:?}");
    }

    #[test]
    fn a_signed_file_is_read_inside_its_armour() {
        let t = parse(b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:s@vendor.example\n- -----not a field\nExpires: 2027-01-01T00:00:00Z\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n");
        assert!(t.signed);
        assert_eq!(t.contacts.len(), 1);
        assert!(problems(&t, now()).is_empty());
    }

    #[test]
    fn hostile_bytes_do_not_panic() {
        let junk: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 256) as u8).collect();
        let t = parse(&junk);
        assert!(t.malformed.len() <= 5);
        let _ = problems(&t, now());
        let _ = parse(b"-----BEGIN PGP SIGNED MESSAGE-----");
    }
}
