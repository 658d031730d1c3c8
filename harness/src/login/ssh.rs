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
    let mut kex = russh::Preferred::default().kex.to_vec();
    kex.extend([
        russh::kex::DH_G14_SHA1,
        russh::kex::DH_GEX_SHA1,
        russh::kex::DH_G1_SHA1,
    ]);
    let mut key = russh::Preferred::default().key.to_vec();
    key.push(russh::keys::Algorithm::Rsa { hash: None });
    Arc::new(client::Config {
        preferred: russh::Preferred {
            kex: kex.into(),
            key: key.into(),
            ..Default::default()
        },
        inactivity_timeout: Some(Duration::from_secs(10)),
        ..Default::default()
    })
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
    use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
    use russh::keys::PrivateKey;
    use russh::server::{self, Auth};

    /// A real SSH server (russh) on a loopback socket that accepts only root/right.
    #[derive(Clone)]
    struct Device;

    impl server::Handler for Device {
        type Error = russh::Error;

        async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
            Ok(if user == "root" && password == "right" {
                Auth::Accept
            } else {
                Auth::reject()
            })
        }
    }

    async fn server() -> SocketAddr {
        let key = PrivateKey::new(
            KeypairData::Ed25519(Ed25519Keypair::from_seed(&[7u8; 32])),
            "device",
        )
        .unwrap();
        let config = Arc::new(server::Config {
            keys: vec![key],
            auth_rejection_time: Duration::from_millis(10),
            ..Default::default()
        });
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                let config = config.clone();
                tokio::spawn(async move {
                    if let Ok(session) = server::run_stream(config, s, Device).await {
                        let _ = session.await;
                    }
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn tells_accepted_from_refused() {
        let (ev, _dir) = crate::evidence::scratch("ssh");
        let t = SshTrial {
            addr: server().await,
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
