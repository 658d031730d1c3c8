//! UDP discovery of one address: each port gets its protocol's first datagram (or an empty
//! one). An answer means open; an ICMP port-unreachable means closed; silence is open|filtered
//! and stays that, since a closed port may also stay silent when the device rate-limits ICMP.

use super::target::Target;
use super::udp_payloads;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;
use tokio::task::JoinSet;

#[derive(Debug, Clone, serde::Serialize)]
pub struct UdpAnswer {
    pub port: u16,
    pub protocol: &'static str,
    /// The first bytes of the answer, escaped, for reports.
    pub answer: String,
    /// The whole datagram, for the cases that read what it says (5.6-2-2).
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// A DNS or mDNS answer's resource records, decoded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct UdpScan {
    pub address: Target,
    pub ports_probed: usize,
    pub open: Vec<UdpAnswer>,
    pub open_or_filtered: Vec<u16>,
    /// Ports an ICMP port-unreachable proved closed, and one of them to check the limiter with.
    pub closed: usize,
    #[serde(skip)]
    pub closed_example: Option<u16>,
    pub errors: usize,
    pub seconds: f64,
}

pub(super) enum State {
    Open(Vec<u8>),
    Closed,
    Silent,
    Error,
}

/// The probes run in tasks of their own, outside the case's clock, so the scan as a whole is
/// one wait on the unit.
pub async fn scan(target: Target, ports: &[u16], concurrency: usize, wait: Duration) -> UdpScan {
    super::device_time::waiting(scan_all(target, ports, concurrency, wait)).await
}

async fn scan_all(target: Target, ports: &[u16], concurrency: usize, wait: Duration) -> UdpScan {
    let started = Instant::now();
    let mut result = UdpScan {
        address: target,
        ports_probed: ports.len(),
        open: vec![],
        open_or_filtered: vec![],
        closed: 0,
        closed_example: None,
        errors: 0,
        seconds: 0.0,
    };
    let mut pending = ports.iter().copied();
    let mut in_flight = JoinSet::new();
    loop {
        while in_flight.len() < concurrency.max(1) {
            let Some(port) = pending.next() else { break };
            in_flight.spawn(async move { (port, probe(target.socket(port), wait).await) });
        }
        let Some(done) = in_flight.join_next().await else {
            break;
        };
        let Ok((port, state)) = done else { continue };
        match state {
            State::Open(bytes) => result.open.push(UdpAnswer::new(port, &bytes)),
            State::Silent => result.open_or_filtered.push(port),
            State::Error => result.errors += 1,
            State::Closed => {
                result.closed += 1;
                result.closed_example.get_or_insert(port);
            }
        }
    }
    result.open.sort_by_key(|a| a.port);
    result.open_or_filtered.sort_unstable();
    result.seconds = started.elapsed().as_secs_f64();
    result
}

impl UdpAnswer {
    pub(super) fn new(port: u16, bytes: &[u8]) -> UdpAnswer {
        let protocol = udp_payloads::for_port(port).0;
        let records = match protocol {
            "DNS" | "mDNS" => super::dns_records::decode(bytes)
                .iter()
                .map(|r| r.to_string())
                .collect(),
            _ => vec![],
        };
        UdpAnswer {
            port,
            protocol,
            answer: crate::evidence::printable(&bytes[..bytes.len().min(512)]),
            bytes: bytes.to_vec(),
            records,
        }
    }
}

pub(super) async fn probe(target: SocketAddr, wait: Duration) -> State {
    let local: SocketAddr = if target.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    }
    .parse()
    .expect("literal");
    let Ok(socket) = UdpSocket::bind(local).await else {
        return State::Error;
    };
    // Connected, so the kernel hands an ICMP port-unreachable back as ConnectionRefused.
    if socket.connect(target).await.is_err() {
        return State::Error;
    }
    let (_, request) = udp_payloads::for_port(target.port());
    if socket.send(&request).await.is_err() {
        return State::Error;
    }
    match crate::transport::device_time::timeout(wait, answer(&socket)).await {
        Ok(Ok(bytes)) => State::Open(bytes),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => State::Closed,
        Ok(Err(_)) => State::Error,
        Err(_) => State::Silent,
    }
}

/// The datagram the unit sent back, read whole however long. The buffer for the largest UDP
/// payload is made only once something arrived: a thousand probes waiting on silent ports
/// would otherwise hold 64 MiB for nothing.
async fn answer(socket: &UdpSocket) -> std::io::Result<Vec<u8>> {
    loop {
        // Waits for a datagram without taking it, or hands back the unit's ICMP refusal.
        socket.peek_sender().await?;
        let mut buf = vec![0u8; 65_536];
        match socket.try_recv(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answering_port_is_open_and_a_closed_one_refuses() {
        let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let port = server.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut buf = [0u8; 64];
            let (_, peer) = server.recv_from(&mut buf).await.unwrap();
            server.send_to(b"pong", peer).await.unwrap();
        });
        let closed = {
            let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            s.local_addr().unwrap().port()
        };
        let scan = scan(
            Target::loopback(),
            &[port, closed],
            4,
            Duration::from_secs(2),
        )
        .await;
        assert_eq!(scan.open.len(), 1);
        assert_eq!(scan.open[0].answer, "pong");
        assert!(scan.open_or_filtered.is_empty(), "{scan:?}");
    }
}
