//! The evidence bundle's manifest: SHA-256 of every file in a run folder (in `sha256sum` format,
//! so `sha256sum -c` can check it too), the manifest's own digest, and optionally an ed25519
//! signature over the manifest with a key the lab holds.

use super::error::Error;
use crate::util::hash::{file_sha256, hex, sha256_hex, unhex};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "manifest.sha256";
pub const DIGEST: &str = "manifest.sha256.digest";
pub const SIGNATURE: &str = "manifest.sha256.sig";
const OWN_FILES: [&str; 3] = [MANIFEST, DIGEST, SIGNATURE];

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

/// Writes the manifest, its digest and (with a key) its signature; returns the digest.
pub fn write(dir: &Path, key: Option<&SigningKey>) -> std::io::Result<String> {
    let mut text = String::new();
    for f in files(dir)? {
        text.push_str(&format!("{}  {f}\n", file_sha256(&dir.join(&f))?));
    }
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
    Ok(digest)
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
mod tests {
    use super::*;

    fn bundle(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hilt-manifest-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("samples/s1")).unwrap();
        std::fs::write(d.join("junit.xml"), "<testsuites/>").unwrap();
        std::fs::write(d.join("samples/s1/console.log"), "login: ").unwrap();
        d
    }

    #[test]
    fn any_changed_added_or_removed_file_is_reported() {
        let d = bundle("changes");
        write(&d, None).unwrap();
        assert!(verify(&d, None).unwrap().ok());
        std::fs::write(d.join("samples/s1/console.log"), "login:  ").unwrap();
        std::fs::write(d.join("extra.txt"), "x").unwrap();
        std::fs::remove_file(d.join("junit.xml")).unwrap();
        let v = verify(&d, None).unwrap();
        assert_eq!(v.altered, vec!["samples/s1/console.log"]);
        assert_eq!(v.added, vec!["extra.txt"]);
        assert_eq!(v.missing, vec!["junit.xml"]);
        let mut m = std::fs::read_to_string(d.join(MANIFEST)).unwrap();
        m.push('\n');
        std::fs::write(d.join(MANIFEST), m).unwrap();
        assert!(verify(&d, None).unwrap().manifest_altered);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn paths_leaving_the_bundle_and_special_files_are_refused_without_reading_them() {
        let d = bundle("refuse");
        write(&d, None).unwrap();
        let fifo = d.join("samples/s1/pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        std::os::unix::fs::symlink("/etc/hostname", d.join("link")).unwrap();
        let mut m = std::fs::read_to_string(d.join(MANIFEST)).unwrap();
        m.push_str(&format!("{}  ../outside\n", sha256_hex(b"")));
        m.push_str(&format!("{}  /etc/hostname\n", sha256_hex(b"")));
        m.push_str(&format!("{}  samples/s1/pipe\n", sha256_hex(b"")));
        std::fs::write(d.join(MANIFEST), &m).unwrap();
        let v = verify(&d, None).unwrap();
        assert!(!v.ok());
        assert_eq!(v.refused.len(), 4, "{:?}", v.refused);
        assert!(v.refused.iter().any(|r| r.starts_with("../outside")));
        assert!(v.refused.iter().any(|r| r.starts_with("/etc/hostname")));
        assert!(v
            .refused
            .iter()
            .any(|r| r.starts_with("link (not a regular")));
        assert!(v
            .refused
            .iter()
            .any(|r| r.starts_with("samples/s1/pipe (not a regular")));
        assert!(!v.signed);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn signature_checks_against_the_trusted_key_only() {
        let d = bundle("sig");
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let other = SigningKey::from_bytes(&[8u8; 32]);
        write(&d, Some(&key)).unwrap();
        assert!(verify(&d, None).unwrap().signed);
        assert_eq!(
            verify(&d, Some(&key.verifying_key())).unwrap().signature,
            SignatureCheck::Valid
        );
        assert!(matches!(
            verify(&d, Some(&other.verifying_key())).unwrap().signature,
            SignatureCheck::Invalid(_)
        ));
        let _ = std::fs::remove_dir_all(&d);
    }
}
