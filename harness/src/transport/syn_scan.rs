//! The fast pass of a TCP scan as half-open probes: a SYN from a raw socket, read back as SYN-ACK
//! (open), RST (closed) or nothing after one resend (filtered). No connection is made, so neither
//! side holds sockets and the unit's accept queues see no full handshakes. Needs CAP_NET_RAW and
//! IPv4; without either, `pass` says so and the caller connects instead.
//!
//! The SYN-ACK of an open port reaches a port no socket of this host holds, so the host's own
//! stack answers it with a RST, closing the half-open connection on the unit as nmap's `-sS`
//! does. The port is reserved by a bound socket for the scan, so no connection of the host's
//! takes it meanwhile (`raw_tcp`).

use super::raw_tcp::{Inbox, RawTcp};
use super::target::Target;
use std::collections::VecDeque;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

/// What each port asked turned out to be.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub open: Vec<u16>,
    pub closed: usize,
    pub filtered: Vec<u16>,
}

/// Sends to each port once more when the first SYN drew nothing.
const TRIES: u8 = 2;
const PORTS: usize = 1 << 16;

/// The half-open scan of `ports`, at most `in_flight` unanswered at once, each given `wait`.
/// `Err` when the scan cannot be made this way (no raw socket, IPv6), for the caller to connect.
pub fn pass(
    target: Target,
    ports: &[u16],
    in_flight: usize,
    wait: Duration,
) -> Result<Found, String> {
    let std::net::IpAddr::V4(dst) = target.ip() else {
        return Err("the half-open scan is IPv4 only".into());
    };
    let raw = RawTcp::open(dst)?;
    let mut probes = Probes::new(ports, in_flight.max(1), wait);
    let mut inbox = Inbox::default();
    while !probes.done() {
        let due = probes.due(Instant::now());
        let segments: Vec<[u8; 20]> = due.iter().map(|&p| raw.syn(p, probes.seq(p))).collect();
        raw.send_all(&segments)?;
        // What has arrived is read; with room for more SYNs, nothing is waited for.
        loop {
            let room = probes.has_room();
            if !room && !raw.readable(probes.next_deadline())? {
                break;
            }
            let read = raw.receive(&mut inbox)?;
            for packet in inbox.packets(read) {
                if let Some((port, answer)) = reply(packet, dst, raw.src_port) {
                    probes.answered(port, answer);
                }
            }
            if read == 0 && room {
                break;
            }
        }
    }
    Ok(probes.found())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Open,
    Closed,
}

/// The unit's answer in a packet read from the raw socket (IPv4 header first), when it is one:
/// from the target, to our port, SYN-ACK or RST.
fn reply(packet: &[u8], from: Ipv4Addr, to_port: u16) -> Option<(u16, Answer)> {
    let ihl = usize::from(packet.first()? & 0x0f) * 4;
    if packet.len() < ihl + 20 || ihl < 20 || packet.get(9) != Some(&6) {
        return None;
    }
    if packet[12..16] != from.octets() {
        return None;
    }
    let tcp = &packet[ihl..];
    let (sport, dport) = (
        u16::from_be_bytes([tcp[0], tcp[1]]),
        u16::from_be_bytes([tcp[2], tcp[3]]),
    );
    if dport != to_port {
        return None;
    }
    let flags = tcp[13];
    const SYN: u8 = 0x02;
    const RST: u8 = 0x04;
    const ACK: u8 = 0x10;
    match flags {
        f if f & RST != 0 => Some((sport, Answer::Closed)),
        f if f & (SYN | ACK) == SYN | ACK => Some((sport, Answer::Open)),
        _ => None,
    }
}

/// Which ports are waiting to be sent, which are in flight, and what came back.
struct Probes {
    waiting: VecDeque<u16>,
    /// Per port: the tries made while it is in flight, 0 when it is not.
    flying: Vec<u8>,
    in_air: usize,
    /// Every SYN sent, oldest first: (sent at, port, try). An entry whose port was answered or
    /// sent again since is stale and skipped.
    sent: VecDeque<(Instant, u16, u8)>,
    answers: Vec<Option<Answer>>,
    silent: Vec<u16>,
    in_flight: usize,
    wait: Duration,
    seq_base: u32,
}

impl Probes {
    fn new(ports: &[u16], in_flight: usize, wait: Duration) -> Probes {
        let mut unique = ports.to_vec();
        unique.sort_unstable();
        unique.dedup();
        Probes {
            waiting: unique.into(),
            flying: vec![0; PORTS],
            in_air: 0,
            sent: VecDeque::new(),
            answers: vec![None; PORTS],
            silent: Vec::new(),
            in_flight,
            wait,
            seq_base: {
                let mut b = [0u8; 4];
                crate::util::random::fill(&mut b);
                u32::from_ne_bytes(b)
            },
        }
    }

    fn seq(&self, port: u16) -> u32 {
        self.seq_base.wrapping_add(u32::from(port) << 8)
    }

    fn done(&self) -> bool {
        self.waiting.is_empty() && self.in_air == 0
    }

    /// New ports could be sent now.
    fn has_room(&self) -> bool {
        !self.waiting.is_empty() && self.in_air < self.in_flight
    }

    /// The oldest SYN still waiting for its answer.
    fn oldest(&mut self) -> Option<(Instant, u16, u8)> {
        while let Some(&(at, port, tries)) = self.sent.front() {
            if self.flying[usize::from(port)] == tries {
                return Some((at, port, tries));
            }
            self.sent.pop_front();
        }
        None
    }

    /// Ports to send now: those whose wait ran out with a try left, then new ones up to the
    /// window. Those out of tries are silent.
    fn due(&mut self, now: Instant) -> Vec<u16> {
        let mut send = Vec::new();
        while let Some((at, port, tries)) = self.oldest() {
            if now.duration_since(at) < self.wait {
                break;
            }
            self.sent.pop_front();
            if tries < TRIES {
                self.flying[usize::from(port)] = tries + 1;
                self.sent.push_back((now, port, tries + 1));
                send.push(port);
            } else {
                self.flying[usize::from(port)] = 0;
                self.in_air -= 1;
                self.silent.push(port);
            }
        }
        while self.in_air < self.in_flight {
            let Some(port) = self.waiting.pop_front() else {
                break;
            };
            self.flying[usize::from(port)] = 1;
            self.in_air += 1;
            self.sent.push_back((now, port, 1));
            send.push(port);
        }
        send
    }

    /// When the oldest SYN in flight runs out of time; now when none is in flight.
    fn next_deadline(&mut self) -> Instant {
        match self.oldest() {
            Some((at, _, _)) => at + self.wait,
            None => Instant::now(),
        }
    }

    /// Answers to ports not in flight (a late duplicate, another tool's probe) change nothing.
    fn answered(&mut self, port: u16, answer: Answer) {
        let tries = &mut self.flying[usize::from(port)];
        if *tries > 0 {
            *tries = 0;
            self.in_air -= 1;
            self.answers[usize::from(port)] = Some(answer);
        }
    }

    fn found(self) -> Found {
        let answered = || (0..=u16::MAX).zip(&self.answers);
        let open: Vec<u16> = answered()
            .filter(|(_, a)| **a == Some(Answer::Open))
            .map(|(p, _)| p)
            .collect();
        let closed = answered()
            .filter(|(_, a)| **a == Some(Answer::Closed))
            .count();
        let mut filtered = self.silent;
        filtered.sort_unstable();
        Found {
            open,
            closed,
            filtered,
        }
    }
}

#[cfg(test)]
#[path = "syn_scan_tests.rs"]
mod tests;
