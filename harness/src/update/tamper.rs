//! The misuse images of TS 103 701 5.3-2-2, made from the lab's valid images and the declared
//! layout: every tamper is placed by region, so it works on any format the profile describes.

use super::layout::{locate, Regions};
use crate::config::update::ImageLayout;
use ed25519_dalek::{Signer, SigningKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attack {
    PayloadByteFlipped,
    SignatureByteFlipped,
    HeaderByteFlipped,
    SignatureStripped,
    WrongKey,
    OtherModel,
    Rollback,
    Truncated,
}

impl Attack {
    pub const ALL: [Attack; 8] = [
        Attack::PayloadByteFlipped,
        Attack::SignatureByteFlipped,
        Attack::HeaderByteFlipped,
        Attack::Truncated,
        Attack::SignatureStripped,
        Attack::WrongKey,
        Attack::OtherModel,
        Attack::Rollback,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Attack::PayloadByteFlipped => "payload-byte-flipped",
            Attack::SignatureByteFlipped => "signature-byte-flipped",
            Attack::HeaderByteFlipped => "header-byte-flipped",
            Attack::SignatureStripped => "signature-stripped",
            Attack::WrongKey => "signed-with-wrong-key",
            Attack::OtherModel => "image-for-other-model",
            Attack::Rollback => "rollback-to-older-image",
            Attack::Truncated => "truncated-image",
        }
    }
}

/// The bytes to send for an attack, and what was done to them; or why the attack cannot be made.
pub enum Prepared {
    Image { bytes: Vec<u8>, how: String },
    NotPerformed(String),
}

pub struct LabBytes {
    pub valid: Vec<u8>,
    pub older: Option<Vec<u8>>,
    pub other_model: Option<Vec<u8>>,
    pub wrong_key: Option<Vec<u8>>,
}

/// Attacks that only send a lab image or cut the valid one need no layout: a valid image that
/// does not fit the declared layout stops the byte-level attacks only.
pub fn prepare(attack: Attack, layout: &ImageLayout, lab: &LabBytes) -> Prepared {
    let valid = &lab.valid;
    match attack {
        Attack::OtherModel => {
            return lab_image(
                &lab.other_model,
                "the lab supplied no image for another model (update.images.other_model)",
                "validly signed image for another model",
            )
        }
        Attack::Rollback => {
            return lab_image(
                &lab.older,
                "the lab supplied no older image (update.images.older)",
                "older validly signed image",
            )
        }
        Attack::WrongKey => {
            if let Some(bytes) = &lab.wrong_key {
                return Prepared::Image {
                    bytes: bytes.clone(),
                    how: "the lab's image signed with a key the unit must not trust".into(),
                };
            }
        }
        Attack::Truncated => {
            let keep = valid.len() / 2;
            return Prepared::Image {
                bytes: valid[..keep].to_vec(),
                how: format!(
                    "the first {keep} of {} bytes of the valid image",
                    valid.len()
                ),
            };
        }
        _ => {}
    }
    let regions = match locate(layout, valid) {
        Ok(r) => r,
        Err(e) => {
            return Prepared::NotPerformed(format!(
                "the valid image does not fit the declared layout: {e}"
            ))
        }
    };
    match attack {
        Attack::PayloadByteFlipped => flip(valid, &regions, "payload"),
        Attack::SignatureByteFlipped => flip(valid, &regions, "signature"),
        Attack::HeaderByteFlipped => flip(valid, &regions, "header"),
        Attack::SignatureStripped => {
            let r = &regions["signature"];
            let mut bytes = valid[..r.start].to_vec();
            bytes.extend_from_slice(&valid[r.end..]);
            Prepared::Image {
                bytes,
                how: format!(
                    "valid image with the signature (bytes {}..{}) removed",
                    r.start, r.end
                ),
            }
        }
        Attack::WrongKey => resign(valid, &regions, layout),
        Attack::OtherModel | Attack::Rollback | Attack::Truncated => unreachable!("handled above"),
    }
}

/// Whether the attack's bytes are the valid image changed (rather than another lab image).
pub fn derived_from_valid(attack: Attack, lab: &LabBytes) -> bool {
    match attack {
        Attack::OtherModel | Attack::Rollback => false,
        Attack::WrongKey => lab.wrong_key.is_none(),
        _ => true,
    }
}

fn lab_image(image: &Option<Vec<u8>>, missing: &str, how: &str) -> Prepared {
    match image {
        Some(bytes) => Prepared::Image {
            bytes: bytes.clone(),
            how: how.into(),
        },
        None => Prepared::NotPerformed(missing.into()),
    }
}

/// One byte in the middle of a region, all bits inverted: deterministic, so a lab can redo it.
fn flip(valid: &[u8], regions: &Regions, region: &str) -> Prepared {
    let Some(r) = regions.get(region).filter(|r| !r.is_empty()) else {
        return Prepared::NotPerformed(format!(
            "the layout declares no (non-empty) `{region}` region"
        ));
    };
    let at = r.start + (r.end - r.start) / 2;
    let mut bytes = valid.to_vec();
    bytes[at] ^= 0xff;
    let how = format!(
        "valid image with byte {at} ({region} {}..{}) inverted: {:#04x} -> {:#04x}",
        r.start, r.end, valid[at], bytes[at]
    );
    Prepared::Image { bytes, how }
}

/// Signed again with a key hilt made up, naming that key where the format names its signer.
fn resign(valid: &[u8], regions: &Regions, layout: &ImageLayout) -> Prepared {
    let sig = &layout.signature;
    if !sig.scheme.eq_ignore_ascii_case("ed25519") {
        return Prepared::NotPerformed(format!(
            "hilt cannot make `{}` signatures, only ed25519, and the lab supplied no image signed with another key (update.images.wrong_key)",
            sig.scheme
        ));
    }
    let signature_region = &regions["signature"];
    if signature_region.len() != 64 {
        return Prepared::NotPerformed(format!(
            "the signature region is {} bytes; an ed25519 signature is 64",
            signature_region.len()
        ));
    }
    let key = SigningKey::from_bytes(&random_seed());
    let mut bytes = valid.to_vec();
    let mut how = "valid image signed again with a key hilt generated".to_string();
    if let Some(name) = &sig.signer_key {
        let r = &regions[name.as_str()];
        if r.len() != 32 {
            return Prepared::NotPerformed(format!(
                "the signer key region `{name}` is {} bytes; an ed25519 public key is 32",
                r.len()
            ));
        }
        bytes[r.clone()].copy_from_slice(key.verifying_key().as_bytes());
        how.push_str(&format!(", its public key written into `{name}`"));
    }
    let mut message = Vec::new();
    for c in &sig.covers {
        message.extend_from_slice(&bytes[regions[c.as_str()].clone()]);
    }
    bytes[signature_region.clone()].copy_from_slice(&key.sign(&message).to_bytes());
    Prepared::Image { bytes, how }
}

fn random_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    crate::util::random::fill(&mut seed);
    seed
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier};

    fn layout() -> ImageLayout {
        serde_saphyr::from_str(
            "regions:\n  header: { start: 0, length: 48 }\n  key: { start: 16, length: 32 }\n  payload: { start: { after: header }, end: { before: signature } }\n  signature: { start: -64 }\nsignature: { scheme: ed25519, covers: [header, payload], signer_key: key }\n",
        )
        .unwrap()
    }

    fn lab() -> LabBytes {
        LabBytes {
            valid: (0..200u8).collect(),
            older: None,
            other_model: None,
            wrong_key: None,
        }
    }

    fn bytes(p: Prepared) -> Vec<u8> {
        match p {
            Prepared::Image { bytes, .. } => bytes,
            Prepared::NotPerformed(why) => panic!("not performed: {why}"),
        }
    }

    #[test]
    fn flips_land_in_their_region_and_change_one_byte() {
        let lab = lab();
        for (attack, region) in [
            (Attack::PayloadByteFlipped, 48..136),
            (Attack::SignatureByteFlipped, 136..200),
            (Attack::HeaderByteFlipped, 0..48),
        ] {
            let b = bytes(prepare(attack, &layout(), &lab));
            let changed: Vec<usize> = (0..b.len()).filter(|i| b[*i] != lab.valid[*i]).collect();
            assert_eq!(changed.len(), 1);
            assert!(
                region.contains(&changed[0]),
                "{attack:?} changed byte {}",
                changed[0]
            );
        }
    }

    #[test]
    fn wrong_key_signature_verifies_under_the_key_it_names() {
        let b = bytes(prepare(Attack::WrongKey, &layout(), &lab()));
        let key = ed25519_dalek::VerifyingKey::from_bytes(&b[16..48].try_into().unwrap()).unwrap();
        let sig = Signature::from_slice(&b[136..]).unwrap();
        assert!(key.verify(&b[..136], &sig).is_ok());
    }

    #[test]
    fn stripped_and_truncated_images_are_shorter() {
        assert_eq!(
            bytes(prepare(Attack::SignatureStripped, &layout(), &lab())).len(),
            136
        );
        assert_eq!(
            bytes(prepare(Attack::Truncated, &layout(), &lab())).len(),
            100
        );
    }

    #[test]
    fn an_older_image_is_sent_even_when_the_valid_one_misses_the_layout() {
        let lab = LabBytes {
            valid: vec![0; 10],
            older: Some(vec![1; 300]),
            other_model: None,
            wrong_key: None,
        };
        assert_eq!(
            bytes(prepare(Attack::Rollback, &layout(), &lab)),
            vec![1; 300]
        );
        assert!(matches!(
            prepare(Attack::PayloadByteFlipped, &layout(), &lab),
            Prepared::NotPerformed(why) if why.contains("does not fit the declared layout")
        ));
    }

    #[test]
    fn missing_lab_images_and_foreign_schemes_are_reported_not_faked() {
        assert!(matches!(
            prepare(Attack::Rollback, &layout(), &lab()),
            Prepared::NotPerformed(_)
        ));
        let mut cms = layout();
        cms.signature.scheme = "cms".into();
        assert!(matches!(
            prepare(Attack::WrongKey, &cms, &lab()),
            Prepared::NotPerformed(why) if why.contains("update.images.wrong_key")
        ));
    }

    #[test]
    fn the_labs_wrong_key_image_is_sent_as_it_is_for_any_scheme() {
        let mut cms = layout();
        cms.signature.scheme = "cms".into();
        let lab = LabBytes {
            wrong_key: Some(vec![7; 150]),
            ..lab()
        };
        for layout in [layout(), cms] {
            assert_eq!(
                bytes(prepare(Attack::WrongKey, &layout, &lab)),
                vec![7; 150]
            );
        }
    }
}
