//! The SSH server of the model variant that ships one (`--ssh-server`): password login to the
//! unit's accounts, counted for the lockout like every network login; no shell is offered. Its
//! Ed25519 host key is made at first start, unless fault shared-ssh-host-key puts the one key
//! built into the image in every unit.

use crate::unit::{Login, Unit};
use russh::keys::ssh_key::private::{Ed25519Keypair, KeypairData};
use russh::keys::PrivateKey;
use russh::server::{self, Auth};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

const BUILT_IN_SEED: [u8; 32] = *b"VC-100 host key, same everywhere";

pub fn config(shared_key: bool) -> Result<Arc<server::Config>, String> {
    let mut seed = BUILT_IN_SEED;
    if !shared_key {
        openssl::rand::rand_bytes(&mut seed).map_err(|e| format!("SSH host key: {e}"))?;
    }
    let pair = KeypairData::Ed25519(Ed25519Keypair::from_seed(&seed));
    let key = PrivateKey::new(pair, "vc100").map_err(|e| format!("SSH host key: {e}"))?;
    Ok(Arc::new(server::Config {
        server_id: russh::SshId::Standard("SSH-2.0-dropbear_2022.83".into()),
        keys: vec![key],
        auth_rejection_time: Duration::from_millis(20),
        auth_rejection_time_initial: Some(Duration::ZERO),
        inactivity_timeout: Some(Duration::from_secs(30)),
        ..Default::default()
    }))
}

struct Session(Arc<Unit>);

impl server::Handler for Session {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        Ok(match self.0.network_login(user, password) {
            Login::Ok => Auth::Accept,
            Login::Wrong | Login::Locked => Auth::reject(),
        })
    }
}

pub async fn serve(unit: Arc<Unit>, listener: TcpListener, config: Arc<server::Config>) {
    let mut sessions = tokio::task::JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        let (unit, config) = (unit.clone(), config.clone());
        sessions.spawn(async move {
            if let Ok(session) = server::run_stream(config, stream, Session(unit)).await {
                let _ = session.await;
            }
        });
    }
}
