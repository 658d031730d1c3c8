//! Made-up tokens: onboarding passwords, multipart boundaries, nonces, random paths.

/// 16 characters over [A-Za-z0-9] from the OS generator, with every class present.
pub fn fresh() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0u8; 16];
    loop {
        super::random::fill(&mut bytes);
        let pw: String = bytes
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        if pw.chars().any(|c| c.is_ascii_uppercase())
            && pw.chars().any(|c| c.is_ascii_lowercase())
            && pw.chars().any(|c| c.is_ascii_digit())
        {
            return pw;
        }
    }
}
