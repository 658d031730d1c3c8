//! SSH password login (russh), one connection per attempt. Old devices offer only SHA-1 key
//! exchanges and `ssh-rsa` host keys, so those are offered after the modern defaults. The host
//! key is not judged here: hilt tests the login, it does not trust the device.

use super::{CredentialTrial, LoginOutcome, TrialFuture};
use crate::evidence::EvidenceLog;
use russh::client::{self, AuthResult};
use russh::keys::PublicKeyOrCertificate;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub struct SshTrial {
    pub addr: SocketAddr,
    pub within: Duration,
    pub transcript: EvidenceLog,
}

struct AnyHostKey;

impl client::Handler for AnyHostKey {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

fn config() -> Arc<client::Config> {
    crate::transport::ssh_client::config(russh::Preferred::default().key.to_vec())
}

impl CredentialTrial for SshTrial {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a> {
        Box::pin(async move {
            let attempt = async {
                let mut session = client::connect(config(), self.addr, AnyHostKey)
                    .await
                    .map_err(|e| format!("SSH {}: {e}", self.addr))?;
                let result = session
                    .authenticate_password(username, password)
                    .await
                    .map_err(|e| format!("SSH authentication: {e}"))?;
                let _ = session
                    .disconnect(russh::Disconnect::ByApplication, "", "en")
                    .await;
                Ok::<_, String>(result)
            };
            let outcome = match tokio::time::timeout(self.within, attempt).await {
                Ok(Ok(AuthResult::Success)) => LoginOutcome::Accepted,
                Ok(Ok(AuthResult::Failure { .. })) => LoginOutcome::Rejected,
                Ok(Err(e)) => LoginOutcome::NotALogin(e),
                Err(_) => LoginOutcome::NotALogin(format!(
                    "no SSH answer within {:.1}s",
                    self.within.as_secs_f64()
                )),
            };
            self.transcript.line(
                "#",
                &format!("SSH password login as `{username}` -> {outcome}"),
            );
            outcome
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::ssh_client::test_server;

    #[tokio::test]
    async fn tells_accepted_from_refused() {
        let (ev, _dir) = crate::evidence::scratch("ssh");
        let t = SshTrial {
            addr: test_server::start(7).await,
            within: Duration::from_secs(5),
            transcript: ev.log("ssh.log"),
        };
        assert_eq!(t.try_login("root", "right").await, LoginOutcome::Accepted);
        assert_eq!(t.try_login("root", "wrong").await, LoginOutcome::Rejected);
        let closed = SshTrial {
            addr: "127.0.0.1:1".parse().unwrap(),
            within: Duration::from_secs(2),
            transcript: ev.log("ssh.log"),
        };
        assert!(matches!(
            closed.try_login("root", "right").await,
            LoginOutcome::NotALogin(_)
        ));
    }
}
