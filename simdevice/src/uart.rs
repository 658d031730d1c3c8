//! The unit's UART: a real pseudo-terminal. The master side is the unit; the slave path (linked
//! at `<dir>/uart`) is what a bench adapter would be. Two threads bridge the blocking pty master
//! to an async stream the console session runs on.

use serialport::{SerialPort, TTYPort};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::Mutex;

pub type Uart = Arc<Mutex<DuplexStream>>;

pub fn open(link: &Path, rt: tokio::runtime::Handle) -> std::io::Result<Uart> {
    let (mut master, slave) = TTYPort::pair().map_err(std::io::Error::other)?;
    let slave_path = slave
        .name()
        .ok_or_else(|| std::io::Error::other("pty without a name"))?;
    drop(slave);
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(&slave_path, link)?;
    master
        .set_timeout(Duration::from_millis(200))
        .map_err(std::io::Error::other)?;
    let mut master_rx = master.try_clone_native().map_err(std::io::Error::other)?;
    let (unit_side, bridge) = tokio::io::duplex(4096);
    let (mut from_unit, mut to_unit) = tokio::io::split(bridge);

    let rt_in = rt.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        loop {
            match master_rx.read(&mut buf) {
                Ok(0) => std::thread::sleep(Duration::from_millis(20)),
                Ok(n) => {
                    if rt_in.block_on(to_unit.write_all(&buf[..n])).is_err() {
                        return;
                    }
                }
                // EIO while no adapter holds the slave open; timeouts while idle.
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        loop {
            match rt.block_on(from_unit.read(&mut buf)) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    let _ = master.write_all(&buf[..n]);
                }
            }
        }
    });
    Ok(Arc::new(Mutex::new(unit_side)))
}

/// Throw away what was typed while the unit was off.
pub async fn drain(stream: &mut DuplexStream) {
    let mut buf = [0u8; 512];
    while let Ok(Ok(n)) =
        tokio::time::timeout(Duration::from_millis(5), stream.read(&mut buf)).await
    {
        if n == 0 {
            break;
        }
    }
}
