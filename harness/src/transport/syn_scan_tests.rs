use super::*;
use crate::transport::raw_tcp::{internet_checksum, syn_segment};

/// RFC 1071's worked example: the sum of 0001 f203 f4f5 f6f7 is ddf2.
#[test]
fn the_checksum_is_rfc_1071s() {
    let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
    assert_eq!(internet_checksum(&data), !0xddf2);
}

/// A segment with its checksum in place sums to zero with its pseudo-header, as a receiver
/// checks it.
#[test]
fn a_syn_checks_out_at_the_receiver() {
    let (src, dst) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
    let h = syn_segment(src, dst, 40000, 443, 0xdead_beef);
    let mut pseudo = src.octets().to_vec();
    pseudo.extend_from_slice(&dst.octets());
    pseudo.extend_from_slice(&[0, 6, 0, 20]);
    pseudo.extend_from_slice(&h);
    assert_eq!(internet_checksum(&pseudo), 0);
    assert_eq!(h[13], 0x02, "only SYN set");
    assert_eq!(u16::from_be_bytes([h[2], h[3]]), 443);
}

fn packet(from: Ipv4Addr, sport: u16, dport: u16, flags: u8) -> Vec<u8> {
    let mut p = vec![0u8; 40];
    p[0] = 0x45;
    p[9] = 6;
    p[12..16].copy_from_slice(&from.octets());
    p[20..22].copy_from_slice(&sport.to_be_bytes());
    p[22..24].copy_from_slice(&dport.to_be_bytes());
    p[33] = flags;
    p
}

#[test]
fn only_the_targets_answers_to_our_port_count() {
    let unit = Ipv4Addr::new(192, 0, 2, 7);
    assert_eq!(
        reply(&packet(unit, 22, 5000, 0x12), unit, 5000),
        Some((22, Answer::Open))
    );
    assert_eq!(
        reply(&packet(unit, 23, 5000, 0x14), unit, 5000),
        Some((23, Answer::Closed))
    );
    let other = Ipv4Addr::new(192, 0, 2, 8);
    assert_eq!(reply(&packet(other, 22, 5000, 0x12), unit, 5000), None);
    assert_eq!(reply(&packet(unit, 22, 5001, 0x12), unit, 5000), None);
    assert_eq!(
        reply(&packet(unit, 22, 5000, 0x02), unit, 5000),
        None,
        "a bare SYN"
    );
    let mut options = packet(unit, 80, 5000, 0x12);
    options[0] = 0x46;
    options.splice(20..20, [1, 1, 1, 1]);
    assert_eq!(reply(&options, unit, 5000), Some((80, Answer::Open)));
}

/// Whatever bytes arrive, reading them never panics.
#[test]
fn arbitrary_bytes_are_never_an_answer_that_panics() {
    let unit = Ipv4Addr::new(127, 0, 0, 1);
    let mut rng = crate::util::seeded::SeededRng::new(7);
    for len in 0..200 {
        let bytes: Vec<u8> = (0..len).map(|_| rng.draw() as u8).collect();
        let _ = reply(&bytes, unit, 1);
        let mut shaped = bytes.clone();
        if shaped.len() > 16 {
            shaped[0] = 0x4f;
            shaped[9] = 6;
            shaped[12..16].copy_from_slice(&unit.octets());
            let _ = reply(&shaped, unit, 1);
        }
    }
}

#[test]
fn the_window_holds_and_a_silent_port_is_sent_twice_then_filtered() {
    let wait = Duration::from_secs(1);
    let mut p = Probes::new(&[1, 2, 3, 3], 2, wait);
    let t0 = Instant::now();
    assert_eq!(p.due(t0), vec![1, 2]);
    assert!(!p.has_room());
    p.answered(1, Answer::Closed);
    assert!(p.has_room());
    assert_eq!(p.due(t0), vec![3], "duplicates are asked once");
    p.answered(3, Answer::Open);
    assert_eq!(p.next_deadline(), t0 + wait);
    assert_eq!(p.due(t0 + wait), vec![2], "sent again");
    assert_eq!(p.due(t0 + wait * 2), Vec::<u16>::new());
    assert!(p.done());
    p.answered(2, Answer::Open);
    assert_eq!(
        p.found(),
        Found {
            open: vec![3],
            closed: 1,
            filtered: vec![2],
        },
        "a late answer to a port given up on changes nothing"
    );
}

/// On this host's loopback, as root (CI is): listening ports open, the rest closed, the same
/// as a connect scan finds. Without CAP_NET_RAW the scan says it cannot run.
#[test]
fn finds_the_listening_ports_half_open() {
    let a = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let b = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (pa, pb) = (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    );
    let closed = {
        let c = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        c.local_addr().unwrap().port()
    };
    let got = pass(
        Target::loopback(),
        &[pa, pb, closed],
        16,
        Duration::from_secs(1),
    );
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        assert!(got.unwrap_err().contains("CAP_NET_RAW"));
        return;
    }
    let found = got.unwrap();
    let mut want = vec![pa, pb];
    want.sort_unstable();
    assert_eq!(found.open, want);
    assert_eq!((found.closed, found.filtered.len()), (1, 0));
    // The listeners saw no connection: the handshake was never completed.
    a.set_nonblocking(true).unwrap();
    assert!(a.accept().is_err());
}
