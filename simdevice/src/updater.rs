//! The unit's updater: an image arrives (uploaded to the admin API, or fetched from a URL the app
//! gives), is judged, and is installed with a reboot, or refused while the unit keeps running.

use crate::firmware::Fault;
use crate::unit::{Event, Unit};
use crate::update;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Response, StatusCode};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const MAX_IMAGE: usize = 8 * 1024 * 1024;

/// An upload: the image is the request body.
pub async fn receive(unit: Arc<Unit>, body: Incoming) -> Response<Full<Bytes>> {
    if unit.has(Fault::UpdatePathBroken) {
        let _ = Limited::new(body, MAX_IMAGE).collect().await;
        return reply(StatusCode::INTERNAL_SERVER_ERROR, "updater not running");
    }
    begin(&unit);
    let image = Limited::new(body, MAX_IMAGE)
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .map_err(|_| "transfer broken off".to_string());
    let (status, message) = finish(&unit, image);
    reply(status, &message)
}

/// A pull: the unit fetches the image from `url` in the background, so the app gets its answer
/// at once; a power cut ends the fetch with the rest of the boot.
pub fn pull(unit: Arc<Unit>, url: String) -> Response<Full<Bytes>> {
    if unit.has(Fault::UpdatePathBroken) {
        return reply(StatusCode::INTERNAL_SERVER_ERROR, "updater not running");
    }
    let job = unit.clone();
    let handle = tokio::spawn(async move {
        begin(&job);
        let image = fetch(job.address, &url).await;
        let _ = finish(&job, image);
    });
    unit.background.lock().unwrap().push(handle.abort_handle());
    reply(StatusCode::ACCEPTED, "fetching the image")
}

/// With a single slot written in place, the old firmware is gone from the first byte on.
pub fn begin(unit: &Unit) {
    if unit.has(Fault::TruncatedBricks) || unit.has(Fault::InterruptedBricks) {
        unit.installed.lock().unwrap().bricked = true;
    }
}

pub fn finish(unit: &Unit, image: Result<Vec<u8>, String>) -> (StatusCode, String) {
    if unit.has(Fault::UpdatePathBroken) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "updater not running".into(),
        );
    }
    let image = match image {
        Ok(i) => i,
        Err(e) => return (StatusCode::BAD_REQUEST, e),
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
            reboot_soon(unit);
            return (StatusCode::BAD_REQUEST, "image incomplete".into());
        }
    }
    let running = unit.installed.lock().unwrap().counter;
    match update::judge(unit, &image, running) {
        Ok(h) => {
            {
                let mut installed = unit.installed.lock().unwrap();
                installed.version = h.version.clone();
                installed.counter = h.counter;
            }
            reboot_soon(unit);
            (
                StatusCode::OK,
                format!("installed {}, rebooting", h.version),
            )
        }
        Err(e) => (StatusCode::BAD_REQUEST, e),
    }
}

/// `http://IP:PORT/path`, plain HTTP/1.1, body as long as Content-Length says (capped).
async fn fetch(from: std::net::IpAddr, url: &str) -> Result<Vec<u8>, String> {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs")?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let get = async {
        let server: std::net::SocketAddr = host.parse().map_err(|_| "expected IP:PORT")?;
        // From the unit's own address, as a device on the bench network would connect.
        let socket = match from {
            std::net::IpAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
            std::net::IpAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
        }
        .map_err(|e| e.to_string())?;
        socket
            .bind(std::net::SocketAddr::new(from, 0))
            .map_err(|e| e.to_string())?;
        let mut s = socket.connect(server).await.map_err(|e| e.to_string())?;
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .map_err(|e| e.to_string())?;
        let mut data = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = s.read(&mut buf).await.map_err(|e| e.to_string())?;
            if n == 0 || data.len() > MAX_IMAGE {
                break;
            }
            data.extend_from_slice(&buf[..n]);
            if let Some(body) = whole_body(&data)? {
                return Ok(body);
            }
        }
        Err("transfer broken off".to_string())
    };
    tokio::time::timeout(Duration::from_secs(60), get)
        .await
        .map_err(|_| "fetch timed out".to_string())?
}

/// The body once all of it is in; an error for anything but 200.
fn whole_body(data: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
    if !head.starts_with("http/1.1 200") {
        return Err(format!(
            "server answered {}",
            head.lines().next().unwrap_or("")
        ));
    }
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or("no content-length")?;
    let body = &data[end + 4..];
    Ok((body.len() >= length).then(|| body[..length].to_vec()))
}

/// The answer goes out first; then the unit restarts, as real updaters do.
fn reboot_soon(unit: &Unit) {
    let events = unit.events.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _ = events.send(Event::Reboot);
    });
}

fn reply(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({ "result": message }).to_string();
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r
}
