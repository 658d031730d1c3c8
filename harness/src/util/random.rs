//! Unpredictable bytes for what hilt makes up: onboarding passwords, boundaries, a wrong signing
//! key. None of them protects anything of the lab's; they only need to be unguessable by the
//! device and never reused.

use std::io::Read;

pub fn fill(bytes: &mut [u8]) {
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(bytes))
        .is_err()
    {
        // Without the OS generator, mix the clock.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = (t >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(37));
    }
}
