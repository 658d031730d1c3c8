//! 5.1-5-2 unit (b) against one network mechanism: the attack series as IXIT 1's declared
//! prevention calls for it (a lockout for a time, a permanent lock, or nothing declared), the
//! right-password controls around it, and the lockout's length measured; judged by
//! brute_force_judgement.

use super::brute_force_judgement::{
    attempts_figure, control_too_late, judge, judge_undeclared, round1, Declared, Judgement,
    RightPassword,
};
use super::brute_force_series::{measure, right_password, Relock, Series, Target};
use super::lockout_judgement::{describe_span, judge_permanent, judge_span};
use super::ts_5_1_5_2::Params;
use super::CaseContext;
use crate::bench::run_state::Known;
use crate::config::profile::AuthMechanism;
use crate::login::{self, CredentialTrial};
use crate::model::figure::Figure;
use crate::model::verdict::{Blocker, Cause, Measurement};
use std::time::Duration;

/// What the attack on one mechanism found.
pub struct Observed {
    pub findings: Vec<String>,
    /// Parts of the attack that could not be done: the mechanism's result is not performed
    /// unless a finding makes it a FAIL anyway.
    pub blockers: Vec<Blocker>,
    pub details: Vec<String>,
    pub measurements: Vec<Measurement>,
    pub figure: Figure,
}

impl Observed {
    fn add(&mut self, j: Judgement) {
        self.findings.extend(j.findings);
        self.details.extend(j.details);
        self.measurements.extend(j.measurements);
    }
}

pub async fn attack(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    params: &Params,
    log: &crate::evidence::EvidenceLog,
) -> Result<Observed, Blocker> {
    let config = |e: &str| Blocker::new(Cause::Config, e);
    let phase = format!("brute force on {}", mech.id);
    ctx.sample.activity.phase(phase, None);
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
    let Some(lockout) = declared.lockout.duration() else {
        return permanent(ctx, mech, declared.after_failures, params, log).await;
    };
    let account = account(ctx, mech)?;
    let target = account.target();
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
        permanent: false,
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
        blockers: vec![],
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
    let span = measure(
        &target,
        &series,
        &relock,
        first,
        waited,
        params.lockout_probes,
        log,
    )
    .await;
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
        let late = control_too_late(&onset.attempts, onset.right_sent, &declared);
        match (right_password(&onset), late) {
            (RightPassword::AcceptedAfter, Some(why)) => o.blockers.push(Blocker::new(
                Cause::Bench,
                format!("when the silent lockout began could not be told: {why}"),
            )),
            (RightPassword::AcceptedAfter, None) => o.findings.push(format!(
                "a lockout that answers like a wrong password began only after more than {allowed} failures; {} declared",
                declared.after_failures
            )),
            (RightPassword::RefusedAfter, _) => o.details.push(format!(
                "{id}: the silent lockout began within {allowed} failures"
            )),
            _ => o.blockers.push(Blocker::new(
                Cause::Unit,
                "when the silent lockout began could not be told: the right password was not accepted before the second series",
            )),
        }
    }
    Ok(o)
}

/// IXIT 1 declares a lock that only an administrator or a factory reset lifts (TS 103 701
/// 5.1-5-1 NOTE 1: limited attempts, then lock): the series must bring it about on time, and the
/// right password must stay refused for as long as the suite waits (`permanent_after`).
/// Once locked the unit cannot be locked again, so neither the lockout's onset nor its length
/// is narrowed further.
async fn permanent(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    after_failures: u32,
    params: &Params,
    log: &crate::evidence::EvidenceLog,
) -> Result<Observed, Blocker> {
    let account = account(ctx, mech)?;
    let target = account.target();
    let wait = params.permanent_after.0;
    log.line(
        "#",
        &format!(
            "declared: permanent lock after {after_failures} failures; pace {:.3}s",
            params.pace.0.as_secs_f64()
        ),
    );
    let relock = Relock {
        count: (after_failures + params.tolerance + 2).min(params.max_attempts),
        pace: params.pace.0,
        wait: Duration::from_secs(1),
    };
    // A lock no wait lifts: the delay and lapse rules, made for a lockout that passes, never
    // apply with the whole wait as its length.
    let declared = Declared {
        after_failures,
        lockout: wait,
        permanent: true,
        tolerance: params.tolerance,
    };
    let (j, series) = observe(mech, &target, &relock, &declared, log).await?;
    let locked = j.locked_at.is_some() || j.silent;
    let mut o = Observed {
        findings: vec![],
        blockers: vec![],
        details: vec![],
        measurements: vec![],
        figure: attempts_figure(&mech.id, &series.attempts, Some(after_failures), None),
    };
    o.add(j);
    if locked {
        let span = target
            .recovery(series.last_wrong, Duration::from_secs(1), wait, log)
            .await;
        o.add(judge_permanent(&mech.id, &span, wait));
    }
    Ok(o)
}

/// The attack series against the declared threshold. A series whose pacing could not show the
/// lockout (the unit answered slower than the lockout lasts, or the right password came too late
/// after the threshold), or whose right-password control could not be used, is made once more
/// before the mechanism is left undetermined: only as long as the declared threshold and the
/// tolerance allow, so that the right password follows the threshold as closely as it can.
async fn observe(
    mech: &AuthMechanism,
    target: &Target<'_>,
    relock: &Relock,
    declared: &Declared,
    log: &crate::evidence::EvidenceLog,
) -> Result<(Judgement, Series), Blocker> {
    let unit = |e: String| Blocker::new(Cause::Unit, e);
    let mut first = true;
    let allowed = declared.after_failures + declared.tolerance;
    loop {
        let count = match first {
            true => relock.count,
            false => relock.count.min(allowed),
        };
        let series = target
            .series(count, relock.pace, relock.wait, log)
            .await
            .map_err(unit)?;
        let j = judge(
            &mech.id,
            &series.attempts,
            right_password(&series),
            series.right_sent,
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
        blockers: vec![],
        details: vec![],
        measurements: vec![],
        figure: attempts_figure(&mech.id, &series.attempts, None, Some(threshold)),
    };
    o.add(j);
    if locked {
        let waited = params.permanent_after.0;
        let span = measure(
            &target,
            &series,
            &relock,
            Duration::from_secs(1),
            waited,
            params.lockout_probes,
            log,
        )
        .await;
        o.add(describe_span(&mech.id, &span, waited));
    }
    Ok(o)
}
