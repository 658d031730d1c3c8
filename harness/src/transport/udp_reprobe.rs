//! A second, slow pass over the UDP ports a fast scan left open|filtered. Kernels limit how
//! many ICMP port-unreachable messages they send (Linux: about one a second per peer after a
//! short burst), so at scan speed most closed ports look silent. Each silent port is asked again
//! one at a time, and once more if silent: a refusal then proves the port closed and the limiter
//! engaged (its bucket refilled during the wait), and the pace slows. When it stays silent, a
//! port already proven closed is asked too: silence from it also means the limiter is engaged,
//! so the pace halves and the port is asked again (and, once a limiter is known, a silence
//! beside a refusal slows the pace a little more). Only
//! a refusal or an answer is proof; a port that stays silent stays open|filtered. The pass stops
//! at its time budget, well-known ports first, and says what it proved.

use super::udp_payloads;
use super::udp_probe::{probe, State, UdpAnswer, UdpScan};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Reprobe {
    /// Whether a closed port was silent once (it refused when asked again, or a port proven
    /// closed fell silent): the unit limits its ICMP refusals.
    pub rate_limited: bool,
    /// Ports asked again, and how many of them this pass proved closed or found answering.
    pub asked: usize,
    pub proven_closed: usize,
    pub answered: usize,
    /// Ports that stayed silent while a closed port refused just after. Still open|filtered: a
    /// token bucket may have refilled in between, so this is no proof the port is open.
    pub stayed_silent: usize,
    /// The pace the pass ended at, in milliseconds between probes.
    pub pace_ms: u64,
    pub seconds: f64,
}

const FIRST_PACE: Duration = Duration::from_millis(250);
const SLOWEST_PACE: Duration = Duration::from_secs(2);

/// Asks `scan`'s open|filtered ports again within `budget`, updating the scan with what it
/// proves. Ports with a protocol payload go first, then the well-known ones, then the rest.
pub async fn reprobe(scan: &mut UdpScan, wait: Duration, budget: Duration) -> Reprobe {
    let started = Instant::now();
    let mut out = Reprobe::default();
    let mut queue: Vec<u16> = scan.open_or_filtered.clone();
    queue.sort_by_key(|&p| (udp_payloads::for_port(p).0.is_empty(), p >= 1024, p));
    let mut queue: VecDeque<u16> = queue.into();
    // A unit that refused no port at all sends no ICMP (a firewall drops): silence stays.
    let Some(mut reference) = scan.closed_example else {
        return out;
    };
    let mut pace = FIRST_PACE;
    let mut still_silent = Vec::new();
    while let Some(port) = queue.pop_front() {
        // A port owes up to three waits (itself twice, then a closed one); one that cannot
        // finish in the budget is not asked.
        if started.elapsed() + pace + wait * 3 > budget {
            queue.push_front(port);
            break;
        }
        crate::transport::device_time::sleep(pace).await;
        out.asked += 1;
        let mut state = probe(scan.address.socket(port), wait).await;
        if matches!(state, State::Silent) {
            // Asked once more: a limiter that dropped the refusal has refilled during the wait
            // (Linux: a token a second), so a closed port refuses now. That is proof of both the
            // closed port and the limiter.
            crate::transport::device_time::sleep(pace).await;
            state = probe(scan.address.socket(port), wait).await;
            if matches!(state, State::Closed) {
                out.rate_limited = true;
                pace = (pace * 3 / 2).min(SLOWEST_PACE);
            }
        }
        match state {
            State::Closed => {
                out.proven_closed += 1;
                scan.closed += 1;
                reference = port;
            }
            State::Open(bytes) => {
                out.answered += 1;
                scan.open.push(UdpAnswer::new(port, &bytes));
            }
            State::Error => scan.errors += 1,
            State::Silent => {
                crate::transport::device_time::sleep(pace).await;
                match probe(scan.address.socket(reference), wait).await {
                    State::Closed => {
                        out.stayed_silent += 1;
                        still_silent.push(port);
                        // Under a limiter this is what a pace just short of its refill gives.
                        if out.rate_limited {
                            pace = (pace * 3 / 2).min(SLOWEST_PACE);
                        }
                    }
                    _ => {
                        out.rate_limited = true;
                        pace = (pace * 2).min(SLOWEST_PACE);
                        queue.push_front(port);
                    }
                }
            }
        }
    }
    still_silent.extend(queue);
    still_silent.sort_unstable();
    scan.open_or_filtered = still_silent;
    scan.open.sort_by_key(|a| a.port);
    out.pace_ms = pace.as_millis() as u64;
    out.seconds = started.elapsed().as_secs_f64();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::target::Target;
    use crate::transport::udp_probe::scan;
    use tokio::net::UdpSocket;

    /// On loopback nothing limits ICMP: a silent port stays silent beside a refusing closed one,
    /// and the budget is kept.
    #[tokio::test]
    async fn silence_is_confirmed_against_a_closed_port_and_the_budget_is_kept() {
        let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let silent_port = silent.local_addr().unwrap().port();
        let closed = std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut result = scan(
            Target::loopback(),
            &[silent_port, closed],
            4,
            Duration::from_millis(200),
        )
        .await;
        assert_eq!(result.open_or_filtered, vec![silent_port]);
        assert_eq!(result.closed, 1);
        let wait = Duration::from_millis(200);
        let pass = reprobe(&mut result, wait, Duration::from_secs(5)).await;
        assert_eq!((pass.asked, pass.stayed_silent), (1, 1), "{pass:?}");
        assert!(!pass.rate_limited);
        assert_eq!(result.open_or_filtered, vec![silent_port]);

        let pass = reprobe(&mut result, wait, Duration::from_millis(300)).await;
        assert_eq!(
            pass.asked, 0,
            "no port fits a budget shorter than three waits"
        );
        assert_eq!(result.open_or_filtered, vec![silent_port]);
        drop(silent);
    }

    /// A network namespace behind a veth pair: its kernel limits ICMP refusals to a peer as
    /// every Linux does by default (`net.ipv4.icmp_ratelimit`, 1 s after a short burst), which
    /// loopback is exempt from.
    struct Namespace(String);

    impl Namespace {
        /// Host 10.253.NET.1, unit 10.253.NET.2.
        fn new(tag: u32, net: u8) -> Option<Namespace> {
            let (host_addr, unit_addr) =
                (format!("10.253.{net}.1/30"), format!("10.253.{net}.2/30"));
            let name = format!("hilt-udprl-{tag}");
            let (host, peer) = (format!("hrl{tag}a"), format!("hrl{tag}b"));
            let ns = Namespace(name.clone());
            let steps: [&[&str]; 7] = [
                &["netns", "add", &name],
                &["link", "add", &host, "type", "veth", "peer", "name", &peer],
                &["link", "set", &peer, "netns", &name],
                &["addr", "add", &host_addr, "dev", &host],
                &["link", "set", &host, "up"],
                &["-n", &name, "addr", "add", &unit_addr, "dev", &peer],
                &["-n", &name, "link", "set", &peer, "up"],
            ];
            for args in steps {
                let ok = std::process::Command::new("ip").args(args).status();
                if !ok.map(|s| s.success()).unwrap_or(false) {
                    return None;
                }
            }
            Some(ns)
        }
    }

    impl Drop for Namespace {
        fn drop(&mut self) {
            let _ = std::process::Command::new("ip")
                .args(["netns", "del", &self.0])
                .status();
        }
    }

    #[tokio::test]
    async fn a_rate_limited_unit_has_its_closed_ports_proven_by_the_slow_pass() {
        if !crate::util::test_dir::is_root() {
            eprintln!("SKIPPED: a network namespace needs root (CI runs this as root)");
            return;
        }
        let ns = Namespace::new(std::process::id() % 10_000, 77).expect("network namespace");
        let unit = Target::test_unit([10, 253, 77, 2].into());
        let ports: Vec<u16> = (20_000..20_400).collect();
        let wait = Duration::from_millis(400);
        let mut result = scan(unit, &ports, 256, wait).await;
        let fast_closed = result.closed;
        assert!(fast_closed >= 1, "the burst refuses some ports: {result:?}");
        assert!(
            result.open_or_filtered.len() > 300,
            "the limiter hides most closed ports at scan speed: {} silent",
            result.open_or_filtered.len()
        );
        let pass = reprobe(&mut result, wait, Duration::from_secs(12)).await;
        eprintln!("fast scan closed {fast_closed}; second pass {pass:?}");
        assert!(pass.rate_limited, "{pass:?}");
        assert!(pass.proven_closed >= 4, "{pass:?}");
        assert_eq!(result.closed, fast_closed + pass.proven_closed);
        assert_eq!(result.closed + result.open_or_filtered.len(), ports.len());
        assert!(pass.seconds < 12.0, "{pass:?}");
        drop(ns);
    }

    /// At the suite's own wait (1 s) the limiter has refilled by the time a closed port is asked
    /// after a silence, so only asking the silent port again shows the limiter.
    #[tokio::test]
    async fn the_limiter_is_seen_at_the_suites_one_second_wait() {
        if !crate::util::test_dir::is_root() {
            eprintln!("SKIPPED: a network namespace needs root (CI runs this as root)");
            return;
        }
        let ns =
            Namespace::new(std::process::id() % 10_000 + 10_000, 78).expect("network namespace");
        let unit = Target::test_unit([10, 253, 78, 2].into());
        let ports: Vec<u16> = (21_000..21_300).collect();
        let wait = Duration::from_secs(1);
        let mut result = scan(unit, &ports, 256, wait).await;
        let fast_closed = result.closed;
        let pass = reprobe(&mut result, wait, Duration::from_secs(15)).await;
        eprintln!("fast scan closed {fast_closed}; second pass {pass:?}");
        assert!(pass.rate_limited, "{pass:?}");
        assert!(pass.proven_closed >= 4, "{pass:?}");
        assert_eq!(pass.stayed_silent, 0, "{pass:?}");
        drop(ns);
    }
}
