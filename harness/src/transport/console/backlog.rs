//! Device output on its way to the channel. A console is read without pause whether or not a case
//! is reading it: on a real wire a UART nobody listens to loses its bytes and the device goes on,
//! but a pseudo-terminal or a console server's socket pushes back, and the device behind it (a
//! QEMU board's UART, a console server's port) stalls until someone reads. What the channel has
//! not taken yet is kept up to `LIMIT` bytes, the oldest dropped first, which the transcript says.
//! Bytes go into the transcript as they arrive, so its times are the device's, not the reader's.

use crate::evidence::EvidenceLog;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, Notify};

/// Unread device output kept for the channel; beyond this the oldest goes.
pub(super) const LIMIT: usize = 1 << 20;

#[derive(Default)]
struct Pending {
    bytes: VecDeque<u8>,
    dropped: u64,
    /// The channel is gone: the reader may stop.
    closed: bool,
    /// The reader is gone: once what is kept is handed on, the channel hears the line ended.
    finished: bool,
}

pub(super) struct Backlog {
    pending: Arc<Mutex<Pending>>,
    ready: Arc<Notify>,
    transcript: EvidenceLog,
    /// Only to tell when the channel's receiving end is gone.
    watch: mpsc::Sender<Vec<u8>>,
}

impl Backlog {
    /// A backlog and the receiving end of the channel it feeds, with a task that hands each
    /// batch on as the channel takes it.
    pub(super) fn channel(transcript: EvidenceLog) -> (Self, mpsc::Receiver<Vec<u8>>) {
        let (tx, rx) = mpsc::channel(64);
        let watch = tx.clone();
        let pending = Arc::new(Mutex::new(Pending::default()));
        let ready = Arc::new(Notify::new());
        let (p, r, log) = (pending.clone(), ready.clone(), transcript.clone());
        tokio::spawn(async move {
            loop {
                r.notified().await;
                // Room first, then the batch moves from here into the channel under the lock, so
                // `Discarder` never misses one on its way.
                let Ok(permit) = tx.reserve().await else {
                    p.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
                    return;
                };
                let mut p = p.lock().unwrap_or_else(|e| e.into_inner());
                let dropped = std::mem::take(&mut p.dropped);
                if dropped > 0 {
                    log.line(
                        "#",
                        &format!("{dropped} bytes the unit sent while nobody read the console were dropped from hilt's buffer (more than {LIMIT} unread; the transcript has them)"),
                    );
                }
                if !p.bytes.is_empty() {
                    permit.send(p.bytes.drain(..).collect());
                }
                if p.finished {
                    return;
                }
            }
        });
        (
            Backlog {
                pending,
                ready,
                transcript,
                watch,
            },
            rx,
        )
    }

    /// What lets the channel forget everything the unit has sent so far.
    pub(super) fn discarder(&self) -> Arc<Discarder> {
        Arc::new(Discarder(self.pending.clone()))
    }

    /// Resolves once the channel's receiving end is gone.
    pub(super) async fn closed(&self) {
        self.watch.closed().await
    }

    /// Keeps `data` for the channel without waiting for it; false once the channel is gone.
    pub(super) fn push(&self, data: &[u8]) -> bool {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if p.closed {
            return false;
        }
        self.transcript.bytes("<", data);
        p.bytes.extend(data);
        let over = p.bytes.len().saturating_sub(LIMIT);
        if over > 0 {
            p.bytes.drain(..over);
            p.dropped += over as u64;
        }
        drop(p);
        self.ready.notify_one();
        true
    }
}

pub(super) struct Discarder(Arc<Mutex<Pending>>);

impl crate::transport::expect::Discard for Discarder {
    fn discard(&self, drain_channel: &mut dyn FnMut()) {
        let mut p = self.0.lock().unwrap_or_else(|e| e.into_inner());
        p.bytes.clear();
        drain_channel();
    }
}

impl Drop for Backlog {
    fn drop(&mut self) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .finished = true;
        self.ready.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn never_waits_for_the_reader_and_keeps_the_newest() {
        let (ev, _dir) = crate::evidence::scratch("backlog");
        let log = ev.log("console.log");
        let (backlog, mut rx) = Backlog::channel(log.clone());
        // Far more than the limit, in small pieces, with nobody reading: every push returns.
        let piece = vec![b'x'; 4096];
        for _ in 0..(3 * LIMIT / piece.len()) {
            assert!(backlog.push(&piece));
        }
        assert!(backlog.push(b"END"));
        let mut got = Vec::new();
        while !got.ends_with(b"END") {
            let chunk = tokio::time::timeout(Duration::from_secs(5), rx.recv())
                .await
                .expect("the backlog reaches the channel")
                .expect("open");
            got.extend(chunk);
        }
        assert!(got.len() <= LIMIT + 2 * piece.len(), "{}", got.len());
        let said = std::fs::read_to_string(&log.path).unwrap();
        assert!(said.contains("were dropped"), "{said}");
    }

    #[tokio::test]
    async fn the_channel_hears_the_end_after_the_last_bytes() {
        let (ev, _dir) = crate::evidence::scratch("backlog-end");
        let (backlog, mut rx) = Backlog::channel(ev.log("console.log"));
        assert!(backlog.push(b"last words"));
        drop(backlog);
        let mut got = Vec::new();
        while let Some(chunk) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("the line's end reaches the channel")
        {
            got.extend(chunk);
        }
        assert_eq!(got, b"last words");
    }

    #[tokio::test]
    async fn a_discard_forgets_all_sent_before_it_and_the_transcript_keeps_it() {
        use crate::transport::expect::Discard;
        let (ev, _dir) = crate::evidence::scratch("backlog-discard");
        let log = ev.log("console.log");
        let (backlog, mut rx) = Backlog::channel(log.clone());
        let discarder = backlog.discarder();
        // More batches than the channel holds, so some wait here and some are on their way.
        for i in 0..200 {
            assert!(backlog.push(format!("old boot line {i}\n").as_bytes()));
            if i % 50 == 0 {
                tokio::task::yield_now().await;
            }
        }
        discarder.discard(&mut || while rx.try_recv().is_ok() {});
        assert!(backlog.push(b"board: ready"));
        let mut got = Vec::new();
        while !got.ends_with(b"board: ready") {
            let chunk = tokio::time::timeout(Duration::from_secs(5), rx.recv())
                .await
                .expect("the new line arrives")
                .expect("the channel stays open");
            got.extend(chunk);
        }
        assert_eq!(got, b"board: ready");
        let said = std::fs::read_to_string(&log.path).unwrap();
        assert!(said.contains("old boot line 199"), "{said}");
    }

    #[tokio::test]
    async fn tells_the_reader_when_the_channel_is_gone() {
        let (ev, _dir) = crate::evidence::scratch("backlog-gone");
        let (backlog, rx) = Backlog::channel(ev.log("console.log"));
        drop(rx);
        assert!(backlog.push(b"a"));
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while backlog.push(b"b") {
            assert!(
                std::time::Instant::now() < deadline,
                "push never saw the channel go"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
