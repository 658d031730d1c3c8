//! The app's settings API: `POST /api/session` trades the account's credentials for a bearer
//! token, `GET /api/settings` reads the update server and `PUT /api/settings` changes it, which
//! only the owner's account may do. Three faults each drop one part of that check.

use crate::firmware::Fault;
use crate::http::reply;
use crate::unit::{Login, Unit};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::http::request::Parts;
use hyper::{Method, Response, StatusCode};

pub const DEFAULT_UPDATE_SERVER: &str = "https://updates.example.com/camera";
/// Sessions kept at once; the oldest goes first.
const MAX_SESSIONS: usize = 16;

#[derive(serde::Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(serde::Deserialize)]
struct Settings {
    update_server: String,
}

/// The settings API's answer, or `None` for a path it does not serve.
pub fn route(unit: &Unit, parts: &Parts, body: &Bytes) -> Option<Response<Full<Bytes>>> {
    if parts.uri.path().starts_with("/api/") && !crate::cloud::local_control(unit) {
        return Some(reply(
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"error":"cloud unreachable"}"#,
        ));
    }
    Some(match (&parts.method, parts.uri.path()) {
        (&Method::GET, "/api/status") => reply(
            StatusCode::OK,
            &serde_json::json!({ "cloud": crate::cloud::status(unit) }).to_string(),
        ),
        (&Method::POST, "/api/session") => open_session(unit, body),
        (&Method::GET, "/api/settings") => match session(unit, parts) {
            Some(_) => {
                let server = unit.state.lock().unwrap().update_server.clone();
                reply(
                    StatusCode::OK,
                    &serde_json::json!({ "update_server": server }).to_string(),
                )
            }
            None => denied(),
        },
        (&Method::PUT, "/api/settings") => {
            let allowed = unit.has(Fault::SettingsWithoutAuthentication)
                || match session(unit, parts) {
                    Some(user) => {
                        user == unit.label.username || unit.has(Fault::SettingsAnyAccount)
                    }
                    None => false,
                };
            if !allowed {
                return Some(denied());
            }
            match serde_json::from_slice::<Settings>(body) {
                Ok(s) if s.update_server.len() <= 256 => {
                    unit.state.lock().unwrap().update_server = s.update_server;
                    reply(StatusCode::OK, r#"{"result":"saved"}"#)
                }
                _ => reply(
                    StatusCode::BAD_REQUEST,
                    r#"{"error":"expected update_server"}"#,
                ),
            }
        }
        _ => return None,
    })
}

fn open_session(unit: &Unit, body: &Bytes) -> Response<Full<Bytes>> {
    let Ok(c) = serde_json::from_slice::<Credentials>(body) else {
        return reply(
            StatusCode::BAD_REQUEST,
            r#"{"error":"expected username and password"}"#,
        );
    };
    match unit.network_login(&c.username, &c.password) {
        Login::Ok => {
            let token = crate::manufacture::random_password(24);
            let mut sessions = unit.sessions.lock().unwrap();
            if sessions.len() >= MAX_SESSIONS {
                sessions.remove(0);
            }
            sessions.push((token.clone(), c.username));
            reply(
                StatusCode::OK,
                &serde_json::json!({ "token": token }).to_string(),
            )
        }
        Login::Locked => reply(StatusCode::TOO_MANY_REQUESTS, r#"{"error":"locked"}"#),
        Login::Wrong => reply(
            StatusCode::UNAUTHORIZED,
            r#"{"error":"invalid credentials"}"#,
        ),
    }
}

/// The account a request's bearer token belongs to. With fault settings-token-not-checked any
/// token passes, as the owner's.
pub fn session(unit: &Unit, parts: &Parts) -> Option<String> {
    let token = parts
        .headers
        .get(hyper::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?;
    if unit.has(Fault::SettingsTokenNotChecked) && !token.is_empty() {
        return Some(unit.label.username.clone());
    }
    let sessions = unit.sessions.lock().unwrap();
    sessions
        .iter()
        .find(|(t, _)| t == token)
        .map(|(_, user)| user.clone())
}

fn denied() -> Response<Full<Bytes>> {
    reply(
        StatusCode::UNAUTHORIZED,
        r#"{"error":"authentication required"}"#,
    )
}
