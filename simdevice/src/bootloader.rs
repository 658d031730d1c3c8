//! The boot loader's interactive prompt, which production firmware should not offer: with the
//! `bootloader-menu` fault, U-Boot waits a second for a key and, given one, serves its `=> `
//! prompt until told to `boot`.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

/// `None` when the UART went away.
pub async fn offer(console: &mut DuplexStream) -> Option<()> {
    console
        .write_all(b"Hit any key to stop autoboot:  1 \r\n")
        .await
        .ok()?;
    let mut byte = [0u8; 1];
    match tokio::time::timeout(Duration::from_secs(1), console.read(&mut byte)).await {
        Ok(Ok(n)) if n > 0 => {}
        Ok(_) => return None,
        Err(_) => return Some(()), // nobody pressed a key: autoboot
    }
    console.write_all(b"\r\n=> ").await.ok()?;
    let mut line = Vec::new();
    loop {
        console.read_exact(&mut byte).await.ok()?;
        match byte[0] {
            b'\r' | b'\n' => {
                let command = String::from_utf8_lossy(&line).trim().to_string();
                line.clear();
                let reply = match command.as_str() {
                    "" => String::new(),
                    "boot" | "reset" => {
                        console.write_all(b"\r\nStarting kernel ...\r\n").await.ok()?;
                        return Some(());
                    }
                    "help" => "\r\nboot      - boot default\r\nmd        - memory display\r\nprintenv  - print environment variables\r\nsetenv    - set environment variables\r\n".into(),
                    "printenv" => "\r\nbootargs=console=ttyS0,115200 root=/dev/mtdblock2\r\nbootdelay=1\r\n".into(),
                    other => format!("\r\nUnknown command '{other}' - try 'help'\r\n"),
                };
                console
                    .write_all(format!("{reply}=> ").as_bytes())
                    .await
                    .ok()?;
            }
            b if line.len() < 256 => line.push(b),
            _ => {}
        }
    }
}
