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

/// A UPnP responder (SSDP, UDP 1900): answers any M-SEARCH with the camera's root device, whose
/// description (`/description.xml` on the admin port) only the serial fault serves. Its USN is a
/// time-based UUID, whose node field RFC 4122 makes the MAC, as many UPnP stacks make it.
pub async fn ssdp(unit: Arc<Unit>, socket: tokio::net::UdpSocket) {
    let node: String = unit
        .label
        .mac
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_lowercase();
    let description_port = match unit.is(crate::hostile::Hostile::HugeSsdpDescription) {
        true => crate::hostile::HUGE_BODY_PORT,
        false => unit.fw.http_port,
    };
    let mut buf = [0u8; 1024];
    while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
        if !buf[..n].starts_with(b"M-SEARCH") {
            continue;
        }
        let answer = format!(
            "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://{}:{}/description.xml\r\nSERVER: Linux UPnP/1.1 camera\r\nST: upnp:rootdevice\r\nUSN: uuid:5f1e0c2a-3ed7-11ee-8c90-{node}::upnp:rootdevice\r\n\r\n",
            unit.address, description_port
        );
        let _ = socket.send_to(answer.as_bytes(), peer).await;
    }
}

/// An mDNS/DNS-SD responder (UDP 5353) that answers any query, unicast to the asker (RFC 6762
/// 6.7), with its web service and a TXT record carrying model and firmware version.
pub async fn mdns(unit: Arc<Unit>, socket: tokio::net::UdpSocket) {
    let mut buf = [0u8; 1500];
    while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
        if n < 12 || buf[2] & 0x80 != 0 {
            continue; // not a query
        }
        let instance = format!("{}._http._tcp.local", unit.fw.model);
        let txt = [
            format!("model={}", unit.fw.model),
            format!("fw={}", unit.version()),
        ];
        let mut m = vec![buf[0], buf[1], 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0];
        record(&mut m, "_http._tcp.local", 12, &dns_name(&instance));
        let mut data = Vec::new();
        for t in &txt {
            data.push(t.len() as u8);
            data.extend_from_slice(t.as_bytes());
        }
        record(&mut m, &instance, 16, &data);
        let _ = socket.send_to(&m, peer).await;
    }
}

fn dns_name(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}

fn record(m: &mut Vec<u8>, owner: &str, kind: u16, data: &[u8]) {
    m.extend_from_slice(&dns_name(owner));
    m.extend_from_slice(&kind.to_be_bytes());
    m.extend_from_slice(&[0, 1, 0, 0, 0, 120]); // IN, TTL 120 s
    m.extend_from_slice(&(data.len() as u16).to_be_bytes());
    m.extend_from_slice(data);
}

/// The firmware's cloud client: every two seconds it opens a connection from the unit's address
/// and offers TLS up to `newest` (TLS 1.0 only for fault client-tls-1.0, which the port
/// refuses). Its "cloud" is the unit's own HTTPS port, since nothing else is in reach on a
/// bench: what is judged is what the unit offered and settled, seen in the capture.
pub async fn phone_home(address: std::net::IpAddr, port: u16, newest: openssl::ssl::SslVersion) {
    loop {
        let _ = hello(address, port, newest).await;
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
}

async fn hello(
    address: std::net::IpAddr,
    port: u16,
    newest: openssl::ssl::SslVersion,
) -> Result<(), String> {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode, SslVersion};
    let socket = match address {
        std::net::IpAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
        std::net::IpAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
    }
    .map_err(|e| e.to_string())?;
    // From the unit's own address, as a device's connection would be.
    socket
        .bind(SocketAddr::new(address, 0))
        .map_err(|e| e.to_string())?;
    let stream = socket
        .connect(SocketAddr::new(address, port))
        .await
        .map_err(|e| e.to_string())?
        .into_std()
        .map_err(|e| e.to_string())?;
    stream.set_nonblocking(false).map_err(|e| e.to_string())?;
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(3)));
    tokio::task::spawn_blocking(move || {
        let mut b = SslConnector::builder(SslMethod::tls()).map_err(|e| e.to_string())?;
        b.set_verify(SslVerifyMode::NONE);
        b.set_security_level(0);
        b.set_cipher_list("DEFAULT:@SECLEVEL=0")
            .map_err(|e| e.to_string())?;
        b.set_min_proto_version(Some(SslVersion::TLS1))
            .map_err(|e| e.to_string())?;
        b.set_max_proto_version(Some(newest))
            .map_err(|e| e.to_string())?;
        let _ = b.build().connect("cloud.example", stream);
        Ok::<(), String>(())
    })
    .await
    .map_err(|e| e.to_string())?
}
