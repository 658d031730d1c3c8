//! One libpcap handle per interface, shared by every sample captured on it. Each sample was its
//! own handle before: with 8 samples on one interface the kernel ran 8 filters on every packet
//! and kept 8 rings of 8 MiB, most of hilt's memory. Now the kernel filter is the union of the
//! members' filters and one thread hands each packet to the members whose own filter (the same
//! expression, run in userspace) takes it.
//!
//! A member joining or leaving replaces the kernel filter. libpcap filters what is already in
//! its ring with the new filter in userspace, and the union only grows on a join, so no member
//! loses a packet to another's arrival.

use super::capture::ClearSecret;
use super::capture_holdback::{Holdback, Waiting};
use super::error::Error;
use crate::evidence::{Health, Redactor};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Enough to show the pattern; the capture file holds every packet.
const MAX_SIGHTINGS: usize = 100;
/// Packets read per hold of the handle, so a join or leave waits for at most this many.
const BATCH: usize = 256;

static TAPS: LazyLock<Mutex<HashMap<String, Weak<Tap>>>> = LazyLock::new(Mutex::default);

/// The running tap of an interface, opened for the first member.
pub(super) struct Tap {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    interface: String,
    link: i32,
    handle: Mutex<pcap::Capture<pcap::Active>>,
    members: Mutex<Vec<Arc<Member>>>,
    /// libpcap's drop count for the handle, as of the last flush.
    dropped: AtomicU64,
    stop: AtomicBool,
    /// Set when a read failed: the tap is gone, a new member needs a new one.
    dead: AtomicBool,
}

/// One sample's share of a tap.
pub(super) struct Member {
    filter: String,
    state: Mutex<MemberState>,
    pub clear_secrets: Mutex<Vec<ClearSecret>>,
    pub died: Mutex<Option<String>>,
    /// The tap's drop count when this member joined.
    dropped_before: u64,
    started: Instant,
}

struct MemberState {
    program: pcap::BpfProgram,
    save: pcap::Savefile,
    waiting: Holdback,
    packets: u64,
    redactor: Arc<Redactor>,
    health: Arc<Health>,
    file: PathBuf,
}

impl Tap {
    /// The interface's tap, opened if no member holds one.
    pub fn of(interface: &str) -> Result<Arc<Tap>, Error> {
        let mut taps = TAPS.lock().unwrap();
        if let Some(tap) = taps.get(interface).and_then(Weak::upgrade) {
            if !tap.shared.dead.load(Ordering::Relaxed) {
                return Ok(tap);
            }
        }
        let tap = Arc::new(Tap::open(interface)?);
        taps.insert(interface.to_string(), Arc::downgrade(&tap));
        Ok(tap)
    }

    fn open(interface: &str) -> Result<Tap, Error> {
        // Non-blocking reads: a blocking read on an idle interface may wait past its timeout
        // (seen with libpcap 1.10 on Linux), and the thread must notice the stop request.
        let handle = pcap::Capture::from_device(interface)
            .and_then(|c| c.timeout(200).snaplen(65535).buffer_size(8 << 20).open())
            .and_then(|c| c.setnonblock())
            .map_err(|e| Error::Bench(format!("capture on {interface}: {e}")))?;
        let shared = Arc::new(Shared {
            interface: interface.to_string(),
            link: handle.get_datalink().0,
            handle: Mutex::new(handle),
            members: Mutex::default(),
            dropped: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            dead: AtomicBool::new(false),
        });
        let reader = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("capture {interface}"))
            .spawn(move || reader.run())
            .map_err(|e| Error::Bench(format!("capture thread: {e}")))?;
        Ok(Tap {
            shared,
            thread: Some(thread),
        })
    }

    /// Adds a member writing `file` with what `filter` takes; a filter libpcap cannot compile
    /// for this link is `Error::Config`.
    pub fn join(
        &self,
        filter: &str,
        file: &Path,
        redactor: Arc<Redactor>,
        health: Arc<Health>,
    ) -> Result<Arc<Member>, Error> {
        let s = &self.shared;
        let mut handle = s.handle.lock().unwrap();
        let program = handle
            .compile(filter, true)
            .map_err(|e| Error::Config(format!("capture filter `{filter}`: {e}")))?;
        let save = handle
            .savefile(file)
            .map_err(|e| Error::Bench(format!("{}: {e}", file.display())))?;
        let member = Arc::new(Member {
            filter: filter.to_string(),
            state: Mutex::new(MemberState {
                program,
                save,
                waiting: Holdback::default(),
                packets: 0,
                redactor,
                health,
                file: file.to_path_buf(),
            }),
            clear_secrets: Mutex::default(),
            died: Mutex::default(),
            dropped_before: s.dropped.load(Ordering::Relaxed),
            started: Instant::now(),
        });
        let mut members = s.members.lock().unwrap();
        members.push(member.clone());
        if let Err(e) = handle.filter(&union(&members), true) {
            members.pop();
            return Err(Error::Bench(format!(
                "capture on {}: the shared filter: {e}",
                s.interface
            )));
        }
        Ok(member)
    }

    /// Removes the member, writes what it still holds back, and returns its packet count.
    pub fn leave(&self, member: &Arc<Member>) -> u64 {
        let s = &self.shared;
        let rest = {
            let mut members = s.members.lock().unwrap();
            members.retain(|m| !Arc::ptr_eq(m, member));
            union(&members)
        };
        {
            let mut handle = s.handle.lock().unwrap();
            if !rest.is_empty() {
                // Narrowing only spares work; a failure leaves the wider filter in place.
                let _ = handle.filter(&rest, true);
            }
            // The drops up to the stop, not as of the last flush.
            s.count_drops(&mut handle);
        }
        let mut st = member.state.lock().unwrap();
        let held = st.waiting.drain();
        st.write(held);
        let _ = st.save.flush();
        st.packets
    }

    /// The kernel's drops on the interface since the member joined: packets hilt did not read
    /// in time, whose they were unknown.
    pub fn dropped_since(&self, member: &Member) -> u64 {
        let now = self.shared.dropped.load(Ordering::Relaxed);
        now.saturating_sub(member.dropped_before)
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The kernel filter: every member's expression, or none.
fn union(members: &[Arc<Member>]) -> String {
    let parts: Vec<String> = members.iter().map(|m| format!("({})", m.filter)).collect();
    parts.join(" or ")
}

impl Shared {
    fn run(&self) {
        let mut flushed = Instant::now();
        while !self.stop.load(Ordering::Relaxed) {
            let read = self.read_batch();
            let now = Instant::now();
            let flush = now.duration_since(flushed) > Duration::from_millis(250);
            for m in self.members.lock().unwrap().iter() {
                let mut st = m.state.lock().unwrap();
                let due = st.waiting.due(now);
                st.write(due);
                if flush {
                    let _ = st.save.flush();
                }
            }
            if flush {
                flushed = now;
                self.count_drops(&mut self.handle.lock().unwrap());
            }
            match read {
                Ok(0) => std::thread::sleep(Duration::from_millis(20)),
                Ok(_) => {}
                Err(e) => {
                    self.dead.store(true, Ordering::Relaxed);
                    for m in self.members.lock().unwrap().iter() {
                        let packets = m.state.lock().unwrap().packets;
                        *m.died.lock().unwrap() = Some(format!(
                            "{e}, at +{:.1}s after {packets} packet(s)",
                            m.started.elapsed().as_secs_f64()
                        ));
                    }
                    return;
                }
            }
        }
    }

    /// libpcap's count of packets the kernel dropped (its buffer full) or the interface did.
    fn count_drops(&self, handle: &mut pcap::Capture<pcap::Active>) {
        if let Ok(s) = handle.stats() {
            let n = u64::from(s.dropped) + u64::from(s.if_dropped);
            self.dropped.store(n, Ordering::Relaxed);
        }
    }

    /// Up to `BATCH` packets, each handed to the members that take it.
    fn read_batch(&self) -> Result<usize, pcap::Error> {
        let mut handle = self.handle.lock().unwrap();
        for n in 0..BATCH {
            let p = match handle.next_packet() {
                Ok(p) => p,
                // Non-blocking: nothing waiting right now.
                Err(pcap::Error::TimeoutExpired) => return Ok(n),
                Err(e) => return Err(e),
            };
            for m in self.members.lock().unwrap().iter() {
                let mut st = m.state.lock().unwrap();
                if st.program.filter(p.data) {
                    st.take(self.link, *p.header, p.data, m);
                }
            }
        }
        Ok(BATCH)
    }
}

impl MemberState {
    fn take(&mut self, link: i32, header: pcap::PacketHeader, raw: &[u8], member: &Member) {
        let mut data = raw.to_vec();
        self.packets += 1;
        let own = self.redactor.redact_bytes(&mut data);
        let across = self.waiting.push(link, header, data, &self.redactor);
        if own + across > 0 {
            let mut seen = member.clear_secrets.lock().unwrap();
            if seen.len() < MAX_SIGHTINGS {
                seen.push(ClearSecret {
                    packet: self.packets,
                    after: member.started.elapsed(),
                    flow: super::capture::flow(link, raw),
                });
            }
        }
    }

    /// Past the sample's evidence cap, packets are still searched for passwords but no longer
    /// kept.
    fn write(&mut self, out: Vec<Waiting>) {
        for w in out {
            if self.health.take(w.data.len() as u64 + 16, &self.file) {
                self.save.write(&pcap::Packet::new(&w.header, &w.data));
            }
        }
    }
}
