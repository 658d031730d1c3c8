//! A local tty: a USB serial adapter, an on-board UART, a pseudo-terminal.

use super::{BaudSearch, ANSWER_LIMIT, ANSWER_WITHIN, RATES};
use crate::config::pattern::Pattern;
use crate::evidence::EvidenceLog;
use crate::transport::error::Error;
use crate::transport::expect::{Channel, LineBreak, Writer};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;
use tokio_serial::SerialPortBuilderExt;

pub(super) async fn open_at(
    path: &str,
    baud: Option<u32>,
    transcript: EvidenceLog,
    death: Vec<Pattern>,
) -> Result<Channel, Error> {
    let baud = match baud {
        Some(b) => b,
        None => {
            let mut search = BaudSearch::new(&transcript);
            let mut found = None;
            for rate in RATES {
                if search.readable_at(&rate.to_string(), &answer_at(path, rate).await?) {
                    found = Some(rate);
                    break;
                }
            }
            found.ok_or_else(|| search.failed())?
        }
    };
    open(path, baud, transcript, death)
}

fn open(
    path: &str,
    baud: u32,
    transcript: EvidenceLog,
    death: Vec<Pattern>,
) -> Result<Channel, Error> {
    let port = tokio_serial::new(path, baud)
        .timeout(Duration::from_millis(500))
        .open_native_async()
        .map_err(|e| Error::Bench(format!("cannot open serial port {path}: {e}")))?;
    transcript.line("#", &format!("opened {path} at {baud} baud"));
    // For a line BREAK; the descriptor lives as long as the port's halves do.
    let fd = port.as_raw_fd();
    let (mut reader, writer) = tokio::io::split(port);
    let (backlog, rx) = super::backlog::Backlog::channel(transcript.clone());
    let discarder = backlog.discarder();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            match AsyncReadExt::read(&mut reader, &mut buf).await {
                Ok(0) => return,
                Ok(n) => {
                    if !backlog.push(&buf[..n]) {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                Err(_) => return,
            }
        }
    });
    let writer: Writer = Arc::new(Mutex::new(Box::new(writer)));
    let mut channel = Channel::new(rx, writer, transcript, death);
    channel.fed_by(discarder);
    channel.set_break_line(Box::new(TtyBreak(fd)));
    Ok(channel)
}

struct TtyBreak(RawFd);

impl LineBreak for TtyBreak {
    fn send_break(&self) -> futures_util::future::BoxFuture<'_, Result<Option<String>, String>> {
        let fd = self.0;
        Box::pin(async move {
            // SAFETY: the descriptor belongs to the serial port the channel owns, open while the
            // channel (and so this line) lives.
            match unsafe { libc::tcsendbreak(fd, 0) } {
                0 => Ok(None),
                _ => Err(std::io::Error::last_os_error().to_string()),
            }
        })
    }

    fn describe(&self) -> &'static str {
        "[serial BREAK]"
    }
}

/// The port opened afresh at `rate`, a carriage return, and what came back.
async fn answer_at(path: &str, rate: u32) -> Result<Vec<u8>, Error> {
    let mut port = tokio_serial::new(path, rate)
        .timeout(Duration::from_millis(200))
        .open_native_async()
        .map_err(|e| Error::Bench(format!("cannot open serial port {path}: {e}")))?;
    let _ = port.write_all(b"\r").await;
    let mut answer = Vec::new();
    let mut buf = [0u8; 512];
    let until = tokio::time::Instant::now() + ANSWER_WITHIN;
    while answer.len() < ANSWER_LIMIT {
        match crate::transport::device_time::timeout_at(until, port.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buf[..n]),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            _ => break,
        }
    }
    Ok(answer)
}
