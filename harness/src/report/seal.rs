//! Seals: what a run folder held at each report write, numbered, so that a run that stopped
//! without its final write (a crash, a kill, a power cut of the bench) can be told apart from a
//! bundle changed afterwards.
//!
//! `manifest.seal` lists every file with its SHA-256 and size, under a header with the seal's
//! number and state (`running` as verdicts arrive, `interrupted` or `final` at the run's end),
//! optionally signed as a whole. Logs and the capture only grow, so after a crash a file
//! that is longer than sealed but whose sealed length still hashes as sealed was appended to,
//! not altered; that is accepted only while the seal says the run was still running.
//!
//! A seal is written as `manifest.seal.next` before the reports it covers, and renamed into
//! place after them: a writer stopped in between leaves reports that match one seal or the
//! other, never neither.

use crate::util::hash::{hex, sha256_hex, unhex};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

pub const SEAL: &str = "manifest.seal";
pub const NEXT: &str = "manifest.seal.next";
const HEADER: &str = "hilt seal v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Written after a verdict: the run went on.
    Running,
    /// The run's last write, after an interrupt.
    Interrupted,
    Final,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Interrupted => "interrupted",
            State::Final => "final",
        }
    }

    fn parse(s: &str) -> Option<State> {
        [State::Running, State::Interrupted, State::Final]
            .into_iter()
            .find(|st| st.name() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub sha256: String,
    pub size: u64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Seal {
    pub number: u64,
    pub state: State,
    pub entries: Vec<Entry>,
    /// The signed text and the signature line, when signed.
    signed: Option<(String, String)>,
}

impl Seal {
    pub fn new(number: u64, state: State, entries: Vec<Entry>) -> Seal {
        Seal {
            number,
            state,
            entries,
            signed: None,
        }
    }

    pub fn text(&self, key: Option<&SigningKey>) -> String {
        let mut t = format!("{HEADER}\nseal {} {}\n", self.number, self.state.name());
        for e in &self.entries {
            t.push_str(&format!("{}  {}  {}\n", e.sha256, e.size, e.name));
        }
        if let Some(k) = key {
            let sig = k.sign(t.as_bytes());
            t.push_str(&format!(
                "ed25519 {} {}\n",
                hex(&k.verifying_key().to_bytes()),
                hex(&sig.to_bytes())
            ));
        }
        t
    }

    pub fn parse(text: &str) -> Option<Seal> {
        let mut lines = text.lines();
        if lines.next()? != HEADER {
            return None;
        }
        let head: Vec<&str> = lines.next()?.split(' ').collect();
        let (number, state) = match head.as_slice() {
            ["seal", n, s] => (n.parse().ok()?, State::parse(s)?),
            _ => return None,
        };
        let mut entries = Vec::new();
        let mut signed = None;
        // Where the line being read starts, for the signed text before a signature line.
        let mut at = HEADER.len() + 1 + text.lines().nth(1)?.len() + 1;
        for line in lines {
            if let Some(sig) = line.strip_prefix("ed25519 ") {
                signed = Some((text.get(..at)?.to_string(), sig.to_string()));
                break;
            }
            at += line.len() + 1;
            let mut parts = line.splitn(3, "  ");
            let (Some(sha256), Some(size), Some(name)) = (parts.next(), parts.next(), parts.next())
            else {
                return None;
            };
            entries.push(Entry {
                sha256: sha256.to_string(),
                size: size.parse().ok()?,
                name: name.to_string(),
            });
        }
        Some(Seal {
            number,
            state,
            entries,
            signed,
        })
    }

    pub fn signed(&self) -> bool {
        self.signed.is_some()
    }

    /// Whether `key` signed exactly this seal.
    pub fn signature_valid(&self, key: &VerifyingKey) -> Result<(), String> {
        let Some((body, sig)) = &self.signed else {
            return Err(format!("{SEAL} is not signed"));
        };
        let sig = sig
            .split_whitespace()
            .nth(1)
            .and_then(unhex)
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .ok_or_else(|| format!("{SEAL}'s signature line is malformed"))?;
        key.verify(body.as_bytes(), &Signature::from_bytes(&sig))
            .map_err(|_| "the seal's signature does not match the given public key".to_string())
    }

    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }
}

/// How a file stands against its sealed entry.
#[derive(Debug, PartialEq, Eq)]
pub enum Match {
    Exact,
    /// Longer than sealed, its sealed length unchanged: appended to after the seal.
    Grown,
    Differs,
}

/// Compares a regular file with its entry, reading it once.
pub fn compare(path: &Path, entry: &Entry) -> std::io::Result<Match> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut read: u64 = 0;
    let mut prefix = None;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        // The hash of the sealed length is taken on the way, where that length falls.
        let mut chunk = &buf[..n];
        if prefix.is_none() && read + n as u64 >= entry.size {
            let cut = (entry.size - read) as usize;
            hasher.update(&chunk[..cut]);
            prefix = Some(hex(&hasher.clone().finalize()));
            chunk = &chunk[cut..];
        }
        hasher.update(chunk);
        read += n as u64;
    }
    if entry.size == 0 && prefix.is_none() {
        prefix = Some(sha256_hex(b""));
    }
    Ok(match (read == entry.size, prefix) {
        (true, Some(p)) if p == entry.sha256 => Match::Exact,
        (false, Some(p)) if p == entry.sha256 => Match::Grown,
        _ => Match::Differs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("hilt-seal-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn entry(name: &str, bytes: &[u8]) -> Entry {
        Entry {
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
            name: name.into(),
        }
    }

    #[test]
    fn a_file_appended_to_has_grown_and_one_changed_in_its_sealed_part_differs() {
        let d = dir("grow");
        let p = d.join("console.log");
        std::fs::write(&p, b"login: ").unwrap();
        let e = entry("console.log", b"login: ");
        assert_eq!(compare(&p, &e).unwrap(), Match::Exact);
        std::fs::write(&p, b"login: admin\n").unwrap();
        assert_eq!(compare(&p, &e).unwrap(), Match::Grown);
        std::fs::write(&p, b"login! admin\n").unwrap();
        assert_eq!(compare(&p, &e).unwrap(), Match::Differs);
        std::fs::write(&p, b"login").unwrap();
        assert_eq!(compare(&p, &e).unwrap(), Match::Differs);
        // A sealed length that falls on a read boundary, and an empty sealed file.
        let big = vec![b'x'; 64 * 1024];
        std::fs::write(&p, [big.as_slice(), b"tail"].concat()).unwrap();
        assert_eq!(
            compare(&p, &entry("console.log", &big)).unwrap(),
            Match::Grown
        );
        assert_eq!(
            compare(&p, &entry("console.log", b"")).unwrap(),
            Match::Grown
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_seal_reads_back_and_its_signature_covers_number_state_and_entries() {
        let key = SigningKey::from_bytes(&[3u8; 32]);
        let seal = Seal::new(7, State::Running, vec![entry("a b.txt", b"x")]);
        let text = seal.text(Some(&key));
        let back = Seal::parse(&text).unwrap();
        assert_eq!((back.number, back.state), (7, State::Running));
        assert_eq!(back.entries, seal.entries);
        assert!(back.signature_valid(&key.verifying_key()).is_ok());
        let forged = Seal::parse(&text.replace("seal 7 running", "seal 7 final")).unwrap();
        assert!(forged.signature_valid(&key.verifying_key()).is_err());
        let other = SigningKey::from_bytes(&[4u8; 32]);
        assert!(back.signature_valid(&other.verifying_key()).is_err());
        assert!(Seal::parse("hilt seal v1\nseal x final\n").is_none());
    }
}
