//! 5.1-4-2's means: a declared password change made with chosen values, and the logins that show
//! which password an account takes.

use super::corpus_controls::waiting;
use super::CaseContext;
use crate::bench::run_state::Known;
use crate::config::profile::AuthMechanism;
use crate::evidence::EvidenceLog;
use crate::login::LoginOutcome;
use crate::model::verdict::{Blocker, Cause};
use std::time::{Duration, Instant};

/// The mechanism's `change_password` procedure with `{password}` = `current` and
/// `{new_password}` = `new`. The run's values are put back afterwards, whatever happened: the
/// case decides which password is in force from what the unit answers.
pub async fn change(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    current: &str,
    new: &str,
    log: &EvidenceLog,
) -> Result<(), Blocker> {
    let state = &ctx.sample.state;
    let kept = state.keep(&[Known::Password, Known::NewPassword]);
    state.set(Known::Password, current.to_string());
    state.set(Known::NewPassword, new.to_string());
    let name = format!("{} change_password", mech.id);
    let done = crate::procedure::run(
        ctx.sample,
        &ctx.config.profile,
        &name,
        &mech.change_password,
        log,
    )
    .await;
    state.put_back(kept);
    done
}

/// The declared logins to the same account as `mech` (its own included), on an enabled service
/// or the console: the ones a change of its password must reach.
pub fn same_account<'c>(ctx: &CaseContext<'c>, mech: &AuthMechanism) -> Vec<&'c AuthMechanism> {
    let account = ctx.sample.fill(&mech.username).ok();
    reachable_logins(ctx)
        .into_iter()
        .filter(|m| ctx.sample.fill(&m.username).ok() == account)
        .collect()
}

/// One login attempt with a lockout waited out; a login hilt cannot reach is "not a login".
pub async fn try_login(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    password: &str,
    log: &EvidenceLog,
) -> LoginOutcome {
    login_for(ctx, "5.1-4-2", mech, password, log).await
}

/// `try_login` for `case`, its transcript in the case's folder.
pub async fn login_for(
    ctx: &CaseContext<'_>,
    case: &str,
    mech: &AuthMechanism,
    password: &str,
    log: &EvidenceLog,
) -> LoginOutcome {
    let transcript = format!("{case}/{}-transcript.log", mech.id);
    let profile = &ctx.config.profile;
    match crate::login::for_account(ctx.sample, profile, mech, &transcript) {
        Err(e) => LoginOutcome::NotALogin(e.to_string()),
        Ok((trial, user)) => waiting(trial.as_ref(), mech, &user, password, case, log).await,
    }
}

/// After `step`, on every login in `logins`: `accepted` must be taken and `refused` refused.
pub async fn holds(
    ctx: &CaseContext<'_>,
    logins: &[&AuthMechanism],
    accepted: &str,
    refused: &str,
    step: &str,
    log: &EvidenceLog,
) -> (Vec<String>, Vec<Blocker>) {
    let (mut findings, mut blockers) = (Vec::new(), Vec::new());
    for m in logins {
        let new = try_login(ctx, m, accepted, log).await;
        let old = try_login(ctx, m, refused, log).await;
        log.line(
            "#",
            &format!(
                "{step}: `{}` new password -> {new}, old password -> {old}",
                m.id
            ),
        );
        for (outcome, want, which) in [(new, true, "new"), (old, false, "old")] {
            match (outcome, want) {
                (LoginOutcome::Accepted, true) | (LoginOutcome::Rejected, false) => {}
                (LoginOutcome::Rejected, true) => {
                    findings.push(format!("{step}, `{}` refuses the new password", m.id))
                }
                (LoginOutcome::Accepted, false) => {
                    findings.push(format!("{step}, `{}` still accepts the old password", m.id))
                }
                (other, _) => blockers.push(Blocker::new(
                    Cause::Unit,
                    format!("{step}, `{}` with the {which} password: {other}", m.id),
                )),
            }
        }
    }
    (findings, blockers)
}

/// Waits after a power cycle until `mech`'s login answers `password` (accepted, refused, or
/// only to force a change), for `case`'s transcript; returns the seconds that took.
pub async fn back_up(
    ctx: &CaseContext<'_>,
    case: &str,
    mech: &AuthMechanism,
    password: &str,
    within: Duration,
    log: &EvidenceLog,
) -> Result<f64, Blocker> {
    let start = Instant::now();
    loop {
        match login_for(ctx, case, mech, password, log).await {
            LoginOutcome::Accepted | LoginOutcome::Rejected | LoginOutcome::ForcedChange => {
                return Ok(start.elapsed().as_secs_f64())
            }
            other if start.elapsed() >= within => {
                return Err(Blocker::new(
                    Cause::Unit,
                    format!(
                    "`{}` did not answer a login within {:.0}s of the power coming back: {other}",
                    mech.id,
                    within.as_secs_f64()
                ),
                ))
            }
            _ => crate::transport::device_time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// Which of `candidates` the mechanism's login takes now, first match first.
pub async fn in_force(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    candidates: &[&str],
    log: &EvidenceLog,
) -> Option<String> {
    for c in candidates {
        if try_login(ctx, mech, c, log).await == LoginOutcome::Accepted {
            return Some(c.to_string());
        }
    }
    None
}

/// The declared logins hilt can reach: on an enabled service, or at the console.
pub fn reachable_logins<'c>(ctx: &CaseContext<'c>) -> Vec<&'c AuthMechanism> {
    let profile = &ctx.config.profile;
    profile
        .body
        .ixit
        .auth_mechanisms
        .iter()
        .map(|m| &m.value)
        .filter(|m| {
            m.service
                .as_ref()
                .is_none_or(|s| profile.service(&s.value).is_some_and(|s| s.enabled))
        })
        .collect()
}
