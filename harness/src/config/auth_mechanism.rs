//! IXIT 1 "Authentication Mechanisms": how each login of the product is reached and what the
//! manufacturer declares about its passwords and brute-force prevention.

use super::duration::Dur;
use super::located::Located;
use super::pattern::Pattern;
use super::procedure::default_method;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthMechanism {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// The declared service (by id) this login runs on; absent for the console.
    #[serde(default)]
    pub service: Option<Located<String>>,
    pub factor: AuthFactor,
    /// Account name, may use placeholders such as `{label.username}`.
    pub username: String,
    /// IXIT 1 "Password Generation Mechanism" for pre-installed passwords.
    #[serde(default)]
    pub generation_rule: Option<GenerationRule>,
    /// IXIT 1 "Brute Force Prevention", as the manufacturer declares it.
    #[serde(default)]
    pub brute_force: Option<BruteForcePrevention>,
    /// How many login sessions hilt may hold open at once for the universal-corpus trial
    /// (5.1-1-2); default 4 over the network. A console is one line: always 1. Brute-force
    /// measurements (5.1-5-2) and the controls are always one at a time.
    #[serde(default)]
    pub max_sessions: Option<std::num::NonZeroU8>,
    pub login: LoginSurface,
    /// How a user changes this login's password (EN 303 645 5.1-4), as a procedure: `{password}`
    /// is the value in force and `{new_password}` the one to set; hilt fills both (5.1-4-2).
    #[serde(default)]
    pub change_password: Vec<Located<super::procedure::Step>>,
}

impl AuthMechanism {
    /// Sessions the corpus trial may run side by side on this mechanism.
    pub fn corpus_sessions(&self) -> usize {
        match self.login {
            LoginSurface::Console(_) => 1,
            _ => self
                .max_sessions
                .map_or(DEFAULT_SESSIONS, |n| usize::from(n.get())),
        }
    }
}

/// Well below the unauthenticated-connection limits of common daemons (OpenSSH's MaxStartups
/// starts dropping at 10, dropbear allows 30), so a stock service is not pushed into refusing.
const DEFAULT_SESSIONS: usize = 4;

/// After `after_failures` consecutive wrong credentials the mechanism refuses (or delays) logins
/// for `lockout`; afterwards the right credential works again, unless the lockout is permanent.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BruteForcePrevention {
    pub after_failures: u32,
    pub lockout: Lockout,
    #[serde(default)]
    pub text: String,
}

/// How long a lockout lasts: a duration, or `permanent`, a lock until an administrator or a
/// factory reset lifts it (TS 103 701 5.1-5-1 NOTE 1 lists limited attempts, then lock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lockout {
    For(Dur),
    Permanent,
}

impl Lockout {
    pub fn duration(self) -> Option<std::time::Duration> {
        match self {
            Lockout::For(d) => Some(d.0),
            Lockout::Permanent => None,
        }
    }
}

impl<'de> Deserialize<'de> for Lockout {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim() == "permanent" {
            return Ok(Lockout::Permanent);
        }
        Dur::parse(&s)
            .map(Lockout::For)
            .map_err(|e| serde::de::Error::custom(format!("{e}, or `permanent`")))
    }
}

impl schemars::JsonSchema for Lockout {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Lockout".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let duration = generator.subschema_for::<Dur>();
        schemars::json_schema!({
            "anyOf": [duration, { "const": "permanent" }],
            "description": "how long the lockout lasts, or `permanent`"
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AuthFactor {
    PreInstalledUnique,
    UserDefined,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerationRule {
    #[serde(default)]
    pub min_length: Option<usize>,
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Character classes every password must contain.
    #[serde(default)]
    pub classes: Vec<CharClass>,
    /// The manufacturer states passwords are not derived from the label's public identifiers.
    #[serde(default = "yes")]
    pub independent_of_identifiers: bool,
    #[serde(default)]
    pub text: String,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CharClass {
    Upper,
    Lower,
    Digit,
    Symbol,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum LoginSurface {
    Http(HttpLogin),
    Telnet(PromptLogin),
    Console(PromptLogin),
    Ftp(PlainLogin),
    Rtsp(RtspLogin),
    Mqtt(PlainLogin),
    Ssh(SshLogin),
}

/// A protocol whose login needs nothing but the credential and a deadline (FTP, MQTT).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlainLogin {
    pub within: Dur,
}

/// An SSH password login. SSH lets a client try again on the connection a password failed on,
/// which saves the key exchange; servers close it after their own limit (OpenSSH's
/// `MaxAuthTries` 6, dropbear's 10), so hilt stays below it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SshLogin {
    pub within: Dur,
    /// Wrong passwords hilt tries on one connection before it opens a fresh one; default 3.
    /// A server that closes sooner costs a reconnect, never a wrong answer: the attempt is
    /// made again on a fresh connection.
    #[serde(default)]
    pub attempts_per_connection: Option<std::num::NonZeroU8>,
}

impl SshLogin {
    pub fn per_connection(&self) -> usize {
        self.attempts_per_connection
            .map_or(DEFAULT_SSH_ATTEMPTS, |n| usize::from(n.get()))
    }
}

/// Half of OpenSSH's default `MaxAuthTries`: the server's own limit is never the one met.
const DEFAULT_SSH_ATTEMPTS: usize = 3;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RtspLogin {
    /// The stream path to DESCRIBE, e.g. `/live` or `/Streaming/Channels/101`.
    pub path: String,
    pub within: Dur,
}

/// A login request and how its answer reads: the success, wrong-credential and locked-out
/// answers must be told apart, and anything else is not a login answer at all.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpLogin {
    #[serde(default = "default_method")]
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub json: Option<serde_json::Value>,
    #[serde(default)]
    pub form: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub basic_auth: bool,
    /// HTTP digest authentication (RFC 7616): the first request fetches the challenge.
    #[serde(default)]
    pub digest_auth: bool,
    pub success_status: Vec<u16>,
    /// Optional body marker a success must also show (for APIs that answer 200 on failure).
    #[serde(default)]
    pub success_body: Option<Pattern>,
    pub failure_status: Vec<u16>,
    #[serde(default)]
    pub locked_status: Vec<u16>,
    /// A declared forced-change flow: a status, or a body marker in a success answer, that
    /// shows the credential was accepted only to make the user set a new password.
    #[serde(default)]
    pub forced_change_status: Vec<u16>,
    #[serde(default)]
    pub forced_change_body: Option<Pattern>,
    pub within: Dur,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptLogin {
    pub login_prompt: Pattern,
    pub password_prompt: Pattern,
    /// Shown once logged in (a shell prompt).
    pub success: Pattern,
    pub failure: Pattern,
    #[serde(default)]
    pub locked: Option<Pattern>,
    /// A declared forced-change flow: what the surface shows instead of the success pattern
    /// when the credential is accepted only to set a new one (`New password:`, `expired`).
    #[serde(default)]
    pub forced_change: Option<Pattern>,
    /// Sent after a successful trial login, to leave the surface as it was found.
    #[serde(default)]
    pub logout: Option<String>,
    pub within: Dur,
}
