//! RFC 2217's COM-PORT-OPTION: the client asks for line settings and signals in telnet
//! subnegotiations, and the server answers each with the same command plus 100 and the value it
//! applied, which hilt reads back: a rate the server did not confirm is a bench error.

use crate::transport::error::Error;
use crate::transport::expect::{LineBreak, Writer};
use crate::transport::telnet_codec::{subnegotiation, Event, DO, DONT, IAC, WILL, WONT};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, Mutex};

pub const COM_PORT_OPTION: u8 = 44;
const BINARY: u8 = 0;
const SUPPRESS_GO_AHEAD: u8 = 3;

const SET_BAUDRATE: u8 = 1;
const SET_DATASIZE: u8 = 2;
const SET_PARITY: u8 = 3;
const SET_STOPSIZE: u8 = 4;
const SET_CONTROL: u8 = 5;
const PARITY_NONE: u8 = 1;
const ONE_STOP_BIT: u8 = 1;
const BREAK_ON: u8 = 5;
const BREAK_OFF: u8 = 6;
/// How long the line is held low: the usual 0.25 s a tty's BREAK lasts.
const BREAK_FOR: Duration = Duration::from_millis(250);

/// Passed on as an answer when the server refuses COM-PORT-OPTION, ending any wait for one.
pub const REFUSED: (u8, Vec<u8>) = (u8::MAX, Vec::new());

/// How long the server has to confirm a command, and hilt to write one.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(2);

/// What the client offers at once: RFC 2217 itself, and an 8-bit clean path both ways.
pub fn opening() -> Vec<u8> {
    [
        [IAC, WILL, COM_PORT_OPTION],
        [IAC, WILL, BINARY],
        [IAC, DO, BINARY],
        [IAC, WILL, SUPPRESS_GO_AHEAD],
        [IAC, DO, SUPPRESS_GO_AHEAD],
    ]
    .concat()
}

/// Answers the server's option commands, each at most once so two peers cannot loop.
pub struct Negotiation {
    sent: HashSet<(u8, u8)>,
    /// The server said DONT COM-PORT-OPTION: it is not an RFC 2217 server.
    pub refused: bool,
}

impl Default for Negotiation {
    fn default() -> Negotiation {
        let sent = [
            (WILL, COM_PORT_OPTION),
            (WILL, BINARY),
            (DO, BINARY),
            (WILL, SUPPRESS_GO_AHEAD),
            (DO, SUPPRESS_GO_AHEAD),
        ];
        Negotiation {
            sent: sent.into_iter().collect(),
            refused: false,
        }
    }
}

impl Negotiation {
    /// The reply `event` calls for, if any.
    pub fn answer(&mut self, event: &Event) -> Option<[u8; 3]> {
        let Event::Option(verb, option) = *event else {
            return None;
        };
        let ours = matches!(option, BINARY | SUPPRESS_GO_AHEAD | COM_PORT_OPTION);
        let theirs = matches!(option, BINARY | SUPPRESS_GO_AHEAD);
        let reply = match verb {
            DO if ours => WILL,
            DO => WONT,
            WILL if theirs => DO,
            WILL => DONT,
            DONT if option == COM_PORT_OPTION => {
                self.refused = true;
                return None;
            }
            _ => return None,
        };
        self.sent
            .insert((reply, option))
            .then_some([IAC, reply, option])
    }
}

/// The server's answer to one of hilt's commands, if `event` is one: (command, value).
pub fn answer_of(event: &Event) -> Option<(u8, Vec<u8>)> {
    match event {
        Event::Sub(body) if body.len() >= 2 && body[0] == COM_PORT_OPTION && body[1] >= 100 => {
            Some((body[1] - 100, body[2..].to_vec()))
        }
        _ => None,
    }
}

/// Writes `bytes` to the server under a deadline, so a server that reads nothing cannot hold
/// the writer.
pub async fn write_within(socket: &Writer, bytes: &[u8]) -> Result<(), Error> {
    let write = async {
        let mut w = socket.lock().await;
        w.write_all(bytes).await?;
        w.flush().await
    };
    match crate::transport::device_time::timeout(ANSWER_WITHIN, write).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Error::Bench(format!("console server: {e}"))),
        Err(_) => Err(Error::Bench(format!(
            "console server took nothing for {}s",
            ANSWER_WITHIN.as_secs()
        ))),
    }
}

/// The line's settings and signals on the server, read back.
pub struct ComPort {
    pub socket: Writer,
    pub answers: Mutex<mpsc::Receiver<(u8, Vec<u8>)>>,
}

impl ComPort {
    /// Sends `command` with `value` and returns the value the server applied.
    async fn command(&self, command: u8, value: &[u8]) -> Result<Vec<u8>, Error> {
        let mut answers = self.answers.lock().await;
        while answers.try_recv().is_ok() {}
        let mut body = vec![command];
        body.extend_from_slice(value);
        write_within(&self.socket, &subnegotiation(COM_PORT_OPTION, &body)).await?;
        let wait = async {
            while let Some((c, v)) = answers.recv().await {
                if c == command || c == REFUSED.0 {
                    return Some((c, v));
                }
            }
            None
        };
        match crate::transport::device_time::timeout(ANSWER_WITHIN, wait).await {
            Ok(Some((c, _))) if c == REFUSED.0 => Err(Error::Bench(
                "the console server refuses RFC 2217 (DONT COM-PORT-OPTION): serve it with `telnet(rfc2217)`, or use tcp:// for raw bytes".into(),
            )),
            Ok(Some((_, v))) => Ok(v),
            Ok(None) => Err(Error::Bench("the console server closed the connection".into())),
            Err(_) => Err(Error::Bench(format!(
                "the console server did not confirm RFC 2217 command {command} within {}s (is it an RFC 2217 server? ser2net needs `telnet(rfc2217)`)",
                ANSWER_WITHIN.as_secs()
            ))),
        }
    }

    /// `rate` baud, 8 data bits, no parity, one stop bit; the rate the server reports back
    /// must be the one asked for.
    pub async fn set_line(&self, rate: u32) -> Result<(), Error> {
        let applied = self.command(SET_BAUDRATE, &rate.to_be_bytes()).await?;
        let applied = <[u8; 4]>::try_from(applied.as_slice())
            .ok()
            .map(u32::from_be_bytes);
        if applied != Some(rate) {
            let said = applied.map_or("no rate".into(), |a| format!("{a} baud"));
            return Err(Error::Bench(format!(
                "the console server was asked for {rate} baud and answered {said}"
            )));
        }
        for (command, value) in [
            (SET_DATASIZE, 8),
            (SET_PARITY, PARITY_NONE),
            (SET_STOPSIZE, ONE_STOP_BIT),
        ] {
            let applied = self.command(command, &[value]).await?;
            if applied != [value] {
                return Err(Error::Bench(format!(
                    "the console server was asked for value {value} of RFC 2217 command {command} and answered {applied:?}"
                )));
            }
        }
        Ok(())
    }

    /// BREAK on, held, and off; each command must be answered. What the server answers to
    /// them is returned for the transcript: ser2net answers both with BREAK ON's value, so
    /// the value cannot be held against it.
    async fn hold_break(&self) -> Result<String, Error> {
        let on = self.command(SET_CONTROL, &[BREAK_ON]).await?;
        crate::transport::device_time::sleep(BREAK_FOR).await;
        let off = self.command(SET_CONTROL, &[BREAK_OFF]).await?;
        Ok(format!(
            "the server answered {on:?} to BREAK on and {off:?} to BREAK off"
        ))
    }
}

/// The channel's BREAK, asked of the server.
pub struct RemoteBreak(pub Arc<ComPort>);

impl LineBreak for RemoteBreak {
    fn send_break(&self) -> futures_util::future::BoxFuture<'_, Result<Option<String>, String>> {
        Box::pin(async move {
            self.0
                .hold_break()
                .await
                .map(Some)
                .map_err(|e| e.to_string())
        })
    }

    fn describe(&self) -> &'static str {
        "[serial BREAK through RFC 2217]"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_option_command_is_answered_once_and_a_refusal_is_noted() {
        let mut n = Negotiation::default();
        assert_eq!(n.answer(&Event::Option(DO, COM_PORT_OPTION)), None);
        assert_eq!(n.answer(&Event::Option(WILL, 1)), Some([IAC, DONT, 1]));
        assert_eq!(n.answer(&Event::Option(WILL, 1)), None);
        assert_eq!(n.answer(&Event::Option(DO, 24)), Some([IAC, WONT, 24]));
        assert_eq!(n.answer(&Event::Option(WILL, BINARY)), None);
        assert!(!n.refused);
        assert_eq!(n.answer(&Event::Option(DONT, COM_PORT_OPTION)), None);
        assert!(n.refused);
    }

    #[test]
    fn only_server_answers_to_com_port_commands_are_answers() {
        let ack = Event::Sub(vec![COM_PORT_OPTION, 101, 0, 1, 0xc2, 0]);
        assert_eq!(answer_of(&ack), Some((1, vec![0, 1, 0xc2, 0])));
        assert_eq!(answer_of(&Event::Sub(vec![COM_PORT_OPTION, 1, 9])), None);
        assert_eq!(answer_of(&Event::Sub(vec![24, 101])), None);
        assert_eq!(answer_of(&Event::Sub(vec![COM_PORT_OPTION])), None);
    }
}
