//! 5.5-5-2's means: a declared configuration function run as a chosen subject, and the
//! authorised read-back that shows what the setting is now.

use super::CaseContext;
use crate::bench::run_state::Known;
use crate::config::configuration_function::{ConfigurationFunction, SETTING};
use crate::config::located::Located;
use crate::config::procedure::Step;
use crate::config::profile::AuthMechanism;
use crate::evidence::EvidenceLog;
use crate::model::verdict::{Blocker, Cause};
use crate::util::token;

/// Who makes a change.
#[derive(Clone, Copy)]
pub enum Subject<'c> {
    /// The function's own account with the password in force.
    Authorised,
    /// No credentials at all: the session steps skipped, no `Authorization` sent.
    Anonymous,
    /// The function's account with a wrong password; a session it could not open is forged.
    WrongPassword,
    /// Another declared account, with fewer rights, and the password in force.
    LowerPrivilege(&'c AuthMechanism),
}

impl Subject<'_> {
    pub fn describe(&self) -> String {
        match self {
            Subject::Authorised => "with the authorised account".into(),
            Subject::Anonymous => "without credentials".into(),
            Subject::WrongPassword => "with a wrong password".into(),
            Subject::LowerPrivilege(m) => format!("as the lower-privileged account of `{}`", m.id),
        }
    }
}

/// Runs the function's `change` as `subject` with `{setting}` = `value`. The run's username and
/// password are put back afterwards; what the change did is for the read-back to tell.
pub async fn attempt(
    ctx: &CaseContext<'_>,
    f: &ConfigurationFunction,
    subject: Subject<'_>,
    value: &str,
    log: &EvidenceLog,
) -> Result<(), Blocker> {
    let state = &ctx.sample.state;
    let kept = state.keep(&[Known::Username, Known::Password]);
    let done = as_subject(ctx, f, subject, value, log).await;
    state.put_back(kept);
    done
}

async fn as_subject(
    ctx: &CaseContext<'_>,
    f: &ConfigurationFunction,
    subject: Subject<'_>,
    value: &str,
    log: &EvidenceLog,
) -> Result<(), Blocker> {
    let (sample, profile) = (ctx.sample, &ctx.config.profile);
    sample.state.set_named(SETTING, value.to_string());
    let name = format!("{} change {}", f.id, subject.describe());
    let session = session_variables(f);
    match subject {
        Subject::Anonymous => {
            sample.state.set(Known::Username, String::new());
            sample.state.set(Known::Password, String::new());
            session
                .iter()
                .for_each(|v| sample.state.set_named(v, String::new()));
            let steps = without_credentials(&f.change);
            return crate::procedure::run(sample, profile, &name, &steps, log).await;
        }
        Subject::Authorised => sign_in(ctx, f, &f.mechanism)?,
        Subject::WrongPassword => {
            sign_in(ctx, f, &f.mechanism)?;
            sample.state.set(Known::Password, token::fresh());
        }
        Subject::LowerPrivilege(m) => sign_in(ctx, f, &m.id)?,
    }
    let opened = crate::procedure::run(sample, profile, &name, &f.authenticate, log).await;
    if let Err(e) = opened {
        if matches!(subject, Subject::Authorised) {
            return Err(e.context("opening the authorised session"));
        }
        log.line(
            "#",
            &format!("{name}: no session ({}), a forged one is used", e.why),
        );
        session
            .iter()
            .for_each(|v| sample.state.set_named(v, token::fresh()));
    }
    crate::procedure::run(sample, profile, &name, &f.change, log).await
}

/// The setting in force, read back with the authorised account.
pub async fn read_back(
    ctx: &CaseContext<'_>,
    f: &ConfigurationFunction,
    log: &EvidenceLog,
) -> Result<String, Blocker> {
    let (sample, profile) = (ctx.sample, &ctx.config.profile);
    let kept = sample.state.get(Known::Username);
    sign_in(ctx, f, &f.mechanism)?;
    let name = format!("{} read_back", f.id);
    let mut read = crate::procedure::run(sample, profile, &name, &f.authenticate, log).await;
    if read.is_ok() {
        sample.state.set_named(SETTING, String::new());
        read = crate::procedure::run(sample, profile, &name, &f.read_back, log).await;
    }
    if let Some(u) = kept {
        sample.state.set(Known::Username, u);
    }
    read?;
    let value = sample
        .fill(&format!("{{{SETTING}}}"))
        .map_err(|e| Blocker::new(Cause::Config, e.to_string()))?;
    log.line("#", &format!("{}: the setting reads `{value}`", f.id));
    Ok(value)
}

/// A value planted in the setting of `function`, and the value it replaced.
pub struct Canary<'p> {
    pub function: &'p ConfigurationFunction,
    pub value: String,
    pub before: String,
}

/// A fresh canary in each declared setting, each shown to read back; what could not be planted
/// is a blocker.
pub async fn plant<'p>(
    ctx: &CaseContext<'p>,
    log: &EvidenceLog,
    blockers: &mut Vec<Blocker>,
) -> Vec<Canary<'p>> {
    let mut planted = Vec::new();
    for f in &ctx.config.profile.body.ixit.configuration_functions {
        let before = match read_back(ctx, f, log).await {
            Ok(v) => v,
            Err(e) => {
                blockers.push(e.context(format!("{}: reading the setting back", f.id)));
                continue;
            }
        };
        let value = next_value(f, &[&before]);
        let set = attempt(ctx, f, Subject::Authorised, &value, log).await;
        match (set, read_back(ctx, f, log).await) {
            (Ok(()), Ok(now)) if now == value => planted.push(Canary {
                function: f,
                value,
                before,
            }),
            (Err(e), _) | (_, Err(e)) => {
                blockers.push(e.context(format!("{}: setting the canary", f.id)))
            }
            (Ok(()), Ok(now)) => blockers.push(Blocker::new(
                Cause::Config,
                format!("{}: the canary `{value}` reads back as `{now}`", f.id),
            )),
        }
    }
    planted
}

/// A value for the next attempt that differs from every one in `not`.
pub fn next_value(f: &ConfigurationFunction, not: &[&str]) -> String {
    f.values
        .iter()
        .find(|v| !not.contains(&v.as_str()))
        .cloned()
        .unwrap_or_else(token::fresh)
}

/// Sets `{username}` to the named mechanism's account; the password in force stays.
fn sign_in(
    ctx: &CaseContext<'_>,
    f: &ConfigurationFunction,
    mechanism: &str,
) -> Result<(), Blocker> {
    let config = |why: String| Blocker::new(Cause::Config, why);
    let mech = ctx
        .config
        .profile
        .auth_mechanism(mechanism)
        .ok_or_else(|| config(format!("{}: no mechanism `{mechanism}`", f.id)))?;
    let user = ctx
        .sample
        .fill(&mech.username)
        .map_err(|e| config(format!("{}: the username of `{mechanism}`: {e}", f.id)))?;
    ctx.sample.state.set(Known::Username, user);
    Ok(())
}

/// What the session steps capture or set: emptied for an anonymous subject, forged for one whose
/// session could not be opened.
fn session_variables(f: &ConfigurationFunction) -> Vec<String> {
    f.authenticate
        .iter()
        .flat_map(|s| s.defines())
        .map(String::from)
        .collect()
}

/// The steps as a client without credentials sends them: no `Authorization` header, no console
/// login.
fn without_credentials(steps: &[Located<Step>]) -> Vec<Located<Step>> {
    steps
        .iter()
        .filter(|s| !matches!(s.value, Step::ConsoleLogin(_)))
        .map(|s| {
            let mut s = s.clone();
            if let Step::Http(h) = &mut s.value {
                h.basic_auth = None;
                h.authorization = None;
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_credentials_keeps_the_request_and_drops_its_authorization() {
        let yaml = r#"
- console_login: { within: 5s }
- http: { service: s, method: PUT, path: /x, basic_auth: { username: u, password: p }, authorization: "Bearer {t}", json: { v: "{setting}" }, within: 5s }
"#;
        let steps: Vec<Located<Step>> = serde_saphyr::from_str(yaml).unwrap();
        let bare = without_credentials(&steps);
        assert_eq!(bare.len(), 1);
        let Step::Http(h) = &bare[0].value else {
            panic!("expected the HTTP step")
        };
        assert!(h.basic_auth.is_none() && h.authorization.is_none());
        assert_eq!(h.path, "/x");
        assert!(h.json.is_some());
    }
}
