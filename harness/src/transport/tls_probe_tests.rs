//! The probe against listeners that are not TLS, or that dribble a handshake.

use super::*;

#[test]
fn weak_suites_are_named_as_weak() {
    for weak in [
        "NULL-SHA",
        "EXP-RC4-MD5",
        "RC4-SHA",
        "DES-CBC3-SHA",
        "ADH-AES128-SHA",
        "EDH-RSA-DES-CBC-SHA",
    ] {
        assert!(is_weak_suite(weak), "{weak}");
    }
    for fine in [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_AES_256_GCM_SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305",
    ] {
        assert!(!is_weak_suite(fine), "{fine}");
    }
}

/// A port that is not TLS (here: a listener that closes at once) is reported as refusing
/// every version, not as an error and not as TLS.
#[test]
fn a_port_that_is_not_tls_is_refused_for_every_version() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            drop(s);
        }
    });
    let inv = probe_blocking(addr, &Stop::within(WHOLE_PROBE)).unwrap();
    assert!(!inv.speaks_tls());
    assert_eq!(inv.refused.len(), 4);
}

/// A server that begins a 16 KiB handshake record and sends one byte of it every 500 ms
/// would hold each handshake for hours: the probe ends at its deadline, as an error.
#[test]
fn a_server_dribbling_its_handshake_holds_the_probe_no_longer_than_its_deadline() {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut s = s;
                let _ = s.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00, 0x02]);
                while s.write_all(&[0]).is_ok() {
                    std::thread::sleep(Duration::from_millis(500));
                }
            });
        }
    });
    let began = std::time::Instant::now();
    let e = probe_blocking(addr, &Stop::within(Duration::from_secs(4))).unwrap_err();
    let took = began.elapsed();
    assert!(e.to_string().contains("TLS probe stopped"), "{e}");
    assert!(took < Duration::from_secs(6), "{took:?}");
    // With time enough, the first handshake's own deadline ends it.
    let began = std::time::Instant::now();
    let e = probe_blocking(addr, &Stop::within(WHOLE_PROBE)).unwrap_err();
    let took = began.elapsed();
    assert!(
        e.to_string().contains("still not complete after 10 s"),
        "{e}"
    );
    assert!(took < HANDSHAKE + Duration::from_secs(2), "{took:?}");
}
