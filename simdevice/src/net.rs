//! Network services the running firmware opens on the unit's own address.

use crate::session::{self, Io};
use crate::unit::Unit;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

const IAC: u8 = 255;
const WILL: u8 = 251;
const ECHO: u8 = 1;
const SUPPRESS_GO_AHEAD: u8 = 3;

pub async fn bind(unit: &Unit, port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::new(unit.address, port)).await
}

/// BusyBox-style telnetd: negotiates echo and go-ahead, then a login session; three failures
/// close the connection.
pub async fn telnet(unit: Arc<Unit>, listener: TcpListener) {
    let mut conns = JoinSet::new();
    while let Ok((mut stream, _)) = listener.accept().await {
        let unit = unit.clone();
        conns.spawn(async move {
            if stream
                .write_all(&[IAC, WILL, ECHO, IAC, WILL, SUPPRESS_GO_AHEAD])
                .await
                .is_err()
            {
                return;
            }
            let mut io = Io {
                stream,
                telnet: true,
                after_cr: false,
            };
            session::serve(&mut io, &unit, 3).await;
        });
    }
}

/// A vendor debug service left listening: prints a banner and closes.
pub async fn debug_service(unit: Arc<Unit>, listener: TcpListener) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let banner = format!("{} debug agent {} ready\r\n", unit.fw.model, unit.version());
        let _ = stream.write_all(banner.as_bytes()).await;
    }
}

/// The version exchange of an SSH server (RFC 4253 4.2), as dropbear sends it; the session goes
/// no further, which is enough for a scanner to see an SSH login surface.
pub async fn ssh_banner(listener: TcpListener) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let _ = stream.write_all(b"SSH-2.0-dropbear_2022.83\r\n").await;
    }
}
