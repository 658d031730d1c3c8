//! Procedures (factory reset, initialization, version read-back) are data: steps over the console,
//! HTTP, power and the reset button, each under a deadline.

use super::duration::Dur;
use super::pattern::Pattern;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Step {
    /// Switch the unit's supply through the rig's power backend.
    Power(PowerStep),
    /// Hold the reset button through the rig's button backend.
    Button(ButtonStep),
    /// Let time pass (a settle time the manual asks for).
    Wait(Dur),
    /// Write text to the console; `{name}` placeholders are filled in.
    ConsoleSend(ConsoleSend),
    /// Wait for console output matching `pattern`.
    ConsoleExpect(ConsoleExpect),
    /// Log in at the console with the profile's prompts and the current credential.
    ConsoleLogin(ConsoleLogin),
    Http(HttpStep),
    /// Set variables for later steps and later cases, e.g. the password in force after onboarding.
    Set(BTreeMap<String, String>),
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PowerAction {
    On,
    Off,
    Cycle,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PowerStep {
    pub action: PowerAction,
    /// For `cycle`: how long the unit stays off.
    #[serde(default = "default_off_time")]
    pub off_for: Dur,
    #[serde(default = "default_actuator_deadline")]
    pub within: Dur,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ButtonStep {
    pub hold: Dur,
    #[serde(default = "default_actuator_deadline")]
    pub within: Dur,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSend {
    pub text: String,
    /// The text holds a secret: the transcript shows it redacted.
    #[serde(default)]
    pub secret: bool,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsoleExpect {
    pub pattern: Pattern,
    pub within: Dur,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsoleLogin {
    pub within: Dur,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpStep {
    /// The declared service (by id) the request goes to.
    pub service: String,
    #[serde(default = "default_method")]
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub json: Option<serde_json::Value>,
    #[serde(default)]
    pub form: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// An `Authorization` header as written, e.g. `"Bearer {token}"` with a token an earlier step
    /// captured; it replaces `basic_auth`.
    #[serde(default)]
    pub authorization: Option<String>,
    /// Statuses that mean the step worked; anything else stops the procedure.
    #[serde(default = "default_ok_statuses")]
    pub expect_status: Vec<u16>,
    /// Variables to take from the response body: name -> regex with one capture group.
    #[serde(default)]
    pub capture: BTreeMap<String, Pattern>,
    pub within: Dur,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

pub fn default_method() -> String {
    "GET".into()
}
fn default_ok_statuses() -> Vec<u16> {
    vec![200]
}
fn default_off_time() -> Dur {
    Dur(std::time::Duration::from_secs(2))
}
fn default_actuator_deadline() -> Dur {
    Dur(std::time::Duration::from_secs(10))
}

impl Step {
    /// Every string a step will fill `{name}` placeholders in, for checking names at load time.
    pub fn templates(&self) -> Vec<&str> {
        match self {
            Step::ConsoleSend(s) => vec![s.text.as_str()],
            Step::Http(h) => {
                let mut t = vec![h.path.as_str()];
                if let Some(b) = &h.basic_auth {
                    t.push(&b.username);
                    t.push(&b.password);
                }
                t.extend(h.authorization.as_deref());
                if let Some(f) = &h.form {
                    t.extend(f.values().map(String::as_str));
                }
                if let Some(j) = &h.json {
                    json_strings(j, &mut t);
                }
                t
            }
            Step::Set(vars) => vars.values().map(String::as_str).collect(),
            _ => vec![],
        }
    }

    /// Variable names this step defines for the steps after it.
    pub fn defines(&self) -> Vec<&str> {
        match self {
            Step::Http(h) => h.capture.keys().map(String::as_str).collect(),
            Step::Set(vars) => vars.keys().map(String::as_str).collect(),
            _ => vec![],
        }
    }
}

pub fn json_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| json_strings(x, out)),
        _ => {}
    }
}
