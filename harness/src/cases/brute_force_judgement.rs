//! 5.1-5-2's judgement of one mechanism's series of wrong-password attempts. Pure: it reads the
//! series as observed and the declaration, so each rule is tested on made-up series.

use crate::login::LoginOutcome;
use crate::model::figure::{AttemptPoint, Figure};
use crate::model::verdict::Measurement;
use std::time::Duration;

pub struct Attempt {
    /// When the answer came, since the series began.
    pub at: Duration,
    pub outcome: LoginOutcome,
    pub latency: Duration,
}

impl Attempt {
    fn sent(&self) -> Duration {
        self.at.saturating_sub(self.latency)
    }
}

/// IXIT 1's brute-force prevention, with the suite's tolerance.
pub struct Declared {
    pub after_failures: u32,
    pub lockout: Duration,
    /// A lock no wait lifts; `lockout` is then how long hilt waits.
    pub permanent: bool,
    pub tolerance: u32,
}

impl Declared {
    fn lasting(&self) -> String {
        match self.permanent {
            true => "permanently".into(),
            false => format!("for {:.3}s", self.lockout.as_secs_f64()),
        }
    }
}

#[derive(Default)]
pub struct Judgement {
    pub findings: Vec<String>,
    pub details: Vec<String>,
    pub measurements: Vec<Measurement>,
    /// 1-based number of the attempt answered "locked out".
    pub locked_at: Option<usize>,
    pub evaluated: usize,
    /// When the last answer came.
    pub elapsed: Duration,
    /// No lockout answer, but the right password was refused right after the series: a lockout
    /// that answers like a wrong password.
    pub silent: bool,
    /// Why the series cannot show whether the lockout came on time: past the declared threshold
    /// two attempts were sent further apart than the declared lockout lasts, so a lockout could
    /// have begun and ended unseen; or the right password was not accepted before the series,
    /// so its refusal after it says nothing. Set instead of a finding.
    pub undetermined: Option<String>,
}

/// The right password's answers around a series that had no lockout answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RightPassword {
    /// A lockout answer ended the series, so the right password was not asked.
    NotAsked,
    /// Not accepted before the series: its answer after it cannot tell a lockout.
    Unusable,
    AcceptedAfter,
    /// Accepted before the series and refused after it: a silent lockout.
    RefusedAfter,
}

/// The series as report.html draws it: each attempt's latency and answer, the threshold marked.
pub fn attempts_figure(
    mechanism: &str,
    attempts: &[Attempt],
    declared_after: Option<u32>,
    undeclared_threshold: Option<u32>,
) -> Figure {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Figure::Attempts {
        mechanism: mechanism.to_string(),
        declared_after,
        undeclared_threshold,
        attempts: attempts
            .iter()
            .map(|a| AttemptPoint {
                sent_ms: ms(a.sent()),
                latency_ms: ms(a.latency),
                outcome: match &a.outcome {
                    LoginOutcome::Rejected => "rejected",
                    LoginOutcome::LockedOut => "locked",
                    LoginOutcome::Accepted | LoginOutcome::ForcedChange => "accepted",
                    LoginOutcome::NotALogin(_) => "other",
                }
                .to_string(),
            })
            .collect(),
    }
}

/// `right_sent` is when the right password after the series was sent, since the series began.
pub fn judge(
    id: &str,
    attempts: &[Attempt],
    right: RightPassword,
    right_sent: Option<Duration>,
    d: &Declared,
) -> Judgement {
    let mut j = observed(id, attempts);
    let (burst, first, slowest) = rates(&j, attempts);
    j.details.push(format!(
        "{id}: declared lockout after {} failures {}; observed {} ({} wrong passwords evaluated at {burst:.1} attempts/min before any lockout, latency {:.1} ms first, {:.1} ms slowest)",
        d.after_failures,
        d.lasting(),
        j.locked_at.map(|n| format!("lockout after {} failures", n - 1)).unwrap_or_else(|| "no lockout".into()),
        j.evaluated,
        ms(first),
        ms(slowest)
    ));
    let allowed = (d.after_failures + d.tolerance) as usize;
    let none = format!(
        "{} wrong passwords evaluated with no lockout or delay; declared lockout after {} failures {}",
        j.evaluated,
        d.after_failures,
        d.lasting()
    );
    let finding = match (j.locked_at, right) {
        (Some(n), _) if n - 1 > allowed => Some(format!(
            "locked out only after {} failures; {} declared",
            n - 1,
            d.after_failures
        )),
        (Some(_), _) => None,
        (None, RightPassword::RefusedAfter) => {
            j.silent = true;
            j.details.push(format!("{id}: no lockout answer, but the right password was refused right after {} wrong ones: a lockout that answers like a wrong password", j.evaluated));
            None
        }
        (None, _) if delayed(attempts, d) => {
            j.details.push(format!(
                "{id}: no lockout answer, but every answer past the declared threshold took at least half the declared lockout (slowest {:.1} ms)",
                ms(slowest)
            ));
            None
        }
        (None, RightPassword::AcceptedAfter) => Some(format!(
            "{none}, and the right password was accepted right after them"
        )),
        (None, _) => {
            j.undetermined = Some(
                "the right password was not accepted before the series, so a lockout that answers like a wrong password could not be told apart".into(),
            );
            None
        }
    };
    if let Some(finding) = finding {
        match lapse(attempts, d).or_else(|| control_too_late(attempts, right_sent, d)) {
            Some(why) => j.undetermined = Some(why),
            None => j.findings.push(finding),
        }
    }
    j
}

/// Throttling instead of a lockout: at least two attempts past the declared threshold, every
/// one answered after at least half the declared lockout. One slow answer (a TLS handshake, a
/// busy moment) is not a delay.
fn delayed(attempts: &[Attempt], d: &Declared) -> bool {
    let past = attempts
        .get(d.after_failures as usize..)
        .unwrap_or_default();
    past.len() >= 2 && past.iter().all(|a| a.latency >= d.lockout / 2)
}

/// The counts and measurements every series gives, declared prevention or not.
fn observed(id: &str, attempts: &[Attempt]) -> Judgement {
    let mut j = Judgement {
        evaluated: attempts
            .iter()
            .filter(|a| a.outcome == LoginOutcome::Rejected)
            .count(),
        locked_at: attempts
            .iter()
            .position(|a| a.outcome == LoginOutcome::LockedOut)
            .map(|i| i + 1),
        elapsed: attempts.last().map(|a| a.at).unwrap_or_default(),
        ..Judgement::default()
    };
    let (burst, first, slowest) = rates(&j, attempts);
    j.measurements = vec![
        Measurement::new(
            &format!("{id}_wrong_passwords_evaluated"),
            j.evaluated as f64,
            "attempts",
        ),
        Measurement::new(
            &format!("{id}_attempts_per_minute_burst"),
            round1(burst),
            "attempts/min",
        ),
        Measurement::new(&format!("{id}_first_latency"), ms(first), "ms"),
        Measurement::new(&format!("{id}_slowest_latency"), ms(slowest), "ms"),
    ];
    if let Some(n) = j.locked_at {
        j.measurements.push(Measurement::new(
            &format!("{id}_lockout_after"),
            (n - 1) as f64,
            "failures",
        ));
    }
    j
}

/// Attempts per minute before any lockout, the first and the slowest answer.
fn rates(j: &Judgement, attempts: &[Attempt]) -> (f64, Duration, Duration) {
    let burst = if j.elapsed.is_zero() {
        0.0
    } else {
        j.evaluated as f64 * 60.0 / j.elapsed.as_secs_f64()
    };
    let first = attempts.first().map(|a| a.latency).unwrap_or_default();
    let slowest = attempts.iter().map(|a| a.latency).max().unwrap_or_default();
    (burst, first, slowest)
}

/// A mechanism for which IXIT 1 declares no prevention: brute force is practicable when more
/// than `threshold` consecutive wrong passwords are evaluated with neither a lockout nor a
/// growing delay (the suite's decision rule; NIST SP 800-63B 5.2.2 allows at most 100).
pub fn judge_undeclared(
    id: &str,
    attempts: &[Attempt],
    right: RightPassword,
    threshold: u32,
) -> Judgement {
    let mut j = observed(id, attempts);
    let (burst, first, slowest) = rates(&j, attempts);
    j.details.push(format!(
        "{id}: no prevention declared; {} wrong passwords evaluated at {burst:.1} attempts/min before any lockout, latency {:.1} ms first, {:.1} ms slowest",
        j.evaluated,
        ms(first),
        ms(slowest)
    ));
    if let Some(n) = j.locked_at {
        j.details.push(format!(
            "{id}: locked out after {} failures, though IXIT 1 declares no brute-force prevention",
            n - 1
        ));
    } else if right == RightPassword::RefusedAfter {
        j.silent = true;
        j.details.push(format!(
            "{id}: no lockout answer, but the right password was refused right after {} wrong ones: a lockout that answers like a wrong password, though IXIT 1 declares no prevention",
            j.evaluated
        ));
    } else if let Some((early, late)) = growing_delay(attempts) {
        j.details.push(format!(
            "{id}: answers slowed from {early:.1} ms to {late:.1} ms (median of the first and last five), though IXIT 1 declares no prevention"
        ));
    } else if j.evaluated > threshold as usize && right == RightPassword::Unusable {
        j.undetermined = Some(format!("{} wrong passwords answered with no lockout, but the right password was not accepted before them, so a lockout that answers like a wrong password could not be told apart", j.evaluated));
    } else if j.evaluated > threshold as usize {
        j.findings.push(format!(
            "{} consecutive wrong passwords evaluated at {burst:.1} attempts/min with no lockout or growing delay; IXIT 1 declares no brute-force prevention and the decision rule allows at most {threshold}",
            j.evaluated
        ));
    } else {
        j.details.push(format!(
            "{id}: only {} wrong passwords were evaluated; the threshold of {threshold} was not reached",
            j.evaluated
        ));
    }
    j
}

/// The median answer time of the last five attempts against the first five, when it grew to at
/// least a second and four times the start: throttling, not one slow handshake.
fn growing_delay(attempts: &[Attempt]) -> Option<(f64, f64)> {
    if attempts.len() < 10 {
        return None;
    }
    let median = |part: &[Attempt]| {
        let mut l: Vec<Duration> = part.iter().map(|a| a.latency).collect();
        l.sort();
        l[l.len() / 2]
    };
    let early = median(&attempts[..5]);
    let late = median(&attempts[attempts.len() - 5..]);
    (late >= Duration::from_secs(1) && late >= early * 4).then(|| (ms(early), ms(late)))
}

/// The first pair of attempts past the declared threshold sent at least the declared lockout
/// apart, worded for the record.
fn lapse(attempts: &[Attempt], d: &Declared) -> Option<String> {
    let threshold = d.after_failures as usize;
    let end = attempts
        .iter()
        .position(|a| a.outcome == LoginOutcome::LockedOut)
        .map(|i| i + 1)
        .unwrap_or(attempts.len());
    (threshold.max(1)..end).find_map(|i| {
        let gap = attempts[i].sent().saturating_sub(attempts[i - 1].sent());
        (gap >= d.lockout).then(|| {
            format!(
                "attempts {} and {} were sent {:.1} ms apart, longer than the declared lockout of {:.1} ms, so a lockout could have begun and ended unseen",
                i,
                i + 1,
                ms(gap),
                ms(d.lockout)
            )
        })
    })
}

/// The right password's acceptance shows there was no lockout only while a lockout that began
/// at the declared threshold would still last: sent later, a silent lockout could have ended
/// unseen (a slow unit, a loaded bench).
pub fn control_too_late(
    attempts: &[Attempt],
    right_sent: Option<Duration>,
    d: &Declared,
) -> Option<String> {
    let threshold = attempts.get((d.after_failures as usize).checked_sub(1)?)?;
    let gap = right_sent?.checked_sub(threshold.at)?;
    (gap >= d.lockout).then(|| {
        format!(
            "the right password was sent {:.1} ms after the answer to attempt {}, the declared threshold, longer than the declared lockout of {:.1} ms, so a lockout that answers like a wrong password could have ended unseen",
            ms(gap),
            d.after_failures,
            ms(d.lockout)
        )
    })
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

#[cfg(test)]
#[path = "brute_force_judgement_tests.rs"]
pub(crate) mod tests;
