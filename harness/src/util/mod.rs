//! Leaf helpers every layer may use: encodings, digests, randomness, made-up tokens and
//! `{placeholder}` templates. Nothing here knows a device, a rig or a test case.

pub mod encoding;
pub mod growing_hashes;
pub mod hash;
pub mod random;
pub mod seeded;
pub mod template;
#[cfg(test)]
pub mod test_dir;
pub mod token;
