//! The camera's local admin API: real HTTP/1.1 (hyper) over TLS on the unit's address, and the
//! plain-HTTP port beside it.

use crate::firmware::Fault;
use crate::unit::Unit;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use openssl::ssl::{Ssl, SslAcceptor};
use serde::Deserialize;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_openssl::SslStream;

use crate::http_auth::{basic_auth, digest_snapshot, form_login, LOGIN_PAGE};

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
    let body = match streamed(&unit, &parts, body).await {
        Ok(answer) => return Ok(answer),
        Err(body) => body,
    };
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                r#"{"error":"body too large"}"#,
            ))
        }
    };
    let mut answer = routed(&unit, &parts, &body).await;
    server_header(&unit, &mut answer);
    Ok(answer)
}

/// Uploads and areas answered before the body is read (an image streams to the updater); any
/// other request gets its body back.
async fn streamed(
    unit: &Arc<Unit>,
    parts: &hyper::http::request::Parts,
    body: Incoming,
) -> Result<Response<Full<Bytes>>, Incoming> {
    match (&parts.method, parts.uri.path()) {
        (&Method::POST, "/api/firmware") => {
            return Ok(
                match basic_auth(parts.headers.get(hyper::header::AUTHORIZATION)) {
                    Some((u, p)) if unit.check_login(&u, &p) => {
                        crate::updater::receive(unit.clone(), body).await
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
                Some(url) => crate::updater::pull(unit.clone(), url),
                None => reply(StatusCode::BAD_REQUEST, r#"{"error":"expected url"}"#),
            });
        }
        // Basic authentication over a whole area, as lighttpd's mod_auth or an nginx location
        // puts it: every path beneath answers 401, whether anything is there or not.
        (_, p) if p.starts_with("/admin/") && unit.has(Fault::AdminAreaBasicAuth) => {
            let mut r = reply(
                StatusCode::UNAUTHORIZED,
                r#"{"error":"authentication required"}"#,
            );
            r.headers_mut().insert(
                hyper::header::WWW_AUTHENTICATE,
                hyper::header::HeaderValue::from_static("Basic realm=\"admin\""),
            );
            return Ok(r);
        }
        // A legacy upgrade CGI left in the image, taking images without a login.
        (&Method::POST, "/cgi-bin/upgrade.cgi") if unit.has(Fault::UndeclaredUpdatePath) => {
            return Ok(crate::updater::receive(unit.clone(), body).await)
        }
        (_, "/cgi-bin/upgrade.cgi") if unit.has(Fault::UndeclaredUpdatePath) => {
            return Ok(reply(
                StatusCode::METHOD_NOT_ALLOWED,
                r#"{"error":"POST an image"}"#,
            ))
        }
        _ => {}
    }
    Err(body)
}

/// The camera's pages and API, the body read.
async fn routed(
    unit: &Arc<Unit>,
    parts: &hyper::http::request::Parts,
    body: &Bytes,
) -> Response<Full<Bytes>> {
    if let Some(answer) = crate::settings::route(unit, parts, body) {
        return answer;
    }
    if let Some(answer) = crate::diagnostics::route(unit, parts, body) {
        return answer;
    }
    match (&parts.method, parts.uri.path()) {
        // The admin's web page behind a browser's login box: the admin account's credential
        // opens it, anything else draws the challenge again.
        (&Method::GET, "/") if unit.has(Fault::BasicAuthAtRoot) => {
            let login = match basic_auth(parts.headers.get(hyper::header::AUTHORIZATION)) {
                Some((user, password)) => unit.network_login(&user, &password),
                None => crate::unit::Login::Wrong,
            };
            match login {
                crate::unit::Login::Ok => reply(StatusCode::OK, "<html><body>admin</body></html>"),
                other => {
                    let mut r = answer(other, "");
                    r.headers_mut().insert(
                        hyper::header::WWW_AUTHENTICATE,
                        hyper::header::HeaderValue::from_static("Basic realm=\"camera\""),
                    );
                    r
                }
            }
        }
        (&Method::GET, "/") => reply(
            StatusCode::OK,
            "<html><body><h1>Camera</h1><p>Log in with the app.</p></body></html>",
        ),
        (&Method::POST, "/api/login") => match serde_json::from_slice::<Login>(body) {
            // The login handler copies the name into a 1 KiB stack buffer unchecked.
            Ok(l) if unit.has(Fault::LoginOverflowCrashesHttpd) && l.username.len() > 1024 => {
                crate::unit::crash(unit, "httpd[311]: segfault at 0 ip 000000000040a1c4 sp 00007ffe2b1c9e70 error 4 in httpd[400000+3c000]").await
            }
            Ok(l) if unit.has(Fault::SingleSession) => one_at_a_time(unit, &l).await,
            Ok(l) => answer(
                unit.network_login(&l.username, &l.password),
                r#"{"result":"ok"}"#,
            ),
            Err(_) => reply(
                StatusCode::BAD_REQUEST,
                r#"{"error":"expected username and password"}"#,
            ),
        },
        (&Method::POST, "/api/setup") => match serde_json::from_slice::<Setup>(body) {
            Ok(s) if unit.check_login(&s.username, &s.password) => {
                if s.new_password.len() < 8 {
                    reply(StatusCode::BAD_REQUEST, r#"{"error":"password too short"}"#)
                } else {
                    unit.set_password(&s.username, &s.new_password);
                    if let Some(v) = s.viewer_password.as_deref().filter(|v| v.len() >= 8) {
                        unit.set_password(&unit.fw.viewer_username, v);
                    }
                    unit.state.lock().unwrap().initialized = true;
                    crate::password_change::saved(unit);
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
        (&Method::POST, "/api/password") => match serde_json::from_slice::<Setup>(body) {
            Ok(c) => crate::password_change::change(unit, &c.username, &c.password, &c.new_password),
            Err(_) => reply(
                StatusCode::BAD_REQUEST,
                r#"{"error":"expected username, password, new_password"}"#,
            ),
        },
        (&Method::GET, "/api/stream") => {
            match basic_auth(parts.headers.get(hyper::header::AUTHORIZATION)) {
                // Before onboarding the viewer's empty password only leads to setting one.
                Some((u, p))
                    if unit.has(Fault::ViewerForcedChange)
                        && u == unit.fw.viewer_username
                        && p.is_empty() =>
                {
                    answer(
                        unit.network_login(&u, &p),
                        r#"{"change_password_required":true}"#,
                    )
                }
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
        (&Method::GET, "/login") => reply(StatusCode::OK, LOGIN_PAGE),
        (&Method::GET, "/description.xml") if unit.has(Fault::SerialInSsdpDescription) => reply(
            StatusCode::OK,
            &format!(
                "<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>Camera</friendlyName><modelName>{}</modelName><serialNumber>{}</serialNumber></device></root>",
                unit.fw.model, unit.label.serial
            ),
        ),
        (&Method::POST, "/login") => form_login(unit, body),
        (&Method::GET, "/api/snapshot") => digest_snapshot(
            unit,
            "GET",
            parts.headers.get(hyper::header::AUTHORIZATION),
        ),
        (&Method::GET, "/api/info") => {
            match basic_auth(parts.headers.get(hyper::header::AUTHORIZATION)) {
                Some((u, p)) if unit.check_login(&u, &p) => {
                    if unit.is(crate::hostile::Hostile::UnsafeText) {
                        return raw_info(unit);
                    }
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
    }
}

fn server_header(unit: &Unit, answer: &mut Response<Full<Bytes>>) {
    if unit.has(Fault::VersionInHttpHeader) {
        let server = format!("{}/{} (embedded httpd)", unit.fw.model, unit.version());
        if let Ok(v) = hyper::header::HeaderValue::from_str(&server) {
            answer.headers_mut().insert(hyper::header::SERVER, v);
        }
    }
}

/// Fault single-session: the login takes 50 ms to judge, and one arriving meanwhile is turned
/// away with 503, as a small device that serves one session at a time does.
async fn one_at_a_time(unit: &Unit, l: &Login) -> Response<Full<Bytes>> {
    use std::sync::atomic::Ordering;
    if unit.login_busy.swap(true, Ordering::SeqCst) {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"error":"busy: one session at a time"}"#,
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let a = answer(
        unit.network_login(&l.username, &l.password),
        r#"{"result":"ok"}"#,
    );
    unit.login_busy.store(false, Ordering::SeqCst);
    a
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

/// Hostile text: the version's control characters written raw, not JSON-escaped, and a byte
/// that is not UTF-8 in the model.
fn raw_info(unit: &Unit) -> Response<Full<Bytes>> {
    let mut body = br#"{"model":""#.to_vec();
    body.extend_from_slice(crate::hostile::TEXT);
    body.extend_from_slice(
        format!(
            r#"","firmware":"{}","serial":"{}"}}"#,
            unit.version(),
            unit.label.serial
        )
        .as_bytes(),
    );
    Response::new(Full::new(Bytes::from(body)))
}

pub(crate) fn reply(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r
}
