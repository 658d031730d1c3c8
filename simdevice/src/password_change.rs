//! The app's "change password" (`POST /api/password`): the account's current password, then the
//! new one. Three faults each break one thing a user relies on: the old password stops working,
//! the change survives a power cut, and only the account's owner can make it.

use crate::firmware::Fault;
use crate::http::reply;
use crate::unit::{Login, Unit};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};

pub fn change(unit: &Unit, username: &str, current: &str, new: &str) -> Response<Full<Bytes>> {
    if new.len() < 8 {
        return reply(StatusCode::BAD_REQUEST, r#"{"error":"password too short"}"#);
    }
    let known = unit
        .state
        .lock()
        .unwrap()
        .accounts
        .iter()
        .any(|a| a.username == username);
    let allowed = match unit.has(Fault::PasswordChangeWithoutCurrent) {
        true => Login::Ok,
        false => unit.network_login(username, current),
    };
    match (known, allowed) {
        (_, Login::Locked) => return reply(StatusCode::TOO_MANY_REQUESTS, r#"{"error":"locked"}"#),
        (false, _) | (_, Login::Wrong) => {
            return reply(
                StatusCode::UNAUTHORIZED,
                r#"{"error":"invalid credentials"}"#,
            )
        }
        (true, Login::Ok) => {}
    }
    let before = unit.state.lock().unwrap().accounts.clone();
    unit.set_password(username, new);
    if unit.has(Fault::PasswordChangeKeepsOld) {
        // The new password goes in beside the old one instead of replacing it.
        let old = before.iter().find(|a| a.username == username).cloned();
        unit.state.lock().unwrap().accounts.extend(old);
    }
    if unit.has(Fault::PasswordChangeLostAtReboot) {
        // Kept in RAM only: flash still holds the accounts as they were before the first change.
        unit.unsaved.lock().unwrap().get_or_insert(before);
    }
    reply(StatusCode::OK, r#"{"result":"password changed"}"#)
}

/// At boot the accounts are read back from flash: a change that never reached it is gone.
pub fn reload(unit: &Unit) {
    if let Some(saved) = unit.unsaved.lock().unwrap().take() {
        unit.state.lock().unwrap().accounts = saved;
    }
}

/// What flash holds once the accounts are written to it (a factory reset, onboarding).
pub fn saved(unit: &Unit) {
    unit.unsaved.lock().unwrap().take();
}
