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
    attempts_figure, describe_span, judge, judge_span, judge_undeclared, round1, Declared,
    Judgement, RightPassword, Span,
};
use super::brute_force_series::{Series, Target};
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
    /// How many times a lockout is brought about to measure how long it lasts: the first
    /// finds when the right password works again, each further one asks once halfway through
    /// what is known (default 3).
    #[serde(default = "three")]
    pub lockout_probes: u32,
    /// How long to wait for a lockout IXIT 1 does not declare to end before calling it a lock
    /// (default 10 minutes).
    #[serde(default = "ten_minutes")]
    pub undeclared_lockout_wait: Dur,
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
        decision_rule: "Units (a) and (b), each judged on its own; PASS only when both pass. (a) FAIL if an open TCP port outside the declared mechanisms' services takes a login (5.1-1-2 unit (a)'s scan). (b) Per network mechanism, after the right password is shown to work: a series of wrong passwords, two more than the declared threshold plus the suite's tolerance, then the right password once (a lockout that answers like a wrong password shows only there). FAIL if a lockout answer comes later than the threshold plus tolerance, if neither a lockout answer, nor the right password's refusal, nor a delay (at least two answers past the threshold each taking half the declared lockout) shows prevention, or if a silent lockout, checked with a series of exactly the allowed failures, began later. The lockout's length is measured with the right password only (first just after the declared time, then with doubling gaps; each of the suite's `lockout_probes` further lockouts asks once halfway through what is known): FAIL if it was over within half the declared time, or not over within twice it (permanent or far longer than declared). Where IXIT 1 declares no prevention the mechanism is attacked all the same: FAIL if more than the suite's `undeclared_threshold` (default 100, NIST SP 800-63B 5.2.2) consecutive wrong passwords are evaluated with neither a lockout answer, nor the right password's refusal, nor a growing delay (median answer time of the last five attempts at least 1 s and four times the first five's); a lockout found is measured and described (a lock that does not pass is a prevention TS 103 701 lists). INCONCLUSIVE if the budget is too small to see the declared threshold or to exceed the undeclared one, the right password was not accepted before the series, or the surface does not answer like a login. PASS otherwise.",
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

impl Observed {
    fn add(&mut self, j: Judgement) {
        self.findings.extend(j.findings);
        self.details.extend(j.details);
        self.measurements.extend(j.measurements);
    }
}

/// How one series is made again to lock the login once more, for measuring the lockout.
struct Relock {
    count: u32,
    pace: Duration,
    wait: Duration,
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
    let allowed = declared.after_failures + params.tolerance;
    if budget < allowed + 1 {
        return Err(config(&format!(
            "the suite allows {budget} attempts; {} are needed to see the declared threshold of {}",
            allowed + 1,
            declared.after_failures
        )));
    }
    let account = account(ctx, mech)?;
    let target = account.target();
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
    // Two attempts past what is allowed show a lockout that comes late, and a delay.
    let relock = Relock {
        count: (allowed + 2).min(budget),
        pace: params.pace.0,
        wait: lockout,
    };
    let (j, series) = observe(mech, &target, &relock, &declared, log).await?;
    let id = &mech.id;
    let figure = attempts_figure(id, &series.attempts, Some(declared.after_failures), None);
    let (locked, silent, evaluated, elapsed) = (
        j.locked_at.is_some() || j.silent,
        j.silent,
        j.evaluated,
        j.elapsed,
    );
    let mut o = Observed {
        findings: vec![],
        details: vec![],
        measurements: vec![],
        figure,
    };
    o.add(j);
    if !locked {
        return Ok(o);
    }
    let waited = lockout * 2 + Duration::from_millis(100);
    let first = lockout + lockout / 10 + Duration::from_millis(20);
    let span = measure(&target, &series, &relock, first, waited, params, log).await;
    if let Some(by) = span.accepted_by {
        // What an attacker sustains: a burst up to the lockout, then the lockout, again and again.
        let per_minute = evaluated as f64 * 60.0 / (elapsed + by).as_secs_f64();
        o.measurements.push(Measurement::new(
            &format!("{id}_attempts_per_minute_sustained"),
            round1(per_minute),
            "attempts/min",
        ));
    }
    o.add(judge_span(id, &span, lockout, waited));
    if silent {
        // Where in the series the silent lockout began is not known: once it has passed, a series
        // of exactly the allowed failures, then the right password, tells whether it came on time.
        let onset = target
            .series(allowed, params.pace.0, lockout, log)
            .await
            .map_err(|e| Blocker::new(Cause::Unit, e))?;
        match right_password(&onset) {
            RightPassword::AcceptedAfter => o.findings.push(format!(
                "a lockout that answers like a wrong password began only after more than {allowed} failures; {} declared",
                declared.after_failures
            )),
            RightPassword::RefusedAfter => o.details.push(format!(
                "{id}: the silent lockout began within {allowed} failures"
            )),
            _ => o.details.push(format!(
                "{id}: when the silent lockout began could not be told (the right password was not accepted before the second series)"
            )),
        }
    }
    Ok(o)
}

/// How long the lockout `series` brought about lasts: when the right password works again,
/// then, over `params.lockout_probes` lockouts in all, one probe halfway through what is known.
async fn measure(
    target: &Target<'_>,
    series: &Series,
    relock: &Relock,
    first: Duration,
    waited: Duration,
    params: &Params,
    log: &crate::evidence::EvidenceLog,
) -> Span {
    // Measured from the last wrong password, the lower end holds; the upper end also counts
    // the time a silent lockout may already have lasted by then.
    let slack = |mut span: Span, series: &Series| {
        span.accepted_by = span.accepted_by.map(|by| by + series.onset_slack);
        span
    };
    let mut span = slack(
        target.recovery(series.last_wrong, first, waited, log).await,
        series,
    );
    for _ in 1..params.lockout_probes {
        let Some(hi) = span.accepted_by else { break };
        let lo = span.refused_for;
        if hi.saturating_sub(lo) <= hi / 10 {
            break;
        }
        let mid = lo + (hi - lo) / 2;
        let Ok(again) = target
            .series(relock.count, relock.pace, relock.wait, log)
            .await
        else {
            break;
        };
        let locked = again
            .attempts
            .iter()
            .any(|a| a.outcome == login::LoginOutcome::LockedOut)
            || again.after == Some(login::LoginOutcome::Rejected);
        if !locked {
            log.line(
                "#",
                "the series did not lock the login again; the lockout is not narrowed further",
            );
            break;
        }
        let (at_once, later) = target.probe_once(again.last_wrong, mid, waited, log).await;
        let later = slack(later, &again);
        if !at_once {
            span.refused_for = span.refused_for.max(mid);
        }
        span.accepted_by = match later.accepted_by {
            Some(by) => Some(by.min(hi)),
            None => break,
        };
    }
    span
}

/// The attack series against the declared threshold. A series whose pacing could not show the
/// lockout (the unit answered slower than the lockout lasts), or whose right-password control
/// could not be used, is made once more before the mechanism is left undetermined.
async fn observe(
    mech: &AuthMechanism,
    target: &Target<'_>,
    relock: &Relock,
    declared: &Declared,
    log: &crate::evidence::EvidenceLog,
) -> Result<(Judgement, Series), Blocker> {
    let unit = |e: String| Blocker::new(Cause::Unit, e);
    let mut first = true;
    loop {
        let series = target
            .series(relock.count, relock.pace, relock.wait, log)
            .await
            .map_err(unit)?;
        let j = judge(
            &mech.id,
            &series.attempts,
            right_password(&series),
            declared,
        );
        match &j.undetermined {
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
            None => return Ok((j, series)),
        }
    }
}

fn right_password(series: &Series) -> RightPassword {
    match (&series.before, &series.after) {
        (_, None) => RightPassword::NotAsked,
        (login::LoginOutcome::Accepted, Some(login::LoginOutcome::Accepted)) => {
            RightPassword::AcceptedAfter
        }
        (login::LoginOutcome::Accepted, Some(_)) => RightPassword::RefusedAfter,
        _ => RightPassword::Unusable,
    }
}

/// The mechanism's login as the attack uses it: the trial, the account and its right password.
struct Account<'a> {
    trial: Box<dyn CredentialTrial + 'a>,
    username: String,
    current: String,
}

impl Account<'_> {
    fn target(&self) -> Target<'_> {
        Target {
            trial: &*self.trial,
            username: &self.username,
            current: &self.current,
        }
    }
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
/// lockout answer ends it first; the right password after it shows a lockout that answers like
/// a wrong password. A lockout found is measured all the same.
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
    let account = account(ctx, mech)?;
    let target = account.target();
    log.line(
        "#",
        &format!(
            "declared: no prevention; {needed} attempts, pace {:.3}s",
            params.pace.0.as_secs_f64()
        ),
    );
    // With nothing declared, a lockout another case left is waited out a second at a time.
    let relock = Relock {
        count: needed,
        pace: params.pace.0,
        wait: Duration::from_secs(1),
    };
    let series = target
        .series(relock.count, relock.pace, relock.wait, log)
        .await
        .map_err(|e| Blocker::new(Cause::Unit, e))?;
    let j = judge_undeclared(
        &mech.id,
        &series.attempts,
        right_password(&series),
        threshold,
    );
    if let Some(why) = &j.undetermined {
        return Err(Blocker::new(Cause::Bench, why.clone()));
    }
    let locked = j.locked_at.is_some() || j.silent;
    let mut o = Observed {
        findings: vec![],
        details: vec![],
        measurements: vec![],
        figure: attempts_figure(&mech.id, &series.attempts, None, Some(threshold)),
    };
    o.add(j);
    if locked {
        let waited = params.undeclared_lockout_wait.0;
        let span = measure(
            &target,
            &series,
            &relock,
            Duration::from_secs(1),
            waited,
            params,
            log,
        )
        .await;
        o.add(describe_span(&mech.id, &span, waited));
    }
    Ok(o)
}
