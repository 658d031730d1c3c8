//! A small telnet client: enough option negotiation to reach a login prompt. The server may echo
//! and suppress go-ahead; every other option is refused. IAC sequences never reach the text.

use super::expect::{Channel, Writer};
use crate::evidence::EvidenceLog;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Mutex};

use super::telnet_codec::{self, Event, DO, DONT, IAC, WILL, WONT};

const ECHO: u8 = 1;
const SUPPRESS_GO_AHEAD: u8 = 3;

pub async fn connect(
    addr: SocketAddr,
    within: Duration,
    transcript: EvidenceLog,
) -> Result<Channel, super::error::Error> {
    let stream = crate::transport::device_time::timeout(within, TcpStream::connect(addr))
        .await
        .map_err(|_| {
            super::error::Error::Unit(format!(
                "telnet {addr}: no connection within {:.1}s",
                within.as_secs_f64()
            ))
        })?
        .map_err(|e| super::error::Error::Unit(format!("telnet {addr}: {e}")))?;
    transcript.line("#", &format!("telnet connected to {addr}"));
    const REPLY_WITHIN: Duration = Duration::from_secs(2);
    let (mut reader, writer) = stream.into_split();
    let writer: Writer = Arc::new(Mutex::new(Box::new(writer)));
    let replies = writer.clone();
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let mut decoder = Decoder::default();
        let mut buf = vec![0u8; 4096];
        loop {
            let n = match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let (text, answer) = decoder.feed(&buf[..n]);
            // A unit that floods negotiation and reads nothing back is left, not waited for:
            // the writer's lock is never held past this deadline.
            if !answer.is_empty() {
                let reply = async { replies.lock().await.write_all(&answer).await };
                if !matches!(
                    crate::transport::device_time::timeout(REPLY_WITHIN, reply).await,
                    Ok(Ok(()))
                ) {
                    return;
                }
            }
            if !text.is_empty() && tx.send(text).await.is_err() {
                return;
            }
        }
    });
    Ok(Channel::new(rx, writer, transcript, vec![]))
}

/// Splits a telnet byte stream into text and the negotiation answers it calls for: the server
/// may echo and suppress go-ahead, everything else is refused. Keeps state across reads because
/// a command can be cut between two segments.
#[derive(Default)]
pub struct Decoder {
    framing: telnet_codec::Decoder,
}

impl Decoder {
    pub fn feed(&mut self, input: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let (mut text, mut events) = (Vec::with_capacity(input.len()), Vec::new());
        self.framing.feed(input, &mut text, &mut events);
        let mut answer = Vec::new();
        for event in events {
            match event {
                Event::Option(WILL, opt) if opt == ECHO || opt == SUPPRESS_GO_AHEAD => {
                    answer.extend([IAC, DO, opt])
                }
                Event::Option(WILL, opt) => answer.extend([IAC, DONT, opt]),
                Event::Option(DO, opt) => answer.extend([IAC, WONT, opt]),
                _ => {}
            }
        }
        (text, answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::telnet_codec::{SB, SE};

    /// A unit that floods negotiation and never reads: hilt's replies and its own input cannot
    /// be written, and the send fails at its deadline instead of holding the case.
    #[tokio::test]
    async fn a_negotiation_flood_that_never_reads_cannot_hold_a_send() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let flood = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let burst: Vec<u8> = [IAC, DO, ECHO].repeat(4096);
            while tokio::io::AsyncWriteExt::write_all(&mut s, &burst)
                .await
                .is_ok()
            {}
        });
        let (evidence, _dir) = crate::evidence::scratch("iacflood");
        let mut ch = connect(addr, Duration::from_secs(2), evidence.log("telnet.log"))
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let big = "x".repeat(32 << 20);
        let sent = ch.send(&big, false).await;
        assert!(sent.is_err(), "a unit that reads nothing takes no input");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{:?}",
            started.elapsed()
        );
        flood.abort();
    }

    #[test]
    fn negotiation_is_answered_and_stripped_even_when_split() {
        let mut d = Decoder::default();
        let (t1, a1) = d.feed(&[IAC, WILL, ECHO, IAC, DO, 24, b'l', IAC]);
        let (t2, a2) = d.feed(&[IAC, b'o', IAC, SB, 24, 1, IAC, SE, b'g']);
        assert_eq!(t1, b"l");
        assert_eq!(a1, vec![IAC, DO, ECHO, IAC, WONT, 24]);
        assert_eq!(t2, vec![IAC, b'o', b'g']);
        assert!(a2.is_empty());
    }
}
