//! The VC firmware image ("VCFW") and how the unit judges one before installing it.
//!
//! Layout (all little-endian):
//!   0..4    magic "VCFW"
//!   4..8    format revision (1)
//!   8..24   firmware version, ASCII, NUL-padded
//!   24..40  model, ASCII, NUL-padded
//!   40..44  security counter: the unit refuses an image below the counter it runs
//!   44..48  payload length
//!   48..80  ed25519 public key of the signer
//!   80..96  reserved
//!   96..    payload, then a 64-byte ed25519 signature over header + payload

use crate::firmware::Fault;
use crate::unit::Unit;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::Digest;

pub const HEADER: usize = 96;
pub const SIGNATURE: usize = 64;
pub const MAGIC: &[u8; 4] = b"VCFW";

/// What the unit runs; survives power cycles and factory resets.
#[derive(Debug, Clone)]
pub struct Installed {
    pub version: String,
    pub counter: u32,
    /// The only firmware slot was left half-written: the unit cannot boot.
    pub bricked: bool,
}

pub struct Header {
    pub version: String,
    pub model: String,
    pub counter: u32,
    pub payload_len: usize,
    pub signer: [u8; 32],
}

fn text(field: &[u8]) -> String {
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

pub fn header(image: &[u8]) -> Result<Header, String> {
    if image.len() < HEADER || &image[..4] != MAGIC {
        return Err("not a VCFW image".into());
    }
    let mut signer = [0u8; 32];
    signer.copy_from_slice(&image[48..80]);
    Ok(Header {
        version: text(&image[8..24]),
        model: text(&image[24..40]),
        counter: u32_at(image, 40),
        payload_len: u32_at(image, 44) as usize,
        signer,
    })
}

/// Whether the image is whole: header, the payload its header announces, and a signature.
pub fn complete(image: &[u8]) -> bool {
    header(image).is_ok_and(|h| image.len() == HEADER + h.payload_len + SIGNATURE)
}

/// XMODEM pads the last block: cut the image back to the length its header announces.
pub fn without_padding(mut image: Vec<u8>) -> Vec<u8> {
    if let Ok(h) = header(&image) {
        let whole = HEADER + h.payload_len + SIGNATURE;
        if image.len() > whole {
            image.truncate(whole);
        }
    }
    image
}

/// The unit's checks, in the order its updater runs them; each fault skips exactly one.
pub fn judge(unit: &Unit, image: &[u8], running_counter: u32) -> Result<Header, String> {
    let h = header(image)?;
    if !complete(image) {
        return Err(format!(
            "image is {} bytes, its header announces {}",
            image.len(),
            HEADER + h.payload_len + SIGNATURE
        ));
    }
    let signed = &image[..HEADER + h.payload_len];
    let signature = &image[HEADER + h.payload_len..];
    if !unit.has(Fault::UnsignedUpdateAccepted) {
        let trusted = if unit.has(Fault::AnySigningKey) {
            // Trusts whichever key the image names.
            h.signer
        } else {
            unit.fw.update_key()?
        };
        let key = VerifyingKey::from_bytes(&trusted).map_err(|_| "bad signer key".to_string())?;
        let sig = Signature::from_slice(signature).map_err(|_| "bad signature".to_string())?;
        key.verify(signed, &sig)
            .map_err(|_| "signature does not verify".to_string())?;
    }
    if h.model != unit.fw.model && !unit.has(Fault::ModelNotChecked) {
        return Err(format!("image is for model {}", h.model));
    }
    if h.counter < running_counter && !unit.has(Fault::RollbackAllowed) {
        return Err(format!(
            "security counter {} is below the running {}",
            h.counter, running_counter
        ));
    }
    Ok(h)
}

/// The vendor's signing key for the simulated product line, derived from a name so the sample
/// images in the repository can be rebuilt bit for bit.
pub fn vendor_key(seed: &str) -> SigningKey {
    let digest = sha2::Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&digest);
    SigningKey::from_bytes(&bytes)
}

/// A signed image: `hilt-simdevice make-image` writes the lab's sample images with it.
pub fn make_image(
    key: &SigningKey,
    model: &str,
    version: &str,
    counter: u32,
    payload_len: usize,
) -> Vec<u8> {
    let mut image = vec![0u8; HEADER];
    image[..4].copy_from_slice(MAGIC);
    image[4..8].copy_from_slice(&1u32.to_le_bytes());
    put_text(&mut image[8..24], version);
    put_text(&mut image[24..40], model);
    image[40..44].copy_from_slice(&counter.to_le_bytes());
    image[44..48].copy_from_slice(&(payload_len as u32).to_le_bytes());
    image[48..80].copy_from_slice(key.verifying_key().as_bytes());
    // A payload that looks like a compressed file system: deterministic noise.
    let mut state = sha2::Sha256::digest(format!("{model} {version}").as_bytes()).to_vec();
    while image.len() < HEADER + payload_len {
        state = sha2::Sha256::digest(&state).to_vec();
        let room = HEADER + payload_len - image.len();
        image.extend_from_slice(&state[..room.min(32)]);
    }
    let signature = key.sign(&image);
    image.extend_from_slice(&signature.to_bytes());
    image
}

fn put_text(field: &mut [u8], value: &str) {
    let b = value.as_bytes();
    let n = b.len().min(field.len());
    field[..n].copy_from_slice(&b[..n]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_image_is_complete_and_names_its_fields() {
        let key = vendor_key("test");
        let image = make_image(&key, "VC-100", "1.5.0", 3, 1000);
        assert!(complete(&image));
        let h = header(&image).unwrap();
        assert_eq!(
            (h.model.as_str(), h.version.as_str(), h.counter),
            ("VC-100", "1.5.0", 3)
        );
        assert!(!complete(&image[..image.len() - 1]));
    }
}
