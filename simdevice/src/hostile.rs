//! Hostile units: behaviour no honest firmware has, which a harness must survive without
//! stalling, being blinded or passing anything. Switched on with `--hostile NAME`.

use crate::unit::Unit;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    Tarpit,
    TlsDribble,
    EndlessUartLine,
    UnsafeText,
    IacFlood,
    SlowHttp,
    HugeSsdpDescription,
}

impl Hostile {
    pub const ALL: [(&'static str, Hostile); 7] = [
        ("tarpit", Hostile::Tarpit),
        ("tls-dribble", Hostile::TlsDribble),
        ("endless-uart-line", Hostile::EndlessUartLine),
        ("unsafe-text", Hostile::UnsafeText),
        ("iac-flood", Hostile::IacFlood),
        ("slow-http", Hostile::SlowHttp),
        ("huge-ssdp-description", Hostile::HugeSsdpDescription),
    ];

    pub fn parse(name: &str) -> Option<Hostile> {
        Hostile::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, h)| *h)
    }
}

/// Tarpit ports: each takes connections and answers one byte every `TARPIT_PACE`, forever.
pub const TARPIT_FIRST: u16 = 9100;
pub const TARPIT_PORTS: u16 = 200;
const TARPIT_PACE: Duration = Duration::from_millis(700);
/// The port that begins a TLS handshake record and dribbles it.
pub const TLS_DRIBBLE_PORT: u16 = 9000;
const TLS_DRIBBLE_PACE: Duration = Duration::from_millis(500);
/// The port whose HTTP answer announces and sends a 1 GiB body (the SSDP description's).
pub const HUGE_BODY_PORT: u16 = 9081;
const HUGE_BODY: u64 = 1 << 30;
/// The port whose HTTP answer comes a byte every 0.5 s and never ends.
pub const SLOW_HTTP_PORT: u16 = 9082;

/// A line erased and overwritten with a fake `[PASS]`, U+FFFF, a bidi override, an OSC never
/// terminated and a byte that is not UTF-8: what a device could put in any text field. No
/// whitespace, so it stays one token where a version is expected.
pub const TEXT: &[u8] = b"\x1b[2K\x1b[1G[PASS]\xef\xbf\xbf\xe2\x80\xae\x1b]0;owned\xff";

/// The hostile text as the firmware version the unit reports (the byte that is not UTF-8 is
/// left out: a version is a string).
pub fn version_suffix() -> String {
    String::from_utf8_lossy(&TEXT[..TEXT.len() - 1]).into_owned()
}

pub async fn tarpit(unit: Arc<Unit>) {
    let mut ports = JoinSet::new();
    for port in TARPIT_FIRST..TARPIT_FIRST + TARPIT_PORTS {
        if let Ok(l) = crate::net::bind(&unit, port).await {
            ports.spawn(dribble_on(l, Vec::new(), TARPIT_PACE));
        }
    }
    while ports.join_next().await.is_some() {}
}

/// A TLS record header announcing a 16 KiB handshake message, then its bytes one at a time.
pub async fn tls_dribble(unit: Arc<Unit>) {
    if let Ok(l) = crate::net::bind(&unit, TLS_DRIBBLE_PORT).await {
        dribble_on(
            l,
            vec![0x16, 0x03, 0x03, 0x40, 0x00, 0x02],
            TLS_DRIBBLE_PACE,
        )
        .await;
    }
}

async fn dribble_on(listener: TcpListener, first: Vec<u8>, pace: Duration) {
    each_connection(listener, move |s| dribble(s, first.clone(), pace)).await
}

/// Serves every connection with `serve`; the connections end with this future.
async fn each_connection<F, Fut>(listener: TcpListener, serve: F)
where
    F: Fn(TcpStream) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((s, _)) = accepted {
                    conns.spawn(serve(s));
                }
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

async fn dribble(mut s: TcpStream, first: Vec<u8>, pace: Duration) {
    if s.write_all(&first).await.is_err() {
        return;
    }
    while s.write_all(b"\0").await.is_ok() {
        tokio::time::sleep(pace).await;
    }
}

/// After the boot banner the console streams hostile text and `x` for ever, never a newline.
pub async fn endless_line<W: tokio::io::AsyncWrite + Unpin>(console: &mut W) {
    let chunk: Vec<u8> = TEXT
        .iter()
        .copied()
        .chain(std::iter::repeat_n(b'x', 1024))
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    while console.write_all(&chunk).await.is_ok() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A telnet server that answers every connection with negotiation requests, as fast as the
/// socket takes them, and never reads a byte.
pub async fn iac_flood(listener: TcpListener) {
    const IAC: u8 = 255;
    const DO: u8 = 253;
    const WILL: u8 = 251;
    let block: Vec<u8> = (0..1024u32)
        .flat_map(|i| [IAC, if i % 2 == 0 { DO } else { WILL }, (i % 40) as u8])
        .collect();
    each_connection(listener, move |mut s| {
        let block = block.clone();
        async move { while s.write_all(&block).await.is_ok() {} }
    })
    .await
}

/// Slowloris from the server side: an HTTP answer one byte every 0.5 s, never finished.
pub async fn slow_http(unit: Arc<Unit>) {
    if let Ok(l) = crate::net::bind(&unit, SLOW_HTTP_PORT).await {
        let answer = b"HTTP/1.1 200 OK\r\nServer: slow\r\nX-Padding: ".to_vec();
        dribble_on(l, answer, Duration::from_millis(500)).await;
    }
}

/// Any request gets `200 OK` with a 1 GiB body of `<a>` elements, sent as fast as it is read.
pub async fn huge_body(unit: Arc<Unit>) {
    let Ok(listener) = crate::net::bind(&unit, HUGE_BODY_PORT).await else {
        return;
    };
    each_connection(listener, send_huge).await
}

async fn send_huge(mut s: TcpStream) {
    // A server that answers before it reads is not HTTP; this one reads the request head.
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match tokio::io::AsyncReadExt::read(&mut s, &mut buf).await {
            Ok(n) if n > 0 => request.extend_from_slice(&buf[..n]),
            _ => return,
        }
    }
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {HUGE_BODY}\r\n\r\n<root>"
    );
    if s.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let chunk = b"<a>".repeat(64 * 1024 / 3);
    let mut sent = 6u64;
    while sent < HUGE_BODY {
        let n = (chunk.len() as u64).min(HUGE_BODY - sent) as usize;
        if s.write_all(&chunk[..n]).await.is_err() {
            return;
        }
        sent += n as u64;
    }
}
