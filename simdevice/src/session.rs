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

/// A vendor command line that answers everything but `exit` with an error, behind a prompt in
/// colour. Returns `Some(())` on `exit`, `None` when the peer went away.
pub async fn vendor_cli<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut Io<S>,
    unit: &Unit,
) -> Option<()> {
    const PROMPT: &str = "\x1b[1;32mCLI>\x1b[0m ";
    io.write(&format!("\r\nVC service menu\r\n{PROMPT}"))
        .await
        .ok()?;
    loop {
        let line = io.read_line().await?;
        let reply = match line.trim() {
            "exit" => return Some(()),
            "" => String::new(),
            ping if ping.starts_with("ping ") => match crate::diagnostics::ping(unit, &ping[5..]) {
                Ok(out) => out.replace('\n', "\r\n"),
                Err(e) => format!("% {e}\r\n"),
            },
            other => format!("% Unknown command: {other}\r\n"),
        };
        io.write(&format!("{reply}{PROMPT}")).await.ok()?;
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
            "help" => "commands: version factory-reset passwd fwupdate echo exit\r\n".to_string(),
            echo if echo.starts_with("echo ") => format!("{}\r\n", expand(&echo[5..])),
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

/// ash's arithmetic expansion, as far as `$((A*B))` and `$((A+B))` on whole numbers.
pub fn expand(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("$((") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let Some(end) = after.find("))") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let expr = &after[..end];
        let value = expr
            .split_once('*')
            .map(|(a, b)| (a, b, true))
            .or_else(|| expr.split_once('+').map(|(a, b)| (a, b, false)))
            .and_then(|(a, b, times)| {
                let (a, b) = (a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?);
                Some(if times {
                    a.checked_mul(b)?
                } else {
                    a.checked_add(b)?
                })
            });
        match value {
            Some(v) => out.push_str(&v.to_string()),
            None => out.push_str(&rest[start..start + 3 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}
