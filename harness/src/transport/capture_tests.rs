//! The capture against loopback traffic and a vanishing interface.

use super::*;
use std::time::Instant;

#[test]
fn flows_are_read_from_ethernet_and_raw_ip_and_junk_is_survived() {
    let mut ip = vec![
        0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    ip.extend_from_slice(&[0x1f, 0x90, 0xc3, 0x50]);
    let mut eth = vec![0u8; 12];
    eth.extend_from_slice(&[0x08, 0x00]);
    eth.extend_from_slice(&ip);
    assert_eq!(flow(1, &eth), "TCP 10.0.0.1:8080 > 10.0.0.2:50000");
    assert_eq!(flow(101, &ip), "TCP 10.0.0.1:8080 > 10.0.0.2:50000");
    for junk in [&[][..], &[0x45], &[0x60, 1, 2], &eth[..20]] {
        assert_eq!(flow(1, junk), "unreadable packet");
    }
    assert_eq!(flow(147, &ip), "unreadable packet");
}

/// A password sent in two writes crosses the wire in two segments: the file holds neither
/// piece, and the sighting is recorded.
#[test]
fn a_password_split_across_segments_is_not_in_the_file() {
    if !crate::util::test_dir::is_root() {
        eprintln!("SKIPPED: capturing on lo needs root (CI runs this as root)");
        return;
    }
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = std::env::temp_dir().join(format!("hilt-split-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let redactor = Arc::new(Redactor::default());
    redactor.add("Tr0ub4dor&3");
    let path = dir.join("c.pcap");
    let filter = format!("tcp port {port}");
    let mut capture = Capture::start("lo", &filter, &path, redactor, Arc::default()).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut all = Vec::new();
        let _ = s.read_to_end(&mut all);
        all
    });
    let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    client.set_nodelay(true).unwrap();
    client.write_all(b"user=admin&pass=Tr0ub").unwrap();
    std::thread::sleep(Duration::from_millis(50));
    client.write_all(b"4dor&3 end").unwrap();
    drop(client);
    assert_eq!(reader.join().unwrap(), b"user=admin&pass=Tr0ub4dor&3 end");
    std::thread::sleep(Duration::from_millis(200));
    capture.stop();
    let file = std::fs::read(&path).unwrap();
    let has = |piece: &[u8]| file.windows(piece.len()).any(|w| w == piece);
    assert!(has(b"user=admin&pass="), "the traffic was captured");
    assert!(
        !has(b"Tr0ub") && !has(b"4dor&3"),
        "a piece of the password is in the file"
    );
    assert_eq!(capture.clear_secrets().len(), 1);
    assert_eq!(capture.gaps(), None, "a quiet loopback drops nothing");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two samples on one interface share its tap: each file holds only its own sample's packets,
/// and a sample joining while another's traffic flows costs the first none of its packets.
#[test]
fn captures_sharing_an_interface_keep_their_own_packets_across_a_join() {
    if !crate::util::test_dir::is_root() {
        eprintln!("SKIPPED: capturing on lo needs root (CI runs this as root)");
        return;
    }
    use std::io::{Read, Write};
    let dir = std::env::temp_dir().join(format!("hilt-shared-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let serve = || {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let reader = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut all = Vec::new();
            let _ = s.read_to_end(&mut all);
        });
        (port, reader)
    };
    let ((a_port, a_reader), (b_port, b_reader)) = (serve(), serve());
    let start = |port: u16, name: &str| {
        let filter = format!("tcp port {port}");
        let (r, h) = (Arc::new(Redactor::default()), Arc::default());
        Capture::start("lo", &filter, &dir.join(name), r, h).unwrap()
    };
    let mut a = start(a_port, "a.pcap");
    let mut a_client = std::net::TcpStream::connect(("127.0.0.1", a_port)).unwrap();
    a_client.set_nodelay(true).unwrap();
    let mut b_client = std::net::TcpStream::connect(("127.0.0.1", b_port)).unwrap();
    b_client.set_nodelay(true).unwrap();
    let mut b = None;
    for i in 0..200 {
        if i == 100 {
            b = Some(start(b_port, "b.pcap"));
        }
        a_client.write_all(format!("a-{i:03};").as_bytes()).unwrap();
        b_client.write_all(format!("b-{i:03};").as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
    drop((a_client, b_client));
    a_reader.join().unwrap();
    b_reader.join().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let mut b = b.unwrap();
    assert!(b.stop() > 0);
    assert!(a.stop() > 0);
    let (a_file, b_file) = (
        std::fs::read(dir.join("a.pcap")).unwrap(),
        std::fs::read(dir.join("b.pcap")).unwrap(),
    );
    let has = |file: &[u8], piece: String| file.windows(piece.len()).any(|w| w == piece.as_bytes());
    for i in 0..200 {
        assert!(has(&a_file, format!("a-{i:03};")), "a lost a-{i:03}");
        assert!(!has(&b_file, format!("a-{i:03};")), "b holds a's a-{i:03}");
        assert!(!has(&a_file, format!("b-{i:03};")), "a holds b's b-{i:03}");
    }
    assert!(has(&b_file, "b-199;".into()), "b holds its own packets");
    assert_eq!(a.gaps(), None);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An interface that goes away under a running capture (a USB adapter pulled, a bridge
/// torn down) ends it, and the capture says so instead of looking merely quiet.
#[test]
fn a_capture_whose_interface_vanishes_says_it_died() {
    if !crate::util::test_dir::is_root() {
        eprintln!("SKIPPED: a veth pair needs root (CI runs this as root)");
        return;
    }
    let name = format!("hiltcap{}", std::process::id() % 10_000);
    let ip = |args: &[&str]| {
        let ok = std::process::Command::new("ip").args(args).status();
        assert!(ok.map(|s| s.success()).unwrap_or(false), "ip {args:?}");
    };
    let peer = format!("{name}p");
    ip(&["link", "add", &name, "type", "veth", "peer", "name", &peer]);
    ip(&["link", "set", &name, "up"]);
    let dir = std::env::temp_dir().join(format!("{name}-pcap"));
    std::fs::create_dir_all(&dir).unwrap();
    let redactor = Arc::new(Redactor::default());
    let capture =
        Capture::start(&name, "ip", &dir.join("c.pcap"), redactor, Arc::default()).unwrap();
    assert_eq!(capture.died(), None);
    ip(&["link", "del", &name]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while capture.died().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let died = capture
        .died()
        .expect("the capture notices its interface is gone");
    assert!(died.contains("after 0 packet(s)"), "{died}");
    let gaps = capture.gaps().expect("a capture that died is incomplete");
    assert!(gaps.starts_with("it stopped on its own: "), "{gaps}");
    let _ = std::fs::remove_dir_all(&dir);
}
