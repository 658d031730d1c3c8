//! A ClientHello built byte by byte, for what the system OpenSSL can no longer offer: SSL 3.0,
//! and RC4, DES, 3DES and export suites under any version. Only the server's first answer is
//! read (a ServerHello names the version and suite it chose, an alert refuses), so no handshake
//! is completed and no cryptography is needed (RFC 5246 7.4.1, RFC 6101 5.6.1).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Record-layer versions, as sent on the wire.
pub const SSL3: u16 = 0x0300;
pub const TLS10: u16 = 0x0301;
pub const TLS11: u16 = 0x0302;
pub const TLS12: u16 = 0x0303;
pub const TLS13: u16 = 0x0304;

pub fn version_name(v: u16) -> &'static str {
    match v {
        SSL3 => "SSL 3.0",
        TLS10 => "TLS 1.0",
        TLS11 => "TLS 1.1",
        TLS12 => "TLS 1.2",
        TLS13 => "TLS 1.3",
        _ => "an unknown version",
    }
}

pub use super::tls_suites::{suite_name, CBC_SHA1_SUITES, LEGACY_SUITES};

/// The server's first answer to a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// It chose this version and suite.
    Hello { version: u16, suite: u16 },
    /// It sent a TLS alert (level, description): a refusal.
    Alert(u8, u8),
    /// It closed the connection or said nothing in time: a refusal too.
    Nothing,
    /// Bytes that are no TLS record: not a TLS server.
    NotTls,
}

/// A ClientHello at `version` offering exactly `suites` (plus the renegotiation SCSV, which a
/// server ignores, so an old one that chokes on extensions still sees a valid hello). From TLS
/// 1.0 on, the extensions an ECDHE suite needs are sent: supported groups, point formats, and
/// for TLS 1.2 signature algorithms.
pub fn client_hello(version: u16, suites: &[u16]) -> Vec<u8> {
    let mut body = Vec::with_capacity(256);
    body.extend_from_slice(&version.to_be_bytes());
    body.extend_from_slice(&random());
    body.push(0); // no session id
    let mut codes: Vec<u16> = suites.to_vec();
    codes.push(0x00FF);
    push_u16(&mut body, (codes.len() * 2) as u16);
    for c in codes {
        body.extend_from_slice(&c.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // compression: null only
    if version >= TLS10 {
        let mut ext = Vec::new();
        // supported_groups: x25519, secp256r1, secp384r1, secp521r1.
        extension(&mut ext, 10, &[0, 8, 0, 29, 0, 23, 0, 24, 0, 25]);
        // ec_point_formats: uncompressed.
        extension(&mut ext, 11, &[1, 0]);
        if version >= TLS12 {
            // signature_algorithms: RSA and ECDSA with SHA-256/384/512 and SHA-1.
            let algs: [u16; 8] = [
                0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603, 0x0201, 0x0203,
            ];
            let mut list = Vec::new();
            push_u16(&mut list, (algs.len() * 2) as u16);
            for a in algs {
                list.extend_from_slice(&a.to_be_bytes());
            }
            extension(&mut ext, 13, &list);
        }
        push_u16(&mut body, ext.len() as u16);
        body.extend_from_slice(&ext);
    }
    let mut handshake = vec![1]; // client_hello
    handshake.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&body);
    let mut record = vec![22]; // handshake
                               // The record version a careful client uses: TLS 1.0 for anything above SSL 3.0.
    record.extend_from_slice(&version.min(TLS10).to_be_bytes());
    push_u16(&mut record, handshake.len() as u16);
    record.extend_from_slice(&handshake);
    record
}

/// Reads the server's first record and says what it was. Never more than 16 KiB, never past
/// `within`; any bytes are survived.
pub fn parse_answer(bytes: &[u8]) -> Answer {
    let Some(&kind) = bytes.first() else {
        return Answer::Nothing;
    };
    let major = bytes.get(1).copied();
    if !matches!(kind, 21 | 22) || major != Some(3) {
        return Answer::NotTls;
    }
    let Some(body) = bytes.get(5..) else {
        return Answer::Nothing;
    };
    match kind {
        21 => match body {
            [level, description, ..] => Answer::Alert(*level, *description),
            _ => Answer::Nothing,
        },
        _ if body.first() != Some(&2) => Answer::NotTls,
        _ => match chosen(bytes) {
            Some((version, suite)) => Answer::Hello { version, suite },
            None => Answer::Nothing,
        },
    }
}

/// What a captured ClientHello offered: its highest version (from supported_versions when
/// present) and the server name it asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    pub max_version: u16,
    pub server_name: Option<String>,
}

/// A ClientHello record, as a device sent it. None for anything else.
pub fn offered(record: &[u8]) -> Option<Offered> {
    let body = hello_body(record, 1)?;
    let mut version = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
    let mut at = 2 + 32;
    at += 1 + usize::from(*body.get(at)?); // session id
    let suites = usize::from(u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]));
    at += 2 + suites;
    at += 1 + usize::from(*body.get(at)?); // compression methods
    let mut server_name = None;
    for (kind, data) in extensions(body.get(at..)?) {
        match kind {
            // server_name: list length, type 0 (host name), name length, name.
            0 => {
                let len = usize::from(u16::from_be_bytes([*data.get(3)?, *data.get(4)?]));
                let name = data.get(5..5 + len)?;
                server_name = Some(crate::evidence::printable(&name[..name.len().min(255)]));
            }
            // supported_versions: a length byte, then versions.
            43 => {
                let list = data.get(1..)?;
                version = list
                    .chunks_exact(2)
                    .map(|v| u16::from_be_bytes([v[0], v[1]]))
                    .filter(|v| *v <= 0x0304) // GREASE values (0x?a?a) are higher
                    .max()
                    .unwrap_or(version);
            }
            _ => {}
        }
    }
    Some(Offered {
        max_version: version,
        server_name,
    })
}

/// A ServerHello record: the version chosen (supported_versions for TLS 1.3) and the suite.
pub fn chosen(record: &[u8]) -> Option<(u16, u16)> {
    let body = hello_body(record, 2)?;
    let mut version = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
    let mut at = 2 + 32;
    at += 1 + usize::from(*body.get(at)?);
    let suite = u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]);
    at += 3; // suite, compression method
    for (kind, data) in extensions(body.get(at..).unwrap_or(&[])) {
        if kind == 43 && data.len() >= 2 {
            version = u16::from_be_bytes([data[0], data[1]]);
        }
    }
    Some((version, suite))
}

/// The handshake message of type `kind` a handshake record starts with, without its header.
fn hello_body(record: &[u8], kind: u8) -> Option<&[u8]> {
    if record.first() != Some(&22) || record.get(1) != Some(&3) || record.get(5) != Some(&kind) {
        return None;
    }
    let len = u32::from_be_bytes([0, *record.get(6)?, *record.get(7)?, *record.get(8)?]) as usize;
    let end = (9 + len).min(record.len());
    record.get(9..end)
}

/// The (type, data) pairs of an extensions block (its 2-byte length first); stops at the end
/// of what was captured.
fn extensions(block: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    let Some(rest) = block.get(2..) else {
        return out;
    };
    let mut at = 0;
    while let (Some(k), Some(l)) = (rest.get(at..at + 2), rest.get(at + 2..at + 4)) {
        let len = usize::from(u16::from_be_bytes([l[0], l[1]]));
        let Some(data) = rest.get(at + 4..at + 4 + len) else {
            break;
        };
        out.push((u16::from_be_bytes([k[0], k[1]]), data));
        at += 4 + len;
    }
    out
}

/// Sends one hello and reads the answer; the error is "cannot connect".
pub fn ask(
    addr: SocketAddr,
    version: u16,
    suites: &[u16],
    within: Duration,
) -> std::io::Result<Answer> {
    let mut tcp = TcpStream::connect_timeout(&addr, within)?;
    tcp.set_write_timeout(Some(within))?;
    tcp.write_all(&client_hello(version, suites))?;
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.len() < 16 * 1024 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        tcp.set_read_timeout(Some(left))?;
        match tcp.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
        if complete(&got) {
            break;
        }
    }
    Ok(parse_answer(&got))
}

/// Enough of the first record to read what it says.
fn complete(got: &[u8]) -> bool {
    match got.get(3..5) {
        Some(len) => got.len() >= 5 + usize::from(u16::from_be_bytes([len[0], len[1]])).min(48),
        None => false,
    }
}

fn extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16(out, data.len() as u16);
    out.extend_from_slice(data);
}

fn push_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// The hello's random: unpredictable is not needed (nothing is derived from it), distinct is.
fn random() -> [u8; 32] {
    let mut r = [0u8; 32];
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    for (i, b) in r.iter_mut().enumerate() {
        *b = (seed >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hello_is_a_well_formed_record() {
        for v in [SSL3, TLS10, TLS12] {
            let h = client_hello(v, &[0x0005, 0x000A]);
            assert_eq!(h[0], 22);
            let record_len = usize::from(u16::from_be_bytes([h[3], h[4]]));
            assert_eq!(h.len(), 5 + record_len, "{v:04x}");
            let hs_len = u32::from_be_bytes([0, h[6], h[7], h[8]]) as usize;
            assert_eq!(record_len, 4 + hs_len);
            assert_eq!(&h[9..11], &v.to_be_bytes());
            // suites: 2 offered + the SCSV.
            assert_eq!(&h[44..46], &[0, 6]);
            assert_eq!(&h[46..52], &[0x00, 0x05, 0x00, 0x0A, 0x00, 0xFF]);
        }
        assert_eq!(
            client_hello(SSL3, &[4]).len(),
            5 + 4 + 2 + 32 + 1 + 2 + 4 + 2
        );
    }

    #[test]
    fn answers_are_read_and_junk_is_survived() {
        let mut hello = vec![22, 3, 1, 0, 42, 2, 0, 0, 38, 3, 1];
        hello.extend_from_slice(&[7; 32]);
        hello.push(0);
        hello.extend_from_slice(&[0x00, 0x0A, 0]);
        assert_eq!(
            parse_answer(&hello),
            Answer::Hello {
                version: TLS10,
                suite: 0x000A
            }
        );
        assert_eq!(parse_answer(&[21, 3, 3, 0, 2, 2, 40]), Answer::Alert(2, 40));
        assert_eq!(parse_answer(b""), Answer::Nothing);
        assert_eq!(parse_answer(b"SSH-2.0-dropbear\r\n"), Answer::NotTls);
        for cut in 0..hello.len() {
            let _ = parse_answer(&hello[..cut]);
        }
        assert_eq!(chosen(&hello), Some((TLS10, 0x000A)));
        assert_eq!(offered(&hello), None);
        let mine = client_hello(TLS12, &[0x0005]);
        assert_eq!(
            offered(&mine),
            Some(Offered {
                max_version: TLS12,
                server_name: None
            })
        );
        for cut in 0..mine.len() {
            let _ = offered(&mine[..cut]);
            let _ = chosen(&mine[..cut]);
        }
        assert_eq!(suite_name(0x0005), "RC4-SHA");
        assert_eq!(suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
        assert_eq!(suite_name(0x1234), "suite 0x1234");
    }
}
