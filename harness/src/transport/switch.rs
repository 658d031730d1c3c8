//! Power and reset-button actuators behind one trait: a socket controller that takes text lines
//! (`line`), or programs the lab already uses for its relays (`command`).

use crate::config::rig::{
    ButtonBackend, CommandButton, CommandPower, LineButton, LinePower, PowerBackend,
};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PowerOn,
    PowerOff,
    Press(Duration),
}

pub type ActFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

pub trait Switch: Send + Sync {
    fn actuate(&self, action: Action) -> ActFuture<'_>;
}

/// Builds the rig's backends; `fill` resolves `{scratch}` and similar in their strings.
pub fn power(
    backend: &PowerBackend,
    fill: &dyn Fn(&str) -> String,
    cwd: PathBuf,
) -> Box<dyn Switch> {
    match backend {
        PowerBackend::Line(LinePower {
            endpoint,
            on,
            off,
            reply,
        }) => Box::new(LineSwitch {
            endpoint: fill(endpoint),
            on: Some(on.clone()),
            off: Some(off.clone()),
            press: None,
            reply: reply.clone(),
        }),
        PowerBackend::Command(CommandPower { on, off }) => Box::new(CommandSwitch {
            on: Some(on.iter().map(|a| fill(a)).collect()),
            off: Some(off.iter().map(|a| fill(a)).collect()),
            press: None,
            cwd,
        }),
    }
}

pub fn button(
    backend: &ButtonBackend,
    fill: &dyn Fn(&str) -> String,
    cwd: PathBuf,
) -> Box<dyn Switch> {
    match backend {
        ButtonBackend::Line(LineButton {
            endpoint,
            press,
            reply,
        }) => Box::new(LineSwitch {
            endpoint: fill(endpoint),
            on: None,
            off: None,
            press: Some(press.clone()),
            reply: reply.clone(),
        }),
        ButtonBackend::Command(CommandButton { press }) => Box::new(CommandSwitch {
            on: None,
            off: None,
            press: Some(press.iter().map(|a| fill(a)).collect()),
            cwd,
        }),
    }
}

struct LineSwitch {
    endpoint: String,
    on: Option<String>,
    off: Option<String>,
    press: Option<String>,
    reply: String,
}

impl Switch for LineSwitch {
    fn actuate(&self, action: Action) -> ActFuture<'_> {
        Box::pin(async move {
            let line = match action {
                Action::PowerOn => self.on.clone(),
                Action::PowerOff => self.off.clone(),
                Action::Press(d) => self
                    .press
                    .as_ref()
                    .map(|p| p.replace("{ms}", &d.as_millis().to_string())),
            }
            .ok_or_else(|| format!("this backend cannot {action:?}"))?;
            if let Some(path) = self.endpoint.strip_prefix("unix:") {
                let s = tokio::net::UnixStream::connect(path)
                    .await
                    .map_err(|e| format!("{}: {e}", self.endpoint))?;
                exchange(s, &line, &self.reply).await
            } else if let Some(addr) = self.endpoint.strip_prefix("tcp:") {
                let s = tokio::net::TcpStream::connect(addr)
                    .await
                    .map_err(|e| format!("{}: {e}", self.endpoint))?;
                exchange(s, &line, &self.reply).await
            } else {
                Err(format!(
                    "endpoint `{}`: expected unix:PATH or tcp:HOST:PORT",
                    self.endpoint
                ))
            }
            .map_err(|e| format!("{}: {e}", self.endpoint))
        })
    }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    line: &str,
    reply: &str,
) -> Result<(), String> {
    let (r, mut w) = tokio::io::split(stream);
    w.write_all(format!("{line}\n").as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    BufReader::new(tokio::io::AsyncReadExt::take(r, 4096))
        .read_line(&mut answer)
        .await
        .map_err(|e| e.to_string())?;
    if answer.trim() == reply {
        Ok(())
    } else {
        Err(format!(
            "controller answered {:?} to {line:?}, expected {reply:?}",
            answer.trim()
        ))
    }
}

struct CommandSwitch {
    on: Option<Vec<String>>,
    off: Option<Vec<String>>,
    press: Option<Vec<String>>,
    cwd: PathBuf,
}

impl Switch for CommandSwitch {
    fn actuate(&self, action: Action) -> ActFuture<'_> {
        Box::pin(async move {
            let argv: Vec<String> = match action {
                Action::PowerOn => self.on.clone(),
                Action::PowerOff => self.off.clone(),
                Action::Press(d) => self.press.as_ref().map(|p| {
                    p.iter()
                        .map(|a| a.replace("{ms}", &d.as_millis().to_string()))
                        .collect()
                }),
            }
            .ok_or_else(|| format!("this backend cannot {action:?}"))?;
            let (program, args) = argv.split_first().ok_or("empty command")?;
            let out = tokio::process::Command::new(program)
                .args(args)
                .current_dir(&self.cwd)
                .kill_on_drop(true)
                .output()
                .await
                .map_err(|e| format!("{program}: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "{program} exited with {}: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn command_backend_runs_the_program_and_reports_failure() {
        let ok = CommandSwitch {
            on: Some(vec!["true".into()]),
            off: Some(vec!["false".into()]),
            press: None,
            cwd: ".".into(),
        };
        assert!(ok.actuate(Action::PowerOn).await.is_ok());
        assert!(ok
            .actuate(Action::PowerOff)
            .await
            .unwrap_err()
            .contains("exited"));
        assert!(ok
            .actuate(Action::Press(Duration::from_millis(1)))
            .await
            .is_err());
    }

    #[tokio::test]
    async fn line_backend_speaks_one_line_and_checks_the_reply() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (s, _) = listener.accept().await.unwrap();
            let (r, mut w) = s.into_split();
            let mut line = String::new();
            BufReader::new(r).read_line(&mut line).await.unwrap();
            assert_eq!(line, "button press 250\n");
            w.write_all(b"ok\n").await.unwrap();
        });
        let sw = LineSwitch {
            endpoint: format!("tcp:{addr}"),
            on: None,
            off: None,
            press: Some("button press {ms}".into()),
            reply: "ok".into(),
        };
        sw.actuate(Action::Press(Duration::from_millis(250)))
            .await
            .unwrap();
    }
}
