//! HTTP digest access authentication (RFC 7616) on the client side: read the server's challenge,
//! answer it for one request. MD5 and SHA-256, with or without `qop=auth`.

use md5::Md5;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    pub qop_auth: bool,
    pub sha256: bool,
}

/// Parses `Digest realm="...", nonce="...", ...`; `None` if it is not a digest challenge.
pub fn parse(header: &str) -> Option<Challenge> {
    let rest = header.trim().strip_prefix("Digest")?.trim_start();
    let mut c = Challenge {
        realm: String::new(),
        nonce: String::new(),
        opaque: None,
        qop_auth: false,
        sha256: false,
    };
    for (k, v) in params(rest) {
        match k.to_ascii_lowercase().as_str() {
            "realm" => c.realm = v,
            "nonce" => c.nonce = v,
            "opaque" => c.opaque = Some(v),
            "qop" => c.qop_auth = v.split(',').any(|q| q.trim() == "auth"),
            "algorithm" => c.sha256 = v.eq_ignore_ascii_case("SHA-256"),
            _ => {}
        }
    }
    (!c.nonce.is_empty()).then_some(c)
}

/// `key=value` and `key="quoted, value"` pairs separated by commas.
fn params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().trim_start_matches(',').trim().to_string();
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            (q[..end].to_string(), q.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        out.push((key, value));
        rest = next.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    }
    out
}

fn h(c: &Challenge, text: &str) -> String {
    let bytes = if c.sha256 {
        Sha256::digest(text.as_bytes()).to_vec()
    } else {
        Md5::digest(text.as_bytes()).to_vec()
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Authorization` header value for one request.
pub fn answer(
    c: &Challenge,
    method: &str,
    uri: &str,
    username: &str,
    password: &str,
    cnonce: &str,
) -> String {
    let ha1 = h(c, &format!("{username}:{}:{password}", c.realm));
    let ha2 = h(c, &format!("{method}:{uri}"));
    let nc = "00000001";
    let response = if c.qop_auth {
        h(c, &format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", c.nonce))
    } else {
        h(c, &format!("{ha1}:{}:{ha2}", c.nonce))
    };
    let mut v = format!(
        "Digest username=\"{username}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", response=\"{response}\", algorithm={}",
        c.realm,
        c.nonce,
        if c.sha256 { "SHA-256" } else { "MD5" }
    );
    if c.qop_auth {
        v.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
    }
    if let Some(o) = &c.opaque {
        v.push_str(&format!(", opaque=\"{o}\""));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2617_example_response() {
        // The worked example of RFC 2617 section 3.5 (MD5, qop=auth).
        let c = parse(r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#).unwrap();
        let a = answer(
            &c,
            "GET",
            "/dir/index.html",
            "Mufasa",
            "Circle Of Life",
            "0a4f113b",
        );
        assert!(
            a.contains("response=\"6629fae49393a05397450978507c4ef1\""),
            "{a}"
        );
        assert!(a.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
        assert_eq!(parse("Basic realm=\"x\""), None);
    }
}
