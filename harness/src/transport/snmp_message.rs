//! SNMP v2c messages (RFC 3416) in BER: a GetRequest or SetRequest of INTEGER values is
//! written, and a Response read back with every length checked against what is left, so a
//! malformed answer is an error, never a panic or an overread.

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OBJECT_IDENTIFIER: u8 = 0x06;
const GET_REQUEST: u8 = 0xa0;
const RESPONSE: u8 = 0xa2;
const SET_REQUEST: u8 = 0xa3;
const VERSION_2C: i64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Get,
    Set(i64),
}

/// A v2c request for one variable.
pub fn request(community: &str, request_id: i32, oid: &[u32], what: Request) -> Vec<u8> {
    let (pdu, value) = match what {
        Request::Get => (GET_REQUEST, tlv(NULL, &[])),
        Request::Set(v) => (SET_REQUEST, integer(v)),
    };
    let binding = tlv(
        SEQUENCE,
        &[tlv(OBJECT_IDENTIFIER, &oid_body(oid)), value].concat(),
    );
    let body = [
        integer(request_id.into()),
        integer(0),
        integer(0),
        tlv(SEQUENCE, &binding),
    ]
    .concat();
    let message = [
        integer(VERSION_2C),
        tlv(OCTET_STRING, community.as_bytes()),
        tlv(pdu, &body),
    ]
    .concat();
    tlv(SEQUENCE, &message)
}

/// A Response: its request id, error-status, and the first variable's OID and INTEGER value
/// (None when the value is not an INTEGER, e.g. noSuchObject).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub request_id: i64,
    pub error_status: i64,
    pub oid: Vec<u32>,
    pub value: Option<i64>,
}

pub fn response(bytes: &[u8]) -> Result<Response, String> {
    let (message, _) = read(bytes, SEQUENCE)?;
    let (_, rest) = read(message, INTEGER)?;
    let (_, rest) = read(rest, OCTET_STRING)?;
    let (pdu, _) = read(rest, RESPONSE)?;
    let (id, rest) = read(pdu, INTEGER)?;
    let (status, rest) = read(rest, INTEGER)?;
    let (_, rest) = read(rest, INTEGER)?;
    let (bindings, _) = read(rest, SEQUENCE)?;
    let (binding, _) = read(bindings, SEQUENCE)?;
    let (oid, rest) = read(binding, OBJECT_IDENTIFIER)?;
    let value = match rest.first() {
        Some(&INTEGER) => Some(int_value(read(rest, INTEGER)?.0)?),
        _ => None,
    };
    Ok(Response {
        request_id: int_value(id)?,
        error_status: int_value(status)?,
        oid: oid_arcs(oid)?,
        value,
    })
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = body.len();
    match n {
        0..=127 => out.push(n as u8),
        128..=255 => out.extend([0x81, n as u8]),
        _ => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(body);
    out
}

fn integer(v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    // The shortest two's-complement form: drop leading bytes that only repeat the sign.
    let mut start = 0;
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    tlv(INTEGER, &bytes[start..])
}

fn oid_body(oid: &[u32]) -> Vec<u8> {
    let mut out = Vec::new();
    let (first, rest) = match oid {
        [a, b, rest @ ..] => (a * 40 + b, rest),
        [a] => (a * 40, &[][..]),
        [] => (0, &[][..]),
    };
    for arc in std::iter::once(first).chain(rest.iter().copied()) {
        let mut groups = vec![(arc & 0x7f) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            groups.push((v & 0x7f) as u8 | 0x80);
            v >>= 7;
        }
        out.extend(groups.iter().rev());
    }
    out
}

/// The body of the TLV at the start of `bytes`, which must carry `tag`, and what follows it.
fn read(bytes: &[u8], tag: u8) -> Result<(&[u8], &[u8]), String> {
    let (&found, rest) = bytes.split_first().ok_or("the answer ends early")?;
    if found != tag {
        return Err(format!("expected tag {tag:#04x}, found {found:#04x}"));
    }
    let (&first, rest) = rest.split_first().ok_or("the answer ends early")?;
    let (len, rest) = match first {
        0..=0x7f => (first as usize, rest),
        0x81..=0x84 => {
            let n = (first & 0x7f) as usize;
            if rest.len() < n {
                return Err("the answer ends inside a length".into());
            }
            let len = rest[..n].iter().fold(0usize, |l, &b| (l << 8) | b as usize);
            (len, &rest[n..])
        }
        _ => return Err(format!("unsupported length form {first:#04x}")),
    };
    if rest.len() < len {
        return Err(format!("a length of {len} runs past the answer"));
    }
    Ok(rest.split_at(len))
}

fn int_value(body: &[u8]) -> Result<i64, String> {
    if body.is_empty() || body.len() > 8 {
        return Err(format!("an INTEGER of {} bytes", body.len()));
    }
    let negative = body[0] & 0x80 != 0;
    let start = if negative { -1i64 } else { 0 };
    Ok(body.iter().fold(start, |v, &b| (v << 8) | b as i64))
}

fn oid_arcs(body: &[u8]) -> Result<Vec<u32>, String> {
    let mut arcs = Vec::new();
    let mut v: u32 = 0;
    for &b in body {
        v = v
            .checked_mul(128)
            .and_then(|v| v.checked_add((b & 0x7f) as u32))
            .ok_or("an OID arc overflows")?;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                arcs.extend([v.min(80) / 40, v - 40 * (v.min(80) / 40)]);
            } else {
                arcs.push(v);
            }
            v = 0;
        }
    }
    Ok(arcs)
}

/// `1.3.6.1...` as arcs.
pub fn parse_oid(text: &str) -> Result<Vec<u32>, String> {
    text.trim_start_matches('.')
        .split('.')
        .map(|a| a.parse().map_err(|_| format!("`{text}` is not an OID")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_request_is_what_net_snmp_sends() {
        // Captured from `snmpset -v2c -c private HOST 1.3.6.1.4.1.318.1.1.4.4.2.1.3.2 i 2`
        // (net-snmp 5.9), whose request id was 0x603bb8a4.
        let captured = "3032020101040770726976617465a3240204603bb8a402010002010030163014060f2b06010401823e0101040402010302020102";
        let oid = parse_oid("1.3.6.1.4.1.318.1.1.4.4.2.1.3.2").unwrap();
        let wire = request("private", 0x603b_b8a4, &oid, Request::Set(2));
        let hex: String = wire.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, captured);
    }

    #[test]
    fn a_response_reads_back_and_malformed_ones_are_errors() {
        let oid = parse_oid("1.3.6.1.4.1.13742.6.4.1.2.1.3.1.4").unwrap();
        let mut answer = request("public", 300, &oid, Request::Set(-129));
        let pdu_at = 2 + 3 + 2 + "public".len();
        answer[pdu_at] = RESPONSE;
        let r = response(&answer).unwrap();
        assert_eq!(
            (r.request_id, r.error_status, r.value),
            (300, 0, Some(-129))
        );
        assert_eq!(r.oid, oid);
        for cut in 0..answer.len() {
            assert!(response(&answer[..cut]).is_err());
        }
        let get = request("public", 1, &oid, Request::Get);
        assert!(response(&get).unwrap_err().contains("expected tag 0xa2"));
    }
}
