//! FTP login (RFC 959): USER, then PASS, judged by the reply codes — 230 logged in, 530 refused,
//! 421 service closing (taken as a lockout); anything else is not a login answer.

use super::{CredentialTrial, LoginOutcome, TrialFuture};
use crate::evidence::EvidenceLog;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const MAX_LINE: u64 = 1024;

pub struct FtpTrial {
    pub addr: SocketAddr,
    pub within: Duration,
    pub transcript: EvidenceLog,
}

impl CredentialTrial for FtpTrial {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a> {
        Box::pin(async move {
            super::within(self.within, "FTP answer", self.dialogue(username, password)).await
        })
    }
}

impl FtpTrial {
    async fn dialogue(&self, username: &str, password: &str) -> Result<LoginOutcome, String> {
        let stream = TcpStream::connect(self.addr)
            .await
            .map_err(|e| format!("FTP {}: {e}", self.addr))?;
        let (r, mut w) = stream.into_split();
        let mut r = BufReader::new(r);
        let greeting = self.reply(&mut r).await?;
        if greeting / 100 != 2 {
            return Ok(LoginOutcome::NotALogin(format!("FTP greeting {greeting}")));
        }
        self.transcript.line(">", &format!("USER {username}"));
        w.write_all(format!("USER {username}\r\n").as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let outcome = match self.reply(&mut r).await? {
            230 => LoginOutcome::Accepted,
            331 | 332 => {
                self.transcript.line(">", "PASS [secret]");
                w.write_all(format!("PASS {password}\r\n").as_bytes())
                    .await
                    .map_err(|e| e.to_string())?;
                judge(self.reply(&mut r).await?)
            }
            other => judge(other),
        };
        let _ = w.write_all(b"QUIT\r\n").await;
        Ok(outcome)
    }

    /// One reply, multi-line replies (`123-...` up to `123 ...`) included; returns its code.
    pub(crate) async fn reply<R: tokio::io::AsyncBufRead + Unpin>(
        &self,
        r: &mut R,
    ) -> Result<u16, String> {
        let mut first: Option<String> = None;
        for _ in 0..64 {
            let mut line = String::new();
            let n = tokio::io::AsyncReadExt::take(&mut *r, MAX_LINE)
                .read_line(&mut line)
                .await
                .map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the FTP server closed the connection".into());
            }
            self.transcript.line("<", line.trim_end());
            let code = first
                .get_or_insert_with(|| line.get(..3).unwrap_or("").to_string())
                .clone();
            if line.len() >= 4 && line.starts_with(&code) && line.as_bytes()[3] == b' ' {
                return code
                    .parse()
                    .map_err(|_| format!("not an FTP reply: {:?}", line.trim_end()));
            }
        }
        Err("an FTP reply longer than 64 lines".into())
    }
}

/// An FTP server's anonymous account (RFC 1635): access without any credential of the unit's.
pub struct AnonymousAccess {
    /// The dialogue that showed it, for the record.
    pub evidence: String,
    /// Every other account is refused before a password is asked: the server takes no password
    /// at all, so it is no password mechanism.
    pub only: bool,
}

impl FtpTrial {
    /// Whether the anonymous account logs in, and if so whether any other user is asked for
    /// a password. None when anonymous is refused or the server does not answer like FTP.
    pub async fn anonymous_access(&self) -> Option<AnonymousAccess> {
        let login = self.try_login("anonymous", "hilt@example.invalid").await;
        if login != LoginOutcome::Accepted {
            return None;
        }
        let stranger = crate::util::token::fresh();
        let asked =
            crate::transport::device_time::timeout(self.within, self.asks_password(&stranger))
                .await
                .ok()?
                .ok()?;
        Some(AnonymousAccess {
            evidence: format!(
                "USER anonymous logged in (230); an unknown user {}",
                match asked {
                    true => "is asked for a password (331)",
                    false => "is refused before any password (530)",
                }
            ),
            only: !asked,
        })
    }

    /// Whether `USER username` is answered with a request for a password.
    async fn asks_password(&self, username: &str) -> Result<bool, String> {
        let stream = TcpStream::connect(self.addr)
            .await
            .map_err(|e| format!("FTP {}: {e}", self.addr))?;
        let (r, mut w) = stream.into_split();
        let mut r = BufReader::new(r);
        self.reply(&mut r).await?;
        self.transcript.line(">", &format!("USER {username}"));
        w.write_all(format!("USER {username}\r\n").as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let code = self.reply(&mut r).await?;
        let _ = w.write_all(b"QUIT\r\n").await;
        Ok(matches!(code, 331 | 332))
    }
}

fn judge(code: u16) -> LoginOutcome {
    match code {
        230 => LoginOutcome::Accepted,
        530 | 430 => LoginOutcome::Rejected,
        421 => LoginOutcome::LockedOut,
        other => LoginOutcome::NotALogin(format!("FTP reply {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real FTP dialogue on a loopback socket: only ftpuser/right is accepted, and with
    /// `anonymous` set, the anonymous account too; with `anonymous_only`, nothing else is.
    async fn server() -> SocketAddr {
        serve(false, false).await
    }

    async fn serve(anonymous: bool, anonymous_only: bool) -> SocketAddr {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                tokio::spawn(async move {
                    let (r, mut w) = s.into_split();
                    let mut lines = BufReader::new(r).lines();
                    w.write_all(b"220-Welcome\r\n220 ProFTPD ready\r\n")
                        .await
                        .unwrap();
                    let mut user = String::new();
                    while let Ok(Some(l)) = lines.next_line().await {
                        let reply = if let Some(u) = l.strip_prefix("USER ") {
                            user = u.to_string();
                            if anonymous_only && user != "anonymous" {
                                "530 This FTP server is anonymous only.\r\n".to_string()
                            } else {
                                "331 Password required\r\n".to_string()
                            }
                        } else if let Some(p) = l.strip_prefix("PASS ") {
                            if (user == "ftpuser" && p == "right")
                                || (anonymous && user == "anonymous")
                            {
                                "230 Logged in\r\n".into()
                            } else {
                                "530 Login incorrect\r\n".into()
                            }
                        } else {
                            "221 Bye\r\n".into()
                        };
                        let _ = w.write_all(reply.as_bytes()).await;
                    }
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn tells_accepted_from_refused() {
        let (ev, _dir) = crate::evidence::scratch("ftp");
        let t = FtpTrial {
            addr: server().await,
            within: Duration::from_secs(2),
            transcript: ev.log("ftp.log"),
        };
        assert_eq!(
            t.try_login("ftpuser", "right").await,
            LoginOutcome::Accepted
        );
        assert_eq!(
            t.try_login("ftpuser", "wrong").await,
            LoginOutcome::Rejected
        );
        assert!(std::fs::read_to_string(ev.dir.join("ftp.log"))
            .unwrap()
            .contains("PASS [secret]"));
    }

    #[rstest::rstest]
    #[case::none(false, false, None)]
    #[case::besides_accounts(true, false, Some(false))]
    #[case::anonymous_only(true, true, Some(true))]
    #[tokio::test]
    async fn the_anonymous_account_is_told_apart(
        #[case] anonymous: bool,
        #[case] only: bool,
        #[case] want: Option<bool>,
    ) {
        let (ev, _dir) = crate::evidence::scratch("ftp-anon");
        let t = FtpTrial {
            addr: serve(anonymous, only).await,
            within: Duration::from_secs(2),
            transcript: ev.log("ftp.log"),
        };
        let got = t.anonymous_access().await;
        assert_eq!(got.as_ref().map(|a| a.only), want);
    }
}
