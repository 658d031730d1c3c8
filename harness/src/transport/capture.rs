//! A libpcap capture of one sample's traffic for the whole run, written as `.pcap` evidence as
//! packets arrive (flushed a few times a second), filtered to the unit's address. Known
//! passwords are overwritten with `*` of equal length before a packet reaches the file (those
//! packets' checksums then no longer match; tools still read them), also where one is split
//! across TCP segments: a packet waits 300 ms for the segments after it.

use super::capture_tap::{Member, Tap};
use super::error::Error;
use crate::evidence::Redactor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// One sample's capture: its share of the interface's tap (see `capture_tap`).
pub struct Capture {
    pub path: PathBuf,
    member: Arc<Member>,
    /// None once stopped.
    tap: Option<Arc<Tap>>,
    /// Drops on the interface while it ran, kept at the stop.
    dropped_at_stop: u64,
}

impl Capture {
    /// Captures what the BPF `filter` takes on `interface` into `path`, with every secret the
    /// redactor knows overwritten; an error says why no capture could be made (no such
    /// interface, no CAP_NET_RAW, a filter the link cannot take).
    pub fn start(
        interface: &str,
        filter: &str,
        path: &Path,
        redactor: Arc<Redactor>,
        health: Arc<crate::evidence::Health>,
    ) -> Result<Capture, Error> {
        let tap = Tap::of(interface)?;
        let member = tap.join(filter, path, redactor, health)?;
        Ok(Capture {
            path: path.to_path_buf(),
            member,
            tap: Some(tap),
            dropped_at_stop: 0,
        })
    }

    /// Packets in which a known password (or its basic-auth token) crossed the wire readable.
    pub fn clear_secrets(&self) -> Vec<ClearSecret> {
        self.member.clear_secrets.lock().unwrap().clone()
    }

    /// Why the capture ended on its own, if it did: what came after is not in it.
    pub fn died(&self) -> Option<String> {
        self.member.died.lock().unwrap().clone()
    }

    /// Why the file does not hold every packet of the unit's so far: the capture ended on its
    /// own, or the kernel dropped packets hilt did not read in time.
    pub fn gaps(&self) -> Option<String> {
        let dropped = match &self.tap {
            Some(tap) => tap.dropped_since(&self.member),
            None => self.dropped_at_stop,
        };
        match (self.died(), dropped) {
            (Some(why), 0) => Some(format!("it stopped on its own: {why}")),
            (Some(why), n) => Some(format!(
                "it stopped on its own ({why}) and {n} packet(s) were dropped before"
            )),
            (None, 0) => None,
            (None, n) => Some(format!(
                "the kernel dropped {n} packet(s) on the interface that hilt did not read in time"
            )),
        }
    }

    /// Stops the capture and returns how many packets it took.
    pub fn stop(&mut self) -> u64 {
        match self.tap.take() {
            Some(tap) => {
                let packets = tap.leave(&self.member);
                self.dropped_at_stop = tap.dropped_since(&self.member);
                packets
            }
            None => 0,
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop();
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearSecret {
    /// 1-based packet number in the capture file (as tcpdump and Wireshark count).
    pub packet: u64,
    /// Since the capture started.
    pub after: Duration,
    /// `TCP a.b.c.d:p > e.f.g.h:q`, when the packet could be read.
    pub flow: String,
}

/// The transport flow of a captured packet: Ethernet, Linux cooked or raw IP, IPv4 or IPv6.
pub(super) fn flow(link: i32, data: &[u8]) -> String {
    ip_of(link, data)
        .and_then(ip_flow)
        .unwrap_or_else(|| "unreadable packet".into())
}

/// The IP packet inside a captured frame of link type `link`.
pub(super) fn ip_of(link: i32, data: &[u8]) -> Option<&[u8]> {
    match link {
        1 => ethernet_payload(data, 12),
        113 => ethernet_payload(data, 14),
        12 | 101 | 228 | 229 => Some(data),
        _ => None,
    }
}

fn ethernet_payload(data: &[u8], type_at: usize) -> Option<&[u8]> {
    let mut at = type_at;
    let mut ethertype = u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]);
    while ethertype == 0x8100 {
        at += 4;
        ethertype = u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]);
    }
    data.get(at + 2..)
}

/// Source, destination, IP protocol and the transport header onwards.
fn ip_parts(ip: &[u8]) -> Option<(std::net::IpAddr, std::net::IpAddr, u8, &[u8])> {
    match ip.first()? >> 4 {
        4 => {
            let ihl = usize::from(ip[0] & 0x0f) * 4;
            let a: [u8; 4] = ip.get(12..16)?.try_into().ok()?;
            let b: [u8; 4] = ip.get(16..20)?.try_into().ok()?;
            Some((a.into(), b.into(), *ip.get(9)?, ip.get(ihl..)?))
        }
        6 => {
            let a: [u8; 16] = ip.get(8..24)?.try_into().ok()?;
            let b: [u8; 16] = ip.get(24..40)?.try_into().ok()?;
            Some((a.into(), b.into(), *ip.get(6)?, ip.get(40..)?))
        }
        _ => None,
    }
}

fn ip_flow(ip: &[u8]) -> Option<String> {
    let (src, dst, proto, rest) = ip_parts(ip)?;
    let name = match proto {
        6 => "TCP",
        17 => "UDP",
        _ => return Some(format!("IP protocol {proto} {src} > {dst}")),
    };
    let sport = u16::from_be_bytes([*rest.first()?, *rest.get(1)?]);
    let dport = u16::from_be_bytes([*rest.get(2)?, *rest.get(3)?]);
    Some(format!(
        "{name} {} > {}",
        std::net::SocketAddr::new(src, sport),
        std::net::SocketAddr::new(dst, dport)
    ))
}

/// A TCP segment of a captured frame: source, destination and its payload (possibly empty),
/// and whether it is a SYN without ACK (a connection being opened).
pub struct TcpSegment<'a> {
    pub src: std::net::SocketAddr,
    pub dst: std::net::SocketAddr,
    pub opening: bool,
    pub payload: &'a [u8],
}

pub fn tcp_segment(link: i32, data: &[u8]) -> Option<TcpSegment<'_>> {
    let (src, dst, proto, tcp) = ip_parts(ip_of(link, data)?)?;
    if proto != 6 {
        return None;
    }
    let sport = u16::from_be_bytes([*tcp.first()?, *tcp.get(1)?]);
    let dport = u16::from_be_bytes([*tcp.get(2)?, *tcp.get(3)?]);
    let offset = usize::from(tcp.get(12)? >> 4) * 4;
    let flags = *tcp.get(13)?;
    Some(TcpSegment {
        src: std::net::SocketAddr::new(src, sport),
        dst: std::net::SocketAddr::new(dst, dport),
        opening: flags & 0x12 == 0x02,
        payload: tcp.get(offset..).unwrap_or(&[]),
    })
}

#[cfg(test)]
#[path = "capture_tests.rs"]
mod tests;
