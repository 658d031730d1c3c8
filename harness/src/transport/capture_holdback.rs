//! Captured packets wait a moment before they are written, so that a secret split across TCP
//! segments (a body sent in two writes, a device echoing a line in pieces) is redacted in every
//! segment that holds a piece of it. Each packet is redacted on its own first; then the payloads
//! of its flow's packets still waiting, joined in order, are searched again.

use super::capture::tcp_segment;
use crate::evidence::Redactor;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::ops::Range;
use std::time::{Duration, Instant};

/// How long a packet waits for the segments after it.
pub const WINDOW: Duration = Duration::from_millis(300);
/// At most this many packets wait; past it the oldest is written at once.
const MAX_WAITING: usize = 4096;
/// The segments of one flow joined for the search: enough for a secret in any of its encodings
/// spread one byte per segment.
const JOINED_SEGMENTS: usize = 64;

#[derive(Clone)]
pub struct Waiting {
    pub header: pcap::PacketHeader,
    pub data: Vec<u8>,
    flow: Option<(SocketAddr, SocketAddr)>,
    payload: Range<usize>,
    arrived: Instant,
}

#[derive(Default)]
pub struct Holdback {
    queue: VecDeque<Waiting>,
}

impl Holdback {
    /// Adds a packet already redacted on its own; returns how many secrets were found only
    /// across it and the waiting segments before it in its flow (now redacted in all of them).
    pub fn push(
        &mut self,
        link: i32,
        header: pcap::PacketHeader,
        data: Vec<u8>,
        redactor: &Redactor,
    ) -> usize {
        let (flow, payload) = match tcp_segment(link, &data) {
            Some(s) if !s.payload.is_empty() => {
                let start = s.payload.as_ptr() as usize - data.as_ptr() as usize;
                (Some((s.src, s.dst)), start..start + s.payload.len())
            }
            _ => (None, 0..0),
        };
        self.queue.push_back(Waiting {
            header,
            data,
            flow,
            payload,
            arrived: Instant::now(),
        });
        match flow {
            Some(f) => self.redact_across(f, redactor),
            None => 0,
        }
    }

    /// The packets due to be written: those that waited `WINDOW`, or the oldest past the cap.
    pub fn due(&mut self, now: Instant) -> Vec<Waiting> {
        let mut out = Vec::new();
        while let Some(first) = self.queue.front() {
            let expired = now.duration_since(first.arrived) >= WINDOW;
            if !expired && self.queue.len() <= MAX_WAITING {
                break;
            }
            out.extend(self.queue.pop_front());
        }
        out
    }

    /// Everything still waiting, in capture order (the capture is stopping).
    pub fn drain(&mut self) -> Vec<Waiting> {
        self.queue.drain(..).collect()
    }

    /// Joins the payloads of the flow's waiting segments, newest last, redacts the joined bytes
    /// and writes them back where they came from.
    fn redact_across(&mut self, flow: (SocketAddr, SocketAddr), redactor: &Redactor) -> usize {
        let mut members: Vec<usize> = (0..self.queue.len())
            .rev()
            .filter(|&i| self.queue[i].flow == Some(flow))
            .take(JOINED_SEGMENTS)
            .collect();
        members.reverse();
        if members.len() < 2 {
            return 0;
        }
        let mut joined = Vec::new();
        for &i in &members {
            let w = &self.queue[i];
            joined.extend_from_slice(&w.data[w.payload.clone()]);
        }
        let found = redactor.redact_bytes(&mut joined);
        if found == 0 {
            return 0;
        }
        let mut at = 0;
        for &i in &members {
            let w = &mut self.queue[i];
            let range = w.payload.clone();
            let len = range.len();
            w.data[range].copy_from_slice(&joined[at..at + len]);
            at += len;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ethernet/IPv4/TCP frame from port `sport` to 80 carrying `payload`.
    fn frame(sport: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]);
        let total = (20 + 20 + payload.len()) as u16;
        f.extend_from_slice(&[
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0,
            0,
            64,
            6,
            0,
            0,
        ]);
        f.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&80u16.to_be_bytes());
        f.extend_from_slice(&[0; 8]);
        f.extend_from_slice(&[0x50, 0x18, 0, 0, 0, 0, 0, 0]);
        f.extend_from_slice(payload);
        f
    }

    fn header(len: usize) -> pcap::PacketHeader {
        pcap::PacketHeader {
            ts: libc::timeval {
                tv_sec: 0,
                tv_usec: 0,
            },
            caplen: len as u32,
            len: len as u32,
        }
    }

    fn push(h: &mut Holdback, r: &Redactor, data: Vec<u8>) -> usize {
        let mut data = data;
        let own = r.redact_bytes(&mut data);
        own + h.push(1, header(data.len()), data, r)
    }

    /// The payloads written, each flow's in order, as text.
    fn written(h: &mut Holdback, sport: u16) -> String {
        let bytes: Vec<u8> = h
            .drain()
            .iter()
            .filter_map(|w| tcp_segment(1, &w.data).map(|s| (s.src.port(), s.payload.to_vec())))
            .filter(|(p, _)| *p == sport)
            .flat_map(|(_, b)| b)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn a_secret_split_across_segments_is_redacted_in_each() {
        let r = Redactor::default();
        r.add("Tr0ub4dor&3");
        let mut h = Holdback::default();
        assert_eq!(push(&mut h, &r, frame(5000, b"user=admin&pass=Tr0u")), 0);
        // Another flow's segment in between does not join them.
        assert_eq!(push(&mut h, &r, frame(5001, b"b4dor&3")), 0);
        assert_eq!(push(&mut h, &r, frame(5000, b"b4dor")), 0);
        assert_eq!(push(&mut h, &r, frame(5000, b"%263&next=1")), 1);
        let all = h.drain();
        let mut again = Holdback {
            queue: all.into_iter().collect(),
        };
        let mut other = Holdback {
            queue: again.queue.clone(),
        };
        assert_eq!(
            written(&mut again, 5000),
            "user=admin&pass=*************&next=1"
        );
        // The other flow's piece alone is not a secret.
        assert_eq!(written(&mut other, 5001), "b4dor&3");
    }

    #[test]
    fn one_byte_per_segment_is_redacted_too() {
        let r = Redactor::default();
        r.add("s3cretpw");
        let mut h = Holdback::default();
        let found: usize = b"login s3cretpw\r"
            .iter()
            .map(|b| push(&mut h, &r, frame(6000, &[*b])))
            .sum();
        assert_eq!(found, 1);
        assert_eq!(written(&mut h, 6000), "login ********\r");
    }

    #[test]
    fn packets_wait_their_window_and_the_queue_is_capped() {
        let r = Redactor::default();
        let mut h = Holdback::default();
        push(&mut h, &r, frame(1, b"a"));
        assert!(h.due(Instant::now()).is_empty());
        assert_eq!(h.due(Instant::now() + WINDOW).len(), 1);
        for _ in 0..MAX_WAITING + 10 {
            push(&mut h, &r, frame(1, b"a"));
        }
        assert_eq!(h.due(Instant::now()).len(), 10);
    }
}
