//! Fuzz targets on the stable toolchain: every decoder of bytes a device sends, and the config
//! loader, fed seeds and random mutations of them. A panic fails the target with the input
//! that caused it (hex, to reproduce); so does one call taking longer than `HANG`. The test run
//! makes a bounded number of executions per target; `scripts/fuzz` makes a million and prints
//! the figures.

mod readers;

use std::time::{Duration, Instant};

/// One call past this is a hang, whatever the input's size.
const HANG: Duration = Duration::from_secs(2);
/// Executions per target in a test run, unless HILT_FUZZ_EXECUTIONS says otherwise.
const DEFAULT_EXECUTIONS: u64 = 20_000;

use crate::util::seeded::SeededRng as Rng;

/// Bytes decoders treat specially: NUL, IAC, CR/LF, ESC, quotes, separators, UTF-8 leads.
const INTERESTING: &[u8] = &[
    0, 0xff, 0xfe, 0xfd, 0xfb, 0xfa, 0xf0, b'\r', b'\n', 0x1b, b'"', b':', b'%', b'\\', 0xc3, 0xe2,
    0x80, 0x7f, b'=', b',', b' ',
];

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut d = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(7) {
            0 if !d.is_empty() => {
                let i = rng.below(d.len());
                d[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(d.len() + 1);
                let b = INTERESTING[rng.below(INTERESTING.len())];
                d.insert(i, b);
            }
            2 if !d.is_empty() => {
                let i = rng.below(d.len());
                let n = rng.below(d.len() - i + 1).min(64);
                d.drain(i..i + n);
            }
            3 if !d.is_empty() => {
                let i = rng.below(d.len());
                let n = rng.below(d.len() - i + 1).min(256);
                let piece = d[i..i + n].to_vec();
                let at = rng.below(d.len() + 1);
                d.splice(at..at, piece);
            }
            4 => d.truncate(rng.below(d.len() + 1)),
            5 => {
                let n = rng.below(32);
                let at = rng.below(d.len() + 1);
                let random: Vec<u8> = (0..n).map(|_| rng.draw() as u8).collect();
                d.splice(at..at, random);
            }
            _ if !d.is_empty() => {
                let i = rng.below(d.len());
                d[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            _ => d.push(rng.draw() as u8),
        }
    }
    d.truncate(1 << 16);
    d
}

/// Runs `target` on the seeds and then on mutations, `executions` calls in all.
fn fuzz(name: &str, seeds: &[&[u8]], executions: u64, target: impl Fn(&[u8])) {
    let executions = std::env::var("HILT_FUZZ_EXECUTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(executions);
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut corpus: Vec<Vec<u8>> = seeds.iter().map(|s| s.to_vec()).collect();
    corpus.push(Vec::new());
    for n in 0..executions {
        let input = match n < corpus.len() as u64 {
            true => corpus[n as usize].clone(),
            false => mutate(&corpus[rng.below(corpus.len())], &mut rng),
        };
        let call = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(&input)));
        let took = call.elapsed();
        let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
        assert!(outcome.is_ok(), "{name}: panic on input {hex}");
        assert!(took < HANG, "{name}: {took:?} on input {hex}");
        slowest = slowest.max(took);
        // Keep some mutants as seeds, so mutations compound.
        if n % 64 == 0 && corpus.len() < 256 {
            corpus.push(input);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "fuzz {name}: {executions} executions in {seconds:.1}s ({:.0}/s), slowest {:.2} ms, 0 panics, 0 hangs",
        executions as f64 / seconds.max(1e-9),
        slowest.as_secs_f64() * 1000.0
    );
}

fn text(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

#[test]
fn fuzz_telnet_negotiation() {
    use crate::transport::telnet::Decoder;
    fuzz(
        "telnet",
        &[
            &[255, 251, 1, b'l', 255, 250, 24, 1, 255, 240, b'o'],
            b"login: ",
        ],
        DEFAULT_EXECUTIONS,
        |b| {
            let mut d = Decoder::default();
            let (half, rest) = b.split_at(b.len() / 2);
            let _ = d.feed(half);
            let _ = d.feed(rest);
        },
    );
}

/// A console server's stream: data, option commands and RFC 2217 answers, with the replies and
/// answers hilt takes from them.
#[test]
fn fuzz_rfc2217_stream() {
    use crate::transport::console::com_port::{answer_of, Negotiation};
    use crate::transport::telnet_codec::Decoder;
    fuzz(
        "rfc2217",
        &[
            &[
                255, 253, 44, b'a', 255, 250, 44, 101, 0, 1, 194, 0, 255, 240, 255, 255,
            ],
            &[
                255, 251, 1, 255, 250, 44, 105, 5, 255, 240, b'=', b'>', b' ',
            ],
        ],
        DEFAULT_EXECUTIONS,
        |b| {
            let (mut decoder, mut negotiation) = (Decoder::default(), Negotiation::default());
            let (mut data, mut events) = (Vec::new(), Vec::new());
            for part in b.chunks(7) {
                decoder.feed(part, &mut data, &mut events);
            }
            assert!(data.len() <= b.len());
            for event in &events {
                let _ = negotiation.answer(event);
                let _ = answer_of(event);
            }
        },
    );
}

/// A PDU's SNMP answer.
#[test]
fn fuzz_snmp_response() {
    use crate::transport::snmp_message::{request, response, Request};
    let mut answer = request(
        "private",
        77,
        &[1, 3, 6, 1, 4, 1, 318, 1, 1, 4, 4, 2, 1, 3, 2],
        Request::Set(-2),
    );
    answer[2 + 3 + 2 + "private".len()] = 0xa2;
    fuzz("snmp-response", &[&answer], DEFAULT_EXECUTIONS, |b| {
        let _ = response(b);
    });
}

#[test]
fn fuzz_dns_records() {
    let mdns: &[u8] = &[
        0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 4, b'c', b'a', b'm', b'1', 5, b'l', b'o', b'c',
        b'a', b'l', 0, 0, 16, 0, 1, 0, 0, 0, 120, 0, 6, 5, b'v', b'=', b'1', b'.', b'2',
    ];
    fuzz("dns-records", &[mdns], DEFAULT_EXECUTIONS, |b| {
        let _ = crate::transport::dns_records::decode(b);
    });
}

#[test]
fn fuzz_tls_server_hello() {
    let hello = crate::transport::tls_hello::client_hello(
        crate::transport::tls_hello::TLS12,
        &[0x002f, 0x0005],
    );
    let server_hello: &[u8] = &[
        22, 3, 3, 0, 42, 2, 0, 0, 38, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x2f, 0,
    ];
    fuzz(
        "tls-hello",
        &[&hello, server_hello, &[21, 3, 3, 0, 2, 2, 40]],
        DEFAULT_EXECUTIONS,
        |b| {
            let _ = crate::transport::tls_hello::parse_answer(b);
            let _ = crate::transport::tls_hello::offered(b);
            let _ = crate::transport::tls_hello::chosen(b);
        },
    );
}

#[test]
fn fuzz_http_digest_challenge() {
    fuzz("digest", &[b"Digest realm=\"cam\", nonce=\"abc\", qop=\"auth,auth-int\", algorithm=SHA-256, opaque=\"x\""], DEFAULT_EXECUTIONS, |b| {
        let _ = crate::transport::digest::parse(&text(b));
    });
}

#[test]
fn fuzz_banner_and_prompt_classification() {
    let seeds: &[&[u8]] = &[
        b"SSH-2.0-dropbear_2022.83\r\n",
        b"220 (vsFTPd 3.0.3)\r\n",
        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n",
        b"RTSP/1.0 200 OK\r\n",
        &[0x20, 2, 0, 0],
        b"\r\nU-Boot 2023.04\r\nHit any key to stop autoboot:  3 \r\n=> ",
        b"buildroot login: ",
    ];
    fuzz("classify", seeds, DEFAULT_EXECUTIONS, |b| {
        let _ = crate::login::detect::classify_banner(b);
        let _ = crate::login::detect::classify_http(b);
        let _ = crate::login::detect::classify_mqtt(b);
        let _ = crate::debug::uart_probe::classify(b);
    });
}

#[test]
fn fuzz_disclosure_search() {
    use crate::cases::disclosure_match::{locate, mac_placed_by_standard, occurrences};
    use crate::config::profile::Disclosure;
    let ssdp: &[u8] = b"SERVER: Linux/5.10 UPnP/1.0 MiniUPnPd/2.3.3\r\nUSN: uuid:5f9ec1b2-3ed7-11ee-8c90-0256430abbcc::upnp:rootdevice\r\n";
    fuzz(
        "disclosure",
        &[ssdp, b"<p>Firmware version: 1.2 serial SN42</p>"],
        DEFAULT_EXECUTIONS,
        |b| {
            let _ = crate::cases::disclosed_versions::find(b, 8);
            let words = crate::cases::disclosure_match::words_naming(Disclosure::FirmwareVersion);
            let _ = locate(b, "1.2", words);
            for at in occurrences(b, b"0256430abbcc") {
                let _ = mac_placed_by_standard(b, at, 12);
            }
        },
    );
}

#[test]
fn fuzz_security_txt() {
    fuzz("security.txt", &[b"Contact: mailto:psirt@maker.example\nExpires: 2030-01-01T00:00:00Z\nPolicy: https://maker.example/vdp\n"], DEFAULT_EXECUTIONS, |b| {
        let _ = crate::psti::security_txt::parse(b);
    });
}

#[test]
fn fuzz_secret_scan() {
    let pem: &[u8] = b"x\n-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\nwifi_psk=\"Hunter2Hunter2\"\0";
    fuzz(
        "secrets",
        &[
            pem,
            &[
                0x30, 0x82, 0x04, 0xa2, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00,
            ],
        ],
        DEFAULT_EXECUTIONS / 5,
        |b| {
            let _ = crate::secrets::scan(b);
        },
    );
}

#[test]
fn fuzz_redaction_and_report_text() {
    let r = crate::evidence::Redactor::default();
    r.add_username("admin");
    r.add("Tr0ub4dor&3");
    r.add("ab");
    let seeds: &[&[u8]] = &[
        b"Authorization: Basic YWRtaW46VHIwdWI0ZG9yJjM=\r\n",
        b"pw=Tr0ub4dor%263&x=ab",
        b"\x1b]0;t\x07\xef\xbf\xbf",
    ];
    fuzz("redaction", seeds, DEFAULT_EXECUTIONS, |b| {
        let mut bytes = b.to_vec();
        let _ = r.redact_bytes(&mut bytes);
        let _ = r.could_continue(b);
        let cleaned = r.clean(&text(b));
        assert!(
            !cleaned.contains("Tr0ub4dor&3"),
            "a secret survived cleaning"
        );
        assert!(!cleaned.contains('\u{1b}') && !cleaned.contains('\u{ffff}'));
        let _ = crate::evidence::printable(b);
    });
}

/// The config loader on mutated shipped files: every outcome is a value or a located error.
#[test]
fn fuzz_config_loader() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |p: &str| std::fs::read(repo.join(p)).unwrap();
    let (rig, suite, profile) = (
        read("rigs/virtual.yaml"),
        read("suites/en303645.yaml"),
        read("device-profiles/virtual-camera.yaml"),
    );
    let file = std::path::Path::new("fuzzed.yaml");
    fuzz(
        "config",
        &[&rig, &suite, &profile],
        DEFAULT_EXECUTIONS / 25,
        |b| {
            let t = text(b);
            let _ = crate::config::yaml::parse::<crate::config::rig::RigFile>(file, &t);
            let _ = crate::config::yaml::parse::<crate::config::suite::SuiteFile>(file, &t);
            let _ = crate::config::yaml::parse::<crate::config::profile::ProfileFile>(file, &t);
        },
    );
}
