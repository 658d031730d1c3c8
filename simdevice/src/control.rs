//! The control endpoint that stands in for the bench's power relay, reset-button actuator and
//! the switch port of the unit's uplink: one text line per action on a Unix socket, answered
//! with `ok`.

use crate::unit::Event;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixListener;
use tokio::sync::mpsc::UnboundedSender;

pub fn listen(path: &Path) -> std::io::Result<UnixListener> {
    let _ = std::fs::remove_file(path);
    UnixListener::bind(path)
}

pub async fn serve(listener: UnixListener, events: UnboundedSender<Event>) {
    while let Ok((stream, _)) = listener.accept().await {
        let events = events.clone();
        tokio::spawn(async move {
            let (r, mut w) = stream.into_split();
            let mut lines = BufReader::new(r).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let answer = match command(&line) {
                    Some(ev) => {
                        // A button is held for real time before the firmware sees its release.
                        if let Event::Button(held) = &ev {
                            tokio::time::sleep(*held).await;
                        }
                        let _ = events.send(ev);
                        "ok\n".to_string()
                    }
                    None => format!(
                        "error: unknown command {:?}; expected power on|off, button press MS, uplink up|down\n",
                        line.trim()
                    ),
                };
                if w.write_all(answer.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
    }
}

fn command(line: &str) -> Option<Event> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["power", "on"] => Some(Event::PowerOn),
        ["power", "off"] => Some(Event::PowerOff),
        ["button", "press", ms] => Some(Event::Button(Duration::from_millis(ms.parse().ok()?))),
        ["uplink", "up"] => Some(Event::Uplink(true)),
        ["uplink", "down"] => Some(Event::Uplink(false)),
        _ => None,
    }
}
