//! A UART on a console server that speaks RFC 2217 (ser2net's `telnet(rfc2217)`, the Moxa and
//! Digi servers, labgrid's exporters): one TCP connection carries the data, the line settings
//! and BREAK, so a baud search and a boot-loader BREAK work as on a local tty.

use super::com_port::{self, ComPort, Negotiation, RemoteBreak};
use super::{BaudSearch, RATES};
use crate::config::pattern::Pattern;
use crate::evidence::EvidenceLog;
use crate::transport::error::Error;
use crate::transport::expect::{Channel, Writer};
use crate::transport::telnet_codec::{escape, Decoder};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, Mutex};

pub(super) async fn open_at(
    addr: &str,
    baud: Option<u32>,
    transcript: EvidenceLog,
    death: Vec<Pattern>,
) -> Result<Channel, Error> {
    let url = format!("rfc2217://{addr}");
    let (mut channel, com) = connect(addr, transcript, death)
        .await
        .map_err(|e| e.context(&url))?;
    let rate = match baud {
        Some(rate) => {
            com.set_line(rate).await.map_err(|e| e.context(&url))?;
            rate
        }
        None => search(&mut channel, &com).await?,
    };
    channel.transcript.line(
        "#",
        &format!("{url}: line at {rate} baud 8N1, as the server confirmed"),
    );
    channel.clear();
    channel.set_break_line(Box::new(RemoteBreak(com)));
    Ok(channel)
}

/// The rates tried on the one connection, each set on the server and confirmed.
async fn search(channel: &mut Channel, com: &ComPort) -> Result<u32, Error> {
    let transcript = channel.transcript.clone();
    let mut search = BaudSearch::new(&transcript);
    for rate in RATES {
        com.set_line(rate).await?;
        channel.clear();
        let answer = super::answer_to_newline(channel).await?;
        if search.readable_at(&rate.to_string(), &answer) {
            return Ok(rate);
        }
    }
    Err(search.failed())
}

/// The connection, its reader (data to the channel, option replies to the server, command
/// answers to the returned line) and its writer (the channel's bytes with IAC doubled).
async fn connect(
    addr: &str,
    transcript: EvidenceLog,
    death: Vec<Pattern>,
) -> Result<(Channel, Arc<ComPort>), Error> {
    let stream = super::connect(addr).await?;
    transcript.line("#", &format!("connected to rfc2217://{addr}"));
    let (mut reader, writer) = stream.into_split();
    let socket: Writer = Arc::new(Mutex::new(Box::new(writer)));
    com_port::write_within(&socket, &com_port::opening()).await?;

    let (backlog, data_rx) = super::backlog::Backlog::channel(transcript.clone());
    let discarder = backlog.discarder();
    let (answer_tx, answer_rx) = mpsc::channel(16);
    let replies = socket.clone();
    tokio::spawn(async move {
        let mut decoder = Decoder::default();
        let mut negotiation = Negotiation::default();
        let mut buf = vec![0u8; 4096];
        loop {
            let Some(n) = super::next_read(&mut reader, &mut buf, &backlog).await else {
                return;
            };
            let (mut data, mut events) = (Vec::new(), Vec::new());
            decoder.feed(&buf[..n], &mut data, &mut events);
            for event in &events {
                if let Some(reply) = negotiation.answer(event) {
                    if com_port::write_within(&replies, &reply).await.is_err() {
                        return;
                    }
                }
                if let Some(answer) = com_port::answer_of(event) {
                    let _ = answer_tx.try_send(answer);
                }
            }
            if negotiation.refused {
                // Without RFC 2217 no command is ever confirmed: say so to whoever waits.
                let _ = answer_tx.try_send(com_port::REFUSED);
                return;
            }
            if !data.is_empty() && !backlog.push(&data) {
                return;
            }
        }
    });

    // The channel writes into a pipe; a pump doubles IACs on the way to the server, sharing
    // the socket with the reader's replies and the line commands.
    let (near, mut far) = tokio::io::duplex(4096);
    let pump_socket = socket.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 1024];
        while let Ok(n) = far.read(&mut buf).await {
            if n == 0 {
                return;
            }
            let mut w = pump_socket.lock().await;
            if w.write_all(&escape(&buf[..n])).await.is_err() || w.flush().await.is_err() {
                return;
            }
        }
    });
    let writer: Writer = Arc::new(Mutex::new(Box::new(near)));
    let mut channel = Channel::new(data_rx, writer, transcript, death);
    channel.fed_by(discarder);
    let com = Arc::new(ComPort {
        socket,
        answers: Mutex::new(answer_rx),
    });
    Ok((channel, com))
}
