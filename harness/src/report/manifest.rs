//! The evidence bundle's manifest: SHA-256 of every file in a run folder (in `sha256sum` format,
//! so `sha256sum -c` can check it too), the manifest's own digest, and optionally an ed25519
//! signature over the manifest with a key the lab holds.

use super::error::Error;
pub use super::seal::State as SealState;
use super::seal::{self, Entry, Match, Seal};
use crate::util::growing_hashes::GrowingHashes;
use crate::util::hash::{file_sha256, hex, sha256_hex, unhex};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "manifest.sha256";
pub const DIGEST: &str = "manifest.sha256.digest";
pub const SIGNATURE: &str = "manifest.sha256.sig";
const OWN_FILES: [&str; 5] = [MANIFEST, DIGEST, SIGNATURE, seal::SEAL, seal::NEXT];

/// Every regular file below `dir`, relative, sorted; the manifest's own files are left out.
fn files(dir: &Path) -> std::io::Result<Vec<String>> {
    Ok(entries(dir)?.0)
}

/// The regular files below `dir` and, apart, everything else that is not a folder (symlinks,
/// FIFOs, sockets, devices): hilt writes none of those, and reading one could hang or leave the
/// bundle.
fn entries(dir: &Path) -> std::io::Result<(Vec<String>, Vec<String>)> {
    let (mut out, mut other) = (Vec::new(), Vec::new());
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let rel_path = rel.join(entry.file_name());
            let kind = entry.file_type()?;
            let name = rel_path.to_string_lossy().into_owned();
            if kind.is_dir() {
                stack.push(rel_path);
            } else if !kind.is_file() {
                other.push(name);
            } else if !OWN_FILES.contains(&name.as_str()) {
                out.push(name);
            }
        }
    }
    out.sort();
    other.sort();
    Ok((out, other))
}

/// Seals the folder as final (see `seal`), with nothing left to write.
pub fn write(dir: &Path, key: Option<&SigningKey>) -> std::io::Result<String> {
    let mut hashes = GrowingHashes::default();
    write_sealed(dir, key, 1, seal::State::Final, &[], &mut hashes)
}

/// Seal `number` of the folder as it will be once `reports` (name, content) are written: the
/// seal goes first as `manifest.seal.next`, then the reports, then the seal takes its place.
/// Last, the sha256sum-format manifest of the same entries, its digest and (with a key) its
/// signature. Returns the manifest's digest. `hashes` resumes files read at an earlier seal.
pub fn write_sealed(
    dir: &Path,
    key: Option<&SigningKey>,
    number: u64,
    state: seal::State,
    reports: &[(&str, &[u8])],
    hashes: &mut GrowingHashes,
) -> std::io::Result<String> {
    let mut names = files(dir)?;
    for (name, _) in reports {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names.sort();
    let mut entries = Vec::with_capacity(names.len());
    for name in names {
        entries.push(match reports.iter().find(|(n, _)| *n == name) {
            Some((_, bytes)) => Entry {
                sha256: sha256_hex(bytes),
                size: bytes.len() as u64,
                name,
            },
            None => {
                let (sha256, size) = hashes.hash(&dir.join(&name))?;
                Entry { sha256, size, name }
            }
        });
    }
    let sealed = Seal::new(number, state, entries);
    write_atomically(&dir.join(seal::NEXT), sealed.text(key).as_bytes())?;
    for (name, bytes) in reports {
        write_atomically(&dir.join(name), bytes)?;
    }
    let text = sha256sum_view(&sealed);
    let digest = sha256_hex(text.as_bytes());
    write_atomically(&dir.join(MANIFEST), text.as_bytes())?;
    write_atomically(
        &dir.join(DIGEST),
        format!("{digest}  {MANIFEST}\n").as_bytes(),
    )?;
    if let Some(k) = key {
        let sig = k.sign(text.as_bytes());
        let body = format!(
            "ed25519 {} {}\n",
            hex(&k.verifying_key().to_bytes()),
            hex(&sig.to_bytes())
        );
        write_atomically(&dir.join(SIGNATURE), body.as_bytes())?;
    }
    if dir.join(seal::NEXT).exists() {
        std::fs::rename(dir.join(seal::NEXT), dir.join(seal::SEAL))?;
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(digest)
}

/// The seal's entries in `sha256sum` format, for `sha256sum -c`.
fn sha256sum_view(sealed: &Seal) -> String {
    sealed
        .entries
        .iter()
        .map(|e| format!("{}  {}\n", e.sha256, e.name))
        .collect()
}

pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    // The rename is durable only once the folder holding it is synced.
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(parent)?.sync_all()?;
    }
    Ok(())
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verification {
    pub checked: usize,
    pub altered: Vec<String>,
    pub missing: Vec<String>,
    pub added: Vec<String>,
    /// Entries verification will not follow: a listed path leaving the bundle (`..`, absolute),
    /// or anything in the folder that is not a regular file.
    pub refused: Vec<String>,
    /// The bundle carries a signature file (checked only against a key the caller trusts).
    pub signed: bool,
    /// The manifest does not match its recorded digest.
    pub manifest_altered: bool,
    pub signature: SignatureCheck,
    /// The seal checked (number, state); none for a bundle from before seals.
    pub seal: Option<(u64, seal::State)>,
    /// A seal that was being written when the writer stopped, whose files were accepted too.
    pub in_progress: Option<u64>,
    /// Files appended to after a `running` seal, their sealed part intact.
    pub grown: Vec<String>,
    /// Files created after a `running` seal: no seal covers them.
    pub unsealed: Vec<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub enum SignatureCheck {
    #[default]
    NotAsked,
    Valid,
    Invalid(String),
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.altered.is_empty()
            && self.missing.is_empty()
            && self.added.is_empty()
            && self.refused.is_empty()
            && !self.manifest_altered
            && !matches!(self.signature, SignatureCheck::Invalid(_))
    }
}

pub fn verify(dir: &Path, trusted: Option<&VerifyingKey>) -> Result<Verification, Error> {
    if let Ok(text) = std::fs::read_to_string(dir.join(seal::SEAL)) {
        let sealed =
            Seal::parse(&text).ok_or_else(|| Error::Input(format!("{}: malformed", seal::SEAL)))?;
        return verify_sealed(dir, &sealed, trusted);
    }
    let manifest = std::fs::read_to_string(dir.join(MANIFEST))
        .map_err(|e| Error::unreadable(&dir.join(MANIFEST), e))?;
    let mut v = Verification::default();
    let recorded = std::fs::read_to_string(dir.join(DIGEST)).unwrap_or_default();
    v.manifest_altered =
        recorded.split_whitespace().next() != Some(sha256_hex(manifest.as_bytes()).as_str());
    let mut listed = Vec::new();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, name) = line
            .split_once("  ")
            .ok_or_else(|| Error::Input(format!("{MANIFEST}: malformed line {line:?}")))?;
        listed.push(name.to_string());
        v.checked += 1;
        if !inside(name) {
            v.refused
                .push(format!("{name} (a listed path that leaves the bundle)"));
            continue;
        }
        let path = dir.join(name);
        match std::fs::symlink_metadata(&path) {
            Err(_) => v.missing.push(name.to_string()),
            Ok(m) if m.is_dir() => v.missing.push(name.to_string()),
            // Read only once it is known to be a regular file: a FIFO would hang the read. The
            // folder listing below refuses it.
            Ok(m) if !m.file_type().is_file() => {}
            Ok(_) => match file_sha256(&path) {
                Ok(h) if h == hash => {}
                Ok(_) => v.altered.push(name.to_string()),
                Err(_) => v.missing.push(name.to_string()),
            },
        }
    }
    let (present, other) = entries(dir).map_err(|e| Error::unreadable(dir, e))?;
    v.added = present
        .into_iter()
        .filter(|f| !listed.contains(f))
        .collect();
    v.refused.extend(
        other
            .into_iter()
            .map(|f| format!("{f} (not a regular file: a symlink, FIFO, socket or device)")),
    );
    v.signed = dir.join(SIGNATURE).is_file();
    if let Some(key) = trusted {
        v.signature = check_signature(dir, &manifest, key);
    }
    Ok(v)
}

/// Checks the folder against its seal. While the seal says the run was still running, a file
/// that only grew, or was created after it, is reported as such; once the run ended, either is
/// a change. A file may also match the seal that was being written when the writer stopped.
fn verify_sealed(
    dir: &Path,
    sealed: &Seal,
    trusted: Option<&VerifyingKey>,
) -> Result<Verification, Error> {
    let mut v = Verification {
        seal: Some((sealed.number, sealed.state)),
        signed: sealed.signed(),
        ..Default::default()
    };
    let next = std::fs::read_to_string(dir.join(seal::NEXT))
        .ok()
        .and_then(|t| Seal::parse(&t))
        .filter(|n| n.number == sealed.number + 1)
        .filter(|n| trusted.is_none_or(|k| n.signature_valid(k).is_ok()));
    v.in_progress = next.as_ref().map(|n| n.number);
    // manifest.sha256 is the seal's sha256sum view, written just before the seal takes its
    // place: it matches the seal, or the one in progress.
    let view = std::fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default();
    v.manifest_altered =
        view != sha256sum_view(sealed) && next.as_ref().is_none_or(|n| view != sha256sum_view(n));
    let running = sealed.state == seal::State::Running;
    for e in &sealed.entries {
        v.checked += 1;
        if !inside(&e.name) {
            v.refused
                .push(format!("{} (a listed path that leaves the bundle)", e.name));
            continue;
        }
        let path = dir.join(&e.name);
        match std::fs::symlink_metadata(&path) {
            Err(_) => v.missing.push(e.name.clone()),
            Ok(m) if m.is_dir() => v.missing.push(e.name.clone()),
            Ok(m) if !m.file_type().is_file() => {}
            Ok(_) => {
                let against_next = || {
                    let n = next.as_ref()?.entry(&e.name)?;
                    seal::compare(&path, n).ok()
                };
                match seal::compare(&path, e) {
                    Ok(Match::Exact) => {}
                    Ok(Match::Grown) if running => v.grown.push(e.name.clone()),
                    Err(_) => v.missing.push(e.name.clone()),
                    Ok(_) => match against_next() {
                        Some(Match::Exact) => {}
                        Some(Match::Grown) if running => v.grown.push(e.name.clone()),
                        _ => v.altered.push(e.name.clone()),
                    },
                }
            }
        }
    }
    let (present, other) = entries(dir).map_err(|e| Error::unreadable(dir, e))?;
    for f in present {
        if sealed.entry(&f).is_some() || next.as_ref().is_some_and(|n| n.entry(&f).is_some()) {
            continue;
        }
        match running {
            true => v.unsealed.push(f),
            false => v.added.push(f),
        }
    }
    v.refused.extend(
        other
            .into_iter()
            .map(|f| format!("{f} (not a regular file: a symlink, FIFO, socket or device)")),
    );
    if let Some(key) = trusted {
        v.signature = match sealed.signature_valid(key) {
            Ok(()) => SignatureCheck::Valid,
            Err(why) => SignatureCheck::Invalid(why),
        };
    }
    Ok(v)
}

/// A manifest name that stays inside the bundle: relative, no `..`, no `.` tricks.
fn inside(name: &str) -> bool {
    use std::path::Component;
    !name.is_empty()
        && Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn check_signature(dir: &Path, manifest: &str, key: &VerifyingKey) -> SignatureCheck {
    let Ok(text) = std::fs::read_to_string(dir.join(SIGNATURE)) else {
        return SignatureCheck::Invalid(format!("no {SIGNATURE} in the bundle"));
    };
    let parts: Vec<&str> = text.split_whitespace().collect();
    let Some(sig) = parts
        .get(2)
        .and_then(|s| unhex(s))
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return SignatureCheck::Invalid(format!("{SIGNATURE} is malformed"));
    };
    match key.verify(manifest.as_bytes(), &Signature::from_bytes(&sig)) {
        Ok(()) => SignatureCheck::Valid,
        Err(_) => SignatureCheck::Invalid(
            "the signature does not match the manifest and the given public key".into(),
        ),
    }
}

#[cfg(test)]
#[path = "manifest_tests.rs"]
mod tests;
