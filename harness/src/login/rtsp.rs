//! RTSP login (RFC 2326/7826): DESCRIBE without credentials to get the challenge, then with
//! basic or digest credentials; 200 logged in, 401/403 refused.

use super::{CredentialTrial, LoginOutcome, TrialFuture};
use crate::evidence::EvidenceLog;
use crate::transport::digest;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct RtspTrial {
    pub addr: SocketAddr,
    pub path: String,
    pub within: Duration,
    pub transcript: EvidenceLog,
}

pub(crate) struct Answer {
    status: u16,
    challenge: Option<String>,
}

impl CredentialTrial for RtspTrial {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a> {
        Box::pin(async move {
            super::within(
                self.within,
                "RTSP answer",
                self.dialogue(username, password),
            )
            .await
        })
    }
}

impl RtspTrial {
    async fn dialogue(&self, username: &str, password: &str) -> Result<LoginOutcome, String> {
        let uri = format!("rtsp://{}{}", self.addr, self.path);
        let first = self.describe(&uri, 1, None).await?;
        let header = match (first.status, first.challenge) {
            (200, _) => {
                return Ok(LoginOutcome::NotALogin(
                    "the stream needs no login at all".into(),
                ))
            }
            (401, Some(c)) if c.trim_start().starts_with("Digest") => {
                let ch = digest::parse(&c).ok_or("malformed digest challenge")?;
                digest::answer(
                    &ch,
                    "DESCRIBE",
                    &uri,
                    username,
                    password,
                    &crate::util::token::fresh(),
                )
            }
            (401, Some(c)) if c.trim_start().starts_with("Basic") => {
                format!(
                    "Basic {}",
                    crate::util::encoding::base64(&format!("{username}:{password}"))
                )
            }
            (status, c) => {
                return Ok(LoginOutcome::NotALogin(format!(
                    "RTSP {status} with challenge {c:?}"
                )))
            }
        };
        let second = self.describe(&uri, 2, Some(&header)).await?;
        Ok(match second.status {
            200 => LoginOutcome::Accepted,
            401 | 403 => LoginOutcome::Rejected,
            453 | 503 => LoginOutcome::LockedOut,
            other => LoginOutcome::NotALogin(format!("RTSP status {other}")),
        })
    }

    async fn describe(&self, uri: &str, cseq: u32, auth: Option<&str>) -> Result<Answer, String> {
        let mut s = TcpStream::connect(self.addr)
            .await
            .map_err(|e| format!("RTSP {}: {e}", self.addr))?;
        let mut req =
            format!("DESCRIBE {uri} RTSP/1.0\r\nCSeq: {cseq}\r\nAccept: application/sdp\r\n");
        if let Some(a) = auth {
            req.push_str(&format!("Authorization: {a}\r\n"));
        }
        req.push_str("\r\n");
        self.transcript.line(
            ">",
            &format!(
                "DESCRIBE {uri} CSeq {cseq}{}",
                if auth.is_some() {
                    " with credentials"
                } else {
                    ""
                }
            ),
        );
        s.write_all(req.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        read_answer(&mut BufReader::new(s), &self.transcript).await
    }
}

/// An RTSP answer's status and first challenge: at most 64 header lines of 2 KiB each.
pub(crate) async fn read_answer<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
    transcript: &EvidenceLog,
) -> Result<Answer, String> {
    let mut status = 0;
    let mut challenge = None;
    for i in 0..64 {
        let mut line = String::new();
        if tokio::io::AsyncReadExt::take(&mut *r, 2048)
            .read_line(&mut line)
            .await
            .map_err(|e| e.to_string())?
            == 0
        {
            break;
        }
        let line = line.trim_end();
        transcript.line("<", line);
        if i == 0 {
            status = line
                .strip_prefix("RTSP/")
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| format!("not an RTSP answer: {line:?}"))?;
        } else if line.is_empty() {
            break;
        } else if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("www-authenticate") && challenge.is_none() {
                challenge = Some(v.trim().to_string());
            }
        }
    }
    Ok(Answer { status, challenge })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::encoding::base64;
    use tokio::io::AsyncReadExt;

    /// A camera's RTSP server on a loopback socket: basic auth, only admin/right gets the stream.
    async fn server() -> SocketAddr {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let ok = req.contains(&format!("Authorization: Basic {}", base64("admin:right")));
                let answer = if ok {
                    "RTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n".to_string()
                } else {
                    "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Basic realm=\"cam\"\r\n\r\n".to_string()
                };
                let _ = s.write_all(answer.as_bytes()).await;
            }
        });
        addr
    }

    #[tokio::test]
    async fn tells_accepted_from_refused() {
        let (ev, _dir) = crate::evidence::scratch("rtsp");
        let t = RtspTrial {
            addr: server().await,
            path: "/live".into(),
            within: Duration::from_secs(2),
            transcript: ev.log("rtsp.log"),
        };
        assert_eq!(t.try_login("admin", "right").await, LoginOutcome::Accepted);
        assert_eq!(t.try_login("admin", "wrong").await, LoginOutcome::Rejected);
    }
}
