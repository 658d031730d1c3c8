//! The unit's UART, wherever the bench has it: a local tty (/dev/ttyUSB0, a pseudo-terminal), a
//! console server speaking RFC 2217 (`rfc2217://host:port`: line settings and BREAK travel with
//! the data), or a raw TCP console server (`tcp://host:port`, ser2net's raw mode: bytes only).
//! When the rig gives no baud rate, the common ones are tried and the first that answers a
//! newline with readable text is kept.

mod backlog;
pub(crate) mod com_port;
mod rfc2217;
mod tcp;
mod tty;

use super::error::Error;
use super::expect::Channel;
use crate::config::console_address::ConsoleAddress;
use crate::config::pattern::Pattern;
use crate::evidence::EvidenceLog;
use std::time::Duration;

/// Opens at the rig's rate, or at the rate a search finds when the rig gives none.
pub async fn open_at(
    path: &str,
    baud: Option<u32>,
    transcript: EvidenceLog,
    death: Vec<Pattern>,
) -> Result<Channel, Error> {
    match ConsoleAddress::parse(path).map_err(Error::Config)? {
        ConsoleAddress::Tty(p) => tty::open_at(&p, baud, transcript, death).await,
        ConsoleAddress::Rfc2217(a) => rfc2217::open_at(&a, baud, transcript, death).await,
        ConsoleAddress::RawTcp(a) => tcp::open_at(&a, baud, transcript, death).await,
    }
}

/// How long a console server has to take the connection.
const CONNECT_WITHIN: Duration = Duration::from_secs(5);

/// The TCP connection to a console server at `addr`, under a deadline; errors are the bench's.
async fn connect(addr: &str) -> Result<tokio::net::TcpStream, Error> {
    let connecting = tokio::net::TcpStream::connect(addr);
    let stream = crate::transport::device_time::timeout(CONNECT_WITHIN, connecting)
        .await
        .map_err(|_| {
            Error::Bench(format!(
                "no connection within {}s",
                CONNECT_WITHIN.as_secs()
            ))
        })?
        .map_err(|e| Error::Bench(e.to_string()))?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// The next bytes a console server sent into `buf`: None once the connection ends or the
/// channel `backlog` feeds is gone (then the connection ends even if the unit is silent).
async fn next_read<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut R,
    buf: &mut [u8],
    backlog: &backlog::Backlog,
) -> Option<usize> {
    tokio::select! {
        read = tokio::io::AsyncReadExt::read(reader, buf) => match read {
            Ok(0) | Err(_) => None,
            Ok(n) => Some(n),
        },
        _ = backlog.closed() => None,
    }
}

/// A carriage return sent on `channel`, and what the unit answers within the search's window.
async fn answer_to_newline(channel: &mut Channel) -> Result<Vec<u8>, Error> {
    channel
        .send_bytes(b"\r", "")
        .await
        .map_err(|e| Error::Bench(e.to_string()))?;
    Ok(channel.gather(ANSWER_WITHIN, ANSWER_LIMIT).await)
}

/// Most common first: a unit answering at the first rate costs one try.
const RATES: [u32; 8] = [
    115_200, 57_600, 38_400, 19_200, 9_600, 230_400, 460_800, 921_600,
];

/// How long a unit has to answer a newline during the search.
const ANSWER_WITHIN: Duration = Duration::from_millis(700);
/// What the search reads of an answer.
const ANSWER_LIMIT: usize = 4096;

/// Judges the answers to a newline at one rate after another, logging each try; the first
/// readable answer names the rate.
struct BaudSearch<'a> {
    transcript: &'a EvidenceLog,
    tried: Vec<String>,
}

impl<'a> BaudSearch<'a> {
    fn new(transcript: &'a EvidenceLog) -> BaudSearch<'a> {
        BaudSearch {
            transcript,
            tried: Vec::new(),
        }
    }

    /// Whether `answer`, read at `rate` (a number, or how the rate was set), is readable text.
    fn readable_at(&mut self, rate: &str, answer: &[u8]) -> bool {
        let score = readable(answer);
        self.transcript.line(
            "#",
            &format!(
                "baud search: {rate}: {} bytes, {:.0}% readable",
                answer.len(),
                score * 100.0
            ),
        );
        self.tried.push(rate.to_string());
        answer.len() >= 4 && score >= 0.9
    }

    fn failed(self) -> Error {
        Error::Unit(format!(
            "no baud rate gave readable text to a newline (tried {}); set its `baud` in the rig (silence at every rate also looks like this)",
            self.tried.join(", ")
        ))
    }
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
    use super::*;

    #[test]
    fn text_scores_high_and_wrong_rate_garbage_low() {
        assert!(readable(b"\r\nVC-100 login: ") > 0.99);
        assert!(readable(&[0xf8, 0x80, 0x00, 0xfe, 0x1c, 0xe0, b'a', 0x98]) < 0.2);
        assert_eq!(readable(b""), 0.0);
    }
}

#[cfg(test)]
mod server_tests;
