//! A debug port reached through a bridge process on a Unix socket: a text protocol of one
//! request line and one reply line, for debug hardware hilt has no library for (a vendor tool
//! wrapped by a script) and for simulated units. Requests:
//!
//! ```text
//! attach | idcode | halt | reset | read <hex address> <length, at most 4096>
//! ```
//!
//! Replies: `ok [hex]` or `err <kind> <detail>`, kind one of `locked-wants-erase`, `fault`,
//! `no-response`, `other`. Replies are bounded and every exchange has a deadline.

use super::{DebugPort, PortError};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);
const MAX_READ: usize = 4096;
/// `ok ` and two hex digits per byte, with room for a long error line.
const MAX_REPLY: u64 = (MAX_READ * 2 + 512) as u64;

pub struct BridgePort {
    socket: PathBuf,
    stream: Option<BufReader<UnixStream>>,
}

impl BridgePort {
    pub fn new(socket: PathBuf) -> BridgePort {
        BridgePort {
            socket,
            stream: None,
        }
    }

    fn call(&mut self, request: &str) -> Result<String, PortError> {
        if self.stream.is_none() {
            let s = UnixStream::connect(&self.socket).map_err(|e| {
                PortError::NoProbe(format!("debug bridge {}: {e}", self.socket.display()))
            })?;
            let _ = s.set_read_timeout(Some(WAIT));
            let _ = s.set_write_timeout(Some(WAIT));
            self.stream = Some(BufReader::new(s));
        }
        let stream = self.stream.as_mut().expect("connected above");
        let io = |e: std::io::Error| PortError::NoResponse(format!("debug bridge: {e}"));
        stream
            .get_mut()
            .write_all(format!("{request}\n").as_bytes())
            .map_err(io)?;
        let mut line = String::new();
        let n = stream
            .by_ref()
            .take(MAX_REPLY)
            .read_line(&mut line)
            .map_err(io)?;
        if n == 0 || !line.ends_with('\n') {
            self.stream = None;
            return Err(PortError::NoResponse(
                "debug bridge closed or sent an over-long reply".into(),
            ));
        }
        let line = line.trim_end();
        if let Some(rest) = line.strip_prefix("ok") {
            return Ok(rest.trim().to_string());
        }
        let rest = line.strip_prefix("err ").unwrap_or(line);
        let (kind, detail) = rest.split_once(' ').unwrap_or((rest, ""));
        let detail = crate::evidence::printable(detail.as_bytes());
        Err(match kind {
            "locked-wants-erase" => PortError::LockedWantsErase(detail),
            "fault" => PortError::AccessFault(detail),
            "no-response" => PortError::NoResponse(detail),
            _ => PortError::Other(format!(
                "debug bridge: {}",
                crate::evidence::printable(line.as_bytes())
            )),
        })
    }
}

impl DebugPort for BridgePort {
    fn describe(&self) -> String {
        format!("debug bridge {}", self.socket.display())
    }

    fn attach(&mut self) -> Result<(), PortError> {
        self.call("attach").map(|_| ())
    }

    fn idcode(&mut self) -> Option<u32> {
        let hex = self.call("idcode").ok()?;
        u32::from_str_radix(hex.trim_start_matches("0x"), 16).ok()
    }

    fn halt(&mut self) -> Result<(), PortError> {
        self.call("halt").map(|_| ())
    }

    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), PortError> {
        for (i, chunk) in buf.chunks_mut(MAX_READ).enumerate() {
            let at = address + (i * MAX_READ) as u64;
            let hex = self.call(&format!("read {at:x} {}", chunk.len()))?;
            let bytes = crate::util::hash::unhex(&hex)
                .filter(|b| b.len() == chunk.len())
                .ok_or_else(|| {
                    PortError::Other(format!(
                        "debug bridge: expected {} bytes of hex at {at:#x}",
                        chunk.len()
                    ))
                })?;
            chunk.copy_from_slice(&bytes);
        }
        Ok(())
    }

    fn reset(&mut self) -> Result<(), PortError> {
        self.call("reset").map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::test_dir::TestDir;
    use std::os::unix::net::UnixListener;

    /// A bridge answering from a script of replies, one per request line.
    fn bridge(replies: Vec<&'static str>) -> (TestDir, PathBuf) {
        let dir = TestDir::new("bridge");
        let path = dir.0.join("swd");
        let listener = UnixListener::bind(&path).unwrap();
        std::thread::spawn(move || {
            let (s, _) = listener.accept().unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut w = s;
            for reply in replies {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                w.write_all(reply.as_bytes()).unwrap();
            }
        });
        (dir, path)
    }

    #[test]
    fn replies_map_to_port_results_and_hostile_ones_are_errors() {
        let (_d, path) = bridge(vec![
            "ok\n",
            "ok 2ba01477\n",
            "ok 00ff10\n",
            "ok 0g\n",
            "err fault AHB-AP FAULT at 0x0\n",
            "err locked-wants-erase \u{1b}[31mAPPROTECT\n",
        ]);
        let mut p = BridgePort::new(path);
        assert_eq!(p.attach(), Ok(()));
        assert_eq!(p.idcode(), Some(0x2ba0_1477));
        let mut buf = [0u8; 3];
        p.read(0, &mut buf).unwrap();
        assert_eq!(buf, [0, 0xff, 0x10]);
        assert!(matches!(p.read(0, &mut [0u8; 1]), Err(PortError::Other(_))));
        assert!(matches!(
            p.read(0, &mut buf),
            Err(PortError::AccessFault(_))
        ));
        match p.attach() {
            Err(PortError::LockedWantsErase(t)) => assert!(!t.contains('\u{1b}'), "{t}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_bridge_is_no_probe_and_a_silent_one_no_response() {
        let mut p = BridgePort::new(PathBuf::from("/nonexistent/hilt/swd"));
        assert!(matches!(p.attach(), Err(PortError::NoProbe(_))));
        let (_d, path) = bridge(vec![]);
        let mut p = BridgePort::new(path);
        assert!(matches!(p.attach(), Err(PortError::NoResponse(_))));
    }
}
