//! What the relay backends' tests share: a small HTTP/1.1 server that each test gives the
//! device's documented API as a function of (method, path with query, Authorization header), a
//! relay that hangs, and the checks every backend must pass (switches both ways, its failures are
//! the bench's, a hang ends at the deadline).

use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(body: &str) -> Answer {
        Answer {
            status: 200,
            headers: vec![],
            body: body.into(),
        }
    }

    pub fn status(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: vec![],
            body: body.into(),
        }
    }
}

pub type Handler = dyn Fn(&str, &str, Option<&str>) -> Answer + Send + Sync;

/// Serves `handler` on a loopback port until the test ends; its `HOST:PORT`.
pub async fn serve(handler: Arc<Handler>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 16384 {
                    if s.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let mut lines = head.lines();
                let mut first = lines.next().unwrap_or("").split(' ');
                let (method, path) = (first.next().unwrap_or(""), first.next().unwrap_or(""));
                let header = |name: &str| {
                    head.lines().find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                    })
                };
                let length: usize = header("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0u8; length];
                let _ = s.read_exact(&mut body).await;
                let a = handler(method, path, header("authorization").as_deref());
                let mut out = format!(
                    "HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                    a.status,
                    a.body.len()
                );
                for (k, v) in &a.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&a.body);
                let _ = s.write_all(out.as_bytes()).await;
            });
        }
    });
    addr
}

/// A relay that takes the connection and never answers; its `HOST:PORT`.
pub async fn hung() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    addr
}

/// Switches `relay` on and off; each must read back.
pub async fn switches_both_ways(relay: &dyn super::Switch) {
    use super::Action::*;
    relay.actuate(PowerOn).await.unwrap();
    relay.actuate(PowerOff).await.unwrap();
    relay.actuate(PowerOn).await.unwrap();
}

/// The bench's error with `wanted` in its message.
pub async fn bench_error(relay: &dyn super::Switch, wanted: &str) {
    let e = super::actuate_within(
        relay,
        "power",
        super::Action::PowerOn,
        std::time::Duration::from_secs(8),
    )
    .await
    .unwrap_err();
    assert_eq!(e.cause(), crate::model::verdict::Cause::Bench, "{e}");
    assert!(e.to_string().contains(wanted), "{wanted:?} not in {e}");
}

/// A relay that hangs is the bench's error at the deadline.
pub async fn hang_is_bench_error(relay: &dyn super::Switch) {
    let started = std::time::Instant::now();
    let e = super::actuate_within(
        relay,
        "power",
        super::Action::PowerOff,
        std::time::Duration::from_millis(500),
    )
    .await
    .unwrap_err();
    assert_eq!(e.cause(), crate::model::verdict::Cause::Bench);
    assert!(e.to_string().contains("gave no answer"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}
