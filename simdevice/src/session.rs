//! A login session and a small BusyBox-like shell, over any byte stream (the UART or telnet).

use crate::unit::{Event, Unit};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const MAX_LINE: usize = 256;

pub struct Io<S> {
    pub stream: S,
    /// Telnet carries IAC command sequences in-band; they are skipped when reading lines.
    pub telnet: bool,
    /// The last line ended with CR: a LF right after it belongs to the same line end.
    pub after_cr: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Io<S> {
    pub async fn write(&mut self, text: &str) -> std::io::Result<()> {
        self.stream.write_all(text.as_bytes()).await?;
        self.stream.flush().await
    }

    /// One input line; `None` when the peer has gone.
    pub async fn read_line(&mut self) -> Option<String> {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            if self.stream.read(&mut byte).await.ok()? == 0 {
                return None;
            }
            match byte[0] {
                0xff if self.telnet => self.skip_telnet_command().await?,
                b'\n' if self.after_cr && line.is_empty() => self.after_cr = false,
                b @ (b'\r' | b'\n') => {
                    self.after_cr = b == b'\r';
                    return Some(String::from_utf8_lossy(&line).into_owned());
                }
                0 => {}
                b => {
                    self.after_cr = false;
                    if line.len() < MAX_LINE {
                        line.push(b);
                    }
                }
            }
        }
    }

    async fn skip_telnet_command(&mut self) -> Option<()> {
        let mut b = [0u8; 1];
        self.stream.read_exact(&mut b).await.ok()?;
        match b[0] {
            251..=254 => {
                self.stream.read_exact(&mut b).await.ok()?;
            }
            250 => loop {
                // Subnegotiation: skip to IAC SE.
                self.stream.read_exact(&mut b).await.ok()?;
                if b[0] == 0xff {
                    self.stream.read_exact(&mut b).await.ok()?;
                    if b[0] == 240 {
                        break;
                    }
                }
            },
            _ => {}
        }
        Some(())
    }
}

pub enum Ending {
    PeerGone,
    TooManyFailures,
}

/// `login:` / `Password:` then a shell; `max_failures` 0 means keep asking (a console does).
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut Io<S>,
    unit: &Arc<Unit>,
    max_failures: u32,
) -> Ending {
    let mut failures = 0;
    loop {
        if io
            .write(&format!("\r\n{} login: ", unit.fw.model))
            .await
            .is_err()
        {
            return Ending::PeerGone;
        }
        let Some(user) = io.read_line().await else {
            return Ending::PeerGone;
        };
        if user.trim().is_empty() {
            continue;
        }
        if io.write("Password: ").await.is_err() {
            return Ending::PeerGone;
        }
        let Some(password) = io.read_line().await else {
            return Ending::PeerGone;
        };
        if unit.check_login(user.trim(), &password) {
            if shell(io, unit, user.trim()).await.is_none() {
                return Ending::PeerGone;
            }
            failures = 0;
        } else {
            failures += 1;
            let _ = io.write("\r\nLogin incorrect\r\n").await;
            if max_failures > 0 && failures >= max_failures {
                return Ending::TooManyFailures;
            }
        }
    }
}

/// Returns `Some(())` on `exit`, `None` when the peer went away.
pub async fn shell<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut Io<S>,
    unit: &Arc<Unit>,
    user: &str,
) -> Option<()> {
    io.write(&format!(
        "\r\nBusyBox v1.36.1 built-in shell (ash)\r\n{}# ",
        unit.fw.model.to_lowercase()
    ))
    .await
    .ok()?;
    loop {
        let line = io.read_line().await?;
        let reply = match line.trim() {
            "version" => format!("{} firmware {}\r\n", unit.fw.model, unit.version()),
            "factory-reset" => {
                io.write("Restoring factory defaults, rebooting...\r\n")
                    .await
                    .ok()?;
                let _ = unit.events.send(Event::FactoryReset);
                return None;
            }
            "passwd" => {
                io.write("New password: ").await.ok()?;
                let new = io.read_line().await?;
                unit.set_password(user, &new);
                unit.state.lock().unwrap().initialized = true;
                "passwd: password changed\r\n".to_string()
            }
            "exit" => return Some(()),
            // The UART updater: takes an image by XMODEM, judges it, then logs the session out.
            "fwupdate" if !io.telnet => {
                io.write("fwupdate: send the image with XMODEM now\r\n")
                    .await
                    .ok()?;
                crate::updater::begin(unit);
                let image = crate::xmodem::receive(io, crate::updater::MAX_IMAGE)
                    .await
                    .map(crate::update::without_padding);
                let (_, message) = crate::updater::finish(unit, image);
                io.write(&format!("\r\nfwupdate: {message}\r\n"))
                    .await
                    .ok()?;
                return Some(());
            }
            "help" => "commands: version factory-reset passwd fwupdate exit\r\n".to_string(),
            "" => String::new(),
            other => format!(
                "-sh: {}: not found\r\n",
                other.split_whitespace().next().unwrap_or("")
            ),
        };
        io.write(&format!("{reply}{}# ", unit.fw.model.to_lowercase()))
            .await
            .ok()?;
    }
}
