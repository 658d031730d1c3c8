//! The simulated camera's HTTP authentication: basic, a login form and digest, each judged by
//! the unit's one login state (failures, lockout).

use crate::firmware::Fault;
use crate::http::reply;
use crate::unit::Unit;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use md5::Digest;

pub(crate) fn basic_auth(header: Option<&hyper::header::HeaderValue>) -> Option<(String, String)> {
    let value = header?.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(base64_decode(value.trim())?).ok()?;
    let (u, p) = decoded.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// `a=1&b=x%20y` -> pairs, `+` as space.
fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    match u8::from_str_radix(
                        std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"),
                        16,
                    ) {
                        Ok(v) => {
                            out.push(v);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

/// The web UI's form login: success is a 200 page that greets the user; failure a 401 page,
/// or (fault form-200-on-failure) a 200 page that only says the login failed.
pub(crate) fn form_login(unit: &Unit, body: &[u8]) -> Response<Full<Bytes>> {
    let fields = form_fields(body);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let user = get("user");
    match unit.network_login(&user, &get("pass")) {
        crate::unit::Login::Ok => reply(
            StatusCode::OK,
            "<html><body><h1>Welcome</h1><p>Live view</p></body></html>",
        ),
        crate::unit::Login::Locked => reply(
            StatusCode::TOO_MANY_REQUESTS,
            "<html><body><p>Too many attempts</p></body></html>",
        ),
        crate::unit::Login::Wrong if unit.has(Fault::FormOkOnFailure) => {
            reply(StatusCode::OK, LOGIN_PAGE_FAILED)
        }
        crate::unit::Login::Wrong => reply(StatusCode::UNAUTHORIZED, LOGIN_PAGE_FAILED),
    }
}

pub(crate) const LOGIN_PAGE: &str = "<html><body><form method=\"post\" action=\"/login\"><input name=\"user\"><input type=\"password\" name=\"pass\"><button>Log in</button></form></body></html>";
const LOGIN_PAGE_FAILED: &str = "<html><body><p>Login failed</p><form method=\"post\" action=\"/login\"><input name=\"user\"><input type=\"password\" name=\"pass\"></form></body></html>";

/// The snapshot API with HTTP digest authentication (MD5, qop=auth), as many cameras have.
pub(crate) fn digest_snapshot(
    unit: &Unit,
    method: &str,
    header: Option<&hyper::header::HeaderValue>,
) -> Response<Full<Bytes>> {
    let realm = unit.fw.model.clone();
    let challenge = || {
        let nonce = format!(
            "{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
        );
        let mut r = reply(
            StatusCode::UNAUTHORIZED,
            r#"{"error":"authentication required"}"#,
        );
        let value =
            format!("Digest realm=\"{realm}\", qop=\"auth\", nonce=\"{nonce}\", algorithm=MD5");
        if let Ok(v) = hyper::header::HeaderValue::from_str(&value) {
            r.headers_mut().insert(hyper::header::WWW_AUTHENTICATE, v);
        }
        r
    };
    let Some(fields) = header
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Digest "))
        .map(digest_params)
    else {
        return challenge();
    };
    let f = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let md5 = |s: String| {
        md5::Md5::digest(s.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let ha2 = md5(format!("{method}:{}", f("uri")));
    let login = unit.network_login_with(|accounts| {
        accounts
            .iter()
            .filter(|a| a.username == f("username"))
            .any(|a| {
                let ha1 = md5(format!("{}:{realm}:{}", a.username, a.password));
                md5(format!(
                    "{ha1}:{}:{}:{}:{}:{ha2}",
                    f("nonce"),
                    f("nc"),
                    f("cnonce"),
                    f("qop")
                )) == f("response")
            })
    });
    match login {
        crate::unit::Login::Ok => reply(StatusCode::OK, r#"{"snapshot":"jpeg"}"#),
        crate::unit::Login::Locked => reply(
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"error":"too many failed logins, try later"}"#,
        ),
        crate::unit::Login::Wrong => challenge(),
    }
}

fn digest_params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().trim_start_matches(',').trim().to_string();
        let after = &rest[eq + 1..];
        let (value, next) = match after.strip_prefix('"') {
            Some(q) => {
                let end = q.find('"').unwrap_or(q.len());
                (q[..end].to_string(), q.get(end + 1..).unwrap_or(""))
            }
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (after[..end].trim().to_string(), &after[end..])
            }
        };
        out.push((key, value));
        rest = next.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    }
    out
}
