//! The unit's UART through a serial adapter (any tty: /dev/ttyUSB0, a pseudo-terminal).

use super::expect::{Channel, Writer};
use crate::config::pattern::Pattern;
use crate::evidence::EvidenceLog;
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use tokio::sync::{mpsc, Mutex};
use tokio_serial::SerialPortBuilderExt;

pub fn open(
    path: &str,
    baud: u32,
    transcript: EvidenceLog,
    death: Vec<Pattern>,
) -> Result<Channel, String> {
    let port = tokio_serial::new(path, baud)
        .timeout(std::time::Duration::from_millis(500))
        .open_native_async()
        .map_err(|e| format!("cannot open serial port {path}: {e}"))?;
    transcript.line("#", &format!("opened {path} at {baud} baud"));
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
    Ok(Channel::new(rx, writer, transcript, death))
}
