//! The unit's SWD port, behind a debug bridge socket (`<dir>/swd`, the text protocol of hilt's
//! `debug/bridge_port.rs`): locked as shipped, the way an nRF52 with APPROTECT answers (a
//! session only after a mass erase), or open with the `swd-readable` fault, serving a flash
//! image that holds the firmware and this unit's device key.

use crate::firmware::Fault;
use crate::unit::Unit;
use sha2::Digest;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixListener;

const FLASH_SIZE: usize = 64 * 1024;
/// DPIDR of an ARM Cortex-M4 SW-DP (ADIv5), as nRF52 parts report it.
const IDCODE: u32 = 0x2ba0_1477;

pub async fn serve(unit: Arc<Unit>, listener: UnixListener) {
    let flash = Arc::new(flash_image(&unit));
    while let Ok((stream, _)) = listener.accept().await {
        let (unit, flash) = (unit.clone(), flash.clone());
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read.take(1 << 20)).lines();
            let mut attached = false;
            while let Ok(Some(line)) = lines.next_line().await {
                let reply = answer(&unit, &flash, &mut attached, line.trim());
                if write
                    .write_all(format!("{reply}\n").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
    }
}

fn answer(unit: &Unit, flash: &[u8], attached: &mut bool, request: &str) -> String {
    let open = unit.has(Fault::SwdReadable);
    let mut words = request.split_whitespace();
    match words.next() {
        Some("attach") if !open => {
            "err locked-wants-erase CTRL-AP APPROTECTSTATUS reads 0: the part accepts a session only after ERASEALL".into()
        }
        Some("attach") => {
            *attached = true;
            "ok".into()
        }
        Some("idcode") => format!("ok {IDCODE:08x}"),
        Some(_) if !*attached => "err other not attached".into(),
        Some("halt") | Some("reset") => "ok".into(),
        Some("read") => {
            let address = words.next().and_then(|a| usize::from_str_radix(a, 16).ok());
            let length = words.next().and_then(|l| l.parse::<usize>().ok());
            match (address, length) {
                (Some(a), Some(l)) if l <= 4096 => {
                    let hex: String = (a..a + l)
                        .map(|i| format!("{:02x}", flash.get(i).copied().unwrap_or(0xff)))
                        .collect();
                    format!("ok {hex}")
                }
                _ => "err other expected: read <hex address> <length at most 4096>".into(),
            }
        }
        _ => "err other unknown request".into(),
    }
}

/// The flash as a dump shows it: a vector table, the firmware banner, and at 0x8000 the unit's
/// device key as PKCS#8 PEM (an ed25519 key from a per-unit seed).
fn flash_image(unit: &Unit) -> Vec<u8> {
    let mut flash = vec![0xffu8; FLASH_SIZE];
    flash[..8].copy_from_slice(&[0x00, 0x00, 0x01, 0x20, 0xc1, 0x01, 0x00, 0x00]);
    let banner = format!("{} firmware {}\0", unit.fw.model, unit.version());
    flash[0x400..0x400 + banner.len()].copy_from_slice(banner.as_bytes());
    // Unique per unit, unless the factory baked one key into every image.
    let owner = if unit.has(Fault::IdenticalPrivateKey) {
        unit.fw.model.clone()
    } else {
        unit.label.serial.clone()
    };
    let seed: [u8; 32] = sha2::Sha256::digest(format!("device key {owner}")).into();
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&seed);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64(&der)
    );
    flash[0x8000..0x8000 + pem.len()].copy_from_slice(pem.as_bytes());
    flash
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
