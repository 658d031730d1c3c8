//! Asynchronous TCP connect scan of one address: many connections in flight, each under its own
//! timeout. A port that neither accepts nor refuses in time is reported as filtered, not closed.

use super::target::Target;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

#[derive(Debug, Clone, serde::Serialize)]
pub struct TcpScan {
    pub address: IpAddr,
    pub ports_probed: usize,
    pub open: Vec<u16>,
    pub filtered: Vec<u16>,
    pub errors: usize,
    pub seconds: f64,
}

#[derive(Clone, Copy)]
enum PortState {
    Open,
    Closed,
    Filtered,
    Error,
}

pub async fn scan(
    target: Target,
    ports: &[u16],
    concurrency: usize,
    connect_timeout: Duration,
) -> TcpScan {
    let address = target.ip();
    let started = Instant::now();
    let mut pending = ports.iter().copied();
    let mut in_flight = JoinSet::new();
    let mut result = TcpScan {
        address,
        ports_probed: ports.len(),
        open: vec![],
        filtered: vec![],
        errors: 0,
        seconds: 0.0,
    };
    loop {
        while in_flight.len() < concurrency.max(1) {
            let Some(port) = pending.next() else { break };
            in_flight.spawn(async move {
                (
                    port,
                    probe(SocketAddr::new(address, port), connect_timeout).await,
                )
            });
        }
        let Some(done) = in_flight.join_next().await else {
            break;
        };
        if let Ok((port, state)) = done {
            match state {
                PortState::Open => result.open.push(port),
                PortState::Filtered => result.filtered.push(port),
                PortState::Error => result.errors += 1,
                PortState::Closed => {}
            }
        }
    }
    result.open.sort_unstable();
    result.filtered.sort_unstable();
    result.seconds = started.elapsed().as_secs_f64();
    result
}

async fn probe(addr: SocketAddr, within: Duration) -> PortState {
    match tokio::time::timeout(within, TcpStream::connect(addr)).await {
        Ok(Ok(_stream)) => PortState::Open,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => PortState::Closed,
        Ok(Err(_)) => PortState::Error,
        Err(_) => PortState::Filtered,
    }
}

/// Is `port` accepting connections at `address`? Used for single follow-up probes.
pub async fn is_open(target: Target, port: u16, within: Duration) -> bool {
    matches!(probe(target.socket(port), within).await, PortState::Open)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn finds_exactly_the_listening_ports() {
        let a = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let b = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let pa = a.local_addr().unwrap().port();
        let pb = b.local_addr().unwrap().port();
        let closed = {
            let c = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            c.local_addr().unwrap().port()
        };
        let r = scan(
            Target::loopback(),
            &[pa, pb, closed],
            2,
            Duration::from_secs(1),
        )
        .await;
        let mut want = vec![pa, pb];
        want.sort_unstable();
        assert_eq!(r.open, want);
        assert!(r.filtered.is_empty());
    }
}
