//! The camera's local admin API: real HTTP/1.1 (hyper) over TLS on the unit's address, and the
//! plain-HTTP port beside it.

use crate::firmware::Fault;
use crate::unit::Unit;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use md5::Digest;
use openssl::ssl::{Ssl, SslAcceptor};
use serde::Deserialize;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_openssl::SslStream;

const MAX_BODY: usize = 16 * 1024;

/// The admin API over TLS: the only place the firmware takes credentials.
pub async fn serve_tls(unit: Arc<Unit>, listener: TcpListener, acceptor: Arc<SslAcceptor>) {
    let mut conns = JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        let (unit, acceptor) = (unit.clone(), acceptor.clone());
        conns.spawn(async move {
            let Ok(mut tls) = Ssl::new(acceptor.context()).and_then(|s| SslStream::new(s, stream))
            else {
                return;
            };
            let handshake = std::pin::Pin::new(&mut tls).accept();
            if !matches!(
                tokio::time::timeout(std::time::Duration::from_secs(5), handshake).await,
                Ok(Ok(()))
            ) {
                return;
            }
            let service = hyper::service::service_fn(move |req| handle(unit.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

/// Plain HTTP: the UPnP description (plain by the UPnP architecture) and a redirect to the TLS
/// port for everything else, unless the `credentials-over-plain-http` fault serves the whole API.
pub async fn serve_plain(unit: Arc<Unit>, listener: TcpListener) {
    let mut conns = JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        let unit = unit.clone();
        conns.spawn(async move {
            let service = hyper::service::service_fn(move |req| plain(unit.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn plain(
    unit: Arc<Unit>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    if unit.has(Fault::CredentialsOverPlainHttp) || req.uri().path() == "/description.xml" {
        return handle(unit, req).await;
    }
    let target = format!(
        "https://{}:{}{}",
        unit.address,
        unit.fw.https_port,
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let mut answer = reply(StatusCode::MOVED_PERMANENTLY, "");
    if let Ok(v) = hyper::header::HeaderValue::from_str(&target) {
        answer.headers_mut().insert(hyper::header::LOCATION, v);
    }
    server_header(&unit, &mut answer);
    Ok(answer)
}

#[derive(Deserialize)]
struct Login {
    username: String,
    password: String,
}

#[derive(Deserialize)]
struct Setup {
    username: String,
    password: String,
    new_password: String,
    #[serde(default)]
    viewer_password: Option<String>,
}

async fn handle(
    unit: Arc<Unit>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    match (&parts.method, parts.uri.path()) {
        (&Method::POST, "/api/firmware") => {
            return Ok(
                match basic_auth(parts.headers.get(hyper::header::AUTHORIZATION)) {
                    Some((u, p)) if unit.check_login(&u, &p) => {
                        crate::updater::receive(unit, body).await
                    }
                    _ => reply(
                        StatusCode::UNAUTHORIZED,
                        r#"{"error":"authentication required"}"#,
                    ),
                },
            )
        }
        (&Method::POST, "/api/update") => {
            let auth = basic_auth(parts.headers.get(hyper::header::AUTHORIZATION));
            if !auth.is_some_and(|(u, p)| unit.check_login(&u, &p)) {
                return Ok(reply(
                    StatusCode::UNAUTHORIZED,
                    r#"{"error":"authentication required"}"#,
                ));
            }
            let body = Limited::new(body, MAX_BODY).collect().await;
            let url = body
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b.to_bytes()).ok())
                .and_then(|v| v["url"].as_str().map(String::from));
            return Ok(match url {
                Some(url) => crate::updater::pull(unit, url),
                None => reply(StatusCode::BAD_REQUEST, r#"{"error":"expected url"}"#),
            });
        }
        // A legacy upgrade CGI left in the image, taking images without a login.
        (&Method::POST, "/cgi-bin/upgrade.cgi") if unit.has(Fault::UndeclaredUpdatePath) => {
            return Ok(crate::updater::receive(unit, body).await)
        }
        (_, "/cgi-bin/upgrade.cgi") if unit.has(Fault::UndeclaredUpdatePath) => {
            return Ok(reply(
                StatusCode::METHOD_NOT_ALLOWED,
                r#"{"error":"POST an image"}"#,
            ))
        }
        _ => {}
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                r#"{"error":"body too large"}"#,
            ))
        }
    };
    let mut answer = match (parts.method, parts.uri.path()) {
        (Method::GET, "/") => reply(
            StatusCode::OK,
            "<html><body><h1>Camera</h1><p>Log in with the app.</p></body></html>",
        ),
        (Method::POST, "/api/login") => match serde_json::from_slice::<Login>(&body) {
            Ok(l) => answer(
                unit.network_login(&l.username, &l.password),
                r#"{"result":"ok"}"#,
            ),
            Err(_) => reply(
                StatusCode::BAD_REQUEST,
                r#"{"error":"expected username and password"}"#,
            ),
        },
        (Method::POST, "/api/setup") => match serde_json::from_slice::<Setup>(&body) {
            Ok(s) if unit.check_login(&s.username, &s.password) => {
                if s.new_password.len() < 8 {
                    reply(StatusCode::BAD_REQUEST, r#"{"error":"password too short"}"#)
                } else {
                    unit.set_password(&s.username, &s.new_password);
                    if let Some(v) = s.viewer_password.as_deref().filter(|v| v.len() >= 8) {
                        unit.set_password(&unit.fw.viewer_username, v);
                    }
                    unit.state.lock().unwrap().initialized = true;
                    reply(StatusCode::OK, r#"{"result":"initialized"}"#)
                }
            }
            Ok(_) => reply(
                StatusCode::UNAUTHORIZED,
                r#"{"error":"invalid credentials"}"#,
            ),
            Err(_) => reply(
                StatusCode::BAD_REQUEST,
                r#"{"error":"expected username, password, new_password"}"#,
            ),
        },
        (Method::GET, "/api/stream") => {
            match basic_auth(parts.headers.get(hyper::header::AUTHORIZATION)) {
                Some((u, p)) => answer(
                    unit.network_login(&u, &p),
                    r#"{"stream":"rtsp://camera/live"}"#,
                ),
                None => reply(
                    StatusCode::UNAUTHORIZED,
                    r#"{"error":"authentication required"}"#,
                ),
            }
        }
        (Method::GET, "/login") => reply(StatusCode::OK, LOGIN_PAGE),
        (Method::GET, "/description.xml") if unit.has(Fault::SerialInSsdpDescription) => reply(
            StatusCode::OK,
            &format!(
                "<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>Camera</friendlyName><modelName>{}</modelName><serialNumber>{}</serialNumber></device></root>",
                unit.fw.model, unit.label.serial
            ),
        ),
        (Method::POST, "/login") => form_login(&unit, &body),
        (Method::GET, "/api/snapshot") => digest_snapshot(
            &unit,
            "GET",
            parts.headers.get(hyper::header::AUTHORIZATION),
        ),
        (Method::GET, "/api/info") => {
            match basic_auth(parts.headers.get(hyper::header::AUTHORIZATION)) {
                Some((u, p)) if unit.check_login(&u, &p) => {
                    let info = serde_json::json!({"model": unit.fw.model, "firmware": unit.version(), "serial": unit.label.serial});
                    reply(StatusCode::OK, &info.to_string())
                }
                _ => reply(
                    StatusCode::UNAUTHORIZED,
                    r#"{"error":"authentication required"}"#,
                ),
            }
        }
        _ => reply(StatusCode::NOT_FOUND, r#"{"error":"not found"}"#),
    };
    server_header(&unit, &mut answer);
    Ok(answer)
}

fn server_header(unit: &Unit, answer: &mut Response<Full<Bytes>>) {
    if unit.has(Fault::VersionInHttpHeader) {
        let server = format!("{}/{} (embedded httpd)", unit.fw.model, unit.version());
        if let Ok(v) = hyper::header::HeaderValue::from_str(&server) {
            answer.headers_mut().insert(hyper::header::SERVER, v);
        }
    }
}

fn answer(login: crate::unit::Login, ok_body: &str) -> Response<Full<Bytes>> {
    match login {
        crate::unit::Login::Ok => reply(StatusCode::OK, ok_body),
        crate::unit::Login::Wrong => reply(
            StatusCode::UNAUTHORIZED,
            r#"{"error":"invalid credentials"}"#,
        ),
        crate::unit::Login::Locked => reply(
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"error":"too many failed logins, try later"}"#,
        ),
    }
}

fn reply(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r
}

fn basic_auth(header: Option<&hyper::header::HeaderValue>) -> Option<(String, String)> {
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
fn form_login(unit: &Unit, body: &[u8]) -> Response<Full<Bytes>> {
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

const LOGIN_PAGE: &str = "<html><body><form method=\"post\" action=\"/login\"><input name=\"user\"><input type=\"password\" name=\"pass\"><button>Log in</button></form></body></html>";
const LOGIN_PAGE_FAILED: &str = "<html><body><p>Login failed</p><form method=\"post\" action=\"/login\"><input name=\"user\"><input type=\"password\" name=\"pass\"></form></body></html>";

/// The snapshot API with HTTP digest authentication (MD5, qop=auth), as many cameras have.
fn digest_snapshot(
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
