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
            })
        }
        None => Ok(UnitLabel {
            serial: label.serial.clone().ok_or("label has no serial")?,
            mac: label.mac.clone().ok_or("label has no mac")?,
            username: label.username.clone(),
            password: label.password.clone(),
        }),
    }
}
