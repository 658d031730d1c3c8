//! TS 103 701 test case 5.9-2-2 (functional), provision 5.9-2: the device stays locally
//! functional when it loses network access, and recovers cleanly after a loss of power.
//!
//! Unit (a): the rig cuts the unit's uplink for the declared outage; the declared local
//! functions (IXIT 23) must keep working meanwhile, and where the profile says how to tell the
//! unit is connected, it must be again within the declared time once the uplink is back.
//! Unit (b): with a canary in each declared setting, the power is cut; the unit must answer a
//! login again, keep every setting and run its local functions. Both times are measured.
//! The settings are put back at the end.

use super::configuration_change::{attempt, plant, read_back, Canary, Subject};
use super::password_change::{back_up, reachable_logins};
use super::{CaseContext, CaseSpec, TestCase};
use crate::bench::run_state::Known;
use crate::config::resilience::Resilience;
use crate::evidence::EvidenceLog;
use crate::facts::initialized;
use crate::model::unit::UnitResult;
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use crate::transport::switch::{actuate_within, Action};
use std::time::{Duration, Instant};

const CASE: &str = "5.9-2-2";
const UNIT_A: &str = "locally functional without network access, and connected again after it";
const UNIT_B: &str = "recovers cleanly from a loss of power";
const SWITCH_WITHIN: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(250);

pub use super::registry::BootWithin as Params;

#[derive(Default)]
struct Unit {
    findings: Vec<String>,
    blockers: Vec<Blocker>,
}

pub struct Case;

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: CASE,
        provision: "5.9-2",
        title: "locally functional without the network, clean recovery after a power loss",
        decision_rule: "In the initialized state, with the declared local functions (IXIT 23 `ixit.resilience.local_functions`) shown to work first. (a) The rig's `uplink` is switched off for `outage`: FAIL if a local function does not complete meanwhile; once it is on again, FAIL if `connected` (where declared) does not complete within `reconnect_within`. (b) A fresh canary is set in each declared configuration setting, the power is cut through the rig's backend: FAIL if no declared login answers within `boot_within`, if a setting no longer reads its canary, or if a local function does not complete. Not performed without declared local functions, without an uplink backend (a) or a power backend (b), when a local function or `connected` fails with the network up, or when a canary cannot be set. Reconnection and recovery times are measured; the settings are put back. PASS otherwise.",
    };

    fn declared_waits(params: &Params, config: &crate::config::Config) -> super::budget::Waits {
        let mut w = super::budget::Waits::default();
        w.add("the unit back after the power cut", params.boot_within.0);
        if let Some(r) = &config.profile.body.ixit.resilience {
            w.add("the network outage", r.outage.0);
            w.add("reconnection", r.reconnect_within.0);
        }
        w
    }

    async fn run(ctx: &CaseContext<'_>, params: &Params) -> CaseResult {
        let resilience = match &ctx.config.profile.body.ixit.resilience {
            Some(r) if !r.local_functions.is_empty() => r,
            _ => return CaseResult::not_performed(
                Cause::Config,
                "ICS 5.9-2 applies, but the profile declares no local function to check (`ixit.resilience.local_functions`, IXIT 23)",
            ),
        };
        if let Err(why) = initialized::required(ctx.sample, ctx.config).await {
            return CaseResult::blocked(why);
        }
        let log = ctx.sample.evidence.log("5.9-2-2/resilience.log");
        let mut measurements = Vec::new();
        let (mut a, mut b) = (Unit::default(), Unit::default());
        let broken = local_failures(ctx, resilience, &log).await;
        if !broken.is_empty() {
            let why = format!("with the network up, {}", broken.join("; "));
            a.blockers.push(Blocker::new(Cause::Unit, &why));
            b.blockers.push(Blocker::new(Cause::Unit, why));
        } else {
            ctx.sample.activity.phase("network outage", None);
            network_outage(ctx, resilience, &log, &mut a, &mut measurements).await;
            ctx.sample.activity.phase("power cut", None);
            power_loss(ctx, params, resilience, &log, &mut b, &mut measurements).await;
        }
        let ids: Vec<&str> = resilience
            .local_functions
            .iter()
            .map(|f| f.id.as_str())
            .collect();
        let mut r = CaseResult::from_units(vec![
            UnitResult::judge("a", UNIT_A, &a.findings, &a.blockers, format!("{} worked with the uplink cut for {:.0}s", ids.join(", "), resilience.outage.0.as_secs_f64())),
            UnitResult::judge("b", UNIT_B, &b.findings, &b.blockers, "after the power cut the unit answered, kept its settings and ran its local functions"),
        ]);
        r.measurements = measurements;
        r.evidence = vec![log.path.clone()];
        r
    }
}

/// The local functions that do not complete now, each with why.
async fn local_failures(ctx: &CaseContext<'_>, r: &Resilience, log: &EvidenceLog) -> Vec<String> {
    let mut failed = Vec::new();
    for f in &r.local_functions {
        let name = format!("local function {}", f.id);
        if let Err(e) =
            crate::procedure::run(ctx.sample, &ctx.config.profile, &name, &f.steps, log).await
        {
            failed.push(format!("`{}` does not complete ({})", f.id, e.why));
        }
    }
    failed
}

/// Unit (a): the uplink cut for the outage, the local functions run meanwhile, then the wait
/// for the unit to be connected again.
async fn network_outage(
    ctx: &CaseContext<'_>,
    r: &Resilience,
    log: &EvidenceLog,
    a: &mut Unit,
    measured: &mut Vec<Measurement>,
) {
    let (sample, profile) = (ctx.sample, &ctx.config.profile);
    let Some(uplink) = sample.drivers.uplink.as_deref() else {
        return a.blockers.push(Blocker::new(
            Cause::Config,
            "the rig wires no network link control to this slot (`uplink`)",
        ));
    };
    if let Err(e) = crate::procedure::run(sample, profile, "connected", &r.connected, log).await {
        return a
            .blockers
            .push(e.context("before the outage the unit is not connected"));
    }
    if let Err(e) = actuate_within(uplink, "uplink", Action::PowerOff, SWITCH_WITHIN).await {
        return a
            .blockers
            .push(Blocker::from(e).context("cutting the uplink"));
    }
    let cut = Instant::now();
    log.line(
        "#",
        &format!("uplink cut for {:.1}s", r.outage.0.as_secs_f64()),
    );
    for failed in local_failures(ctx, r, log).await {
        a.findings
            .push(format!("while the network is cut, {failed}"));
    }
    crate::transport::device_time::sleep(r.outage.0.saturating_sub(cut.elapsed())).await;
    if let Err(e) = actuate_within(uplink, "uplink", Action::PowerOn, SWITCH_WITHIN).await {
        return a
            .blockers
            .push(Blocker::from(e).context("restoring the uplink"));
    }
    log.line("#", "uplink restored");
    if r.connected.is_empty() {
        return;
    }
    let back = Instant::now();
    loop {
        if crate::procedure::run(sample, profile, "connected", &r.connected, log)
            .await
            .is_ok()
        {
            let seconds = back.elapsed().as_secs_f64();
            log.line(
                "#",
                &format!("connected again {seconds:.2}s after the uplink returned"),
            );
            measured.push(Measurement::new("reconnect_time", seconds, "s"));
            return;
        }
        if back.elapsed() >= r.reconnect_within.0 {
            return a.findings.push(format!(
                "the unit was not connected again within the declared {:.0}s of the network returning",
                r.reconnect_within.0.as_secs_f64()
            ));
        }
        crate::transport::device_time::sleep(POLL).await;
    }
}

/// Unit (b): canaries set, the power cut, then the unit's return measured and its settings and
/// local functions checked; the settings are put back.
async fn power_loss(
    ctx: &CaseContext<'_>,
    params: &Params,
    r: &Resilience,
    log: &EvidenceLog,
    b: &mut Unit,
    measured: &mut Vec<Measurement>,
) {
    let canaries = plant(ctx, log, &mut b.blockers).await;
    if !b.blockers.is_empty() {
        return restore(ctx, &canaries, log).await;
    }
    if let Err(e) = crate::procedure::power_cycle(ctx.sample, &ctx.config.profile, log).await {
        b.blockers.push(e.context("the power cut"));
        return restore(ctx, &canaries, log).await;
    }
    match answering(ctx, params.boot_within.0, log).await {
        Err(why) => b.findings.push(why),
        Ok(seconds) => {
            measured.push(Measurement::new("power_recovery_time", seconds, "s"));
            for c in &canaries {
                match read_back(ctx, c.function, log).await {
                    Ok(now) if now == c.value => {}
                    Ok(now) => b.findings.push(format!(
                        "after the power cut `{}` reads `{now}`, not the value set before it",
                        c.function.id
                    )),
                    Err(e) => b.blockers.push(e.context(format!(
                        "{}: reading the setting back after the power cut",
                        c.function.id
                    ))),
                }
            }
            for failed in local_failures(ctx, r, log).await {
                b.findings.push(format!("after the power cut, {failed}"));
            }
        }
    }
    restore(ctx, &canaries, log).await;
}

/// Seconds from the power's return until the first declared network login answers, or why
/// it did not within `within`.
async fn answering(
    ctx: &CaseContext<'_>,
    within: Duration,
    log: &EvidenceLog,
) -> Result<f64, String> {
    let password = ctx.sample.state.get(Known::Password).unwrap_or_default();
    let Some(mech) = reachable_logins(ctx)
        .into_iter()
        .find(|m| m.service.is_some())
    else {
        return Err("no declared network login to tell the unit is back".into());
    };
    back_up(ctx, CASE, mech, &password, within, log)
        .await
        .map_err(|b| b.why)
}

/// Each setting back to what it was before its canary.
async fn restore(ctx: &CaseContext<'_>, canaries: &[Canary<'_>], log: &EvidenceLog) {
    for c in canaries {
        let done = attempt(ctx, c.function, Subject::Authorised, &c.before, log).await;
        log.line(
            "#",
            &format!(
                "{}: set back to `{}` -> {}",
                c.function.id,
                c.before,
                if done.is_ok() { "done" } else { "failed" }
            ),
        );
    }
}
