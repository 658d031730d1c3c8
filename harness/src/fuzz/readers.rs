//! Fuzz targets for the readers that take a device's bytes from a socket or a file: FTP and
//! RTSP replies, MQTT's CONNACK, the XMODEM sender's handshake, the SSDP answer's LOCATION and
//! the packet capture readers. Each reader is driven from the buffer instead of a socket.

use super::{fuzz, DEFAULT_EXECUTIONS};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn fuzz_ftp_reply() {
    let (ev, _dir) = crate::evidence::scratch("fuzz-ftp");
    let trial = crate::login::ftp::FtpTrial {
        addr: SocketAddr::from(([127, 0, 0, 1], 21)),
        within: Duration::from_secs(1),
        transcript: ev.log("ftp.log"),
    };
    let rt = runtime();
    fuzz(
        "ftp-reply",
        &[
            b"220 (vsFTPd 3.0.3)\r\n",
            b"230-Welcome\r\n230-second line\r\n230 Login successful.\r\n",
            b"530 Login incorrect.\r\n",
        ],
        DEFAULT_EXECUTIONS,
        |b| {
            let mut r: &[u8] = b;
            let _ = rt.block_on(trial.reply(&mut r));
        },
    );
}

#[test]
fn fuzz_rtsp_answer() {
    let (ev, _dir) = crate::evidence::scratch("fuzz-rtsp");
    let log = ev.log("rtsp.log");
    let rt = runtime();
    fuzz(
        "rtsp-answer",
        &[
            b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest realm=\"cam\", nonce=\"abc\"\r\n\r\n",
            b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n",
        ],
        DEFAULT_EXECUTIONS,
        |b| {
            let mut r: &[u8] = b;
            let _ = rt.block_on(crate::login::rtsp::read_answer(&mut r, &log));
        },
    );
}

#[test]
fn fuzz_mqtt_connack() {
    fuzz(
        "mqtt-connack",
        &[&[0x20, 0x02, 0x00, 0x00], &[0x20, 0x02, 0x00, 0x05]],
        DEFAULT_EXECUTIONS,
        |b| {
            let mut ack = [0u8; 4];
            let n = b.len().min(4);
            ack[..n].copy_from_slice(&b[..n]);
            let _ = crate::login::mqtt::connack(&ack);
        },
    );
}

/// The receiver's side of an XMODEM transfer (`C`, ACK, NAK, CAN, noise) as the device sends
/// it, in pieces, until it falls silent.
#[test]
fn fuzz_xmodem_sender() {
    use crate::transport::expect::{Channel, Writer};
    let (ev, _dir) = crate::evidence::scratch("fuzz-xmodem");
    let log = ev.log("xmodem.log");
    let rt = runtime();
    let image = vec![0x5au8; 300];
    fuzz(
        "xmodem",
        &[
            b"C\x06\x06\x06\x06",
            b"boot> C\x15\x06\x15\x15\x06\x06\x06",
            b"C\x18\x18",
        ],
        DEFAULT_EXECUTIONS,
        |b| {
            let pieces: Vec<&[u8]> = b.chunks(b.len() / 16 + 1).collect();
            let (tx, rx) = tokio::sync::mpsc::channel(pieces.len() + 1);
            for p in pieces {
                let _ = tx.try_send(p.to_vec());
            }
            drop(tx);
            let sink: Writer =
                std::sync::Arc::new(tokio::sync::Mutex::new(Box::new(tokio::io::sink())));
            let mut console = Channel::new(rx, sink, log.clone(), vec![]);
            let _ = rt.block_on(crate::transport::xmodem::send(
                &mut console,
                &image,
                128,
                None,
                Duration::from_millis(20),
            ));
        },
    );
}

#[test]
fn fuzz_ssdp_location() {
    let unit = IpAddr::from([192, 168, 1, 20]);
    fuzz(
        "ssdp-location",
        &[
            b"HTTP/1.1 200 OK\\r\\nLOCATION: http://192.168.1.20:8080/description.xml\\r\\nST: upnp:rootdevice\\r\\n",
            b"location: http://192.168.1.20\\r\\n",
            b"LOCATION: http://[fe80::1]:80/x\\r\\n",
        ],
        DEFAULT_EXECUTIONS,
        |b| {
            let _ = crate::cases::ts_5_6_2_2::location_on_unit(&String::from_utf8_lossy(b), unit);
        },
    );
}

/// A pcap file of an Ethernet frame: IPv4 TCP from the unit carrying a ClientHello, and an
/// IPv6 frame from the unit's MAC.
fn capture_seed() -> Vec<u8> {
    let mac = [0x02, 0x56, 0x43, 0xef, 0x90, 0x29];
    let mut file = vec![
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ];
    let mut tcp = vec![0u8; 6];
    tcp.extend_from_slice(&mac);
    tcp.extend_from_slice(&[0x08, 0x00]);
    let hello = crate::transport::tls_hello::client_hello(0x0303, &[0x1301, 0xc02f]);
    let total = (40 + hello.len()) as u16;
    tcp.extend_from_slice(&[
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
    tcp.extend_from_slice(&[192, 168, 1, 20, 192, 168, 1, 1, 0xc3, 0x50, 1, 187]);
    tcp.extend_from_slice(&[0; 8]);
    tcp.extend_from_slice(&[0x50, 0x18, 0, 0, 0, 0, 0, 0]);
    tcp.extend_from_slice(&hello);
    let mut v6 = vec![0x33, 0x33, 0, 0, 0, 1];
    v6.extend_from_slice(&mac);
    v6.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, 17, 255]);
    v6.extend_from_slice(&[
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x56, 0x43, 0xff, 0xfe, 0xef, 0x90, 0x29,
    ]);
    v6.extend_from_slice(&[0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    v6.extend_from_slice(&[0x14, 0xe9, 0x14, 0xe9, 0, 8, 0, 0]);
    for frame in [tcp, v6] {
        let len = (frame.len() as u32).to_le_bytes();
        file.extend_from_slice(&[0; 8]);
        file.extend_from_slice(&len);
        file.extend_from_slice(&len);
        file.extend_from_slice(&frame);
    }
    file
}

#[test]
fn fuzz_capture_readers() {
    let (_ev, dir) = crate::evidence::scratch("fuzz-pcap");
    let path = dir.0.join("c.pcap");
    let seed = capture_seed();
    // The seed reads as meant, so mutations start from what the readers understand.
    std::fs::write(&path, &seed).unwrap();
    let seen = crate::transport::ipv6_sightings::read(&path, [0x02, 0x56, 0x43, 0xef, 0x90, 0x29]);
    assert_eq!(seen.unwrap().len(), 1);
    let executions = DEFAULT_EXECUTIONS / 4;
    fuzz("capture-readers", &[&seed], executions, |b| {
        std::fs::write(&path, b).unwrap();
        let _ = crate::transport::client_tls::read(&path, IpAddr::from([192, 168, 1, 20]));
        let _ = crate::transport::ipv6_sightings::read(&path, [0x02, 0x56, 0x43, 0xef, 0x90, 0x29]);
    });
}
