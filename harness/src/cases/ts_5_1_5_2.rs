//! TS 103 701 test case 5.1-5-2 (functional), provision 5.1-5: brute force over network
//! interfaces is made impracticable.
//!
//! Unit (b): every network-based mechanism in IXIT 1 is attacked with a paced loop of wrong
//! passwords, never more than the suite allows. Each attempt's time, answer and latency are kept;
//! the lockout threshold, the achievable attempts per minute and the latency growth are derived
//! and compared with the declared "Brute Force Prevention". After the lockout the right
//! credential must work again: a permanent lockout is a denial of service.
//! (Unit (a), undeclared mechanisms, is 5.1-1-2 unit (a)'s scan.)

use super::brute_force_judgement::{
    attempts_figure, judge, judge_undeclared, round1, Declared, Judgement,
};
use super::brute_force_series::{recovered_after, series};
use super::{CaseContext, CaseSpec, TestCase};
use crate::bench::run_state::Known;
use crate::config::duration::Dur;
use crate::config::profile::{AuthMechanism, LoginSurface};
use crate::config::suite::FactSection;
use crate::facts::initialized;
use crate::login::{self, CredentialTrial};
use crate::model::figure::Figure;
use crate::model::unit::{Gathered, UnitResult};
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use serde::Deserialize;
use std::time::Duration;

/// The suite's `cases."5.1-5-2"` entry.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
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
}

fn nist_limit() -> u32 {
    100
}

pub struct Case;

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.1-5-2",
        provision: "5.1-5",
        title: "brute force over the network impracticable",
        decision_rule: "Units (a) and (b), each judged on its own; PASS only when both pass. (a) FAIL if an open TCP port outside the declared mechanisms' services takes a login (5.1-1-2 unit (a)'s scan). (b) Per network mechanism: FAIL if more than the declared number of consecutive failures plus the suite's tolerance are answered as wrong credentials without a lockout, or no lockout or delay at least half the declared lockout appears within the suite's attempt budget, or the right credential is still refused after twice the declared lockout time (permanent lockout). Where IXIT 1 declares no prevention the mechanism is attacked all the same: FAIL if more than the suite's `undeclared_threshold` (default 100, NIST SP 800-63B 5.2.2) consecutive wrong passwords are evaluated with neither a lockout answer nor a growing delay (median answer time of the last five attempts at least 1 s and four times the first five's). INCONCLUSIVE if the budget is too small to see the declared threshold or to exceed the undeclared one, or the surface does not answer like a login. PASS otherwise.",
    };

    const FACTS: &'static [FactSection] = &[FactSection::Scan];

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

struct Observed {
    findings: Vec<String>,
    details: Vec<String>,
    measurements: Vec<Measurement>,
    figure: Figure,
}

async fn attack(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    params: &Params,
    log: &crate::evidence::EvidenceLog,
) -> Result<Observed, Blocker> {
    let config = |e: &str| Blocker::new(Cause::Config, e);
    let Some(declared) = mech.brute_force.as_ref() else {
        return undeclared(ctx, mech, params, log).await;
    };
    let budget = params.max_attempts;
    let needed = declared.after_failures + params.tolerance + 1;
    if budget < needed {
        return Err(config(&format!("the suite allows {budget} attempts; {needed} are needed to see the declared threshold of {}", declared.after_failures)));
    }
    let Account {
        trial,
        username,
        current,
    } = account(ctx, mech)?;
    let lockout = declared.lockout.0;
    log.line(
        "#",
        &format!(
            "declared: lockout after {} failures for {:.3}s; budget {budget} attempts, pace {:.3}s",
            declared.after_failures,
            lockout.as_secs_f64(),
            params.pace.0.as_secs_f64()
        ),
    );

    let declared = Declared {
        after_failures: declared.after_failures,
        lockout,
        tolerance: params.tolerance,
    };
    let (j, figure) = observe(mech, &*trial, &username, &current, params, &declared, log).await?;
    let (locked_at, evaluated, elapsed, id) = (j.locked_at, j.evaluated, j.elapsed, &mech.id);
    let mut o = Observed {
        findings: j.findings,
        details: j.details,
        measurements: j.measurements,
        figure,
    };
    if locked_at.is_some() {
        let recovered = recovered_after(&*trial, &username, &current, lockout, log).await;
        let flag = if recovered.is_some() { 1.0 } else { 0.0 };
        o.measurements.push(Measurement::new(
            &format!("{id}_recovered_after_lockout"),
            flag,
            "boolean",
        ));
        if let Some(waited) = recovered {
            // What an attacker sustains: a burst up to the lockout, then the wait, again and again.
            let per_minute = evaluated as f64 * 60.0 / (elapsed + waited).as_secs_f64();
            o.measurements.push(Measurement::new(
                &format!("{id}_attempts_per_minute_sustained"),
                round1(per_minute),
                "attempts/min",
            ));
        }
        let recovered = recovered.is_some();
        if !recovered {
            o.findings.push(format!("the right credential is still refused {:.3}s after the lockout began: a permanent lockout (denial of service)", (lockout * 2 + Duration::from_millis(100)).as_secs_f64()));
        }
    }
    Ok(o)
}

/// The attack series against the declared threshold. A series whose pacing could not show the
/// lockout (the unit answered slower than the lockout lasts) is made once more before the
/// mechanism is left undetermined.
async fn observe(
    mech: &AuthMechanism,
    trial: &dyn CredentialTrial,
    username: &str,
    current: &str,
    params: &Params,
    declared: &Declared,
    log: &crate::evidence::EvidenceLog,
) -> Result<(Judgement, Figure), Blocker> {
    let unit = |e: String| Blocker::new(Cause::Unit, e);
    let lockout = declared.lockout;
    let mut first = true;
    loop {
        let attempts = series(
            trial,
            username,
            current,
            params.max_attempts,
            params.pace.0,
            lockout,
            log,
        )
        .await
        .map_err(unit)?;
        let j = judge(&mech.id, &attempts, declared);
        match &j.lapsed {
            Some(why) if first => {
                log.line("#", &format!("{why}: the series is made once more"));
                first = false;
            }
            Some(why) => {
                return Err(Blocker::new(
                    Cause::Bench,
                    format!("the lockout could not be observed: {why}"),
                ))
            }
            None => {
                let figure =
                    attempts_figure(&mech.id, &attempts, Some(declared.after_failures), None);
                return Ok((j, figure));
            }
        }
    }
}

/// The mechanism's login as the attack uses it: the trial, the account and its right password.
struct Account<'a> {
    trial: Box<dyn CredentialTrial + 'a>,
    username: String,
    current: String,
}

fn account<'a>(ctx: &CaseContext<'a>, mech: &'a AuthMechanism) -> Result<Account<'a>, Blocker> {
    let config = |e: String| Blocker::new(Cause::Config, e);
    let (trial, username) = login::for_account(
        ctx.sample,
        &ctx.config.profile,
        mech,
        &format!("5.1-5-2/{}-transcript.log", mech.id),
    )?;
    let current = ctx
        .sample
        .state
        .get(Known::Password)
        .ok_or_else(|| config("no current password is known".into()))?;
    Ok(Account {
        trial,
        username,
        current,
    })
}

/// No prevention declared: the series runs just past the decision rule's threshold, unless a
/// lockout answer ends it first.
async fn undeclared(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    params: &Params,
    log: &crate::evidence::EvidenceLog,
) -> Result<Observed, Blocker> {
    let config = |e: String| Blocker::new(Cause::Config, e);
    let threshold = params.undeclared_threshold;
    let needed = threshold + 1;
    if params.max_attempts < needed {
        return Err(config(format!("IXIT 1 declares no brute-force prevention, and the suite allows {} attempts per mechanism: {needed} are needed to exceed the decision rule's threshold of {threshold}", params.max_attempts)));
    }
    let Account {
        trial,
        username,
        current,
    } = account(ctx, mech)?;
    log.line(
        "#",
        &format!(
            "declared: no prevention; {needed} attempts, pace {:.3}s",
            params.pace.0.as_secs_f64()
        ),
    );
    // With nothing declared, a lockout another case left is waited out a second at a time.
    let attempts = series(
        &*trial,
        &username,
        &current,
        needed,
        params.pace.0,
        Duration::from_secs(1),
        log,
    )
    .await
    .map_err(|e| Blocker::new(Cause::Unit, e))?;
    let j = judge_undeclared(&mech.id, &attempts, threshold);
    Ok(Observed {
        findings: j.findings,
        details: j.details,
        measurements: j.measurements,
        figure: attempts_figure(&mech.id, &attempts, None, Some(threshold)),
    })
}
