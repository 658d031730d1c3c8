//! The network consoles against a real console server: Debian's ser2net, serving a
//! pseudo-terminal whose far end plays a unit. The unit answers in text only when its line is
//! at 38 400 baud (what ser2net set on the tty, read with tcgetattr), as a real UART read at
//! the wrong rate gives garbage.

use super::open_at;
use crate::transport::expect::Channel;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const UNIT_RATE: libc::speed_t = libc::B38400;

/// A pseudo-terminal whose master side a thread answers like a unit at 38 400 baud.
struct Unit {
    slave_path: PathBuf,
    stop: Arc<AtomicBool>,
}

impl Drop for Unit {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn unit() -> Unit {
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills two descriptors it opened; no name, termios or window size given.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: both descriptors were just opened and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let slave_path = std::fs::read_link(format!("/proc/self/fd/{}", slave.as_raw_fd())).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    std::thread::spawn(move || {
        let mut file = std::fs::File::from(master);
        let mut buf = [0u8; 256];
        while !stopped.load(Ordering::Relaxed) {
            let mut poll = libc::pollfd {
                fd: file.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            if unsafe { libc::poll(&mut poll, 1, 50) } <= 0 {
                continue;
            }
            let Ok(n) = std::io::Read::read(&mut file, &mut buf) else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            // SAFETY: a zeroed termios is a valid out-parameter for tcgetattr.
            let mut t: libc::termios = unsafe { std::mem::zeroed() };
            // SAFETY: the slave descriptor stays open in this thread.
            unsafe { libc::tcgetattr(slave.as_raw_fd(), &mut t) };
            // SAFETY: reads a field of the termios filled above.
            let at_rate = unsafe { libc::cfgetospeed(&t) } == UNIT_RATE;
            for &b in &buf[..n] {
                let reply: &[u8] = match (b, at_rate) {
                    (b'\r', true) => b"\r\nunit login: ",
                    (b'\r', false) => &[0xf8, 0x80, 0x00, 0xfe, 0x1c, 0xe0, 0x98, 0x86],
                    // A byte telnet must escape, both ways.
                    (0xff, _) => &[0xff, 0x00, b'y'],
                    _ => &[],
                };
                let _ = std::io::Write::write_all(&mut file, reply);
            }
        }
    });
    Unit { slave_path, stop }
}

/// ser2net serving `tty` as RFC 2217 on one port and raw TCP on another, until dropped.
struct Ser2net {
    child: std::process::Child,
    rfc2217: String,
    raw: String,
    _dir: crate::evidence::ScratchDir,
}

impl Drop for Ser2net {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn ser2net(tty: &std::path::Path, tag: &str) -> Ser2net {
    let (_, dir) = crate::evidence::scratch(tag);
    let (a, b) = (free_port(), free_port());
    let tty = tty.display();
    let conf = format!(
        "connection: &rfc2217\n  accepter: telnet(rfc2217),tcp,127.0.0.1,{a}\n  connector: serialdev,{tty},9600n81,local\n\
         connection: &raw\n  accepter: tcp,127.0.0.1,{b}\n  connector: serialdev,{tty},38400n81,local\n"
    );
    let path = dir.0.join("ser2net.yaml");
    std::fs::write(&path, conf).unwrap();
    let child = std::process::Command::new("ser2net")
        .args(["-n", "-u", "-P"])
        .arg(dir.0.join("ser2net.pid"))
        .arg("-c")
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("ser2net (scripts/setup installs it)");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", b)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "ser2net did not listen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The probe connection above opened the tty; let ser2net close it again.
    std::thread::sleep(Duration::from_millis(100));
    Ser2net {
        child,
        rfc2217: format!("rfc2217://127.0.0.1:{a}"),
        raw: format!("tcp://127.0.0.1:{b}"),
        _dir: dir,
    }
}

async fn login_prompt(channel: &mut Channel) -> String {
    channel.send_bytes(b"\r", "").await.unwrap();
    let answer = channel.gather(Duration::from_millis(700), 4096).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn rfc2217_sets_the_rate_on_the_server_and_reads_the_unit_at_it() {
    let unit = unit();
    let server = ser2net(&unit.slave_path, "rfc2217-rate");
    let (evidence, _d) = crate::evidence::scratch("rfc2217-rate-ev");
    let log = evidence.log("console.log");
    let mut at_rate = open_at(&server.rfc2217, Some(38_400), log.clone(), vec![])
        .await
        .unwrap();
    assert!(login_prompt(&mut at_rate).await.contains("unit login: "));
    // IAC travels doubled and arrives single, both ways.
    at_rate.send_bytes(&[0xff], "").await.unwrap();
    let echo = at_rate.gather(Duration::from_millis(700), 16).await;
    assert_eq!(echo, vec![0xff, 0x00, b'y']);
    at_rate.send_break().await.unwrap();
    drop(at_rate);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut wrong = open_at(&server.rfc2217, Some(115_200), log.clone(), vec![])
        .await
        .unwrap();
    assert!(!login_prompt(&mut wrong).await.contains("login"));
    drop(wrong);
    let text = std::fs::read_to_string(evidence.dir.join("console.log")).unwrap();
    assert!(
        text.contains("line at 38400 baud 8N1, as the server confirmed"),
        "{text}"
    );
    assert!(text.contains("[serial BREAK through RFC 2217]"), "{text}");
    assert!(text.contains("to BREAK on and"), "{text}");
}

#[tokio::test]
async fn rfc2217_finds_the_units_rate_on_one_connection() {
    let unit = unit();
    let server = ser2net(&unit.slave_path, "rfc2217-search");
    let (evidence, _d) = crate::evidence::scratch("rfc2217-search-ev");
    let mut channel = open_at(&server.rfc2217, None, evidence.log("console.log"), vec![])
        .await
        .unwrap();
    assert!(login_prompt(&mut channel).await.contains("unit login: "));
    let text = std::fs::read_to_string(evidence.dir.join("console.log")).unwrap();
    for tried in [
        "baud search: 115200: 8 bytes, 0% readable",
        "baud search: 38400",
    ] {
        assert!(text.contains(tried), "{text}");
    }
    assert!(text.contains("line at 38400 baud"), "{text}");
}

#[tokio::test]
async fn raw_tcp_carries_bytes_and_says_what_it_cannot_do() {
    let unit = unit();
    let server = ser2net(&unit.slave_path, "rawtcp");
    let (evidence, _d) = crate::evidence::scratch("rawtcp-ev");
    let mut channel = open_at(&server.raw, None, evidence.log("console.log"), vec![])
        .await
        .unwrap();
    assert!(login_prompt(&mut channel).await.contains("unit login: "));
    channel.send_break().await.unwrap();
    drop(channel);
    let text = std::fs::read_to_string(evidence.dir.join("console.log")).unwrap();
    assert!(text.contains("baud search: the server's rate:"), "{text}");
    assert!(
        text.contains("[no serial BREAK: a raw TCP console"),
        "{text}"
    );
}

#[tokio::test]
async fn a_server_that_is_not_rfc2217_is_the_benchs_error() {
    let unit = unit();
    let server = ser2net(&unit.slave_path, "not-rfc2217");
    let (evidence, _d) = crate::evidence::scratch("not-rfc2217-ev");
    let not = server.raw.replace("tcp://", "rfc2217://");
    let started = std::time::Instant::now();
    let Err(e) = open_at(&not, Some(38_400), evidence.log("console.log"), vec![]).await else {
        panic!("a raw port is not an RFC 2217 server");
    };
    assert_eq!(e.cause(), crate::model::verdict::Cause::Bench);
    assert!(e.to_string().contains("did not confirm"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let nobody = format!("rfc2217://127.0.0.1:{}", free_port());
    let Err(e) = open_at(&nobody, None, evidence.log("console.log"), vec![]).await else {
        panic!("nobody listens there");
    };
    assert_eq!(e.cause(), crate::model::verdict::Cause::Bench);
}

/// A telnet server that will not speak COM-PORT-OPTION says so at once, not after a timeout.
#[tokio::test]
async fn a_server_refusing_com_port_option_is_named_as_such() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut s, &[255, 254, 44])
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
    });
    let (evidence, _d) = crate::evidence::scratch("dont-com-port");
    let started = std::time::Instant::now();
    let url = format!("rfc2217://{addr}");
    let Err(e) = open_at(&url, Some(9600), evidence.log("console.log"), vec![]).await else {
        panic!("a server refusing RFC 2217 gives no console");
    };
    assert!(e.to_string().contains("refuses RFC 2217"), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}
