//! XMODEM-CRC / XMODEM-1K sender, as boot loaders and console updaters take images over a UART:
//! the receiver asks with `C`, each block is acknowledged, EOT ends the file.

use super::error::Error;
use super::expect::{Channel, ExpectError};
use std::time::Duration;

const SOH: u8 = 0x01;
const STX: u8 = 0x02;
const EOT: u8 = 0x04;
const ACK: u8 = 0x06;
const NAK: u8 = 0x15;
const CAN: u8 = 0x18;
const PAD: u8 = 0x1a;
const RETRIES: u32 = 10;

/// CRC-16/XMODEM: polynomial 0x1021, initial value 0.
pub fn crc16(data: &[u8]) -> u16 {
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

/// One framed block: header, number and its complement, data padded to `size`, CRC big-endian.
pub fn frame(number: u8, data: &[u8], size: usize) -> Vec<u8> {
    let mut block = Vec::with_capacity(size + 5);
    block.push(if size == 1024 { STX } else { SOH });
    block.push(number);
    block.push(!number);
    let start = block.len();
    block.extend_from_slice(data);
    block.resize(start + size, PAD);
    let crc = crc16(&block[start..]);
    block.extend_from_slice(&crc.to_be_bytes());
    block
}

/// Sends `data` (stopping after `stop_after` bytes, without EOT, when given). Returns how many
/// blocks the receiver acknowledged.
pub async fn send(
    console: &mut Channel,
    data: &[u8],
    block_size: usize,
    stop_after: Option<usize>,
    within: Duration,
) -> Result<usize, Error> {
    wait_for_start(console, within).await?;
    let end = stop_after.unwrap_or(data.len()).min(data.len());
    let chunks: Vec<&[u8]> = data[..end].chunks(block_size).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let block = frame((i + 1) as u8, chunk, block_size);
        let mut tries = 0;
        loop {
            console
                .send_bytes(
                    &block,
                    if tries == 0 && i == 0 {
                        "xmodem first block"
                    } else {
                        ""
                    },
                )
                .await?;
            match console.read_byte(within).await {
                Ok(ACK) => break,
                Ok(CAN) => {
                    return Err(Error::Unit(format!(
                        "the receiver cancelled at block {}",
                        i + 1
                    )))
                }
                Ok(NAK) | Ok(_) if tries < RETRIES => tries += 1,
                Ok(other) => {
                    return Err(Error::Unit(format!(
                        "block {} refused {RETRIES} times (last answer {other:#04x})",
                        i + 1
                    )))
                }
                Err(e) => return Err(Error::from(e).context(format_args!("block {}", i + 1))),
            }
        }
    }
    if stop_after.is_some() {
        console.transcript.line(
            "#",
            &format!("xmodem: stopped after {} blocks", chunks.len()),
        );
        return Ok(chunks.len());
    }
    for _ in 0..RETRIES {
        console.send_bytes(&[EOT], "").await?;
        if let Ok(ACK) = console.read_byte(within).await {
            console.transcript.line(
                "#",
                &format!(
                    "xmodem: {} blocks acknowledged, EOT acknowledged",
                    chunks.len()
                ),
            );
            return Ok(chunks.len());
        }
    }
    Err(Error::Unit(
        "the receiver did not acknowledge the end of the transfer".into(),
    ))
}

/// Skips whatever the console printed until the receiver's `C`.
async fn wait_for_start(console: &mut Channel, within: Duration) -> Result<(), Error> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match console.read_byte(left).await {
            Ok(b'C') => return Ok(()),
            Ok(_) => continue,
            Err(ExpectError::Timeout { .. }) => {
                return Err(Error::Unit(format!(
                    "the receiver did not ask for the file (no `C`) within {:.1}s",
                    within.as_secs_f64()
                )))
            }
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_xmodem_check_value() {
        // CRC-16/XMODEM of "123456789" is 0x31C3 (the catalogue's check value).
        assert_eq!(crc16(b"123456789"), 0x31c3);
    }

    #[test]
    fn a_short_last_block_is_padded_and_numbered() {
        let b = frame(0xff, b"abc", 128);
        assert_eq!((b[0], b[1], b[2]), (SOH, 0xff, 0x00));
        assert_eq!(b.len(), 3 + 128 + 2);
        assert_eq!(b[3 + 3], PAD);
    }
}
