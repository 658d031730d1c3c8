//! A UART on a raw TCP console server (ser2net's plain `tcp` accepter): the bytes only. The
//! line's rate is the server's to set and no BREAK can be asked for; the transcript says so
//! wherever that matters, and a search can only check that the server's rate gives text.

use super::BaudSearch;
use crate::config::pattern::Pattern;
use crate::evidence::EvidenceLog;
use crate::transport::error::Error;
use crate::transport::expect::{Channel, LineBreak, Writer};
use std::sync::Arc;
use tokio::sync::Mutex;

pub(super) async fn open_at(
    addr: &str,
    baud: Option<u32>,
    transcript: EvidenceLog,
    death: Vec<Pattern>,
) -> Result<Channel, Error> {
    let url = format!("tcp://{addr}");
    let stream = super::connect(addr).await.map_err(|e| e.context(&url))?;
    transcript.line("#", &format!("connected to {url}"));
    let (mut reader, writer) = stream.into_split();
    let (backlog, rx) = super::backlog::Backlog::channel(transcript.clone());
    let discarder = backlog.discarder();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let Some(n) = super::next_read(&mut reader, &mut buf, &backlog).await else {
                return;
            };
            if !backlog.push(&buf[..n]) {
                return;
            }
        }
    });
    let writer: Writer = Arc::new(Mutex::new(Box::new(writer)));
    let mut channel = Channel::new(rx, writer, transcript, death);
    channel.fed_by(discarder);
    channel.set_break_line(Box::new(NoLine));
    match baud {
        Some(rate) => channel.transcript.line(
            "#",
            &format!("{url}: the rig's {rate} baud is the server's to set; raw TCP carries no line settings"),
        ),
        None => {
            let answer = super::answer_to_newline(&mut channel)
                .await
                .map_err(|e| e.context(&url))?;
            let mut search = BaudSearch::new(&channel.transcript);
            if !search.readable_at("the server's rate", &answer) {
                return Err(Error::Unit(format!(
                    "{url}: no readable text to a newline at the rate the console server sets, which raw TCP cannot change: set it in the server, or use rfc2217://"
                )));
            }
        }
    }
    Ok(channel)
}

/// Raw TCP has no way to ask for a BREAK: the transcript says it was not sent.
struct NoLine;

impl LineBreak for NoLine {
    fn send_break(&self) -> futures_util::future::BoxFuture<'_, Result<Option<String>, String>> {
        Box::pin(async { Ok(None) })
    }

    fn describe(&self) -> &'static str {
        "[no serial BREAK: a raw TCP console carries no line signals; rfc2217:// does]"
    }
}
