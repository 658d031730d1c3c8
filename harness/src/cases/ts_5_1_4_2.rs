//! TS 103 701 test case 5.1-4-2 (functional), provision 5.1-4: where a user can authenticate, a
//! simple mechanism exists to change the authentication value.
//!
//! Unit (a): the password is changed through each mechanism's declared procedure (IXIT 1
//! `change_password`); then every login to that account takes the new value and refuses the old
//! one, and still does after a power cycle.
//! Unit (b): the same procedure, given a wrong current password, changes nothing: a change needs
//! the authentication it replaces.
//! Each mechanism is left with the password it had before the case, so later cases log in as
//! before.

use super::password_change::{back_up, change, holds, in_force, same_account, try_login};
use super::{CaseContext, CaseSpec, TestCase};
use crate::bench::run_state::Known;
use crate::config::profile::AuthMechanism;
use crate::evidence::EvidenceLog;
use crate::facts::initialized;
use crate::login::LoginOutcome;
use crate::model::unit::UnitResult;
use crate::model::verdict::{Blocker, CaseResult, Cause};
use crate::util::token;

pub use super::registry::BootWithin as Params;

const UNIT_A: &str = "the password can be changed, and the change holds on every login to the account, also after a power cycle";
const UNIT_B: &str = "a change needs the current password";

#[derive(Default)]
struct Tally {
    findings: Vec<String>,
    blockers: Vec<Blocker>,
}

impl Tally {
    fn add(&mut self, (findings, blockers): (Vec<String>, Vec<Blocker>)) {
        self.findings.extend(findings);
        self.blockers.extend(blockers);
    }
}

pub struct Case;

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.1-4-2",
        provision: "5.1-4",
        title: "the authentication value can be changed",
        decision_rule: "Per IXIT 1 mechanism that declares `change_password`, in the initialized state. (a) The procedure is run with the password in force and a fresh one; FAIL if any declared login to the same account (same username, on an enabled service or the console) then refuses the new password or accepts the old one, or does so after a power cycle through the rig's power backend. (b) The procedure is run again with a wrong current password and another fresh one; FAIL if the mechanism's login then accepts the value that change tried to set. Not performed if no mechanism declares `change_password` while ICS 5.1-4 applies, if the unit cannot be initialized, if a change with the right password does not complete, if the rig has no power backend (a), if the login does not answer within `boot_within` of the power coming back (a), or if a login answers neither acceptance nor refusal. The password each mechanism had is set back at the end. PASS otherwise.",
    };

    fn declared_waits(params: &Params, _config: &crate::config::Config) -> super::budget::Waits {
        let mut w = super::budget::Waits::default();
        w.add("the unit back after the power cycle", params.boot_within.0);
        w
    }

    async fn run(ctx: &CaseContext<'_>, params: &Params) -> CaseResult {
        if let Err(why) = initialized::required(ctx.sample, ctx.config).await {
            return CaseResult::blocked(why);
        }
        let ixit = &ctx.config.profile.body.ixit;
        let declared: Vec<&AuthMechanism> = ixit
            .auth_mechanisms
            .iter()
            .map(|m| &m.value)
            .filter(|m| !m.change_password.is_empty())
            .collect();
        if declared.is_empty() {
            return CaseResult::not_performed(
                Cause::Config,
                "ICS 5.1-4 applies, but no IXIT 1 mechanism declares how its password is changed (`change_password`)",
            );
        }
        let log = ctx.sample.evidence.log("5.1-4-2/changes.log");
        let (mut a, mut b) = (Tally::default(), Tally::default());
        for m in &declared {
            ctx.sample
                .activity
                .phase(format!("password change through {}", m.id), None);
            one_mechanism(ctx, params, m, &log, &mut a, &mut b).await;
        }
        let ids: Vec<&str> = declared.iter().map(|m| m.id.as_str()).collect();
        let mut r = CaseResult::from_units(vec![
            UnitResult::judge(
                "a",
                UNIT_A,
                &a.findings,
                &a.blockers,
                format!("changed through {}: the new password taken and the old one refused on every login to the account, also after a power cycle", ids.join(", ")),
            ),
            UnitResult::judge(
                "b",
                UNIT_B,
                &b.findings,
                &b.blockers,
                "a change with a wrong current password changed nothing",
            ),
        ]);
        let transcripts = declared
            .iter()
            .flat_map(|m| same_account(ctx, m))
            .map(|m| {
                ctx.sample
                    .evidence
                    .dir
                    .join(format!("5.1-4-2/{}-transcript.log", m.id))
            })
            .filter(|p| p.exists());
        r.evidence = std::iter::once(log.path.clone())
            .chain(transcripts)
            .collect();
        r
    }
}

async fn one_mechanism(
    ctx: &CaseContext<'_>,
    params: &Params,
    mech: &AuthMechanism,
    log: &EvidenceLog,
    a: &mut Tally,
    b: &mut Tally,
) {
    let id = &mech.id;
    let Some(original) = ctx.sample.state.get(Known::Password) else {
        let why = format!("{id}: no password is known for this unit");
        a.blockers.push(Blocker::new(Cause::Config, &why));
        b.blockers.push(Blocker::new(Cause::Config, why));
        return;
    };
    let logins = same_account(ctx, mech);
    let new = token::fresh();
    if let Err(e) = change(ctx, mech, &original, &new, log).await {
        let why = format!("{id}: the change with the current password did not complete");
        b.blockers.push(Blocker::new(
            e.cause,
            format!("{why}, so a wrong one was not tried"),
        ));
        a.blockers.push(e.context(why));
        return;
    }
    a.add(holds(ctx, &logins, &new, &original, "after the change", log).await);
    match crate::procedure::power_cycle(ctx.sample, &ctx.config.profile, log).await {
        Err(e) => a.blockers.push(e.context(format!("{id}: the power cycle"))),
        Ok(()) => match back_up(ctx, "5.1-4-2", mech, &new, params.boot_within.0, log).await {
            Err(e) => a.blockers.push(e),
            Ok(_) => {
                let step = "after a power cycle";
                a.add(holds(ctx, &logins, &new, &original, step, log).await);
            }
        },
    }
    let Some(mut current) = in_force(ctx, mech, &[&new, &original], log).await else {
        b.blockers.push(Blocker::new(
            Cause::Unit,
            format!("{id}: neither the new nor the old password is accepted, so the unit's password is not known"),
        ));
        return;
    };
    let (wrong, attempted) = (token::fresh(), token::fresh());
    let refused = change(ctx, mech, &wrong, &attempted, log).await;
    log.line(
        "#",
        &format!(
            "{id}: change with a wrong current password -> {}",
            match &refused {
                Ok(()) => "completed".to_string(),
                Err(e) => format!("refused ({})", e.why),
            }
        ),
    );
    match try_login(ctx, mech, &attempted, log).await {
        LoginOutcome::Accepted => {
            b.findings.push(format!(
                "`{id}` took a new password from a change made with a wrong current password"
            ));
            current = attempted;
        }
        LoginOutcome::Rejected => {}
        other => b.blockers.push(Blocker::new(
            Cause::Unit,
            format!("{id}: the value a change with a wrong current password tried to set: {other}"),
        )),
    }
    restore(ctx, mech, &current, &original, log).await;
}

/// Sets the mechanism's password back to what the run had, so later cases log in as before; if
/// that fails, the run goes on with the password the unit takes now.
async fn restore(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    current: &str,
    original: &str,
    log: &EvidenceLog,
) {
    if current == original {
        return;
    }
    let back = change(ctx, mech, current, original, log).await;
    let now = in_force(ctx, mech, &[original, current], log).await;
    log.line(
        "#",
        &format!(
            "{}: password set back -> {}",
            mech.id,
            match (&back, now.as_deref() == Some(original)) {
                (Ok(()), true) => "done".to_string(),
                (Ok(()), false) => "completed, but the old password is not taken".to_string(),
                (Err(e), _) => format!("failed ({})", e.why),
            }
        ),
    );
    if let Some(now) = now.filter(|n| n != original) {
        ctx.sample.state.set(Known::Password, now);
    }
}
