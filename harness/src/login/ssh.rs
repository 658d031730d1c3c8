//! SSH password login (russh). A connection carries up to the profile's number of wrong
//! passwords for one username, then a fresh one is opened. Old devices offer only SHA-1 key
//! exchanges and `ssh-rsa` host keys, so those are offered after the modern defaults. The host
//! key is not judged here: hilt tests the login, it does not trust the device.

use super::{CredentialTrial, LoginOutcome, TrialFuture};
use crate::evidence::EvidenceLog;
use russh::client::{self, AuthResult};
use russh::keys::PublicKeyOrCertificate;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct SshTrial {
    addr: SocketAddr,
    within: Duration,
    transcript: EvidenceLog,
    /// Wrong passwords one connection carries before a fresh one is opened.
    per_connection: usize,
    /// The connection the last wrong password was refused on, kept for the next attempt with
    /// the same username (servers such as OpenSSH and dropbear end a connection whose username
    /// changes).
    kept: Mutex<Option<Kept>>,
    connections: AtomicUsize,
}

struct Kept {
    username: String,
    session: client::Handle<AnyHostKey>,
    attempts: usize,
    number: usize,
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

impl SshTrial {
    pub fn new(
        addr: SocketAddr,
        within: Duration,
        per_connection: usize,
        transcript: EvidenceLog,
    ) -> SshTrial {
        SshTrial {
            addr,
            within,
            transcript,
            per_connection: per_connection.max(1),
            kept: Mutex::new(None),
            connections: AtomicUsize::new(0),
        }
    }

    fn take(&self, username: &str) -> Option<Kept> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.take().filter(|k| k.username == username)
    }

    async fn connect(&self, username: &str) -> Result<Kept, String> {
        let session = client::connect(config(), self.addr, AnyHostKey)
            .await
            .map_err(|e| format!("SSH {}: {e}", self.addr))?;
        Ok(Kept {
            username: username.to_string(),
            session,
            attempts: 0,
            number: self.connections.fetch_add(1, Ordering::Relaxed) + 1,
        })
    }

    async fn authenticate(mut k: Kept, password: &str) -> Result<(AuthResult, Kept), String> {
        let username = k.username.clone();
        let result = k
            .session
            .authenticate_password(username, password)
            .await
            .map_err(|e| format!("SSH authentication: {e}"))?;
        Ok((result, k))
    }

    /// On the kept connection when there is one for this username. A kept connection that
    /// ended instead of answering (the server's own attempt limit, an idle timeout) gives no
    /// answer at all: the attempt is made again on a fresh connection.
    async fn attempt(&self, username: &str, password: &str) -> Result<(AuthResult, Kept), String> {
        if let Some(kept) = self.take(username) {
            if let Ok(done) = Self::authenticate(kept, password).await {
                if !ended(&done) {
                    return Ok(done);
                }
            }
        }
        Self::authenticate(self.connect(username).await?, password).await
    }
}

/// The connection closed where an answer was due. The SSH library reads that as a failure
/// naming no methods; a server's real refusal names the methods left to try. On a fresh
/// connection it stays a refusal, as servers with one attempt per connection close at once.
fn ended((result, k): &(AuthResult, Kept)) -> bool {
    match result {
        AuthResult::Failure {
            remaining_methods, ..
        } => remaining_methods.is_empty() && k.session.is_closed(),
        AuthResult::Success => false,
    }
}

impl CredentialTrial for SshTrial {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a> {
        Box::pin(async move {
            let attempt = async {
                let (result, mut k) = self.attempt(username, password).await?;
                k.attempts += 1;
                let place = format!("attempt {} on connection {}", k.attempts, k.number);
                let refused = matches!(result, AuthResult::Failure { .. });
                if refused && k.attempts < self.per_connection && !k.session.is_closed() {
                    *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some(k);
                } else {
                    let _ = k
                        .session
                        .disconnect(russh::Disconnect::ByApplication, "", "en")
                        .await;
                }
                Ok::<_, String>((result, place))
            };
            let (outcome, place) =
                match crate::transport::device_time::timeout(self.within, attempt).await {
                    Ok(Ok((AuthResult::Success, place))) => (LoginOutcome::Accepted, place),
                    Ok(Ok((AuthResult::Failure { .. }, place))) => (LoginOutcome::Rejected, place),
                    Ok(Err(e)) => (LoginOutcome::NotALogin(e), String::new()),
                    Err(_) => (
                        LoginOutcome::NotALogin(format!(
                            "no SSH answer within {:.1}s",
                            self.within.as_secs_f64()
                        )),
                        String::new(),
                    ),
                };
            let place = match place.as_str() {
                "" => place,
                p => format!(" ({p})"),
            };
            self.transcript.line(
                "#",
                &format!("SSH password login as `{username}` -> {outcome}{place}"),
            );
            outcome
        })
    }

    fn fresh(&self) {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::ssh_client::test_server;

    #[tokio::test]
    async fn tells_accepted_from_refused() {
        let (ev, _dir) = crate::evidence::scratch("ssh");
        let t = SshTrial::new(
            test_server::start(7).await,
            Duration::from_secs(5),
            3,
            ev.log("ssh.log"),
        );
        assert_eq!(t.try_login("root", "right").await, LoginOutcome::Accepted);
        assert_eq!(t.try_login("root", "wrong").await, LoginOutcome::Rejected);
        let closed = SshTrial::new(
            "127.0.0.1:1".parse().unwrap(),
            Duration::from_secs(2),
            3,
            ev.log("ssh.log"),
        );
        assert!(matches!(
            closed.try_login("root", "right").await,
            LoginOutcome::NotALogin(_)
        ));
    }

    /// Seven wrong passwords and the right one, as root, three to a connection: three
    /// connections. A change of username opens a fresh one.
    #[tokio::test]
    async fn wrong_passwords_share_a_connection_up_to_the_limit() {
        let (ev, _dir) = crate::evidence::scratch("ssh");
        let (addr, accepted) = test_server::start_counting(7, 10).await;
        let t = SshTrial::new(addr, Duration::from_secs(5), 3, ev.log("ssh.log"));
        for n in 0..7 {
            assert_eq!(
                t.try_login("root", &format!("w{n}")).await,
                LoginOutcome::Rejected
            );
        }
        assert_eq!(t.try_login("root", "right").await, LoginOutcome::Accepted);
        assert_eq!(accepted.load(Ordering::Relaxed), 3);
        assert_eq!(t.try_login("admin", "x").await, LoginOutcome::Rejected);
        assert_eq!(t.try_login("root", "y").await, LoginOutcome::Rejected);
        assert_eq!(accepted.load(Ordering::Relaxed), 5);
        let log = std::fs::read_to_string(ev.dir.join("ssh.log")).unwrap();
        assert!(
            log.contains("-> accepted (attempt 2 on connection 3)"),
            "{log}"
        );
    }

    /// A server that ends the connection after two refusals, below the profile's three: each
    /// third attempt on a connection is made again on a fresh one and still reads as a refusal
    /// (three connections would do with a server that kept them open).
    #[tokio::test]
    async fn a_server_stricter_than_the_profile_costs_a_reconnect_not_an_answer() {
        let (ev, _dir) = crate::evidence::scratch("ssh");
        let (addr, accepted) = test_server::start_counting(7, 2).await;
        let t = SshTrial::new(addr, Duration::from_secs(5), 3, ev.log("ssh.log"));
        for n in 0..6 {
            assert_eq!(
                t.try_login("root", &format!("w{n}")).await,
                LoginOutcome::Rejected
            );
        }
        assert_eq!(t.try_login("root", "right").await, LoginOutcome::Accepted);
        assert_eq!(accepted.load(Ordering::Relaxed), 4);
    }

    #[tokio::test]
    async fn a_fresh_trial_drops_the_kept_connection() {
        let (ev, _dir) = crate::evidence::scratch("ssh");
        let (addr, accepted) = test_server::start_counting(7, 10).await;
        let t = SshTrial::new(addr, Duration::from_secs(5), 3, ev.log("ssh.log"));
        assert_eq!(t.try_login("root", "wrong").await, LoginOutcome::Rejected);
        t.fresh();
        assert_eq!(t.try_login("root", "right").await, LoginOutcome::Accepted);
        assert_eq!(accepted.load(Ordering::Relaxed), 2);
    }
}
