//! The simulated unit's firmware: behaviour as data, with fault switches.

use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Firmware {
    pub model: String,
    pub version: String,
    #[serde(with = "millis")]
    pub boot_delay: Duration,
    #[serde(with = "millis")]
    pub long_press: Duration,
    /// The admin API refuses logins for `lockout_for` after this many consecutive failures.
    pub lockout_after: u32,
    #[serde(with = "millis")]
    pub lockout_for: Duration,
    pub http_port: u16,
    pub telnet_port: u16,
    pub debug_port: u16,
    pub ssh_port: u16,
    pub admin_username: String,
    /// The app's viewer account, whose password the user sets at onboarding.
    pub viewer_username: String,
    pub universal_account: Account,
    pub shared_password: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub username: String,
    pub password: String,
}

/// Each fault seeds exactly one non-conformity; the README of this crate lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    UniversalPasswordAfterReset,
    SamePassword,
    MacDerivedPassword,
    SequentialPasswords,
    SerialDerivedPassword,
    WeakPassword,
    UndeclaredPort,
    TelnetEnabled,
    UndeclaredSsh,
    UserDefinedNotEnforced,
    NoLockout,
    PermanentLockout,
    FormOkOnFailure,
}

impl Fault {
    pub const ALL: [(&'static str, Fault); 13] = [
        (
            "universal-password-after-reset",
            Fault::UniversalPasswordAfterReset,
        ),
        ("same-password", Fault::SamePassword),
        ("mac-derived-password", Fault::MacDerivedPassword),
        ("sequential-passwords", Fault::SequentialPasswords),
        ("serial-derived-password", Fault::SerialDerivedPassword),
        ("weak-password", Fault::WeakPassword),
        ("undeclared-port", Fault::UndeclaredPort),
        ("telnet-enabled", Fault::TelnetEnabled),
        ("undeclared-ssh", Fault::UndeclaredSsh),
        ("user-defined-not-enforced", Fault::UserDefinedNotEnforced),
        ("no-lockout", Fault::NoLockout),
        ("permanent-lockout", Fault::PermanentLockout),
        ("form-200-on-failure", Fault::FormOkOnFailure),
    ];

    pub fn parse(name: &str) -> Option<Fault> {
        Fault::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
}

mod millis {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        let (n, scale) = if let Some(n) = s.strip_suffix("ms") {
            (n, 1)
        } else if let Some(n) = s.strip_suffix('s') {
            (n, 1000)
        } else {
            return Err(serde::de::Error::custom(
                "expected a duration like 300ms or 20s",
            ));
        };
        let n: u64 = n.trim().parse().map_err(serde::de::Error::custom)?;
        Ok(Duration::from_millis(n * scale))
    }
}
