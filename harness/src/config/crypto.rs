//! IXIT 11 cryptographic details of a service's secure channel: what 5.5-1-2 compares the
//! unit's TLS against.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TlsDetails {
    /// Protocol versions the service offers, e.g. `["1.2", "1.3"]`.
    pub versions: Vec<TlsVersion>,
    /// Cipher suites the service may negotiate, by their OpenSSL names; absent: any suite that
    /// is not weak.
    #[serde(default)]
    pub cipher_suites: Option<Vec<String>>,
    /// Smallest size of the certificate's public key in bits (RSA modulus, EC field size).
    #[serde(default)]
    pub min_certificate_key_bits: Option<u32>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, schemars::JsonSchema,
)]
pub enum TlsVersion {
    #[serde(rename = "1.0")]
    Tls10,
    #[serde(rename = "1.1")]
    Tls11,
    #[serde(rename = "1.2")]
    Tls12,
    #[serde(rename = "1.3")]
    Tls13,
}

impl TlsVersion {
    pub const ALL: [TlsVersion; 4] = [
        TlsVersion::Tls10,
        TlsVersion::Tls11,
        TlsVersion::Tls12,
        TlsVersion::Tls13,
    ];

    /// TLS 1.0 and 1.1 are deprecated (RFC 8996): never best practice, declared or not.
    pub fn is_legacy(self) -> bool {
        self < TlsVersion::Tls12
    }
}

impl std::fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TlsVersion::Tls10 => "TLS 1.0",
            TlsVersion::Tls11 => "TLS 1.1",
            TlsVersion::Tls12 => "TLS 1.2",
            TlsVersion::Tls13 => "TLS 1.3",
        })
    }
}
