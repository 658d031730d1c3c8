//! Device output on its way to the channel. A console is read without pause whether or not a case
//! is reading it: on a real wire a UART nobody listens to loses its bytes and the device goes on,
//! but a pseudo-terminal or a console server's socket pushes back, and the device behind it (a
//! QEMU board's UART, a console server's port) stalls until someone reads. What the channel has
//! not taken yet is kept up to `LIMIT` bytes, the oldest dropped first, which the transcript says.

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
        let (p, r) = (pending.clone(), ready.clone());
        tokio::spawn(async move {
            loop {
                r.notified().await;
                let (batch, dropped, finished) = {
                    let mut p = p.lock().unwrap_or_else(|e| e.into_inner());
                    let batch = p.bytes.drain(..).collect::<Vec<u8>>();
                    (batch, std::mem::take(&mut p.dropped), p.finished)
                };
                if dropped > 0 {
                    transcript.line(
                        "#",
                        &format!("{dropped} bytes the unit sent while nobody read the console were dropped (more than {LIMIT} unread)"),
                    );
                }
                if !batch.is_empty() && tx.send(batch).await.is_err() {
                    p.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
                    return;
                }
                if finished {
                    return;
                }
            }
        });
        (
            Backlog {
                pending,
                ready,
                watch,
            },
            rx,
        )
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
