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

/// The lab's secret key. Refused when its group or others may read it, as ssh refuses such a key:
/// a signature proves nothing if anyone on the bench could have made it.
pub fn load_secret(path: &Path) -> Result<SigningKey, Error> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| Error::unreadable(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Error::unreadable(
            path,
            format_args!(
                "mode {:o} lets others read the secret key; expected 600 (chmod 600 {})",
                mode & 0o777,
                path.display()
            ),
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_secret_key_others_can_read_is_refused() {
        let dir = std::env::temp_dir().join(format!("hilt-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("lab.key");
        generate(&key).unwrap();
        assert!(load_secret(&key).is_ok());
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
        let e = load_secret(&key).unwrap_err().to_string();
        assert!(e.contains("mode 640 lets others read"), "{e}");
        assert!(load_public(&dir.join("lab.key.pub")).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
