//! IXIT 10-SecParam: the product's security parameters and how each reaches a unit. 5.4-3-2
//! judges every secret its scan finds in a unit's memory against these declarations.

use serde::Deserialize;

/// One IXIT 10 entry.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityParameter {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// A critical security parameter, or a public one (a certificate, a public key).
    pub critical: bool,
    /// What the parameter is, as a scan of the unit's software would find it.
    pub kind: ParameterKind,
    /// IXIT 10's "Provisioning Mechanism": how the parameter reaches each unit.
    pub provisioning: Provisioning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ParameterKind {
    /// An asymmetric private key (PEM, DER, OpenSSH).
    PrivateKey,
    /// A password, token or API key written into the software or its configuration.
    Credential,
    /// Anything else (a symmetric key, a seed); no scan finding is matched against it.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Provisioning {
    /// Made by the unit itself (first boot, factory reset).
    GeneratedOnDevice,
    /// Made for each unit and written to it during manufacture.
    PerDevice,
    /// Entered by the user (set-up, a QR code on the unit).
    UserEntered,
    /// The same value in every unit running the software. 5.4-3-1 b asks that such a parameter
    /// is not used in operation.
    HardCoded,
}

impl Provisioning {
    /// Different in every unit, if applied as declared.
    pub fn is_per_unit(self) -> bool {
        !matches!(self, Provisioning::HardCoded)
    }
}
