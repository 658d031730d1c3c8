//! Resource records of a DNS or mDNS answer (RFC 1035 4.1, RFC 6763), decoded so evidence can
//! name the record a disclosure sits in ("TXT of camera._http._tcp.local: fw=1.4.2") rather
//! than quote wire bytes. The message comes from the device: every read is bounds-checked,
//! compression pointers may only point backwards, and the output is bounded.

const MAX_RECORDS: usize = 64;
const MAX_NAME: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    /// `A`, `PTR`, `TXT`, ... or `TYPE<n>`.
    pub kind: String,
    pub data: String,
}

impl std::fmt::Display for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.kind, self.name, self.data)
    }
}

/// The answer, authority and additional records; whatever cannot be read ends the list.
pub fn decode(msg: &[u8]) -> Vec<Record> {
    let mut out = Vec::new();
    let (Some(qd), Some(an), Some(ns), Some(ar)) =
        (be16(msg, 4), be16(msg, 6), be16(msg, 8), be16(msg, 10))
    else {
        return out;
    };
    let mut at = 12;
    for _ in 0..qd {
        let Some((_, next)) = name(msg, at) else {
            return out;
        };
        at = next + 4;
    }
    let total = usize::from(an) + usize::from(ns) + usize::from(ar);
    for _ in 0..total.min(MAX_RECORDS) {
        let Some((owner, next)) = name(msg, at) else {
            break;
        };
        let (Some(kind), Some(len)) = (be16(msg, next), be16(msg, next + 8)) else {
            break;
        };
        let start = next + 10;
        let Some(rdata) = msg.get(start..start + usize::from(len)) else {
            break;
        };
        out.push(Record {
            name: owner,
            kind: kind_name(kind),
            data: data(msg, kind, start, rdata),
        });
        at = start + usize::from(len);
    }
    out
}

fn data(msg: &[u8], kind: u16, start: usize, rdata: &[u8]) -> String {
    match kind {
        1 if rdata.len() == 4 => {
            std::net::Ipv4Addr::new(rdata[0], rdata[1], rdata[2], rdata[3]).to_string()
        }
        28 if rdata.len() == 16 => {
            let b: [u8; 16] = rdata.try_into().unwrap_or([0; 16]);
            std::net::Ipv6Addr::from(b).to_string()
        }
        2 | 5 | 12 => name(msg, start)
            .map(|(n, _)| n)
            .unwrap_or_else(|| "(unreadable name)".into()),
        16 => {
            let mut strings = Vec::new();
            let mut i = 0;
            while let Some(&len) = rdata.get(i) {
                let s = rdata.get(i + 1..i + 1 + usize::from(len)).unwrap_or(&[]);
                strings.push(crate::evidence::printable(s));
                i += 1 + usize::from(len);
            }
            strings.join(" ")
        }
        33 => match (be16(rdata, 0), be16(rdata, 2), be16(rdata, 4)) {
            (Some(prio), Some(weight), Some(port)) => {
                let target = name(msg, start + 6).map(|(n, _)| n).unwrap_or_default();
                format!("{prio} {weight} {port} {target}")
            }
            _ => "(short SRV)".into(),
        },
        _ => format!("{} bytes", rdata.len()),
    }
}

/// A possibly compressed name at `at`, and where the record continues after it.
fn name(msg: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut labels: Vec<String> = Vec::new();
    let mut resume = None;
    let mut length = 0;
    loop {
        let len = *msg.get(at)?;
        match len {
            0 => {
                let next = resume.unwrap_or(at + 1);
                return Some((labels.join("."), next));
            }
            l if l & 0xc0 == 0xc0 => {
                let target = usize::from(be16(msg, at)? & 0x3fff);
                // Only backwards: no pointer loop can form.
                if target >= at {
                    return None;
                }
                resume.get_or_insert(at + 2);
                at = target;
            }
            l if l & 0xc0 == 0 => {
                let label = msg.get(at + 1..at + 1 + usize::from(l))?;
                length += label.len() + 1;
                if length > MAX_NAME {
                    return None;
                }
                labels.push(crate::evidence::printable(label));
                at += 1 + usize::from(l);
            }
            _ => return None,
        }
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn kind_name(kind: u16) -> String {
    match kind {
        1 => "A".into(),
        2 => "NS".into(),
        5 => "CNAME".into(),
        12 => "PTR".into(),
        16 => "TXT".into(),
        28 => "AAAA".into(),
        33 => "SRV".into(),
        other => format!("TYPE{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An mDNS answer as a camera sends it: PTR, then SRV and TXT with compressed names.
    fn answer() -> Vec<u8> {
        let mut m = vec![0, 0, 0x84, 0, 0, 0, 0, 3, 0, 0, 0, 0];
        // PTR _http._tcp.local -> cam._http._tcp.local
        let service_at = m.len();
        for l in ["_http", "_tcp", "local"] {
            m.push(l.len() as u8);
            m.extend_from_slice(l.as_bytes());
        }
        m.push(0);
        m.extend_from_slice(&[0, 12, 0, 1, 0, 0, 0, 120, 0, 6]);
        let instance_at = m.len();
        m.extend_from_slice(&[3, b'c', b'a', b'm', 0xc0, service_at as u8]);
        // SRV cam._http._tcp.local: 0 0 8443 cam.local
        m.extend_from_slice(&[0xc0, instance_at as u8, 0, 33, 0, 1, 0, 0, 0, 120, 0, 8]);
        m.extend_from_slice(&[0, 0, 0, 0, 0x20, 0xfb, 0xc0, instance_at as u8]);
        // TXT cam._http._tcp.local: model=VC-100 fw=1.4.2
        m.extend_from_slice(&[0xc0, instance_at as u8, 0, 16, 0, 1, 0, 0, 0, 120, 0, 22]);
        m.push(12);
        m.extend_from_slice(b"model=VC-100");
        m.push(8);
        m.extend_from_slice(b"fw=1.4.2");
        m
    }

    #[test]
    fn ptr_srv_and_txt_records_are_read_with_compressed_names() {
        let r = decode(&answer());
        let shown: Vec<String> = r.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            shown,
            vec![
                "PTR _http._tcp.local: cam._http._tcp.local",
                "SRV cam._http._tcp.local: 0 0 8443 cam._http._tcp.local",
                "TXT cam._http._tcp.local: model=VC-100 fw=1.4.2",
            ]
        );
    }

    #[test]
    fn hostile_messages_end_the_list_without_panicking() {
        let good = answer();
        for cut in 0..good.len() {
            let _ = decode(&good[..cut]);
        }
        // A pointer to itself, and one forward.
        let mut looped = vec![0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 12];
        assert!(decode(&looped).is_empty());
        looped[13] = 200;
        assert!(decode(&looped).is_empty());
        let mut flipped = good.clone();
        for i in 12..flipped.len() {
            flipped[i] ^= 0xff;
            let _ = decode(&flipped);
            flipped[i] ^= 0xff;
        }
    }
}
