//! Private keys that are published as test vectors and protect nothing: a firmware image holding
//! one has not hard-coded a secret. Recognised by the SHA-256 of the whole DER key, so a vendor
//! key that merely looks alike is still a finding.

use crate::util::hash::sha256_hex;

/// (SHA-256 of the DER key, where it is published).
const TEST_VECTORS: [(&str, &str); 2] = [
    // Linux crypto/testmgr.h, the RSA-2048 keys of the self-tests every kernel with the crypto
    // manager carries (seen in Debian's 6.1 arm64 Image, next to `cryptomgr.notests`).
    (
        "0c8ca6c33a0a1f647fecfd77acc40f390b6213aacd61b5ce741e579f7cfd39af",
        "Linux kernel crypto self-test (testmgr.h) RSA-2048 key",
    ),
    (
        "d7a2ac395c1b85ddd188fc0223da17981b43099386e5bcc6da74cd5f152aaa2f",
        "Linux kernel crypto self-test (testmgr.h) RSA-2048 key",
    ),
];

/// Where `der` is published, when it is a known test vector.
pub(super) fn test_vector(der: &[u8]) -> Option<&'static str> {
    lookup(der, &TEST_VECTORS)
}

fn lookup(der: &[u8], table: &[(&str, &'static str)]) -> Option<&'static str> {
    let digest = sha256_hex(der);
    table
        .iter()
        .find(|(known, _)| *known == digest)
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_whole_key_with_the_listed_digest_is_a_test_vector() {
        let key = b"0\x82\x01\x00 a key published for tests".to_vec();
        let digest = sha256_hex(&key);
        let table = [(digest.as_str(), "a test vector")];
        assert_eq!(lookup(&key, &table), Some("a test vector"));
        let mut changed = key.clone();
        changed[10] ^= 1;
        assert_eq!(lookup(&changed, &table), None);
        assert_eq!(lookup(&key[..key.len() - 1], &table), None);
        assert_eq!(test_vector(&key), None);
    }
}
