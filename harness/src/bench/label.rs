//! The unit's label: what the lab reads off the sample (serial, MAC, pre-installed password).

use crate::config::rig::Label;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitLabel {
    pub serial: String,
    pub mac: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub hostname: Option<String>,
    pub ssid: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelFile {
    serial: String,
    mac: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    hostname: Option<String>,
    #[serde(default)]
    ssid: Option<String>,
}

impl UnitLabel {
    /// The label as evidence: every field but the password, which is shown redacted.
    pub fn describe(&self) -> String {
        let field = |k: &str, v: &Option<String>| {
            v.as_ref()
                .map(|v| format!("{k}: {v:?}\n"))
                .unwrap_or_default()
        };
        format!(
            "serial: {:?}\nmac: {:?}\n{}{}{}{}",
            self.serial,
            self.mac,
            field("hostname", &self.hostname),
            field("ssid", &self.ssid),
            field("username", &self.username),
            // Never formatted: an escaped form of it might slip past the redactor.
            match self.password {
                Some(_) => format!("password: {}\n", crate::evidence::REDACTED),
                None => String::new(),
            }
        )
    }
}

/// `file` is already resolved (placeholders filled, relative to the rig).
pub fn read(label: &Label, file: Option<&Path>) -> Result<UnitLabel, String> {
    match file {
        Some(path) => {
            let parsed: LabelFile =
                crate::config::yaml::load(path).map_err(|e| format!("label file: {e}"))?;
            Ok(UnitLabel {
                serial: parsed.serial,
                mac: parsed.mac,
                username: parsed.username,
                password: parsed.password,
                hostname: parsed.hostname,
                ssid: parsed.ssid,
            })
        }
        None => Ok(UnitLabel {
            serial: label.serial.clone().ok_or("label has no serial")?,
            mac: label.mac.clone().ok_or("label has no mac")?,
            username: label.username.clone(),
            password: label.password.clone(),
            hostname: label.hostname.clone(),
            ssid: label.ssid.clone(),
        }),
    }
}
