//! A libpcap capture of one sample's traffic for the whole run, written as `.pcap` evidence as
//! packets arrive (flushed a few times a second), filtered to the unit's address. Known
//! passwords are overwritten with `*` of equal length before a packet reaches the file (those
//! packets' checksums then no longer match; tools still read them), also where one is split
//! across TCP segments: a packet waits 300 ms for the segments after it.

use super::capture_holdback::{Holdback, Waiting};
use super::error::Error;
use crate::evidence::Redactor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Capture {
    pub path: PathBuf,
    /// Packets in which a known password (or its basic-auth token) crossed the wire readable.
    pub clear_secrets: Arc<Mutex<Vec<ClearSecret>>>,
    /// Why the capture stopped before it was asked to (the interface went away, a read
    /// failed), and when; None while it runs or once stopped on request.
    died: Arc<Mutex<Option<String>>>,
    /// Packets the kernel had to drop because hilt did not read them in time (libpcap's
    /// counts), as of the last flush.
    dropped: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<u64>>,
}

impl Capture {
    /// Opens `interface` with the BPF `filter` and starts writing `path`, with every secret the
    /// redactor knows overwritten; an error says why no capture could be made (no such
    /// interface, no CAP_NET_RAW).
    pub fn start(
        interface: &str,
        filter: &str,
        path: &Path,
        redactor: Arc<Redactor>,
        health: Arc<crate::evidence::Health>,
    ) -> Result<Capture, Error> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let clear_secrets = Arc::new(Mutex::new(Vec::new()));
        let died = Arc::new(Mutex::new(None));
        let dropped = Arc::new(AtomicU64::new(0));
        let lost = dropped.clone();
        let (iface, filter, file, flag, sightings, death) = (
            interface.to_string(),
            filter.to_string(),
            path.to_path_buf(),
            stop.clone(),
            clear_secrets.clone(),
            died.clone(),
        );
        let started = Instant::now();
        let thread = std::thread::Builder::new()
            .name(format!("capture {interface}"))
            .spawn(move || {
                let opened = open(&iface, &filter, &file);
                let (mut cap, mut save) = match opened {
                    Ok(pair) => {
                        let _ = ready_tx.send(Ok(()));
                        pair
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return 0;
                    }
                };
                let mut packets = 0u64;
                let mut flushed = Instant::now();
                let link = cap.get_datalink().0;
                let mut waiting = Holdback::default();
                // Past the sample's evidence cap, packets are still searched for passwords but
                // no longer kept.
                let write = |out: Vec<Waiting>, save: &mut pcap::Savefile| {
                    for w in out {
                        if health.take(w.data.len() as u64 + 16, &file) {
                            save.write(&pcap::Packet::new(&w.header, &w.data));
                        }
                    }
                };
                while !flag.load(Ordering::Relaxed) {
                    match cap.next_packet() {
                        Ok(p) => {
                            let mut data = p.data.to_vec();
                            packets += 1;
                            let own = redactor.redact_bytes(&mut data);
                            let across = waiting.push(link, *p.header, data, &redactor);
                            if own + across > 0 {
                                let mut seen = sightings.lock().unwrap();
                                if seen.len() < MAX_SIGHTINGS {
                                    seen.push(ClearSecret {
                                        packet: packets,
                                        after: started.elapsed(),
                                        flow: flow(link, p.data),
                                    });
                                }
                            }
                        }
                        // Non-blocking: nothing waiting right now.
                        Err(pcap::Error::TimeoutExpired) => {
                            std::thread::sleep(Duration::from_millis(20))
                        }
                        Err(e) => {
                            *death.lock().unwrap() = Some(format!(
                                "{e}, at +{:.1}s after {packets} packet(s)",
                                started.elapsed().as_secs_f64()
                            ));
                            break;
                        }
                    }
                    write(waiting.due(Instant::now()), &mut save);
                    if flushed.elapsed() > Duration::from_millis(250) {
                        let _ = save.flush();
                        flushed = Instant::now();
                        count_drops(&mut cap, &lost);
                    }
                }
                write(waiting.drain(), &mut save);
                let _ = save.flush();
                count_drops(&mut cap, &lost);
                packets
            })
            .map_err(|e| Error::Bench(format!("capture thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Capture {
                path: path.to_path_buf(),
                clear_secrets,
                died,
                dropped,
                stop,
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::Bench(
                "the capture thread ended before it opened the interface".into(),
            )),
        }
    }

    pub fn clear_secrets(&self) -> Vec<ClearSecret> {
        self.clear_secrets.lock().unwrap().clone()
    }

    /// Why the capture ended on its own, if it did: what came after is not in it.
    pub fn died(&self) -> Option<String> {
        self.died.lock().unwrap().clone()
    }

    /// Why the file does not hold every packet of the unit's so far: the capture ended on its
    /// own, or the kernel dropped packets hilt did not read in time.
    pub fn gaps(&self) -> Option<String> {
        let dropped = self.dropped.load(Ordering::Relaxed);
        match (self.died(), dropped) {
            (Some(why), 0) => Some(format!("it stopped on its own: {why}")),
            (Some(why), n) => Some(format!(
                "it stopped on its own ({why}) and {n} packet(s) were dropped before"
            )),
            (None, 0) => None,
            (None, n) => Some(format!(
                "the kernel dropped {n} packet(s) that hilt did not read in time"
            )),
        }
    }

    /// Stops the capture (within its read timeout) and returns how many packets it wrote.
    pub fn stop(&mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().and_then(|t| t.join().ok()).unwrap_or(0)
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop();
    }
}

/// libpcap's count of packets the kernel dropped (its buffer full) or the interface did.
fn count_drops(cap: &mut pcap::Capture<pcap::Active>, dropped: &AtomicU64) {
    if let Ok(s) = cap.stats() {
        dropped.store(
            u64::from(s.dropped) + u64::from(s.if_dropped),
            Ordering::Relaxed,
        );
    }
}

/// Enough to show the pattern; the capture file holds every packet.
const MAX_SIGHTINGS: usize = 100;

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
fn flow(link: i32, data: &[u8]) -> String {
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

fn open(
    interface: &str,
    filter: &str,
    file: &Path,
) -> Result<(pcap::Capture<pcap::Active>, pcap::Savefile), Error> {
    // Non-blocking reads: a blocking read on an idle interface may wait past its timeout (seen
    // with libpcap 1.10 on Linux), and the loop must notice the stop request.
    let mut cap = pcap::Capture::from_device(interface)
        .and_then(|c| c.timeout(200).snaplen(65535).buffer_size(8 << 20).open())
        .and_then(|c| c.setnonblock())
        .map_err(|e| Error::Bench(format!("capture on {interface}: {e}")))?;
    cap.filter(filter, true)
        .map_err(|e| Error::Config(format!("capture filter `{filter}`: {e}")))?;
    let save = cap
        .savefile(file)
        .map_err(|e| Error::Bench(format!("{}: {e}", file.display())))?;
    Ok((cap, save))
}

#[cfg(test)]
#[path = "capture_tests.rs"]
mod tests;
