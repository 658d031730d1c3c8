//! TCP scan of one address. The fast pass is half-open (`syn_scan`) where the caller asks for it,
//! the host lets hilt open a raw socket and the address is IPv4, and otherwise asynchronous
//! connects, many in flight, each under its own timeout. A port that neither accepts nor refuses in time is
//! reported as filtered, not closed, but only after a second, gentle pass of connects: a small
//! device drops connection attempts it has no room for when a thousand arrive at once, and a
//! port it then fails to answer may well be open.

use super::target::Target;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

#[derive(Debug, Clone, serde::Serialize)]
pub struct TcpScan {
    pub address: Target,
    pub ports_probed: usize,
    pub open: Vec<u16>,
    pub filtered: Vec<u16>,
    pub errors: usize,
    pub seconds: f64,
    /// How the fast pass asked: `syn` (half-open, raw socket) or `connect`.
    pub method: &'static str,
    /// Why the fast pass could not be half-open, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_because: Option<String>,
    /// The gentle pass over the ports the fast one found filtered, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_pass: Option<SecondPass>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SecondPass {
    /// Ports asked again, and what they turned out to be.
    pub asked: usize,
    pub opened: usize,
    pub closed: usize,
    /// Filtered ports left unasked: more than a gentle pass can take in reasonable time, as
    /// when a firewall drops everything.
    pub not_asked: usize,
    pub seconds: f64,
}

/// At most this many filtered ports get the gentle pass (at 16 in flight and twice the
/// timeout, some two minutes with the usual one second).
const SECOND_PASS_LIMIT: usize = 1024;
const SECOND_PASS_CONCURRENCY: usize = 16;

#[derive(Clone, Copy)]
enum PortState {
    Open,
    Closed,
    Filtered,
    Error,
}

/// The probes run in tasks of their own, outside the case's clock, so the scan as a whole is
/// one wait on the unit.
///
/// `how` says whether the half-open pass may be tried. It outruns a packet capture of the same
/// traffic on a small host (hundreds of thousands of packets a second), so a sample whose
/// traffic is captured connects, at the pace its captures have kept up with.
pub async fn scan(
    target: Target,
    ports: &[u16],
    concurrency: usize,
    connect_timeout: Duration,
    how: FastPass,
) -> TcpScan {
    let all = scan_all(target, ports, concurrency, connect_timeout, how);
    super::device_time::waiting(all).await
}

/// How the fast pass may ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FastPass {
    /// Half-open where the host allows it, connects otherwise.
    HalfOpenIfAllowed,
    Connect,
}

async fn scan_all(
    target: Target,
    ports: &[u16],
    concurrency: usize,
    connect_timeout: Duration,
    how: FastPass,
) -> TcpScan {
    let started = Instant::now();
    let half = match how {
        FastPass::HalfOpenIfAllowed => half_open(target, ports, concurrency, connect_timeout).await,
        FastPass::Connect => {
            Err("the unit's traffic is captured, which SYNs at full speed outrun".into())
        }
    };
    let mut result = match half {
        Ok(found) => found,
        Err(why) => {
            let mut r = pass(target, ports, concurrency, connect_timeout).await;
            r.connect_because = Some(why);
            r
        }
    };
    result.ports_probed = ports.len();
    if !result.filtered.is_empty() && concurrency > SECOND_PASS_CONCURRENCY {
        result.second_pass = Some(second_pass(target, &mut result, connect_timeout).await);
    }
    result.seconds = started.elapsed().as_secs_f64();
    result
}

/// After a pause of one timeout, the filtered ports again at 16 in flight with twice the time.
async fn second_pass(target: Target, fast: &mut TcpScan, connect_timeout: Duration) -> SecondPass {
    let started = Instant::now();
    crate::transport::device_time::sleep(connect_timeout).await;
    let ask = fast.filtered.len().min(SECOND_PASS_LIMIT);
    let asked: Vec<u16> = fast.filtered[..ask].to_vec();
    let again = pass(target, &asked, SECOND_PASS_CONCURRENCY, connect_timeout * 2).await;
    let opened = again.open.len();
    let still: Vec<u16> = again
        .filtered
        .iter()
        .chain(&fast.filtered[ask..])
        .copied()
        .collect();
    let closed = ask - opened - again.filtered.len() - again.errors;
    fast.open.extend(again.open);
    fast.open.sort_unstable();
    fast.filtered = still;
    fast.filtered.sort_unstable();
    fast.errors += again.errors;
    SecondPass {
        asked: ask,
        opened,
        closed,
        not_asked: fast.filtered.len() - again.filtered.len(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// The fast pass as SYNs from a raw socket, on a thread of its own (it blocks in poll).
async fn half_open(
    target: Target,
    ports: &[u16],
    in_flight: usize,
    wait: Duration,
) -> Result<TcpScan, String> {
    let ports = ports.to_vec();
    let count = ports.len();
    let asked =
        tokio::task::spawn_blocking(move || super::syn_scan::pass(target, &ports, in_flight, wait));
    let found = asked
        .await
        .map_err(|e| format!("the half-open scan stopped: {e}"))??;
    Ok(TcpScan {
        address: target,
        ports_probed: count,
        open: found.open,
        filtered: found.filtered,
        errors: 0,
        seconds: 0.0,
        method: "syn",
        connect_because: None,
        second_pass: None,
    })
}

async fn pass(
    target: Target,
    ports: &[u16],
    concurrency: usize,
    connect_timeout: Duration,
) -> TcpScan {
    let mut pending = ports.iter().copied();
    let mut in_flight = JoinSet::new();
    let mut result = TcpScan {
        address: target,
        ports_probed: ports.len(),
        open: vec![],
        filtered: vec![],
        errors: 0,
        seconds: 0.0,
        method: "connect",
        connect_because: None,
        second_pass: None,
    };
    loop {
        while in_flight.len() < concurrency.max(1) {
            let Some(port) = pending.next() else { break };
            in_flight
                .spawn(async move { (port, probe(target.socket(port), connect_timeout).await) });
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
    result
}

async fn probe(addr: SocketAddr, within: Duration) -> PortState {
    match crate::transport::device_time::timeout(within, TcpStream::connect(addr)).await {
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
            FastPass::HalfOpenIfAllowed,
        )
        .await;
        let mut want = vec![pa, pb];
        want.sort_unstable();
        assert_eq!(r.open, want);
        assert!(r.filtered.is_empty());
        // The connect pass, which runs wherever the half-open one cannot, finds the same.
        let connects = pass(
            Target::loopback(),
            &[pa, pb, closed],
            2,
            Duration::from_secs(1),
        )
        .await;
        assert_eq!((connects.method, connects.open), ("connect", want));
    }

    /// A listener whose accept queue is full drops new connection attempts, as a busy small
    /// device does: the fast pass sees it filtered, the gentle pass, once the queue drains,
    /// finds it open.
    #[tokio::test]
    async fn a_port_too_busy_for_the_fast_pass_is_found_open_by_the_gentle_one() {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(1).unwrap();
        let busy = listener.local_addr().unwrap();
        let mut held = Vec::new();
        for _ in 0..2 {
            held.push(TcpStream::connect(busy).await.unwrap());
        }
        tokio::spawn(async move {
            crate::transport::device_time::sleep(Duration::from_millis(300)).await;
            while let Ok((s, _)) = listener.accept().await {
                std::mem::forget(s);
            }
        });
        let r = scan(
            Target::loopback(),
            &[busy.port()],
            64,
            Duration::from_millis(200),
            FastPass::HalfOpenIfAllowed,
        )
        .await;
        let pass = r
            .second_pass
            .as_ref()
            .expect("a gentle pass over the filtered port");
        assert_eq!((pass.asked, pass.opened, pass.closed), (1, 1, 0), "{r:?}");
        assert_eq!(r.open, vec![busy.port()]);
        assert!(r.filtered.is_empty(), "{r:?}");
        drop(held);
    }
}
