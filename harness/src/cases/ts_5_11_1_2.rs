//! TS 103 701 test case 5.11-1-2 (functional), provision 5.11-1: a user can erase the user data
//! on the device in a simple manner.
//!
//! Unit (a): user data is created: the password set at initialization, and a canary value in
//! each setting the profile declares a change and read-back for (`configuration_functions`).
//! Unit (b): the deletion function (the profile's `procedures.factory_reset`, IXIT 25) is run
//! and completes as declared.
//! Unit (c): afterwards the user's password opens no declared login, no setting reads back its
//! canary, and no canary shows in what the console printed after the reset.
//! The unit is initialized again at the end, as the cases after this one expect.

use super::configuration_change::{plant, read_back, Canary};
use super::password_change::{login_for, reachable_logins};
use super::{CaseContext, CaseSpec, NoParams, TestCase};
use crate::bench::run_state::Known;
use crate::evidence::EvidenceLog;
use crate::facts::initialized;
use crate::login::LoginOutcome;
use crate::model::unit::UnitResult;
use crate::model::verdict::{Blocker, CaseResult, Cause};

const UNIT_A: &str = "user data is created";
const UNIT_B: &str = "the deletion function runs as declared";
const UNIT_C: &str = "no user data remains after it";
const CASE: &str = "5.11-1-2";
/// The most of the console's output after the reset that is searched for canaries.
const CONSOLE_TAIL: u64 = 4 << 20;

pub struct Case;

impl TestCase for Case {
    type Params = NoParams;
    const SPEC: CaseSpec = CaseSpec {
        id: CASE,
        provision: "5.11-1",
        title: "user data can be erased",
        decision_rule: "In the initialized state. (a) The user data: the password set at initialization, and a fresh canary set through each `configuration_functions` entry with its authorised account, which must read back. (b) The profile's `procedures.factory_reset` (the deletion function) must complete. (c) FAIL if, after it, the password set at initialization opens a declared login (enabled service or console), if a setting read back with the label's credential still holds its canary, or if a canary appears in the console output read after the reset. Not performed if the profile declares no factory reset and initialization, if no user data could be created, if the reset does not complete, or if a login or read-back gives no answer. The unit is initialized again at the end. PASS otherwise.",
    };

    async fn run(ctx: &CaseContext<'_>, _params: &NoParams) -> CaseResult {
        let (sample, profile) = (ctx.sample, &ctx.config.profile);
        let procs = &profile.body.procedures;
        if procs.factory_reset.is_empty() || procs.initialize.is_empty() {
            return CaseResult::not_performed(
                Cause::Config,
                "the profile declares no factory reset and initialization (`procedures`), so user data can be neither created as a user would nor erased",
            );
        }
        if let Err(why) = initialized::required(sample, ctx.config).await {
            return CaseResult::blocked(why);
        }
        let log = sample.evidence.log("5.11-1-2/erasure.log");
        let (mut a, mut c) = (Vec::new(), Vec::new());
        let password = sample
            .state
            .get(Known::Password)
            .filter(|p| sample.state.get(Known::NewPassword).as_ref() == Some(p));
        if password.is_none() {
            a.push(Blocker::new(Cause::Config, "initialization set no password hilt knows (`set: { password: \"{new_password}\" }`)"));
        }
        let canaries = plant(ctx, &log, &mut a).await;
        if !a.is_empty() {
            let mut r = CaseResult::from_units(vec![
                UnitResult::judge("a", UNIT_A, &[], &a, ""),
                UnitResult::not_performed(
                    "b",
                    UNIT_B,
                    Blocker::new(Cause::Unit, "the user data was not all created"),
                ),
                UnitResult::not_performed(
                    "c",
                    UNIT_C,
                    Blocker::new(Cause::Unit, "the user data was not all created"),
                ),
            ]);
            r.evidence = vec![log.path.clone()];
            return r;
        }
        let console_from = std::fs::metadata(sample.console_log_path()).map_or(0, |m| m.len());
        sample
            .activity
            .phase("factory reset (deletion function)", None);
        let reset =
            crate::procedure::run(sample, profile, "factory_reset", &procs.factory_reset, &log)
                .await;
        let mut findings = Vec::new();
        if let Err(e) = &reset {
            c.push(Blocker::new(e.cause, "the factory reset did not complete"));
        } else {
            sample.activity.phase("looking for the user data", None);
            let user = password.as_deref().unwrap_or_default();
            findings.extend(password_refused(ctx, user, &log, &mut c).await);
            findings.extend(settings_erased(ctx, &canaries, &log, &mut c).await);
            findings.extend(console_clean(ctx, &canaries, console_from));
        }
        let again = initialize_again(ctx, &log, password.clone()).await;
        let planted: Vec<&str> = canaries.iter().map(|c| c.function.id.as_str()).collect();
        let mut r = CaseResult::from_units(vec![
            UnitResult::judge("a", UNIT_A, &[], &[], format!("the password set at initialization, and a canary in {}", list(&planted))),
            UnitResult::judge("b", UNIT_B, &[], &reset.err().into_iter().collect::<Vec<_>>(), "the declared factory reset completed"),
            UnitResult::judge("c", UNIT_C, &findings, &c, "the user's password opens no login, no setting holds its canary, and the console shows none"),
        ]);
        r.details.extend(
            again
                .err()
                .map(|e| format!("initializing again afterwards failed: {}", e.why)),
        );
        r.evidence = vec![log.path.clone(), sample.console_log_path()];
        r
    }
}

/// The password set at initialization must open no declared login once the unit is reset.
async fn password_refused(
    ctx: &CaseContext<'_>,
    password: &str,
    log: &EvidenceLog,
    blockers: &mut Vec<Blocker>,
) -> Vec<String> {
    let mut findings = Vec::new();
    for mech in reachable_logins(ctx) {
        match login_for(ctx, CASE, mech, password, log).await {
            LoginOutcome::Accepted | LoginOutcome::ForcedChange => findings.push(format!(
                "after the factory reset `{}` still accepts the password set at initialization",
                mech.id
            )),
            LoginOutcome::Rejected => log.line(
                "#",
                &format!("{}: the password set at initialization is refused", mech.id),
            ),
            other => blockers.push(Blocker::new(
                Cause::Unit,
                format!(
                    "{}: the password set at initialization, after the reset: {other}",
                    mech.id
                ),
            )),
        }
    }
    findings
}

/// Each setting read back in the factory default state, with the label's credential.
async fn settings_erased(
    ctx: &CaseContext<'_>,
    canaries: &[Canary<'_>],
    log: &EvidenceLog,
    blockers: &mut Vec<Blocker>,
) -> Vec<String> {
    let state = &ctx.sample.state;
    let kept = state.get(Known::Password);
    if let Some(label) = state.get(Known::LabelPassword) {
        state.set(Known::Password, label);
    }
    let mut findings = Vec::new();
    for canary in canaries {
        match read_back(ctx, canary.function, log).await {
            Ok(now) if now == canary.value => findings.push(format!(
                "after the factory reset `{}` still holds the value set before it",
                canary.function.id
            )),
            Ok(_) => {}
            Err(e) => blockers.push(e.context(format!(
                "{}: reading the setting back after the reset with the label's credential",
                canary.function.id
            ))),
        }
    }
    if let Some(p) = kept {
        state.set(Known::Password, p);
    }
    findings
}

/// The console output since the reset began, searched for every canary.
fn console_clean(ctx: &CaseContext<'_>, canaries: &[Canary<'_>], from: u64) -> Vec<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut text = Vec::new();
    if let Ok(mut f) = std::fs::File::open(ctx.sample.console_log_path()) {
        let _ = f
            .seek(SeekFrom::Start(from))
            .map(|_| f.take(CONSOLE_TAIL).read_to_end(&mut text));
    }
    let text = String::from_utf8_lossy(&text);
    canaries
        .iter()
        .filter(|c| text.contains(&c.value))
        .map(|c| format!("after the factory reset the console prints the value `{}` held before it (console.log)", c.function.id))
        .collect()
}

/// Initialization again, with the password the run set before; if it fails, the run goes on
/// with the password the unit had before the reset (`kept`), in case the reset did not take.
async fn initialize_again(
    ctx: &CaseContext<'_>,
    log: &EvidenceLog,
    kept: Option<String>,
) -> Result<(), Blocker> {
    let (sample, profile) = (ctx.sample, &ctx.config.profile);
    if let Some(label) = sample.state.get(Known::LabelPassword) {
        sample.state.set(Known::Password, label);
    }
    let initialize = &profile.body.procedures.initialize;
    let done = crate::procedure::run(sample, profile, "initialize", initialize, log).await;
    if let (Err(_), Some(p)) = (&done, kept) {
        sample.state.set(Known::Password, p);
    }
    done
}

fn list(ids: &[&str]) -> String {
    match ids {
        [] => "no setting (none declared)".into(),
        _ => ids.join(", "),
    }
}
