//! An SSH client that old devices can talk to, and what an SSH server shows before any login: its
//! host keys. A server holds at most one key of each type but shows one per connection, the one
//! the client's list makes it pick, so each type is asked for on a connection of its own.

use super::target::Target;
use russh::client;
use russh::keys::{Algorithm, EcdsaCurve, HashAlg, PublicKeyOrCertificate};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The modern key exchanges first, then the SHA-1 ones old devices may be limited to; the host
/// key algorithms are `keys`, with `ssh-rsa` (SHA-1 signatures) added when RSA is asked for.
pub fn config(mut keys: Vec<Algorithm>) -> Arc<client::Config> {
    let mut kex = russh::Preferred::default().kex.to_vec();
    kex.extend([
        russh::kex::DH_G14_SHA1,
        russh::kex::DH_GEX_SHA1,
        russh::kex::DH_G1_SHA1,
    ]);
    if keys.iter().any(|k| matches!(k, Algorithm::Rsa { .. })) {
        keys.push(Algorithm::Rsa { hash: None });
        keys.dedup();
    }
    Arc::new(client::Config {
        preferred: russh::Preferred {
            kex: kex.into(),
            key: keys.into(),
            ..Default::default()
        },
        inactivity_timeout: Some(Duration::from_secs(10)),
        ..Default::default()
    })
}

/// One host key a server showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKey {
    /// The key's algorithm name as SSH writes it (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...).
    pub algorithm: String,
    /// SHA-256 of the public key blob, hex: what `batch.ssh_host_key_sha256` lists.
    pub sha256: String,
    /// The same digest as `ssh-keygen -l` prints it (`SHA256:` and unpadded base64).
    pub openssh: String,
}

/// The host key types asked for, one connection each. DSA is not: the SSH library hilt uses
/// does not speak it, and OpenSSH dropped it.
fn families() -> [Vec<Algorithm>; 5] {
    let ecdsa = |curve| vec![Algorithm::Ecdsa { curve }];
    [
        vec![Algorithm::Ed25519],
        ecdsa(EcdsaCurve::NistP256),
        ecdsa(EcdsaCurve::NistP384),
        ecdsa(EcdsaCurve::NistP521),
        vec![
            Algorithm::Rsa {
                hash: Some(HashAlg::Sha512),
            },
            Algorithm::Rsa {
                hash: Some(HashAlg::Sha256),
            },
        ],
    ]
}

/// Keeps the key the server showed and ends the connection there: nothing after the key
/// exchange is needed, and no login is tried.
struct Keep(Arc<Mutex<Option<HostKey>>>);

impl client::Handler for Keep {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let data = match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.key_data().clone(),
            PublicKeyOrCertificate::Certificate(cert) => cert.public_key().clone(),
        };
        let print = data.fingerprint(HashAlg::Sha256);
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(HostKey {
            algorithm: data.algorithm().to_string(),
            sha256: print
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            openssh: print.to_string(),
        });
        Ok(false)
    }
}

/// Every host key the SSH server at `port` shows, each type asked for within `within`. A type
/// the server does not hold ends its connection at the key exchange and is simply absent; an
/// error only when no type at all was shown (nothing answered, or it is not SSH).
pub async fn host_keys(
    target: Target,
    port: u16,
    within: Duration,
) -> Result<Vec<HostKey>, String> {
    let addr = target.socket(port);
    let (mut keys, mut last_error) = (Vec::<HostKey>::new(), None);
    for family in families() {
        let shown = Arc::new(Mutex::new(None));
        let connect = client::connect(config(family), addr, Keep(shown.clone()));
        match crate::transport::device_time::timeout(within, connect).await {
            Err(_) => last_error = Some(format!("no SSH key exchange within {within:?}")),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => last_error = Some(e.to_string()),
        }
        let key = shown.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(key) = key.filter(|k| !keys.contains(k)) {
            keys.push(key);
        }
    }
    match (keys.is_empty(), last_error) {
        (true, Some(e)) => Err(format!("SSH {addr}: {e}")),
        _ => Ok(keys),
    }
}

#[cfg(test)]
pub mod test_server {
    use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
    use russh::keys::PrivateKey;
    use russh::server::{self, Auth};
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    /// Accepts only root/right.
    #[derive(Clone)]
    struct Device;

    impl server::Handler for Device {
        type Error = russh::Error;

        async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
            Ok(match user == "root" && password == "right" {
                true => Auth::Accept,
                false => Auth::reject(),
            })
        }
    }

    /// A real SSH server (russh) on a loopback socket, its Ed25519 host key made from `seed`.
    pub async fn start(seed: u8) -> SocketAddr {
        start_counting(seed, 10).await.0
    }

    /// The same server, ending a connection after `max_auth_attempts` refusals (as OpenSSH's
    /// `MaxAuthTries` does), with the number of connections it accepted.
    pub async fn start_counting(
        seed: u8,
        max_auth_attempts: usize,
    ) -> (SocketAddr, Arc<AtomicUsize>) {
        let pair = Ed25519Keypair::from_seed(&[seed; 32]);
        let key = PrivateKey::new(KeypairData::Ed25519(pair), "device").unwrap();
        let config = Arc::new(server::Config {
            keys: vec![key],
            auth_rejection_time: Duration::from_millis(10),
            max_auth_attempts,
            ..Default::default()
        });
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                count.fetch_add(1, Ordering::Relaxed);
                let config = config.clone();
                tokio::spawn(async move {
                    if let Ok(session) = server::run_stream(config, s, Device).await {
                        let _ = session.await;
                    }
                });
            }
        });
        (addr, accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_host_key_a_server_holds_is_read_once_by_its_print() {
        let a = test_server::start(7).await;
        let keys = host_keys(Target::loopback(), a.port(), Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert_eq!(keys[0].algorithm, "ssh-ed25519");
        assert_eq!(keys[0].sha256.len(), 64);
        assert!(keys[0].openssh.starts_with("SHA256:"), "{keys:?}");
        let again = test_server::start(7).await;
        let other = test_server::start(8).await;
        let read = |port| host_keys(Target::loopback(), port, Duration::from_secs(5));
        assert_eq!(read(again.port()).await.unwrap(), keys);
        assert_ne!(read(other.port()).await.unwrap(), keys);
    }

    #[tokio::test]
    async fn a_port_with_no_ssh_server_is_an_error() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let e = host_keys(Target::loopback(), port, Duration::from_secs(2)).await;
        assert!(e.is_err(), "{e:?}");
    }
}
