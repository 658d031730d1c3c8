//! TLS cipher suites by IANA code, with OpenSSL's names: those the legacy probe offers and
//! judges, and those a modern session settles on, so a profile's declared names compare.

/// Suites no server should choose today, by IANA code (RFC 2246, 4346, 4492, 5246 appendices),
/// with OpenSSL's names: RC4, single DES, 3DES, export grade, no encryption, no authentication.
pub const LEGACY_SUITES: &[(u16, &str)] = &[
    (0x0001, "NULL-MD5"),
    (0x0002, "NULL-SHA"),
    (0x0003, "EXP-RC4-MD5"),
    (0x0004, "RC4-MD5"),
    (0x0005, "RC4-SHA"),
    (0x0006, "EXP-RC2-CBC-MD5"),
    (0x0008, "EXP-DES-CBC-SHA"),
    (0x0009, "DES-CBC-SHA"),
    (0x000A, "DES-CBC3-SHA"),
    (0x0011, "EXP-EDH-DSS-DES-CBC-SHA"),
    (0x0012, "EDH-DSS-DES-CBC-SHA"),
    (0x0013, "EDH-DSS-DES-CBC3-SHA"),
    (0x0014, "EXP-EDH-RSA-DES-CBC-SHA"),
    (0x0015, "EDH-RSA-DES-CBC-SHA"),
    (0x0016, "EDH-RSA-DES-CBC3-SHA"),
    (0x0017, "EXP-ADH-RC4-MD5"),
    (0x0018, "ADH-RC4-MD5"),
    (0x001A, "ADH-DES-CBC-SHA"),
    (0x001B, "ADH-DES-CBC3-SHA"),
    (0x0034, "ADH-AES128-SHA"),
    (0x003A, "ADH-AES256-SHA"),
    (0x003B, "NULL-SHA256"),
    (0xC001, "ECDH-ECDSA-NULL-SHA"),
    (0xC002, "ECDH-ECDSA-RC4-SHA"),
    (0xC003, "ECDH-ECDSA-DES-CBC3-SHA"),
    (0xC006, "ECDHE-ECDSA-NULL-SHA"),
    (0xC007, "ECDHE-ECDSA-RC4-SHA"),
    (0xC008, "ECDHE-ECDSA-DES-CBC3-SHA"),
    (0xC00B, "ECDH-RSA-NULL-SHA"),
    (0xC00C, "ECDH-RSA-RC4-SHA"),
    (0xC00D, "ECDH-RSA-DES-CBC3-SHA"),
    (0xC010, "ECDHE-RSA-NULL-SHA"),
    (0xC011, "ECDHE-RSA-RC4-SHA"),
    (0xC012, "ECDHE-RSA-DES-CBC3-SHA"),
    (0xC015, "AECDH-NULL-SHA"),
    (0xC016, "AECDH-RC4-SHA"),
    (0xC017, "AECDH-DES-CBC3-SHA"),
    (0xC018, "AECDH-AES128-SHA"),
    (0xC019, "AECDH-AES256-SHA"),
];

/// CBC suites with SHA-1: still allowed up to TLS 1.2, but what a server falls back to when
/// offered nothing better; listed, not failed.
pub const CBC_SHA1_SUITES: &[(u16, &str)] = &[
    (0x002F, "AES128-SHA"),
    (0x0035, "AES256-SHA"),
    (0x0033, "DHE-RSA-AES128-SHA"),
    (0x0039, "DHE-RSA-AES256-SHA"),
    (0xC009, "ECDHE-ECDSA-AES128-SHA"),
    (0xC00A, "ECDHE-ECDSA-AES256-SHA"),
    (0xC013, "ECDHE-RSA-AES128-SHA"),
    (0xC014, "ECDHE-RSA-AES256-SHA"),
];

pub fn suite_name(code: u16) -> String {
    LEGACY_SUITES
        .iter()
        .chain(CBC_SHA1_SUITES)
        .chain(MODERN_SUITES)
        .find(|(c, _)| *c == code)
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| format!("suite 0x{code:04X}"))
}

/// The suites a current client or server commonly settles on, with OpenSSL's names (as a profile
/// declares them): TLS 1.3's (RFC 8446 B.4) and TLS 1.2's AEAD suites (RFC 5289, 5288, 7905).
const MODERN_SUITES: &[(u16, &str)] = &[
    (0x1301, "TLS_AES_128_GCM_SHA256"),
    (0x1302, "TLS_AES_256_GCM_SHA384"),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
    (0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256"),
    (0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384"),
    (0xC02F, "ECDHE-RSA-AES128-GCM-SHA256"),
    (0xC030, "ECDHE-RSA-AES256-GCM-SHA384"),
    (0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305"),
    (0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305"),
    (0x009E, "DHE-RSA-AES128-GCM-SHA256"),
    (0x009F, "DHE-RSA-AES256-GCM-SHA384"),
    (0x009C, "AES128-GCM-SHA256"),
    (0x009D, "AES256-GCM-SHA384"),
];
