//! The lab's ed25519 key pair for signing manifests: hex text files, the secret one readable
//! only by its owner.

use super::error::Error;
use crate::util::hash::{hex, unhex};
use ed25519_dalek::{SigningKey, VerifyingKey};
use std::io::Read;
use std::path::{Path, PathBuf};

pub fn generate(secret_path: &Path) -> Result<PathBuf, Error> {
    if secret_path.exists() {
        return Err(Error::Input(format!(
            "{} exists; hilt does not overwrite keys",
            secret_path.display()
        )));
    }
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(|e| Error::Internal(format!("/dev/urandom: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    write_private(secret_path, &format!("{}\n", hex(&seed)))?;
    let public = PathBuf::from(format!("{}.pub", secret_path.display()));
    std::fs::write(
        &public,
        format!("{}\n", hex(&key.verifying_key().to_bytes())),
    )
    .map_err(|e| Error::unwritable(&public, e))?;
    Ok(public)
}

fn write_private(path: &Path, text: &str) -> Result<(), Error> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::unwritable(path, e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| Error::unwritable(path, e))
}

pub fn load_secret(path: &Path) -> Result<SigningKey, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::unreadable(path, e))?;
    let bytes: [u8; 32] = unhex(&text)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            Error::unreadable(
                path,
                "expected 64 hex digits (an ed25519 secret key from `hilt keygen`)",
            )
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}

pub fn load_public(path: &Path) -> Result<VerifyingKey, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::unreadable(path, e))?;
    let bytes: [u8; 32] = unhex(&text)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            Error::unreadable(
                path,
                "expected 64 hex digits (an ed25519 public key from `hilt keygen`)",
            )
        })?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|e| Error::unreadable(path, format_args!("not a valid ed25519 public key: {e}")))
}
