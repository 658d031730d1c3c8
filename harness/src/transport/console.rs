//! The unit's UART through a serial adapter (any tty: /dev/ttyUSB0, a pseudo-terminal).
//! When the rig gives no baud rate, the common ones are tried and the first that answers a
//! newline with readable text is kept.

use super::error::Error;
use super::expect::{Channel, Writer};
use crate::config::pattern::Pattern;
use crate::evidence::EvidenceLog;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, Mutex};
use tokio_serial::SerialPortBuilderExt;

pub fn open(
    path: &str,
    baud: u32,
    transcript: EvidenceLog,
    death: Vec<Pattern>,
) -> Result<Channel, Error> {
    let port = tokio_serial::new(path, baud)
        .timeout(std::time::Duration::from_millis(500))
        .open_native_async()
        .map_err(|e| Error::Bench(format!("cannot open serial port {path}: {e}")))?;
    transcript.line("#", &format!("opened {path} at {baud} baud"));
    // For a line BREAK; the descriptor lives as long as the port's halves do.
    let fd = port.as_raw_fd();
    let (mut reader, writer) = tokio::io::split(port);
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            match AsyncReadExt::read(&mut reader, &mut buf).await {
                Ok(0) => return,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).await.is_err() {
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
    channel.set_break_line(fd);
    Ok(channel)
}

/// Opens at the rig's rate, or at the rate a search finds when the rig gives none.
pub async fn open_at(
    path: &str,
    baud: Option<u32>,
    transcript: EvidenceLog,
    death: Vec<Pattern>,
) -> Result<Channel, Error> {
    let baud = match baud {
        Some(b) => b,
        None => find_baud(path, &transcript).await?,
    };
    open(path, baud, transcript, death)
}

/// Most common first: a unit answering at the first rate costs one try.
const RATES: [u32; 8] = [
    115_200, 57_600, 38_400, 19_200, 9_600, 230_400, 460_800, 921_600,
];

/// The first rate at which a newline gets readable text back; each try is logged.
async fn find_baud(path: &str, transcript: &EvidenceLog) -> Result<u32, Error> {
    let mut tried = Vec::new();
    for rate in RATES {
        let mut port = tokio_serial::new(path, rate)
            .timeout(Duration::from_millis(200))
            .open_native_async()
            .map_err(|e| Error::Bench(format!("cannot open serial port {path}: {e}")))?;
        let _ = port.write_all(b"\r").await;
        let mut answer = Vec::new();
        let mut buf = [0u8; 512];
        let until = tokio::time::Instant::now() + Duration::from_millis(700);
        while answer.len() < 4096 {
            match crate::transport::device_time::timeout_at(until, port.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buf[..n]),
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                _ => break,
            }
        }
        let score = readable(&answer);
        transcript.line(
            "#",
            &format!(
                "baud search: {rate}: {} bytes, {:.0}% readable",
                answer.len(),
                score * 100.0
            ),
        );
        if answer.len() >= 4 && score >= 0.9 {
            return Ok(rate);
        }
        tried.push(rate.to_string());
    }
    Err(Error::Unit(format!(
        "no baud rate gave readable text to a newline (tried {}); set its `baud` in the rig (silence at every rate also looks like this)",
        tried.join(", ")
    )))
}

/// Share of bytes that are printable ASCII or line white space: text read at the wrong rate
/// is mostly high and control bytes.
pub fn readable(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let good = bytes
        .iter()
        .filter(|b| b.is_ascii_graphic() || matches!(b, b' ' | b'\r' | b'\n' | b'\t'))
        .count();
    good as f64 / bytes.len() as f64
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn text_scores_high_and_wrong_rate_garbage_low() {
        assert!(readable(b"\r\nVC-100 login: ") > 0.99);
        assert!(readable(&[0xf8, 0x80, 0x00, 0xfe, 0x1c, 0xe0, b'a', 0x98]) < 0.2);
        assert_eq!(readable(b""), 0.0);
    }
}
