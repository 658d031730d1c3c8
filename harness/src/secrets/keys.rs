//! Private keys by form: PEM blocks whose body decodes to the key their label names, and DER
//! keys by their fixed openings.

use super::{find_all, finding, Finding, Kind};

pub(super) fn pem_blocks(data: &[u8], out: &mut Vec<Finding>) {
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
        out.push(finding(kind, start, end - start));
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
pub(super) fn der_keys(data: &[u8], out: &mut Vec<Finding>) {
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
            out.push(der_key(form, data, start, total));
        }
    }
    // PKCS#1 RSAPrivateKey: version 0, then a modulus of 128 bytes or more.
    for at in find_all(data, &[0x02, 0x01, 0x00, 0x02]) {
        if !matches!(data.get(at + 4), Some(0x81 | 0x82)) {
            continue;
        }
        if let Some((start, total)) = der_sequence_before(data, at) {
            if start + total <= data.len() {
                out.push(der_key("DER PKCS#1, RSA", data, start, total));
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
                out.push(der_key("DER SEC1, EC", data, start, total));
            }
        }
    }
}

/// A DER private key, unless it is a published test vector.
fn der_key(form: &'static str, data: &[u8], start: usize, total: usize) -> Finding {
    let kind = match super::published::test_vector(&data[start..start + total]) {
        Some(name) => Kind::PublishedTestKey(name),
        None => Kind::PrivateKey(form),
    };
    finding(kind, start, total)
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
