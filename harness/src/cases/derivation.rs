//! Is a password derived from public information about the unit? Candidates are built from each
//! public identifier (serial, MAC in its common spellings, model, hostname/SSID) by the
//! transformations cheap devices use — identity, reversal, last/first N characters, hex<->decimal,
//! unkeyed hashes (MD5, SHA-1, SHA-256, CRC32) — and the password is compared by identity,
//! affix and shared run. PSTI allows derivation only through keyed hashing or encryption, which
//! this cannot see; an unkeyed derivation is what it finds.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Shortest shared run counted as a derivation; shorter runs happen by chance.
pub const MIN_RUN: usize = 6;

pub struct Identifier {
    pub what: String,
    pub value: String,
}

struct Candidate {
    how: String,
    text: String,
}

/// The unit's public identifiers as a lab knows them from the label and the device's announcements.
pub fn identifiers(
    serial: &str,
    mac: &str,
    model: &str,
    extra: &[(&str, &str)],
) -> Vec<Identifier> {
    let mut ids = vec![Identifier {
        what: "serial number".into(),
        value: serial.into(),
    }];
    let hex: String = mac.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    if hex.len() == 12 {
        ids.push(Identifier {
            what: "MAC address".into(),
            value: hex.to_lowercase(),
        });
    }
    if !model.is_empty() {
        ids.push(Identifier {
            what: "model".into(),
            value: model.into(),
        });
    }
    for (what, value) in extra {
        if !value.is_empty() {
            ids.push(Identifier {
                what: (*what).into(),
                value: (*value).into(),
            });
        }
    }
    ids
}

fn candidates(id: &Identifier) -> Vec<Candidate> {
    let v = id.value.to_lowercase();
    let alnum: String = v.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    // A MAC's separators are formatting: its 12 hex digits are the identifier. Elsewhere a
    // separator splits parts, and runs are not counted across it.
    let mut bases = vec![if id.what == "MAC address" {
        alnum.clone()
    } else {
        v.clone()
    }];
    if id.what != "MAC address" {
        bases.extend(
            v.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|t| t.len() >= 4 && *t != v)
                .map(String::from),
        );
    }
    let mut c = Vec::new();
    for b in &bases {
        let part = if *b == bases[0] {
            "the whole"
        } else {
            "a part"
        };
        c.push(Candidate {
            how: part.to_string(),
            text: b.clone(),
        });
        c.push(Candidate {
            how: format!("{part}, reversed,"),
            text: b.chars().rev().collect(),
        });
    }
    let digits: String = alnum.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 4 && digits.len() <= 18 {
        if let Ok(n) = digits.parse::<u64>() {
            c.push(Candidate {
                how: "digits in hexadecimal".into(),
                text: format!("{n:x}"),
            });
        }
    }
    if id.what == "MAC address" {
        for bytes in [3usize, 4, 6] {
            if let Ok(n) = u64::from_str_radix(&alnum[12 - bytes * 2..], 16) {
                c.push(Candidate {
                    how: format!("last {bytes} bytes in decimal"),
                    text: n.to_string(),
                });
            }
        }
    }
    // Hashes of the spellings a firmware would plausibly feed in.
    let mut spellings = vec![id.value.clone(), alnum.clone(), alnum.to_uppercase()];
    if id.what == "MAC address" {
        let pairs: Vec<String> = alnum
            .as_bytes()
            .chunks(2)
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        spellings.push(pairs.join(":"));
        spellings.push(pairs.join(":").to_uppercase());
        spellings.push(pairs.join("-").to_uppercase());
    }
    spellings.dedup();
    for s in &spellings {
        let b = s.as_bytes();
        c.push(Candidate {
            how: format!("MD5 of \"{s}\""),
            text: hex(&Md5::digest(b)),
        });
        c.push(Candidate {
            how: format!("SHA-1 of \"{s}\""),
            text: hex(&Sha1::digest(b)),
        });
        c.push(Candidate {
            how: format!("SHA-256 of \"{s}\""),
            text: hex(&Sha256::digest(b)),
        });
        c.push(Candidate {
            how: format!("CRC32 of \"{s}\""),
            text: format!("{:08x}", crc32fast::hash(b)),
        });
    }
    c
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every way the password is found to follow from an identifier, worded as a finding.
pub fn findings(password: &str, ids: &[Identifier]) -> Vec<String> {
    let pw: String = password.to_lowercase();
    let mut out = Vec::new();
    for id in ids {
        for cand in candidates(id) {
            if cand.text.len() < 4 {
                continue;
            }
            let relation = if pw == cand.text {
                Some("is".to_string())
            } else if cand.text.len() >= MIN_RUN
                && (pw.starts_with(&cand.text) || pw.ends_with(&cand.text))
            {
                Some("begins or ends with".to_string())
            } else if pw.len() >= MIN_RUN
                && (cand.text.starts_with(&pw) || cand.text.ends_with(&pw))
            {
                Some("is a truncation of".to_string())
            } else {
                let run = longest_shared_run(&pw, &cand.text);
                (run >= MIN_RUN).then(|| format!("shares {run} consecutive characters with"))
            };
            if let Some(r) = relation {
                out.push(format!(
                    "derived from public information: the password {r} {} of the unit's {}",
                    cand.how, id.what
                ));
                break;
            }
        }
    }
    out
}

pub fn longest_shared_run(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut best = 0;
    // Dynamic programming over suffix lengths, one row at a time.
    let mut prev = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        let mut row = vec![0usize; b.len() + 1];
        for j in 1..=b.len() {
            if a[i - 1] == b[j - 1] {
                row[j] = prev[j - 1] + 1;
                best = best.max(row[j]);
            }
        }
        prev = row;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<Identifier> {
        identifiers(
            "VC100-8925668",
            "02:56:43:aa:30:64",
            "VC-100",
            &[("hostname", "cam-aa3064")],
        )
    }

    #[test]
    fn each_transformation_is_found() {
        let md5_serial = hex(&Md5::digest(b"VC100-8925668"));
        let sha1_mac = hex(&Sha1::digest(b"02:56:43:AA:30:64"));
        let crc = format!("{:08x}", crc32fast::hash(b"025643aa3064"));
        let last3_dec = u64::from_str_radix("aa3064", 16).unwrap().to_string();
        for pw in [
            "CamAA3064Q7".to_string(),    // MAC affix
            "4603aa346520x".to_string(),  // MAC reversed
            md5_serial[..12].to_string(), // truncated MD5 of the serial
            sha1_mac[sha1_mac.len() - 10..].to_string(),
            format!("pw{crc}"),
            format!("{last3_dec}ab"), // last 3 MAC bytes in decimal
        ] {
            assert!(!findings(&pw, &ids()).is_empty(), "{pw} not found");
        }
    }

    #[test]
    fn random_passwords_are_not_flagged() {
        for pw in ["bSvF3BWPBdhR", "k2JdPQx7mZa4", "Hn4tRw9LpXe2"] {
            assert!(
                findings(pw, &ids()).is_empty(),
                "{pw}: {:?}",
                findings(pw, &ids())
            );
        }
    }
}
