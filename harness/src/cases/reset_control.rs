//! 5.1-1-2 unit (c)'s proof that "after a factory reset" is true: once the corpus is done, the
//! unit is reset again and the password hilt set at initialization must no longer open a
//! declared login. If it still does, the reset procedure does not restore factory defaults, so
//! no claim about the state after a reset holds and the unit is not performed. The unit is then
//! initialized again, as the cases after this one expect.

use super::CaseContext;
use crate::bench::run_state::Known;
use crate::login::{self, LoginOutcome};
use crate::model::unit::Gathered;
use crate::model::verdict::{Blocker, Cause};

pub async fn password_gone_after_reset(
    ctx: &CaseContext<'_>,
    out: &mut Gathered,
) -> Result<(), Blocker> {
    let (sample, profile) = (ctx.sample, &ctx.config.profile);
    let procs = &profile.body.procedures;
    let note = |out: &mut Gathered, why: &str| {
        out.details.push(format!(
            "unit (c): the factory reset was not re-checked: {why}"
        ))
    };
    if procs.factory_reset.is_empty() || procs.initialize.is_empty() {
        note(
            out,
            "the profile declares no factory reset and initialization",
        );
        return Ok(());
    }
    let Some(set) = sample
        .state
        .get(Known::NewPassword)
        .filter(|p| sample.state.get(Known::Password).as_ref() == Some(p))
    else {
        note(out, "initialization set no password hilt knows");
        return Ok(());
    };
    let Some(mech) = super::password_change::reachable_logins(ctx)
        .into_iter()
        .next()
    else {
        note(out, "no declared login to try the password on");
        return Ok(());
    };
    let log = sample.evidence.log("procedures.log");
    crate::procedure::run(sample, profile, "factory_reset", &procs.factory_reset, &log)
        .await
        .map_err(|b| b.context("the second factory reset"))?;
    let transcript = "5.1-1-2/reset-control-transcript.log";
    let outcome = match login::for_account(sample, profile, mech, transcript) {
        Ok((trial, user)) => trial.try_login(&user, &set).await,
        Err(e) => LoginOutcome::NotALogin(e.to_string()),
    };
    out.evidence
        .push(sample.evidence.dir.join("procedures.log"));
    let again = crate::procedure::run(sample, profile, "initialize", &procs.initialize, &log)
        .await
        .map_err(|b| b.context("initializing again after the second factory reset"));
    match outcome {
        LoginOutcome::Accepted | LoginOutcome::ForcedChange => Err(with(
            again,
            format!(
                "{}: the password set at initialization still opens it after a factory reset, so the reset procedure does not restore factory defaults and nothing here holds for the state after one",
                mech.id
            ),
        )),
        LoginOutcome::NotALogin(why) => Err(with(
            again,
            format!("{}: after the second factory reset its answer to the password set at initialization was no login answer ({why}), so whether the reset took effect is not known", mech.id),
        )),
        other => {
            out.details.push(format!(
                "unit (c): after a second factory reset the password set at initialization no longer opens {} ({other}): the reset restores factory defaults",
                mech.id
            ));
            again
        }
    }
}

/// The finding, and the failed re-initialization too when there was one.
fn with(again: Result<(), Blocker>, why: String) -> Blocker {
    match again {
        Ok(()) => Blocker::new(Cause::Unit, why),
        Err(b) => Blocker::new(Cause::Unit, format!("{why}; {}", b.why)),
    }
}
