//! The universal credential corpus at a UART login prompt the profile does not declare: not needed
//! for the verdict (the prompt alone fails 5.6-4-2), but it shows what the port gives an attacker
//! with a standard cable. A declared console login is 5.1-1-2's to test.

use super::CaseContext;
use crate::config::located::Located;
use crate::config::pattern::Pattern;
use crate::config::profile::{Profile, PromptLogin};
use crate::corpus::{self, Credential};
use crate::login::{CredentialTrial, LoginOutcome};
use std::time::Duration;

pub struct CorpusAtPrompt {
    /// Citations of the corpus entries that logged in (never the passwords).
    pub accepted: Vec<String>,
    pub tried: usize,
    /// Why the corpus was stopped or not tried, when it was.
    pub note: Option<String>,
}

pub async fn try_corpus(
    ctx: &CaseContext<'_>,
    files: &[Located<String>],
    trial: &dyn CredentialTrial,
) -> CorpusAtPrompt {
    let mut out = CorpusAtPrompt {
        accepted: vec![],
        tried: 0,
        note: None,
    };
    if files.is_empty() {
        out.note = Some("the suite gives 5.6-4-2 no credential corpus to try".into());
        return out;
    }
    let creds: Vec<Credential> =
        match corpus::load_all(files.iter().map(|f| ctx.config.suite.path_of(&f.value))) {
            Ok(c) => c,
            Err(e) => {
                out.note = Some(format!("credential corpus: {e}"));
                return out;
            }
        };
    // Without a refused random password, an "accepted" could be a misread answer.
    let control_user = creds.first().map(|c| c.username.as_str()).unwrap_or("root");
    let control = trial
        .try_login(control_user, &crate::util::token::fresh())
        .await;
    if control != LoginOutcome::Rejected {
        out.note = Some(format!(
            "corpus not tried: a random password for `{control_user}` was {control}"
        ));
        return out;
    }
    for cred in &creds {
        if let Some(reason) = ctx.sample.broken_reason() {
            out.note = Some(reason);
            break;
        }
        let outcome = trial.try_login(&cred.username, &cred.password).await;
        out.tried += 1;
        match outcome {
            LoginOutcome::Accepted | LoginOutcome::ForcedChange => out.accepted.push(format!(
                "{} (user `{}`)",
                cred.citation,
                crate::evidence::printable(cred.username.as_bytes())
            )),
            LoginOutcome::Rejected => {}
            other => {
                out.note = Some(format!(
                    "corpus stopped after {} attempt(s): {other}",
                    out.tried
                ));
                break;
            }
        }
    }
    out
}

/// The profile's console dialect, or how a typical embedded Linux console asks.
pub fn dialect(profile: &Profile) -> PromptLogin {
    match &profile.body.console {
        Some(c) => c.login.clone(),
        None => generic_dialect(),
    }
}

fn generic_dialect() -> PromptLogin {
    let p = |s: &str| Pattern::new(s).expect("built-in pattern compiles");
    PromptLogin {
        login_prompt: p(r"(?i)(login|username): ?$"),
        password_prompt: p(r"(?i)password: ?$"),
        success: p(r"[#$] ?$"),
        failure: p(r"(?i)(incorrect|invalid|denied|failed|wrong)"),
        locked: None,
        forced_change: None,
        logout: Some("exit\r\n".into()),
        within: crate::config::duration::Dur(Duration::from_secs(5)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generic_dialect_reads_a_busybox_console() {
        let d = generic_dialect();
        assert!(d.login_prompt.regex.is_match(b"\r\nVC-100 login: "));
        assert!(d.password_prompt.regex.is_match(b"Password: "));
        assert!(d.success.regex.is_match(b"BusyBox v1.36.1\r\nvc-100# "));
        assert!(d.failure.regex.is_match(b"\r\nLogin incorrect\r\n"));
        assert!(!d.success.regex.is_match(b"\r\nLogin incorrect\r\nlogin: "));
    }
}
