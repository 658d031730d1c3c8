//! IXIT 27 "User Interfaces" and IXIT 28 "External APIs", each with the validation IXIT 29 says
//! it applies: the inputs 5.13-1-2 feeds unexpected values, besides the logins and configuration
//! functions the profile already declares.

use super::located::Located;
use super::pattern::Pattern;
use super::procedure::Step;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredInput {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// IXIT 29: how the manufacturer says this input is validated (for the report's reader).
    #[serde(default)]
    pub validation: String,
    /// The IXIT 1 mechanism whose account uses the input (the lab holds every user credential);
    /// `{username}` is its account and `{password}` the password in force. Absent: the input is
    /// used without logging in.
    #[serde(default)]
    pub mechanism: Option<Located<String>>,
    /// Steps that open a session (an HTTP login capturing `{token}`, a console login), run once
    /// before the input is used.
    #[serde(default)]
    pub authenticate: Vec<Located<Step>>,
    /// One use of the input with valid values. Every JSON value, form value and query parameter
    /// of its HTTP steps (and a JSON body as a whole), and every argument of its `console_send`
    /// command lines, is a field hilt replaces with unexpected values, one field at a time.
    #[serde(rename = "use")]
    pub use_steps: Vec<Located<Step>>,
    /// For a console input: what the console shows when it waits for the next line (a vendor
    /// menu's prompt). Absent: the console login's `success` pattern, the shell prompt.
    #[serde(default)]
    pub prompt: Option<Pattern>,
}
