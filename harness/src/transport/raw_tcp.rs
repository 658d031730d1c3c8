//! A raw IPv4 socket for TCP segments hilt writes itself (the half-open scan's SYNs): it reads
//! only the unit's packets, through a filter in the kernel, and sends and reads in batches. The
//! source port is reserved by a bound socket while it is open.

use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// A raw IPv4 TCP socket that reads only the target's packets, and the port reserved for it.
pub struct RawTcp {
    fd: OwnedFd,
    _reserved: tokio::net::TcpSocket,
    src: Ipv4Addr,
    pub src_port: u16,
    dst: Ipv4Addr,
}

impl RawTcp {
    pub fn open(dst: Ipv4Addr) -> Result<RawTcp, String> {
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

    pub fn syn(&self, port: u16, seq: u32) -> [u8; 20] {
        syn_segment(self.src, self.dst, self.src_port, port, seq)
    }

    /// Every segment, as few system calls as the host allows (sendmmsg, a batch at a time).
    pub fn send_all(&self, segments: &[[u8; 20]]) -> Result<(), String> {
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
    pub fn readable(&self, until: Instant) -> Result<bool, String> {
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
    pub fn receive(&self, inbox: &mut Inbox) -> Result<usize, String> {
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
pub struct Inbox {
    slots: Vec<[u8; SLOT]>,
    lens: Vec<usize>,
}

impl Default for Inbox {
    fn default() -> Inbox {
        Inbox {
            slots: vec![[0; SLOT]; BATCH],
            lens: vec![0; BATCH],
        }
    }
}

impl Inbox {
    pub fn packets(&self, read: usize) -> impl Iterator<Item = &[u8]> + '_ {
        self.slots
            .iter()
            .zip(&self.lens)
            .take(read)
            .map(|(s, &n)| &s[..n])
    }
}

/// A 20-byte TCP header with only SYN set, checksummed over the IPv4 pseudo-header.
pub fn syn_segment(src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16, seq: u32) -> [u8; 20] {
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
pub fn internet_checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}
