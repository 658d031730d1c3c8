//! The camera's local admin API: real HTTP/1.1 (hyper) on the unit's address.

use crate::unit::Unit;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

const MAX_BODY: usize = 16 * 1024;

pub async fn serve(unit: Arc<Unit>, listener: TcpListener) {
    let mut conns = JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        let unit = unit.clone();
        conns.spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(unit.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
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
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                r#"{"error":"body too large"}"#,
            ))
        }
    };
    let answer = match (parts.method, parts.uri.path()) {
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
        (Method::GET, "/api/info") => {
            match basic_auth(parts.headers.get(hyper::header::AUTHORIZATION)) {
                Some((u, p)) if unit.check_login(&u, &p) => {
                    let info = serde_json::json!({"model": unit.fw.model, "firmware": unit.fw.version, "serial": unit.label.serial});
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
    Ok(answer)
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
