//! Critical security parameters in a memory dump or firmware image: private keys (PEM blocks,
//! DER PKCS#8, PKCS#1 RSA and SEC1 EC keys, OpenSSH), password and API-key assignments, and high-entropy
//! blocks. A finding carries where it is and a SHA-256 of its bytes, never the bytes: reports
//! compare secrets across units by hash. Public keys and certificates are reported as such.

use crate::util::hash::sha256_hex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    PrivateKey(&'static str),
    PublicMaterial(&'static str),
    Credential(String),
    HighEntropy,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::PrivateKey(form) => write!(f, "private key ({form})"),
            Kind::PublicMaterial(form) => write!(f, "public {form} (allowed)"),
            Kind::Credential(name) => write!(f, "credential assignment `{name}=`"),
            Kind::HighEntropy => f.write_str("high-entropy block"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub offset: usize,
    pub length: usize,
    pub sha256: String,
}

impl Finding {
    pub fn is_secret(&self) -> bool {
        matches!(self.kind, Kind::PrivateKey(_) | Kind::Credential(_))
    }
}

/// Findings are capped: a dump full of matches says what it needs to with the first ones.
const MAX_FINDINGS: usize = 200;
const ENTROPY_WINDOW: usize = 256;
/// Bits per byte above which a 256-byte window is random-looking (text stays below 5).
const ENTROPY_LIMIT: f64 = 7.0;

pub fn scan(data: &[u8]) -> Vec<Finding> {
    let mut out = Vec::new();
    pem_blocks(data, &mut out);
    der_keys(data, &mut out);
    assignments(data, &mut out);
    entropy(data, &mut out);
    out.sort_by_key(|f| f.offset);
    out.truncate(MAX_FINDINGS);
    out
}

fn finding(kind: Kind, data: &[u8], offset: usize, length: usize) -> Finding {
    Finding {
        kind,
        offset,
        length,
        sha256: sha256_hex(&data[offset..offset + length]),
    }
}

fn find_all<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        let i = hay
            .get(at..)?
            .windows(needle.len())
            .position(|w| w == needle)?;
        let found = at + i;
        at = found + 1;
        Some(found)
    })
}

fn pem_blocks(data: &[u8], out: &mut Vec<Finding>) {
    for start in find_all(data, b"-----BEGIN ") {
        let Some(label_end) = data[start + 11..]
            .iter()
            .take(40)
            .position(|&b| b == b'-')
            .map(|i| start + 11 + i)
        else {
            continue;
        };
        let label = String::from_utf8_lossy(&data[start + 11..label_end]).into_owned();
        let end_marker = format!("-----END {label}-----");
        let body_start = label_end + 5;
        // A key's body is a few KiB at most: an END marker further on belongs to something else.
        let window = &data[body_start.min(data.len())..data.len().min(body_start + MAX_PEM_BODY)];
        let Some(body_end) = find_all(window, end_marker.as_bytes())
            .next()
            .map(|i| body_start + i)
        else {
            continue;
        };
        let end = body_end + end_marker.len();
        let is_private = label.contains("PRIVATE KEY");
        // Libraries that parse PEM carry the markers as constants with nothing between them:
        // only a body that decodes to a key is one.
        if is_private && !pem_key_body(&label, &data[body_start..body_end]) {
            continue;
        }
        let kind = if is_private {
            Kind::PrivateKey(match label.as_str() {
                "RSA PRIVATE KEY" => "PEM, PKCS#1 RSA",
                "EC PRIVATE KEY" => "PEM, SEC1 EC",
                "OPENSSH PRIVATE KEY" => "OpenSSH",
                "ENCRYPTED PRIVATE KEY" => "PEM, encrypted PKCS#8",
                _ => "PEM, PKCS#8",
            })
        } else if label.contains("CERTIFICATE") {
            Kind::PublicMaterial("certificate (PEM)")
        } else if label.contains("PUBLIC KEY") {
            Kind::PublicMaterial("key (PEM)")
        } else {
            continue;
        };
        out.push(finding(kind, data, start, end - start));
    }
}

/// Longest PEM body looked at: an RSA-16384 key is under 13 KiB of base64.
const MAX_PEM_BODY: usize = 16 * 1024;

/// Whether a PEM body (between the BEGIN and END lines) is base64 that decodes to a key of the
/// kind its label names: a DER SEQUENCE spanning the whole body with the form's opening fields,
/// or OpenSSH's magic.
fn pem_key_body(label: &str, body: &[u8]) -> bool {
    use base64::Engine;
    let mut text = Vec::with_capacity(body.len());
    for line in body.split(|&b| b == b'\n') {
        // RFC 1421 headers of an encrypted key (Proc-Type, DEK-Info).
        if line.contains(&b':') {
            continue;
        }
        for &b in line {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => text.push(b),
                b'\r' | b' ' | b'\t' => {}
                _ => return false,
            }
        }
    }
    let Ok(der) = base64::engine::general_purpose::STANDARD.decode(&text) else {
        return false;
    };
    if label == "OPENSSH PRIVATE KEY" {
        return der.starts_with(b"openssh-key-v1\0");
    }
    let Some(header) = whole_sequence(&der) else {
        return false;
    };
    let fields = &der[header..];
    match label {
        "RSA PRIVATE KEY" => fields.starts_with(&[0x02, 0x01, 0x00, 0x02]),
        "EC PRIVATE KEY" => fields.starts_with(&[0x02, 0x01, 0x01, 0x04]),
        "PRIVATE KEY" => fields.starts_with(&[0x02, 0x01, 0x00, 0x30]),
        _ => fields.first() == Some(&0x30) || fields.first() == Some(&0x02),
    }
}

/// The header length of a DER SEQUENCE that spans exactly `der`.
fn whole_sequence(der: &[u8]) -> Option<usize> {
    if der.len() < 8 || der[0] != 0x30 {
        return None;
    }
    let (header, len) = match der[1] {
        n if n < 0x80 => (2, usize::from(n)),
        0x81 => (3, usize::from(der[2])),
        0x82 => (4, usize::from(u16::from_be_bytes([der[2], der[3]]))),
        _ => return None,
    };
    (header + len == der.len()).then_some(header)
}

/// DER private keys by their fixed openings: PKCS#8 `SEQUENCE { INTEGER 0, SEQUENCE { OID` with
/// the RSA, EC or Ed25519 algorithm, and SEC1 `SEQUENCE { INTEGER 1, OCTET STRING (32|48|66)`.
fn der_keys(data: &[u8], out: &mut Vec<Finding>) {
    const RSA: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    ];
    const EC: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
    for at in find_all(data, &[0x02, 0x01, 0x00, 0x30]) {
        let Some((start, total)) = der_sequence_before(data, at) else {
            continue;
        };
        let alg = data.get(at + 5..).unwrap_or(&[]);
        let form = if alg.starts_with(RSA) {
            "DER PKCS#8, RSA"
        } else if alg.starts_with(EC) {
            "DER PKCS#8, EC"
        } else if alg.starts_with(ED25519) {
            "DER PKCS#8, Ed25519"
        } else {
            continue;
        };
        if start + total <= data.len() {
            out.push(finding(Kind::PrivateKey(form), data, start, total));
        }
    }
    // PKCS#1 RSAPrivateKey: version 0, then a modulus of 128 bytes or more.
    for at in find_all(data, &[0x02, 0x01, 0x00, 0x02]) {
        if !matches!(data.get(at + 4), Some(0x81 | 0x82)) {
            continue;
        }
        if let Some((start, total)) = der_sequence_before(data, at) {
            if start + total <= data.len() {
                out.push(finding(
                    Kind::PrivateKey("DER PKCS#1, RSA"),
                    data,
                    start,
                    total,
                ));
            }
        }
    }
    for at in find_all(data, &[0x02, 0x01, 0x01, 0x04]) {
        let Some(&len) = data.get(at + 4) else {
            continue;
        };
        if ![32u8, 48, 66].contains(&len) {
            continue;
        }
        if let Some((start, total)) = der_sequence_before(data, at) {
            if start + total <= data.len() {
                out.push(finding(
                    Kind::PrivateKey("DER SEC1, EC"),
                    data,
                    start,
                    total,
                ));
            }
        }
    }
}

/// The SEQUENCE header right before `at` (short or one/two-byte long form): its start and
/// total length.
fn der_sequence_before(data: &[u8], at: usize) -> Option<(usize, usize)> {
    if at >= 2 && data[at - 2] == 0x30 && data[at - 1] < 0x80 {
        return Some((at - 2, 2 + usize::from(data[at - 1])));
    }
    if at >= 3 && data[at - 3] == 0x30 && data[at - 2] == 0x81 {
        return Some((at - 3, 3 + usize::from(data[at - 1])));
    }
    if at >= 4 && data[at - 4] == 0x30 && data[at - 3] == 0x82 {
        let len = usize::from(u16::from_be_bytes([data[at - 2], data[at - 1]]));
        return Some((at - 4, 4 + len));
    }
    None
}

/// `password=...`, `api_key: ...` and the like with a value of at least 6 printable bytes.
fn assignments(data: &[u8], out: &mut Vec<Finding>) {
    const NAMES: [&str; 8] = [
        "password",
        "passwd",
        "api_key",
        "apikey",
        "secret",
        "token",
        "psk",
        "private_key",
    ];
    let lower: Vec<u8> = data.iter().map(u8::to_ascii_lowercase).collect();
    for name in NAMES {
        for at in find_all(&lower, name.as_bytes()) {
            let mut i = at + name.len();
            while matches!(lower.get(i), Some(b'"' | b'\'' | b' ')) {
                i += 1;
            }
            if !matches!(lower.get(i), Some(b'=' | b':')) {
                continue;
            }
            i += 1;
            while matches!(lower.get(i), Some(b'"' | b'\'' | b' ')) {
                i += 1;
            }
            let quoted = i > 0 && matches!(lower.get(i - 1), Some(b'"' | b'\''));
            let value_len = data[i.min(data.len())..]
                .iter()
                .take(256)
                .take_while(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b',' | b';'))
                .count();
            if looks_like_secret(&data[i..i + value_len], quoted) {
                out.push(finding(Kind::Credential(name.into()), data, i, value_len));
            }
        }
    }
}

/// A value that reads as a secret rather than code or a label: six or more characters with a
/// letter and a digit or symbol (so `accessToken`, `"Password"` and `null` are not secrets);
/// unquoted, no code punctuation (`document.getElementById(`, `$(pw)`, `this.token`); never a
/// template (`{password}`, `%s`) or a mask (`******`).
fn looks_like_secret(value: &[u8], quoted: bool) -> bool {
    const CODE: &[u8] = b"()[]{}.$<>=`\\";
    const TEMPLATE: &[u8] = b"{}%$";
    let letter = value.iter().any(u8::is_ascii_alphabetic);
    let digit_or_symbol = value.iter().any(|b| !b.is_ascii_alphabetic() && *b != b'.');
    let code = !quoted && value.iter().any(|b| CODE.contains(b));
    let template = value.iter().any(|b| TEMPLATE.contains(b));
    let mask = value.windows(2).all(|w| w[0] == w[1]);
    value.len() >= 6 && letter && digit_or_symbol && !code && !template && !mask
}

fn entropy(data: &[u8], out: &mut Vec<Finding>) {
    let mut at = 0;
    while at + ENTROPY_WINDOW <= data.len() {
        let window = &data[at..at + ENTROPY_WINDOW];
        if bits_per_byte(window) > ENTROPY_LIMIT {
            let start = at;
            while at + ENTROPY_WINDOW <= data.len()
                && bits_per_byte(&data[at..at + ENTROPY_WINDOW]) > ENTROPY_LIMIT
            {
                at += ENTROPY_WINDOW;
            }
            out.push(finding(Kind::HighEntropy, data, start, at - start));
        } else {
            at += ENTROPY_WINDOW;
        }
    }
}

fn bits_per_byte(window: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in window {
        counts[usize::from(b)] += 1;
    }
    let n = window.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Vec<u8> {
        let mut d = vec![0xffu8; 8192];
        let pem = b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n";
        d[100..100 + pem.len()].copy_from_slice(pem);
        let cert = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        d[400..400 + cert.len()].copy_from_slice(cert);
        let mut der = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        der.extend_from_slice(&[7u8; 32]);
        d[1000..1000 + der.len()].copy_from_slice(&der);
        // An RSA-2048 PKCS#1 key's opening: SEQUENCE (1190 bytes), version 0, modulus.
        let mut rsa = vec![
            0x30, 0x82, 0x04, 0xa2, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00,
        ];
        rsa.resize(4 + 0x4a2, 0x5a);
        d[2600..2600 + rsa.len()].copy_from_slice(&rsa);
        let cfg = b"wifi_psk=\"Hunter2Hunter2\"; mqtt_password: s3cretValue\0";
        d[2000..2000 + cfg.len()].copy_from_slice(cfg);
        let mut x: u32 = 0x1234_5678;
        for b in &mut d[4096..4096 + 1024] {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = x as u8;
        }
        d
    }

    #[test]
    fn keys_credentials_and_random_blocks_are_found_with_offsets_and_hashes() {
        let found = scan(&image());
        let kinds: Vec<String> = found
            .iter()
            .map(|f| format!("{}@{}", f.kind, f.offset))
            .collect();
        for want in [
            "private key (PEM, PKCS#8)@100",
            "public certificate (PEM) (allowed)@400",
            "private key (DER PKCS#8, Ed25519)@1000",
            "credential assignment `psk=`@2010",
            "credential assignment `password=`@2042",
            "private key (DER PKCS#1, RSA)@2600",
            "high-entropy block@4096",
        ] {
            assert!(kinds.iter().any(|k| k == want), "{want} in {kinds:?}");
        }
        let pem = found.iter().find(|f| f.offset == 100).unwrap();
        assert_eq!(pem.sha256.len(), 64);
        assert!(pem.is_secret());
        assert!(!found.iter().find(|f| f.offset == 400).unwrap().is_secret());
    }

    #[test]
    fn text_and_erased_flash_give_nothing_and_junk_does_not_panic() {
        assert!(scan(&[0xff; 65536]).is_empty());
        assert!(scan(b"Linux version 5.10.186 firmware ready login: ").is_empty());
        let mut junk = image();
        for cut in [0, 1, 101, 1003, 1016, 2015, 4100] {
            let _ = scan(&junk[..cut]);
        }
        junk[1001] = 0x82; // a long-form length running past the end
        let _ = scan(&junk);
        let _ = scan(b"-----BEGIN ");
        let _ = scan(&[0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x00, 0x30]);
    }

    fn secrets(found: &[Finding]) -> Vec<String> {
        found
            .iter()
            .filter(|f| f.is_secret())
            .map(|f| format!("{}@{}", f.kind, f.offset))
            .collect()
    }

    #[test]
    fn pem_markers_without_a_key_between_them_are_no_key() {
        // As PEM-parsing libraries carry them: constants side by side, or far apart.
        let mut d = b"-----BEGIN PRIVATE KEY-----\0-----END PRIVATE KEY-----\0".to_vec();
        d.extend_from_slice(b"-----BEGIN EC PRIVATE KEY-----\0\0\0\0");
        d.extend_from_slice(&vec![b'A'; 20_000]);
        d.extend_from_slice(b"-----END EC PRIVATE KEY-----");
        d.extend_from_slice(
            b"-----BEGIN RSA PRIVATE KEY-----\nnot base64 at all!\n-----END RSA PRIVATE KEY-----",
        );
        // Base64 that decodes, but not to an RSA key.
        d.extend_from_slice(b"-----BEGIN RSA PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END RSA PRIVATE KEY-----");
        assert_eq!(secrets(&scan(&d)), Vec::<String>::new());
    }

    #[test]
    fn web_javascript_is_not_a_credential() {
        let js = br##"
            var form = { username: "Username", password: "Password" };
            login({ password: document.getElementById('pw').value, token: accessToken, });
            xhr.setRequestHeader("X-Token", token); cfg.password = $("#pw").val();
            var t = { password:"${pw}", secret: '******', apikey: "{api_key}" };
            for ( i in { radio: true, checkbox: true, file: true, password: true } ) {}
        "##;
        assert_eq!(secrets(&scan(js)), Vec::<String>::new());
    }

    /// Real files from Debian packages (scripts/setup installs them): mbedTLS carries the PEM
    /// markers of every key form as constants, jQuery is ordinary web JavaScript.
    #[rstest::rstest]
    #[case::mbedtls("/usr/lib/x86_64-linux-gnu/libmbedcrypto.so.7")]
    #[case::jquery("/usr/share/javascript/jquery/jquery.js")]
    fn real_libraries_and_web_assets_hold_no_secret(#[case] path: &str) {
        let data =
            std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}; run ./scripts/setup"));
        assert_eq!(secrets(&scan(&data)), Vec::<String>::new(), "{path}");
    }
}
