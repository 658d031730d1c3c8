//! What the run knows of a unit as it goes: the label's values, the credential in force, the
//! version it runs, what the profile's procedures captured. A profile reads and writes these by
//! name (`{password}` in a procedure); hilt's own code only through the typed keys of `Known`.

use crate::evidence::Redactor;
use crate::util::template::TemplateError;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The values hilt itself reads or writes, with the names a profile uses for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    LabelSerial,
    LabelMac,
    LabelUsername,
    LabelPassword,
    /// The account the unit's logins use now.
    Username,
    /// The password in force now: the label's, then the one set at initialization.
    Password,
    /// The password initialization is to set (a fresh token).
    NewPassword,
    /// What `procedures.read_version` read back last.
    FirmwareVersion,
    /// Where hilt's update server offers the image a pulling unit is to fetch.
    UpdateUrl,
}

impl Known {
    pub const ALL: [Known; 9] = [
        Known::LabelSerial,
        Known::LabelMac,
        Known::LabelUsername,
        Known::LabelPassword,
        Known::Username,
        Known::Password,
        Known::NewPassword,
        Known::FirmwareVersion,
        Known::UpdateUrl,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Known::LabelSerial => "label.serial",
            Known::LabelMac => "label.mac",
            Known::LabelUsername => "label.username",
            Known::LabelPassword => "label.password",
            Known::Username => "username",
            Known::Password => "password",
            Known::NewPassword => "new_password",
            Known::FirmwareVersion => "firmware_version",
            Known::UpdateUrl => "update_url",
        }
    }

    /// Credentials, redacted wherever evidence is written.
    pub const fn secret(self) -> bool {
        matches!(
            self,
            Known::LabelPassword | Known::Password | Known::NewPassword
        )
    }

    pub fn named(name: &str) -> Option<Known> {
        Known::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Values of the run state taken by `RunState::keep`.
pub struct Kept(Vec<(Known, Option<String>)>);

pub struct RunState {
    values: Mutex<BTreeMap<String, String>>,
    redactor: Arc<Redactor>,
}

impl RunState {
    pub fn new(redactor: Arc<Redactor>) -> RunState {
        RunState {
            values: Mutex::default(),
            redactor,
        }
    }

    pub fn get(&self, key: Known) -> Option<String> {
        self.values.lock().unwrap().get(key.name()).cloned()
    }

    pub fn set(&self, key: Known, value: String) {
        self.store(key.name(), value, key.secret());
    }

    /// The values of `keys` now, to put back after steps that change them (a login as another
    /// account, a password being changed).
    pub fn keep(&self, keys: &[Known]) -> Kept {
        Kept(keys.iter().map(|k| (*k, self.get(*k))).collect())
    }

    /// Sets back each kept value that was set.
    pub fn put_back(&self, kept: Kept) {
        for (key, value) in kept.0 {
            if let Some(v) = value {
                self.set(key, v);
            }
        }
    }

    /// A value under a name of the profile's own (a capture, a `set` step). It is treated as a
    /// secret when hilt knows it as one, or, for a name hilt does not know, when the name says
    /// password: redacting too much is the safe side.
    pub fn set_named(&self, name: &str, value: String) {
        let secret = Known::named(name).map_or(name.contains("password"), Known::secret);
        self.store(name, value, secret);
    }

    /// Fills a profile's `{name}` placeholders.
    pub fn fill(&self, text: &str) -> Result<String, TemplateError> {
        crate::util::template::fill(text, &self.values.lock().unwrap())
    }

    fn store(&self, name: &str, value: String, secret: bool) {
        if secret {
            self.redactor.add(&value);
        }
        self.values.lock().unwrap().insert(name.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_by_key_and_by_an_unknown_name_that_says_password() {
        let redactor = Arc::new(Redactor::default());
        let state = RunState::new(redactor.clone());
        state.set(Known::Password, "hunter2-token".into());
        state.set_named("wifi_password", "s3cret-wifi".into());
        state.set_named("firmware_version", "1.2.3".into());
        let text = redactor.redact("hunter2-token s3cret-wifi 1.2.3");
        assert!(!text.contains("hunter2-token") && !text.contains("s3cret-wifi"));
        assert!(text.contains("1.2.3"));
        assert_eq!(state.get(Known::FirmwareVersion).as_deref(), Some("1.2.3"));
        assert_eq!(
            state.fill("{password}@{firmware_version}").unwrap(),
            "hunter2-token@1.2.3"
        );
    }
}
