//! The fast pass of a TCP scan as half-open probes: a SYN from a raw socket, read back as SYN-ACK
//! (open), RST (closed) or nothing after one resend (filtered). No connection is made, so neither
//! side holds sockets and the unit's accept queues see no full handshakes. Needs CAP_NET_RAW and
//! IPv4; without either, `pass` says so and the caller connects instead.
//!
//! The SYN-ACK of an open port reaches a port no socket of this host holds, so the host's own
//! stack answers it with a RST, closing the half-open connection on the unit as nmap's `-sS`
//! does. The port is reserved by a bound socket for the scan, so no connection of the host's
//! takes it meanwhile. The socket reads only the unit's packets (a kernel filter), in batches.

use super::target::Target;
use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
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
    let mut inbox = Inbox::new();
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

/// A raw IPv4 TCP socket that reads only the target's packets, and the port reserved for it.
struct RawTcp {
    fd: OwnedFd,
    _reserved: tokio::net::TcpSocket,
    src: Ipv4Addr,
    src_port: u16,
    dst: Ipv4Addr,
}

impl RawTcp {
    fn open(dst: Ipv4Addr) -> Result<RawTcp, String> {
        // The address the host's routes pick to reach the unit: what the checksum covers.
        let route = UdpSocket::bind("0.0.0.0:0")
            .and_then(|u| u.connect((dst, 9)).map(|_| u))
            .and_then(|u| u.local_addr())
            .map_err(|e| format!("no route to {dst}: {e}"))?;
        let std::net::IpAddr::V4(src) = route.ip() else {
            return Err("no IPv4 source address".into());
        };
        // Bound, never listening nor connected: the port is taken, and an answer to it finds
        // no connection, so the host resets it.
        let reserve = || {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(SocketAddrV4::new(src, 0).into())?;
            Ok::<_, std::io::Error>(socket)
        };
        let reserved = reserve().map_err(|e| format!("reserving a source port: {e}"))?;
        let src_port = reserved
            .local_addr()
            .map_err(|e| format!("reserving a source port: {e}"))?
            .port();
        // SAFETY: plain socket(2); the result is checked before it is owned.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_TCP) };
        if fd < 0 {
            return Err(format!(
                "no raw socket (CAP_NET_RAW): {}",
                std::io::Error::last_os_error()
            ));
        }
        // SAFETY: fd is a fresh descriptor nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let raw = RawTcp {
            fd,
            _reserved: reserved,
            src,
            src_port,
            dst,
        };
        raw.only_from_target()?;
        Ok(raw)
    }

    /// A classic BPF filter in the kernel: the socket queues only packets whose IPv4 source is
    /// the unit, so the host's other traffic (and our own SYNs on loopback) costs no reads.
    fn only_from_target(&self) -> Result<(), String> {
        let addr = u32::from(self.dst);
        let mut code = [
            // A = the IPv4 source address (the raw socket's data starts at the IP header).
            libc::sock_filter {
                code: 0x20,
                jt: 0,
                jf: 0,
                k: 12,
            },
            // if A == target: accept, else drop.
            libc::sock_filter {
                code: 0x15,
                jt: 0,
                jf: 1,
                k: addr,
            },
            libc::sock_filter {
                code: 0x06,
                jt: 0,
                jf: 0,
                k: 0xffff,
            },
            libc::sock_filter {
                code: 0x06,
                jt: 0,
                jf: 0,
                k: 0,
            },
        ];
        let program = libc::sock_fprog {
            len: code.len() as u16,
            filter: code.as_mut_ptr(),
        };
        self.set(libc::SO_ATTACH_FILTER, &program)?;
        // Room for a burst of answers while SYNs are being sent.
        let _ = self.set(libc::SO_RCVBUFFORCE, &(4 << 20_i32));
        Ok(())
    }

    fn set<T>(&self, option: libc::c_int, value: &T) -> Result<(), String> {
        // SAFETY: `value` points at a live T of the size passed.
        let r = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                option,
                (value as *const T).cast(),
                std::mem::size_of::<T>() as libc::socklen_t,
            )
        };
        match r {
            0 => Ok(()),
            _ => Err(format!(
                "raw socket option {option}: {}",
                std::io::Error::last_os_error()
            )),
        }
    }

    fn syn(&self, port: u16, seq: u32) -> [u8; 20] {
        syn_segment(self.src, self.dst, self.src_port, port, seq)
    }

    /// Every segment, as few system calls as the host allows (sendmmsg, a batch at a time).
    fn send_all(&self, segments: &[[u8; 20]]) -> Result<(), String> {
        let to = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: 0,
            sin_addr: libc::in_addr {
                s_addr: u32::from(self.dst).to_be(),
            },
            sin_zero: [0; 8],
        };
        let mut iovecs: Vec<libc::iovec> = segments
            .iter()
            .map(|s| libc::iovec {
                iov_base: s.as_ptr() as *mut libc::c_void,
                iov_len: s.len(),
            })
            .collect();
        let mut messages: Vec<libc::mmsghdr> = iovecs
            .iter_mut()
            .map(|iov| {
                // SAFETY: msghdr is plain data; zero is its empty value.
                let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
                m.msg_hdr.msg_name = (&to as *const libc::sockaddr_in).cast_mut().cast();
                m.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as u32;
                m.msg_hdr.msg_iov = iov;
                m.msg_hdr.msg_iovlen = 1;
                m
            })
            .collect();
        let mut sent = 0;
        while sent < messages.len() {
            let batch = (messages.len() - sent).min(BATCH) as u32;
            // SAFETY: the messages, their iovecs, segments and address all outlive the call.
            let r = unsafe {
                libc::sendmmsg(self.fd.as_raw_fd(), messages[sent..].as_mut_ptr(), batch, 0)
            };
            if r > 0 {
                sent += r as usize;
                continue;
            }
            let e = std::io::Error::last_os_error();
            match e.raw_os_error() {
                // The host's queue is full: it drains in microseconds.
                Some(libc::ENOBUFS) | Some(libc::EAGAIN) | Some(libc::EINTR) => {
                    std::thread::sleep(Duration::from_micros(200))
                }
                _ => return Err(format!("sending SYNs to {}: {e}", self.dst)),
            }
        }
        Ok(())
    }

    /// Whether a packet is there to read before `until`.
    fn readable(&self, until: Instant) -> Result<bool, String> {
        let left = until.saturating_duration_since(Instant::now());
        let mut poll = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // Rounded up, so a wait of under a millisecond is not a busy loop.
        let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
        // SAFETY: one pollfd, alive for the call.
        match unsafe { libc::poll(&mut poll, 1, ms) } {
            r if r >= 0 => Ok(r > 0),
            _ => match std::io::Error::last_os_error() {
                e if e.raw_os_error() == Some(libc::EINTR) => Ok(false),
                e => Err(format!("waiting for answers: {e}")),
            },
        }
    }

    /// The packets already queued, up to a batch, without waiting; how many were read.
    fn receive(&self, inbox: &mut Inbox) -> Result<usize, String> {
        let mut iovecs: Vec<libc::iovec> = inbox
            .slots
            .iter_mut()
            .map(|b| libc::iovec {
                iov_base: b.as_mut_ptr().cast(),
                iov_len: b.len(),
            })
            .collect();
        let mut messages: Vec<libc::mmsghdr> = iovecs
            .iter_mut()
            .map(|iov| {
                // SAFETY: msghdr is plain data; zero is its empty value.
                let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
                m.msg_hdr.msg_iov = iov;
                m.msg_hdr.msg_iovlen = 1;
                m
            })
            .collect();
        // SAFETY: every message points at a slot of the inbox, alive for the call.
        let r = unsafe {
            libc::recvmmsg(
                self.fd.as_raw_fd(),
                messages.as_mut_ptr(),
                messages.len() as u32,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(0),
                _ => Err(format!("reading answers: {e}")),
            };
        }
        let read = r as usize;
        for (len, m) in inbox.lens.iter_mut().zip(&messages).take(read) {
            *len = (m.msg_len as usize).min(SLOT);
        }
        Ok(read)
    }
}

/// SYNs per sendmmsg, packets per recvmmsg.
const BATCH: usize = 256;
/// Bytes kept of each packet read: the IPv4 header with options and the TCP header's flags.
const SLOT: usize = 96;

/// Room for a batch of packets read at once (each cut to its headers).
struct Inbox {
    slots: Vec<[u8; SLOT]>,
    lens: Vec<usize>,
}

impl Inbox {
    fn new() -> Inbox {
        Inbox {
            slots: vec![[0; SLOT]; BATCH],
            lens: vec![0; BATCH],
        }
    }

    fn packets(&self, read: usize) -> impl Iterator<Item = &[u8]> + '_ {
        self.slots
            .iter()
            .zip(&self.lens)
            .take(read)
            .map(|(s, &n)| &s[..n])
    }
}

/// A 20-byte TCP header with only SYN set, checksummed over the IPv4 pseudo-header.
fn syn_segment(src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16, seq: u32) -> [u8; 20] {
    let mut h = [0u8; 20];
    h[0..2].copy_from_slice(&sport.to_be_bytes());
    h[2..4].copy_from_slice(&dport.to_be_bytes());
    h[4..8].copy_from_slice(&seq.to_be_bytes());
    h[12] = 5 << 4; // data offset: five 32-bit words, no options
    h[13] = 0x02; // SYN
    h[14..16].copy_from_slice(&64240u16.to_be_bytes()); // window
    let mut pseudo = [0u8; 32];
    pseudo[0..4].copy_from_slice(&src.octets());
    pseudo[4..8].copy_from_slice(&dst.octets());
    pseudo[8..12].copy_from_slice(&[0, 6, 0, 20]);
    pseudo[12..].copy_from_slice(&h);
    let sum = internet_checksum(&pseudo);
    h[16..18].copy_from_slice(&sum.to_be_bytes());
    h
}

/// RFC 1071's ones'-complement sum.
fn internet_checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
#[path = "syn_scan_tests.rs"]
mod tests;
