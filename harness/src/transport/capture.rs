//! A libpcap capture of one sample's traffic for the whole run, written as `.pcap` evidence as
//! packets arrive (flushed a few times a second), filtered to the unit's address. Known
//! passwords are overwritten with `*` of equal length before a packet reaches the file (those
//! packets' checksums then no longer match; tools still read them).

use crate::evidence::Redactor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Capture {
    pub path: PathBuf,
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
    ) -> Result<Capture, String> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let (iface, filter, file, flag) = (
            interface.to_string(),
            filter.to_string(),
            path.to_path_buf(),
            stop.clone(),
        );
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
                while !flag.load(Ordering::Relaxed) {
                    match cap.next_packet() {
                        Ok(p) => {
                            let mut data = p.data.to_vec();
                            redactor.redact_bytes(&mut data);
                            save.write(&pcap::Packet::new(p.header, &data));
                            packets += 1;
                        }
                        // Non-blocking: nothing waiting right now.
                        Err(pcap::Error::TimeoutExpired) => {
                            std::thread::sleep(Duration::from_millis(20))
                        }
                        Err(_) => break,
                    }
                    if flushed.elapsed() > Duration::from_millis(250) {
                        let _ = save.flush();
                        flushed = Instant::now();
                    }
                }
                let _ = save.flush();
                packets
            })
            .map_err(|e| format!("capture thread: {e}"))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Capture {
                path: path.to_path_buf(),
                stop,
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("the capture thread ended before it opened the interface".into()),
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

fn open(
    interface: &str,
    filter: &str,
    file: &Path,
) -> Result<(pcap::Capture<pcap::Active>, pcap::Savefile), String> {
    // Non-blocking reads: a blocking read on an idle interface may wait past its timeout (seen
    // with libpcap 1.10 on Linux), and the loop must notice the stop request.
    let mut cap = pcap::Capture::from_device(interface)
        .and_then(|c| c.timeout(200).snaplen(65535).buffer_size(8 << 20).open())
        .and_then(|c| c.setnonblock())
        .map_err(|e| format!("capture on {interface}: {e}"))?;
    cap.filter(filter, true)
        .map_err(|e| format!("capture filter `{filter}`: {e}"))?;
    let save = cap
        .savefile(file)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    Ok((cap, save))
}
