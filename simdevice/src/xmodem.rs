//! The console updater's XMODEM-CRC / XMODEM-1K receiver.

use crate::session::Io;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const SOH: u8 = 0x01;
const STX: u8 = 0x02;
const EOT: u8 = 0x04;
const ACK: u8 = 0x06;
const NAK: u8 = 0x15;
const CAN: u8 = 0x18;

fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for b in data {
        crc ^= u16::from(*b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

async fn byte<S: AsyncRead + Unpin>(io: &mut Io<S>, within: Duration) -> Option<u8> {
    let mut b = [0u8; 1];
    match tokio::time::timeout(within, io.stream.read_exact(&mut b)).await {
        Ok(Ok(_)) => Some(b[0]),
        _ => None,
    }
}

async fn answer<S: AsyncWrite + Unpin>(io: &mut Io<S>, b: u8) -> Result<(), String> {
    io.stream.write_all(&[b]).await.map_err(|e| e.to_string())?;
    io.stream.flush().await.map_err(|e| e.to_string())
}

/// Receives one file, at most `max` bytes (padding included).
pub async fn receive<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut Io<S>,
    max: usize,
) -> Result<Vec<u8>, String> {
    let mut first = None;
    for _ in 0..10 {
        answer(io, b'C').await?;
        // Whatever else arrives before a block (the end of the command line) is skipped.
        while let Some(b) = byte(io, Duration::from_secs(1)).await {
            if b == SOH || b == STX {
                first = Some(b);
                break;
            }
        }
        if first.is_some() {
            break;
        }
    }
    let mut header = first.ok_or("no transfer started")?;
    let mut data = Vec::new();
    let mut expected: u8 = 1;
    loop {
        let size = match header {
            SOH => 128,
            STX => 1024,
            EOT => {
                answer(io, ACK).await?;
                return Ok(data);
            }
            CAN => return Err("cancelled by the sender".into()),
            other => return Err(format!("unexpected byte {other:#04x}")),
        };
        let mut block = vec![0u8; size + 4];
        let read =
            tokio::time::timeout(Duration::from_secs(5), io.stream.read_exact(&mut block)).await;
        if !matches!(read, Ok(Ok(_))) {
            return Err("the transfer stopped mid-block".into());
        }
        let (number, complement) = (block[0], block[1]);
        let payload = &block[2..2 + size];
        let crc = u16::from_be_bytes([block[2 + size], block[3 + size]]);
        if number != !complement || crc != crc16(payload) {
            answer(io, NAK).await?;
        } else if number == expected {
            data.extend_from_slice(payload);
            expected = expected.wrapping_add(1);
            if data.len() > max {
                answer(io, CAN).await?;
                return Err("image too large".into());
            }
            answer(io, ACK).await?;
        } else {
            // A repeat of the last block (our ACK was lost): acknowledge, keep nothing.
            answer(io, ACK).await?;
        }
        header = byte(io, Duration::from_secs(5))
            .await
            .ok_or("the transfer stopped between blocks")?;
    }
}
