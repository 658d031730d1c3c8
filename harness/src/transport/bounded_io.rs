//! Blocking socket work that a hostile unit cannot hold: one deadline for a whole piece of work
//! (a TLS probe of a port), one for each exchange in it (a handshake), and a stop flag the async
//! side raises when it gives up, so a thread in `spawn_blocking` ends within about a second
//! instead of running on after its case, its run or an interrupt.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often a blocked read or write looks at the stop flag.
const POLL: Duration = Duration::from_secs(1);

/// Raised by its `StopOnDrop` guard or past its deadline.
#[derive(Clone)]
pub struct Stop {
    flag: Arc<AtomicBool>,
    until: Instant,
    limit: Duration,
}

impl Stop {
    pub fn within(limit: Duration) -> Stop {
        Stop {
            flag: Arc::new(AtomicBool::new(false)),
            until: Instant::now() + limit,
            limit,
        }
    }

    /// A guard that raises the flag when dropped: held by the future that awaits the work.
    pub fn on_drop(&self) -> StopOnDrop {
        StopOnDrop(self.flag.clone())
    }

    /// Why the work must end now, if it must.
    pub fn check(&self) -> io::Result<()> {
        if self.flag.load(Ordering::Relaxed) {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "given up by hilt",
            ));
        }
        if Instant::now() >= self.until {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "did not finish within {} s in all",
                    self.limit.as_secs_f32()
                ),
            ));
        }
        Ok(())
    }

    fn left(&self) -> Duration {
        self.until.saturating_duration_since(Instant::now())
    }
}

pub struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A TCP stream whose reads and writes each wait at most `step`, whose exchange ends at
/// `until`, and which stops with its `Stop`.
pub struct BoundedStream {
    tcp: TcpStream,
    step: Duration,
    until: Instant,
    stop: Stop,
}

impl BoundedStream {
    pub fn new(tcp: TcpStream, step: Duration, exchange: Duration, stop: &Stop) -> Self {
        BoundedStream {
            tcp,
            step,
            until: Instant::now() + exchange,
            stop: stop.clone(),
        }
    }

    /// Runs one blocking socket operation in slices of at most `POLL`, until it completes,
    /// its step or the exchange runs out, or the work is stopped.
    fn bounded<T>(
        &mut self,
        mut op: impl FnMut(&mut TcpStream, Duration) -> io::Result<T>,
    ) -> io::Result<T> {
        let step_ends = Instant::now() + self.step;
        loop {
            self.stop.check()?;
            let now = Instant::now();
            let left = step_ends
                .min(self.until)
                .saturating_duration_since(now)
                .min(self.stop.left());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    match now >= self.until {
                        true => "the exchange took too long",
                        false => "the unit went silent",
                    },
                ));
            }
            match op(&mut self.tcp, left.min(POLL)) {
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    continue
                }
                other => return other,
            }
        }
    }
}

impl std::fmt::Debug for BoundedStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.tcp.fmt(f)
    }
}

impl Read for BoundedStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.bounded(|tcp, wait| {
            tcp.set_read_timeout(Some(wait))?;
            tcp.read(buf)
        })
    }
}

impl Write for BoundedStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bounded(|tcp, wait| {
            tcp.set_write_timeout(Some(wait))?;
            tcp.write(buf)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A peer that sends one byte every 300 ms and never stops.
    fn dribbler() -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for s in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut s = s;
                    while s.write_all(b"x").is_ok() {
                        std::thread::sleep(Duration::from_millis(300));
                    }
                });
            }
        });
        addr
    }

    fn read_all(s: &mut BoundedStream) -> io::Error {
        let mut buf = [0u8; 16];
        loop {
            if let Err(e) = s.read(&mut buf) {
                return e;
            }
        }
    }

    #[test]
    fn a_dribbling_peer_is_cut_off_at_the_exchange_deadline() {
        let tcp = TcpStream::connect(dribbler()).unwrap();
        let stop = Stop::within(Duration::from_secs(60));
        let mut s = BoundedStream::new(
            tcp,
            Duration::from_secs(3),
            Duration::from_millis(1500),
            &stop,
        );
        let began = Instant::now();
        let e = read_all(&mut s);
        assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
        assert!(
            began.elapsed() < Duration::from_secs(3),
            "{:?}",
            began.elapsed()
        );
    }

    #[test]
    fn dropping_the_guard_stops_a_blocked_read_within_a_second() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let tcp = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let stop = Stop::within(Duration::from_secs(60));
        let guard = stop.on_drop();
        let mut s =
            BoundedStream::new(tcp, Duration::from_secs(30), Duration::from_secs(30), &stop);
        let reader = std::thread::spawn(move || {
            let began = Instant::now();
            (read_all(&mut s).kind(), began.elapsed())
        });
        std::thread::sleep(Duration::from_millis(300));
        drop(guard);
        let (kind, took) = reader.join().unwrap();
        assert_eq!(kind, io::ErrorKind::Interrupted);
        assert!(took < Duration::from_millis(2000), "{took:?}");
    }

    #[test]
    fn the_whole_work_ends_at_its_deadline() {
        let stop = Stop::within(Duration::from_millis(200));
        assert!(stop.check().is_ok());
        std::thread::sleep(Duration::from_millis(250));
        let e = stop.check().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    }
}
