//! TS 103 701 test case 5.1-5-2 (functional), provision 5.1-5: brute force over network
//! interfaces is made impracticable.
//!
//! Unit (b): every network-based mechanism in IXIT 1 is attacked with a paced loop of wrong
//! passwords, never more than the suite allows. Each attempt's time, answer and latency are kept;
//! the lockout threshold, the achievable attempts per minute and the latency growth are derived
//! and compared with the declared "Brute Force Prevention", and how long a lockout lasts is
//! measured with the right password (cases/brute_force_attack.rs). A lockout that does not end
//! differs from a declared time-limited one, and is what a declared permanent lock must be.
//! (Unit (a), undeclared mechanisms, is 5.1-1-2 unit (a)'s scan.)

use super::brute_force_attack::attack;
use super::budget::Waits;
use super::declared_waits;
use super::{CaseContext, CaseSpec, TestCase};
use crate::config::duration::Dur;
use crate::config::profile::{AuthMechanism, LoginSurface};
use crate::config::suite::FactSection;
use crate::facts::initialized;
use crate::model::unit::{Gathered, UnitResult};
use crate::model::verdict::CaseResult;
use serde::Deserialize;
use std::time::Duration;

/// The suite's `cases."5.1-5-2"` entry.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Never more wrong-credential attempts than this per mechanism.
    pub max_attempts: u32,
    /// Time between two attempts.
    pub pace: Dur,
    /// Failures beyond the declared threshold tolerated before the prevention counts as absent.
    #[serde(default)]
    pub tolerance: u32,
    /// Where IXIT 1 declares no prevention: more consecutive wrong passwords than this, evaluated
    /// with no lockout or growing delay, FAIL. NIST SP 800-63B 5.2.2's 100 unless the lab decides
    /// otherwise; `max_attempts` must exceed it for the case to tell.
    #[serde(default = "nist_limit")]
    pub undeclared_threshold: u32,
    /// How many times a lockout is brought about to measure how long it lasts: the first
    /// finds when the right password works again, each further one asks once halfway through
    /// what is known (default 3).
    #[serde(default = "three")]
    pub lockout_probes: u32,
    /// A lockout IXIT 1 does not declare, or declares permanent, still in force this long after
    /// it began is taken for a lock that does not pass (default 10 minutes).
    #[serde(default = "ten_minutes")]
    pub permanent_after: Dur,
}

fn nist_limit() -> u32 {
    100
}

fn three() -> u32 {
    3
}

fn ten_minutes() -> Dur {
    Dur(Duration::from_secs(600))
}

pub struct Case;

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.1-5-2",
        provision: "5.1-5",
        title: "brute force over the network impracticable",
        decision_rule: "Units (a) and (b), each judged on its own; PASS only when both pass. (a) FAIL if an open TCP port outside the declared mechanisms' services takes a login (5.1-1-2 unit (a)'s scan, under the same port-probing budget). (b) Per network mechanism, after the right password is shown to work: a series of wrong passwords, two more than the declared threshold plus the suite's tolerance, then the right password once (a lockout that answers like a wrong password shows only there). FAIL if a lockout answer comes later than the threshold plus tolerance, if neither a lockout answer, nor the right password's refusal, nor a delay (at least two answers past the threshold each taking half the declared lockout) shows prevention, or if a silent lockout, checked with a series of exactly the allowed failures, began later. The lockout's length is measured with the right password only (first just after the declared time, then with doubling gaps; each of the suite's `lockout_probes` further lockouts asks once halfway through what is known): FAIL if it was over within half the declared time, or not over within twice it (permanent or far longer than declared). Where IXIT 1 declares a permanent lock: FAIL if the lock comes late (as above) or the right password works again within the suite's `permanent_after` (default 10 minutes). Where IXIT 1 declares no prevention the mechanism is attacked all the same: FAIL if more than the suite's `undeclared_threshold` (default 100, NIST SP 800-63B 5.2.2) consecutive wrong passwords are evaluated with neither a lockout answer, nor the right password's refusal, nor a growing delay (median answer time of the last five attempts at least 1 s and four times the first five's); a lockout found is measured and described (a lock that does not pass is a prevention TS 103 701 lists). INCONCLUSIVE if the budget is too small to see the declared threshold or to exceed the undeclared one, the right password was not accepted before the series, when a silent lockout began cannot be told (the right password was not accepted before the second series, or was sent later after the threshold attempt than the declared lockout lasts), or the surface does not answer like a login. PASS otherwise.",
    };

    const FACTS: &'static [FactSection] = &[FactSection::Scan];

    /// Per login, each series of wrong passwords and the lockout it brings about, once and for
    /// every probe of the lockout's length.
    fn declared_waits(params: &Params, config: &crate::config::Config) -> Waits {
        let mut w = declared_waits::port_probing(config);
        for m in &config.profile.body.ixit.auth_mechanisms {
            let attempt = declared_waits::login_deadline(m) + params.pace.0;
            // The suite's counts are any u32: a product past Duration's range saturates.
            let series = attempt.saturating_mul(params.max_attempts);
            let lockout = m
                .brute_force
                .as_ref()
                .and_then(|b| b.lockout.duration())
                .unwrap_or(params.permanent_after.0);
            w.add(
                format!("brute force on {}", m.id),
                (series.saturating_add(lockout))
                    .saturating_mul(params.lockout_probes.saturating_add(1)),
            );
        }
        w
    }

    async fn run(ctx: &CaseContext<'_>, params: &Params) -> CaseResult {
        let mut out = Gathered::default();
        let init = initialized::required(ctx.sample, ctx.config).await;
        let a = super::login_surfaces::unit_a(ctx, &mut out.details, &mut out.evidence).await;
        let b = match init {
            Ok(_) => unit_b(ctx, params, &mut out).await,
            Err(why) => UnitResult::not_performed("b", UNIT_B, why),
        };
        out.into_result(vec![a, b])
    }
}

const UNIT_B: &str = "brute force attempted on every network mechanism";

async fn unit_b(ctx: &CaseContext<'_>, params: &Params, out: &mut Gathered) -> UnitResult {
    let profile = &ctx.config.profile;
    let network: Vec<&AuthMechanism> = profile
        .body
        .ixit
        .auth_mechanisms
        .iter()
        .map(|m| &m.value)
        .filter(|m| !matches!(m.login, LoginSurface::Console(_)))
        .filter(|m| {
            m.service
                .as_ref()
                .and_then(|s| profile.service(&s.value))
                .is_some_and(|s| s.enabled)
        })
        .collect();
    if network.is_empty() {
        return UnitResult::not_applicable(
            "b",
            UNIT_B,
            "no enabled network authentication mechanism is declared (IXIT 1)",
        );
    }
    let (mut findings, mut blockers) = (vec![], vec![]);
    for mech in network {
        let log = ctx
            .sample
            .evidence
            .log(&format!("5.1-5-2/{}-attempts.log", mech.id));
        out.evidence.push(log.path.clone());
        match attack(ctx, mech, params, &log).await {
            Ok(o) => {
                out.details.extend(o.details);
                findings.extend(o.findings.into_iter().map(|f| format!("{}: {f}", mech.id)));
                blockers.extend(o.blockers.into_iter().map(|b| b.context(&mech.id)));
                out.measurements.extend(o.measurements);
                out.figures.push(o.figure);
            }
            Err(e) => blockers.push(e.context(&mech.id)),
        }
    }
    UnitResult::judge(
        "b",
        UNIT_B,
        &findings,
        &blockers,
        "brute force impracticable on every network mechanism, as declared",
    )
}
