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
    /// Plain HTTP: the UPnP description and a redirect to `https_port`.
    pub http_port: u16,
    /// The admin API, over TLS.
    pub https_port: u16,
    pub telnet_port: u16,
    pub debug_port: u16,
    pub ssh_port: u16,
    pub admin_username: String,
    /// The app's viewer account, whose password the user sets at onboarding.
    pub viewer_username: String,
    pub universal_account: Account,
    pub shared_password: String,
    /// Anti-rollback counter of the shipped firmware.
    pub security_counter: u32,
    /// The vendor's ed25519 update-signing public key, hex.
    pub update_public_key: String,
}

impl Firmware {
    pub fn update_key(&self) -> Result<[u8; 32], String> {
        let hex = self.update_public_key.trim();
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect();
        bytes
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| "update_public_key is not 32 bytes of hex".to_string())
    }
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
    DefaultLabelPassword,
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
    UnsignedUpdateAccepted,
    AnySigningKey,
    ModelNotChecked,
    RollbackAllowed,
    TruncatedBricks,
    InterruptedBricks,
    UndeclaredUpdatePath,
    UpdatePathBroken,
    UndeclaredUdp,
    VersionInHttpHeader,
    SerialInSsdpDescription,
    CredentialsOverPlainHttp,
    Tls10Accepted,
    WeakCertificateKey,
    SharedCertificateKey,
    SharedSshHostKey,
    ClientTls10,
    VersionInMdnsTxt,
    SwdReadable,
    IdenticalPrivateKey,
    UartRootShell,
    UartVendorCli,
    BootloaderMenu,
    SecondUartConsole,
    SingleSession,
    LockoutAfterThree,
    AdminAreaBasicAuth,
    ResetKeepsPasswords,
    SilentLockout,
    ShortLockout,
    ViewerForcedChange,
    BasicAuthAtRoot,
    UndeclaredPortIpv6,
    PhoneHomeTls12,
    PasswordChangeKeepsOld,
    PasswordChangeLostAtReboot,
    PasswordChangeWithoutCurrent,
    SettingsWithoutAuthentication,
    SettingsTokenNotChecked,
    SettingsAnyAccount,
    ResetKeepsSettings,
    SettingsBackupSurvivesReset,
    LocalControlNeedsCloud,
    NeverReconnects,
    SettingsLostAtPowerCut,
    LoginOverflowCrashesHttpd,
    PingCommandInjection,
    PingErrorShowsTraceback,
}

impl Fault {
    pub const ALL: [(&'static str, Fault); 62] = [
        (
            "universal-password-after-reset",
            Fault::UniversalPasswordAfterReset,
        ),
        ("same-password", Fault::SamePassword),
        ("reset-keeps-passwords", Fault::ResetKeepsPasswords),
        ("default-label-password", Fault::DefaultLabelPassword),
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
        (
            "update-signature-not-checked",
            Fault::UnsignedUpdateAccepted,
        ),
        ("update-any-signing-key", Fault::AnySigningKey),
        ("update-model-not-checked", Fault::ModelNotChecked),
        ("update-rollback-allowed", Fault::RollbackAllowed),
        ("update-truncated-bricks", Fault::TruncatedBricks),
        ("update-interrupted-bricks", Fault::InterruptedBricks),
        ("undeclared-update-path", Fault::UndeclaredUpdatePath),
        ("update-path-broken", Fault::UpdatePathBroken),
        ("undeclared-udp", Fault::UndeclaredUdp),
        ("version-in-http-header", Fault::VersionInHttpHeader),
        ("serial-in-ssdp-description", Fault::SerialInSsdpDescription),
        (
            "credentials-over-plain-http",
            Fault::CredentialsOverPlainHttp,
        ),
        ("tls-1.0-accepted", Fault::Tls10Accepted),
        ("weak-certificate-key", Fault::WeakCertificateKey),
        ("shared-certificate-key", Fault::SharedCertificateKey),
        ("shared-ssh-host-key", Fault::SharedSshHostKey),
        ("password-change-keeps-old", Fault::PasswordChangeKeepsOld),
        (
            "password-change-lost-at-reboot",
            Fault::PasswordChangeLostAtReboot,
        ),
        (
            "password-change-without-current",
            Fault::PasswordChangeWithoutCurrent,
        ),
        (
            "settings-without-authentication",
            Fault::SettingsWithoutAuthentication,
        ),
        ("settings-token-not-checked", Fault::SettingsTokenNotChecked),
        ("settings-any-account", Fault::SettingsAnyAccount),
        ("reset-keeps-settings", Fault::ResetKeepsSettings),
        (
            "settings-backup-survives-reset",
            Fault::SettingsBackupSurvivesReset,
        ),
        ("local-control-needs-cloud", Fault::LocalControlNeedsCloud),
        ("never-reconnects", Fault::NeverReconnects),
        ("settings-lost-at-power-cut", Fault::SettingsLostAtPowerCut),
        (
            "login-overflow-crashes-httpd",
            Fault::LoginOverflowCrashesHttpd,
        ),
        ("ping-command-injection", Fault::PingCommandInjection),
        ("ping-error-shows-traceback", Fault::PingErrorShowsTraceback),
        ("client-tls-1.0", Fault::ClientTls10),
        ("version-in-mdns-txt", Fault::VersionInMdnsTxt),
        ("swd-readable", Fault::SwdReadable),
        ("identical-private-key", Fault::IdenticalPrivateKey),
        ("uart-root-shell", Fault::UartRootShell),
        ("uart-vendor-cli", Fault::UartVendorCli),
        ("bootloader-menu", Fault::BootloaderMenu),
        ("second-uart-console", Fault::SecondUartConsole),
        ("single-session", Fault::SingleSession),
        ("lockout-after-three", Fault::LockoutAfterThree),
        ("admin-area-basic-auth", Fault::AdminAreaBasicAuth),
        ("silent-lockout", Fault::SilentLockout),
        ("short-lockout", Fault::ShortLockout),
        ("viewer-forced-change", Fault::ViewerForcedChange),
        ("basic-auth-at-root", Fault::BasicAuthAtRoot),
        ("undeclared-port-ipv6", Fault::UndeclaredPortIpv6),
        ("phone-home-tls-1.2", Fault::PhoneHomeTls12),
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
