//! Expect-style matching over a byte stream from a device: a bounded buffer fed by a reader task,
//! patterns matched under a deadline, death strings that end any wait.

use crate::config::pattern::Pattern;
use crate::evidence::EvidenceLog;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, Mutex};
use tokio::time::Instant;

/// Older output is dropped past this; a device that floods cannot grow hilt's memory.
pub const BUFFER_LIMIT: usize = 64 * 1024;
/// Longest a write to the device may take before the send fails.
const SEND_WITHIN: Duration = Duration::from_secs(10);

pub type Writer = Arc<Mutex<Box<dyn AsyncWrite + Send + Unpin>>>;

/// What can hold a serial line low: a local tty, or a console server asked over the network.
pub trait LineBreak: Send + Sync {
    /// Holds the line low; what the line's far end said of it, if anything, is returned for the
    /// transcript.
    fn send_break(&self) -> futures_util::future::BoxFuture<'_, Result<Option<String>, String>>;
    /// Said in the transcript, e.g. `[serial BREAK]`.
    fn describe(&self) -> &'static str;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectError {
    Timeout {
        waited: Duration,
        wanted: String,
        tail: String,
    },
    Closed,
    Death(String),
    Io(String),
}

impl std::fmt::Display for ExpectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectError::Timeout {
                waited,
                wanted,
                tail,
            } => {
                write!(
                    f,
                    "no {wanted} within {:.1}s; last output: \"{tail}\"",
                    waited.as_secs_f64()
                )
            }
            ExpectError::Closed => write!(f, "the device closed the connection"),
            ExpectError::Death(s) => write!(f, "the device printed a death string: {s}"),
            ExpectError::Io(e) => write!(f, "i/o error: {e}"),
        }
    }
}

/// Where a channel's bytes wait before it takes them, when that is more than the channel itself
/// (a console's backlog), and which has put each byte into the transcript as it arrived:
/// `discard` forgets them all, calling `drain_channel` while nothing can move between the two.
pub trait Discard: Send + Sync {
    fn discard(&self, drain_channel: &mut dyn FnMut());
}

pub struct Channel {
    rx: mpsc::Receiver<Vec<u8>>,
    /// Set when the bytes were put into the transcript on arrival, by what feeds `rx`.
    source: Option<std::sync::Arc<dyn Discard>>,
    buf: Vec<u8>,
    closed: bool,
    writer: Writer,
    pub transcript: EvidenceLog,
    death: Vec<Pattern>,
    /// A serial line's BREAK; None on transports without a line (telnet, raw TCP).
    break_line: Option<Box<dyn LineBreak>>,
}

impl Channel {
    /// `rx` carries what the device sent (already stripped of transport framing).
    pub fn new(
        rx: mpsc::Receiver<Vec<u8>>,
        writer: Writer,
        transcript: EvidenceLog,
        death: Vec<Pattern>,
    ) -> Channel {
        Channel {
            rx,
            source: None,
            buf: Vec::new(),
            closed: false,
            writer,
            transcript,
            death,
            break_line: None,
        }
    }

    /// The channel is fed through `source`, which logs each byte as it arrives.
    pub fn fed_by(&mut self, source: std::sync::Arc<dyn Discard>) {
        self.source = Some(source);
    }

    pub fn set_break_line(&mut self, line: Box<dyn LineBreak>) {
        self.break_line = Some(line);
    }

    /// A serial BREAK (the line held low for 0.25-0.5 s), which some boot loaders and
    /// consoles take as an interrupt; a no-op where the transport has no line.
    pub async fn send_break(&mut self) -> Result<(), ExpectError> {
        let Some(line) = &self.break_line else {
            return Ok(());
        };
        self.transcript.line(">", line.describe());
        let said = line.send_break().await.map_err(ExpectError::Io)?;
        if let Some(said) = said {
            self.transcript.line("#", &said);
        }
        Ok(())
    }

    pub async fn send(&mut self, text: &str, secret: bool) -> Result<(), ExpectError> {
        if secret {
            self.transcript.line(">", "[secret]");
        } else {
            self.transcript.bytes(">", text.as_bytes());
        }
        self.write(text.as_bytes()).await
    }

    /// A device that reads nothing (a full buffer, a flood of negotiation holding the writer)
    /// fails the write instead of holding the case.
    async fn write(&mut self, data: &[u8]) -> Result<(), ExpectError> {
        let write = async {
            let mut w = self.writer.lock().await;
            w.write_all(data).await?;
            w.flush().await
        };
        match crate::transport::device_time::timeout(SEND_WITHIN, write).await {
            Ok(done) => done.map_err(|e| ExpectError::Io(e.to_string())),
            Err(_) => Err(ExpectError::Io(format!(
                "the device took no input for {}s",
                SEND_WITHIN.as_secs()
            ))),
        }
    }

    /// Binary data (a file transfer): the transcript records its size and hash, not the bytes.
    pub async fn send_bytes(&mut self, data: &[u8], what: &str) -> Result<(), ExpectError> {
        if !what.is_empty() {
            self.transcript.line(
                ">",
                &format!("{what} {}", crate::transport::http::describe_bytes(data)),
            );
        }
        self.write(data).await
    }

    /// The next byte the device sends, for byte-wise protocols.
    pub async fn read_byte(&mut self, within: Duration) -> Result<u8, ExpectError> {
        let deadline = Instant::now() + within;
        loop {
            if !self.buf.is_empty() {
                return Ok(self.buf.remove(0));
            }
            if self.closed {
                return Err(ExpectError::Closed);
            }
            if !self.more(deadline).await {
                return Err(ExpectError::Timeout {
                    waited: within,
                    wanted: "a protocol byte".into(),
                    tail: String::new(),
                });
            }
        }
    }

    /// Everything the device sends during `window` (at most `limit` bytes), consumed.
    pub async fn gather(&mut self, window: Duration, limit: usize) -> Vec<u8> {
        let deadline = Instant::now() + window;
        while self.buf.len() < limit && !self.closed && self.more(deadline).await {}
        let n = self.buf.len().min(limit);
        self.buf.drain(..n).collect()
    }

    /// Whether the device sends nothing more for `window`: a prompt waits for input, while text
    /// that only looks like one (`Last login: ` cut by a read) goes on. What arrives is kept
    /// for the next expect.
    pub async fn quiet_for(&mut self, window: Duration) -> bool {
        let before = self.buf.len();
        let deadline = Instant::now() + window;
        while !self.closed && self.buf.len() == before && self.more(deadline).await {}
        self.buf.len() == before
    }

    /// Forget output seen so far, so the next expect only sees what comes after.
    pub fn clear(&mut self) {
        match &self.source {
            Some(source) => {
                let rx = &mut self.rx;
                source.discard(&mut || while rx.try_recv().is_ok() {});
            }
            None => {
                while let Ok(chunk) = self.rx.try_recv() {
                    self.take(chunk);
                }
            }
        }
        self.buf.clear();
    }

    /// Waits until one of `patterns` matches; returns its index and consumes through the match.
    pub async fn expect(
        &mut self,
        patterns: &[&Pattern],
        within: Duration,
    ) -> Result<usize, ExpectError> {
        let deadline = Instant::now() + within;
        loop {
            for d in &self.death {
                if d.regex.is_match(&self.buf) {
                    return Err(ExpectError::Death(d.source.clone()));
                }
            }
            let first = patterns
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.regex.find(&self.buf).map(|m| (m.start(), m.end(), i)))
                .min();
            if let Some((_, end, i)) = first {
                self.buf.drain(..end);
                return Ok(i);
            }
            if self.closed {
                return Err(ExpectError::Closed);
            }
            if !self.more(deadline).await {
                let wanted = patterns
                    .iter()
                    .map(|p| format!("`{}`", p.source))
                    .collect::<Vec<_>>()
                    .join(" or ");
                let tail =
                    crate::evidence::printable(&self.buf[self.buf.len().saturating_sub(80)..]);
                return Err(ExpectError::Timeout {
                    waited: within,
                    wanted,
                    tail,
                });
            }
        }
    }

    /// Waits for more device output (or its end) until `deadline`; false when the deadline came
    /// first.
    async fn more(&mut self, deadline: Instant) -> bool {
        match crate::transport::device_time::timeout_at(deadline, self.rx.recv()).await {
            Ok(Some(chunk)) => {
                self.take(chunk);
                true
            }
            Ok(None) => {
                self.closed = true;
                true
            }
            Err(_) => false,
        }
    }

    fn take(&mut self, chunk: Vec<u8>) {
        if self.source.is_none() {
            self.transcript.bytes("<", &chunk);
        }
        self.buf.extend_from_slice(&chunk);
        if self.buf.len() > BUFFER_LIMIT {
            let excess = self.buf.len() - BUFFER_LIMIT;
            self.buf.drain(..excess);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::SampleEvidence;

    fn channel() -> (
        mpsc::Sender<Vec<u8>>,
        Channel,
        crate::util::test_dir::TestDir,
    ) {
        let dir = crate::util::test_dir::TestDir::new("expect");
        let ev = SampleEvidence::new(&dir.0, "s").unwrap();
        let (tx, rx) = mpsc::channel(8);
        let writer: Writer = Arc::new(Mutex::new(Box::new(tokio::io::sink())));
        let death = vec![Pattern::new("Kernel panic").unwrap()];
        (tx, Channel::new(rx, writer, ev.log("t.log"), death), dir)
    }

    #[tokio::test]
    async fn earliest_match_wins_and_is_consumed() {
        let (tx, mut ch, _d) = channel();
        tx.send(b"Password: \r\nlogin: ".to_vec()).await.unwrap();
        let login = Pattern::new("login: ").unwrap();
        let pass = Pattern::new("Password: ").unwrap();
        assert_eq!(
            ch.expect(&[&login, &pass], Duration::from_secs(1)).await,
            Ok(1)
        );
        assert_eq!(
            ch.expect(&[&login, &pass], Duration::from_secs(1)).await,
            Ok(0)
        );
    }

    #[tokio::test]
    async fn deadline_death_string_and_close_end_a_wait() {
        let (tx, mut ch, _d) = channel();
        let p = Pattern::new("never").unwrap();
        let r = ch.expect(&[&p], Duration::from_millis(50)).await;
        assert!(matches!(r, Err(ExpectError::Timeout { .. })));
        tx.send(b"Kernel panic - not syncing".to_vec())
            .await
            .unwrap();
        assert!(matches!(
            ch.expect(&[&p], Duration::from_secs(1)).await,
            Err(ExpectError::Death(_))
        ));
        ch.clear();
        drop(tx);
        assert_eq!(
            ch.expect(&[&p], Duration::from_secs(1)).await,
            Err(ExpectError::Closed)
        );
    }

    #[tokio::test]
    async fn flood_is_bounded() {
        let (tx, mut ch, _d) = channel();
        for _ in 0..4 {
            tx.send(vec![b'x'; BUFFER_LIMIT]).await.unwrap();
        }
        let p = Pattern::new("y").unwrap();
        let _ = ch.expect(&[&p], Duration::from_millis(50)).await;
        assert!(ch.buf.len() <= BUFFER_LIMIT);
    }
}
