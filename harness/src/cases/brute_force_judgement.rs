//! 5.1-5-2's judgement of one mechanism's series of wrong-password attempts. Pure: it reads the
//! series as observed and the declaration, so each rule is tested on made-up series.

use crate::login::LoginOutcome;
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
    pub tolerance: u32,
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
    /// Why the series cannot show whether the lockout came on time: past the declared threshold
    /// two attempts were sent further apart than the declared lockout lasts, so a lockout could
    /// have begun and ended unseen. Set instead of a finding.
    pub lapsed: Option<String>,
}

pub fn judge(id: &str, attempts: &[Attempt], d: &Declared) -> Judgement {
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
    let burst = if j.elapsed.is_zero() {
        0.0
    } else {
        j.evaluated as f64 * 60.0 / j.elapsed.as_secs_f64()
    };
    let first = attempts.first().map(|a| a.latency).unwrap_or_default();
    let slowest = attempts.iter().map(|a| a.latency).max().unwrap_or_default();
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
    j.details.push(format!(
        "{id}: declared lockout after {} failures for {:.3}s; observed {} ({} wrong passwords evaluated at {burst:.1} attempts/min before any lockout, latency {:.1} ms first, {:.1} ms slowest)",
        d.after_failures,
        d.lockout.as_secs_f64(),
        j.locked_at.map(|n| format!("lockout after {} failures", n - 1)).unwrap_or_else(|| "no lockout".into()),
        j.evaluated,
        ms(first),
        ms(slowest)
    ));
    let allowed = (d.after_failures + d.tolerance) as usize;
    let finding = match j.locked_at {
        Some(n) if n - 1 > allowed => Some(format!(
            "locked out only after {} failures; {} declared",
            n - 1,
            d.after_failures
        )),
        Some(_) => None,
        None if slowest >= d.lockout / 2 => {
            j.details.push(format!(
                "{id}: no lockout answer, but answers slowed to {:.1} ms",
                ms(slowest)
            ));
            None
        }
        None => Some(format!(
            "{} wrong passwords evaluated with no lockout or delay; declared lockout after {} failures for {:.3}s",
            j.evaluated,
            d.after_failures,
            d.lockout.as_secs_f64()
        )),
    };
    if let Some(finding) = finding {
        match lapse(attempts, d) {
            Some(why) => j.lapsed = Some(why),
            None => j.findings.push(finding),
        }
    }
    j
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

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use LoginOutcome::{LockedOut as L, Rejected as R};

    /// A series sent every `pace` ms, each answered in `latency` ms, except where `slow` says
    /// (attempt number, latency).
    fn series(
        outcomes: &[LoginOutcome],
        pace: u64,
        latency: u64,
        slow: (usize, u64),
    ) -> Vec<Attempt> {
        let mut sent = 0;
        outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let lat = if i + 1 == slow.0 { slow.1 } else { latency };
                let a = Attempt {
                    at: Duration::from_millis(sent + lat),
                    outcome: o.clone(),
                    latency: Duration::from_millis(lat),
                };
                sent += lat + pace;
                a
            })
            .collect()
    }

    fn declared() -> Declared {
        Declared {
            after_failures: 5,
            lockout: Duration::from_millis(100),
            tolerance: 1,
        }
    }

    #[rstest]
    #[case::on_time(&[R, R, R, R, R, L], (0, 0), None, None)]
    #[case::within_tolerance(&[R, R, R, R, R, R, L], (0, 0), None, None)]
    #[case::late(&[R, R, R, R, R, R, R, R, L], (0, 0), Some("locked out only after 8 failures; 5 declared"), None)]
    #[case::never(&vec![R; 20], (0, 0), Some("20 wrong passwords evaluated with no lockout or delay"), None)]
    #[case::late_after_a_slow_answer_at_the_threshold(&[R, R, R, R, R, R, R, R, R, R, L], (5, 90), None, Some("attempts 5 and 6 were sent 110.0 ms apart"))]
    #[case::slow_answers_are_a_delay(&vec![R; 20], (3, 60), None, None)]
    fn a_series_is_judged(
        #[case] outcomes: &[LoginOutcome],
        #[case] slow: (usize, u64),
        #[case] finding: Option<&str>,
        #[case] lapsed: Option<&str>,
    ) {
        let j = judge("m", &series(outcomes, 20, 1, slow), &declared());
        match finding {
            Some(f) => assert!(
                j.findings.len() == 1 && j.findings[0].contains(f),
                "{:?}",
                j.findings
            ),
            None => assert!(j.findings.is_empty(), "{:?}", j.findings),
        }
        match lapsed {
            Some(l) => assert!(
                j.lapsed.as_deref().is_some_and(|x| x.contains(l)),
                "{:?}",
                j.lapsed
            ),
            None => assert!(j.lapsed.is_none(), "{:?}", j.lapsed),
        }
    }
}
