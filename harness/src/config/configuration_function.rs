//! IXIT 13 "Allows Configuration": the functions through which the unit's security-relevant
//! configuration is changed (enable a service, the network settings, the update server, a new
//! user). 5.5-5-2 replays each one as subjects that must be refused and reads the setting back.

use super::located::Located;
use super::procedure::Step;
use serde::Deserialize;

/// The variable a change sets and a read-back captures.
pub const SETTING: &str = "setting";

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigurationFunction {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// The IXIT 1 mechanism whose account may make the change; its username and the password in
    /// force are `{username}` and `{password}` for an authorised change.
    pub mechanism: Located<String>,
    /// Steps that open a session (e.g. an HTTP login capturing `{token}`), run before `change`
    /// and before `read_back`. Without credentials they are skipped and what they capture is
    /// empty; with wrong ones, what they could not capture is a forged value.
    #[serde(default)]
    pub authenticate: Vec<Located<Step>>,
    /// Steps that set the configuration to `{setting}`. Run without credentials, their HTTP
    /// requests go without `basic_auth` and `authorization`, and console logins are left out.
    pub change: Vec<Located<Step>>,
    /// Steps, run with the authorised account, that capture the value in force as `setting`.
    pub read_back: Vec<Located<Step>>,
    /// The values the setting takes, for a setting that is not free text (e.g. `["on", "off"]`).
    /// Absent: hilt chooses a fresh token for each attempt.
    #[serde(default)]
    pub values: Vec<String>,
    /// An IXIT 1 mechanism whose account has fewer rights than `mechanism`'s: a change made as
    /// that account must be refused too.
    #[serde(default)]
    pub lower_privilege: Option<Located<String>>,
}
