//! The unit's updater behind its HTTP upload endpoints: receive an image, judge it, install it
//! and reboot into it, or refuse it and keep running.

use crate::firmware::Fault;
use crate::unit::{Event, Unit};
use crate::update;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Response, StatusCode};
use std::sync::Arc;

const MAX_IMAGE: usize = 8 * 1024 * 1024;

pub async fn receive(unit: Arc<Unit>, body: Incoming) -> Response<Full<Bytes>> {
    if unit.has(Fault::UpdatePathBroken) {
        let _ = Limited::new(body, MAX_IMAGE).collect().await;
        return reply(StatusCode::INTERNAL_SERVER_ERROR, "updater not running");
    }
    let in_place = unit.has(Fault::TruncatedBricks) || unit.has(Fault::InterruptedBricks);
    if in_place {
        // Single slot, written as the image streams in: from here on the old firmware is gone.
        unit.installed.lock().unwrap().bricked = true;
    }
    let image = match Limited::new(body, MAX_IMAGE).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return reply(StatusCode::BAD_REQUEST, "transfer broken off"),
    };
    if unit.has(Fault::InterruptedBricks) {
        // A transfer that arrived whole is checked in RAM and the old slot restored if refused;
        // only one that never finished (power cut) leaves the slot half-written.
        unit.installed.lock().unwrap().bricked = false;
    }
    if unit.has(Fault::TruncatedBricks) {
        if update::complete(&image) {
            unit.installed.lock().unwrap().bricked = false;
        } else {
            reboot_soon(&unit);
            return reply(StatusCode::BAD_REQUEST, "image incomplete");
        }
    }
    let running = unit.installed.lock().unwrap().counter;
    match update::judge(&unit, &image, running) {
        Ok(h) => {
            {
                let mut installed = unit.installed.lock().unwrap();
                installed.version = h.version.clone();
                installed.counter = h.counter;
            }
            reboot_soon(&unit);
            reply(
                StatusCode::OK,
                &format!("installed {}, rebooting", h.version),
            )
        }
        Err(e) => reply(StatusCode::BAD_REQUEST, &e),
    }
}

/// The answer goes out first; then the unit restarts, as real updaters do.
fn reboot_soon(unit: &Unit) {
    let events = unit.events.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let _ = events.send(Event::Reboot);
    });
}

fn reply(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({ "result": message }).to_string();
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r
}
