//! A controller that takes one text line per action on a Unix or TCP socket and answers with a
//! fixed reply (a lab's relay daemon, the simulator's power port).

use super::{ActFuture, Action, Error, Switch};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

pub(super) struct LineSwitch {
    pub endpoint: String,
    pub on: Option<String>,
    pub off: Option<String>,
    pub press: Option<String>,
    pub reply: String,
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
            .ok_or_else(|| Error::Config(format!("this backend cannot {action:?}")))?;
            let answered = match super::connect_endpoint(&self.endpoint).await {
                Ok(stream) => exchange(stream, &line, &self.reply).await,
                Err(e) => Err(e),
            };
            answered.map_err(|e| e.context(&self.endpoint))
        })
    }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    line: &str,
    reply: &str,
) -> Result<(), Error> {
    let bench = |e: std::io::Error| Error::Bench(e.to_string());
    let (r, mut w) = tokio::io::split(stream);
    w.write_all(format!("{line}\n").as_bytes())
        .await
        .map_err(bench)?;
    let mut answer = String::new();
    BufReader::new(tokio::io::AsyncReadExt::take(r, 4096))
        .read_line(&mut answer)
        .await
        .map_err(bench)?;
    if answer.trim() == reply {
        Ok(())
    } else {
        Err(Error::Bench(format!(
            "controller answered {:?} to {line:?}, expected {reply:?}",
            answer.trim()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
