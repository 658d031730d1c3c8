//! 5.1-5-2's attempts against one login: a paced series of wrong passwords, the right password
//! right after it (a lockout that answers like a wrong password shows only there), and how long
//! a lockout lasts, probed with the right password.

use super::brute_force_judgement::{Attempt, RightPassword};
use super::lockout_judgement::Span;
use crate::login::{CredentialTrial, LoginOutcome};
use std::time::{Duration, Instant};

/// One series as made: the attempts, and the right password's answers before and after them.
pub struct Series {
    pub attempts: Vec<Attempt>,
    /// The right password's answer before the first wrong one (after waiting out a lockout
    /// another case left). Only when it was accepted does a refusal after the series mean a lockout.
    pub before: LoginOutcome,
    /// The right password's answer right after the last wrong one, when none was answered as
    /// a lockout.
    pub after: Option<LoginOutcome>,
    /// When the right password after the series was sent, since the series began.
    pub right_sent: Option<Duration>,
    /// When the last wrong password was answered: the lockout, if any, began by then.
    pub last_wrong: Instant,
    /// How much earlier the lockout may have begun: nothing when a lockout answer followed
    /// the last wrong password, the whole series when the lockout was silent.
    pub onset_slack: Duration,
}

/// The login under attack: the trial, the account and its right password.
pub struct Target<'a> {
    pub trial: &'a dyn CredentialTrial,
    pub username: &'a str,
    pub current: &'a str,
}

impl Target<'_> {
    async fn right(&self) -> LoginOutcome {
        self.trial.try_login(self.username, self.current).await
    }

    /// Up to `count` wrong passwords, `pace` apart, ended early by a lockout answer; then, when
    /// none came, the right password once. Starts from a clean counter: the right credential
    /// resets it on most devices (a lockout another case left is waited out, `wait` at a time).
    pub async fn series(
        &self,
        count: u32,
        pace: Duration,
        wait: Duration,
        log: &crate::evidence::EvidenceLog,
    ) -> Result<Series, String> {
        let before = self.settle(wait).await;
        log.line(
            "#",
            &format!("right password before the series -> {before}"),
        );
        let start = Instant::now();
        let mut attempts: Vec<Attempt> = Vec::new();
        let mut last_wrong = start;
        let mut first_wrong = None;
        for i in 1..=count {
            let wrong = crate::util::token::fresh();
            let t = Instant::now();
            let outcome = self.trial.try_login(self.username, &wrong).await;
            let latency = t.elapsed();
            log.line(
                "#",
                &format!(
                    "attempt {i}: +{:.3}s {outcome} in {:.1} ms",
                    start.elapsed().as_secs_f64(),
                    latency.as_secs_f64() * 1000.0
                ),
            );
            match &outcome {
                LoginOutcome::NotALogin(why) => return Err(format!("attempt {i}: {why}")),
                LoginOutcome::Accepted | LoginOutcome::ForcedChange => {
                    return Err(format!(
                        "attempt {i}: a random password was accepted; the surface cannot be judged"
                    ))
                }
                LoginOutcome::Rejected => {
                    last_wrong = Instant::now();
                    first_wrong.get_or_insert(last_wrong);
                }
                LoginOutcome::LockedOut => {}
            }
            let locked = outcome == LoginOutcome::LockedOut;
            attempts.push(Attempt {
                at: start.elapsed(),
                outcome,
                latency,
            });
            if locked {
                return Ok(Series {
                    attempts,
                    before,
                    after: None,
                    right_sent: None,
                    last_wrong,
                    onset_slack: Duration::ZERO,
                });
            }
            // The right password follows the last wrong one at once: a short lockout that
            // answers like a wrong password must still be in force when it is asked.
            if i < count {
                crate::transport::device_time::sleep(pace).await;
            }
        }
        let right_sent = start.elapsed();
        let after = self.right().await;
        log.line("#", &format!("right password after the series -> {after}"));
        Ok(Series {
            attempts,
            before,
            after: Some(after),
            right_sent: Some(right_sent),
            last_wrong,
            onset_slack: last_wrong - first_wrong.unwrap_or(last_wrong),
        })
    }

    /// The right credential, a lockout another case (or the last series) may have left waited
    /// out up to three times; a refusal may be a lockout that answers like a wrong password.
    async fn settle(&self, wait: Duration) -> LoginOutcome {
        let mut outcome = self.right().await;
        for _ in 0..3 {
            if !matches!(outcome, LoginOutcome::LockedOut | LoginOutcome::Rejected) {
                break;
            }
            crate::transport::device_time::sleep(wait).await;
            outcome = self.right().await;
        }
        outcome
    }

    /// How long after `locked` the right password worked again: asked first at `first`, then
    /// with doubling gaps, never later than `cap`. A probe during the lockout may prolong it on
    /// some devices, which only delays the acceptance: the span's upper end stays an upper bound
    /// of the untouched lockout, and only a first probe's refusal raises its lower end.
    pub async fn recovery(
        &self,
        locked: Instant,
        first: Duration,
        cap: Duration,
        log: &crate::evidence::EvidenceLog,
    ) -> Span {
        let mut span = Span {
            refused_for: Duration::ZERO,
            accepted_by: None,
        };
        let mut at = first.min(cap);
        let mut gap = first;
        let mut first_probe = true;
        loop {
            crate::transport::device_time::sleep(
                (locked + at).saturating_duration_since(Instant::now()),
            )
            .await;
            let outcome = self.right().await;
            let asked = locked.elapsed();
            log.line(
                "#",
                &format!(
                    "{:.3}s after the lockout began: right password -> {outcome}",
                    asked.as_secs_f64()
                ),
            );
            if outcome == LoginOutcome::Accepted {
                span.accepted_by = Some(asked);
                return span;
            }
            if first_probe {
                span.refused_for = at;
                first_probe = false;
            }
            if at >= cap {
                return span;
            }
            at = (at + gap).min(cap);
            gap *= 2;
        }
    }

    /// One probe `at` after `locked`; then, if refused, the wait until the right password works
    /// again (from `at` on, doubling, up to `cap`). True if the probe itself was accepted.
    pub async fn probe_once(
        &self,
        locked: Instant,
        at: Duration,
        cap: Duration,
        log: &crate::evidence::EvidenceLog,
    ) -> (bool, Span) {
        let span = self.recovery(locked, at, cap, log).await;
        (
            span.refused_for.is_zero() && span.accepted_by.is_some(),
            span,
        )
    }
}

/// How one series is made again to lock the login once more, for measuring the lockout.
pub struct Relock {
    pub count: u32,
    pub pace: Duration,
    pub wait: Duration,
}

/// What the right password's answers around `series` tell.
pub fn right_password(series: &Series) -> RightPassword {
    match (&series.before, &series.after) {
        (_, None) => RightPassword::NotAsked,
        (LoginOutcome::Accepted, Some(LoginOutcome::Accepted)) => RightPassword::AcceptedAfter,
        (LoginOutcome::Accepted, Some(_)) => RightPassword::RefusedAfter,
        _ => RightPassword::Unusable,
    }
}

/// How long the lockout `series` brought about lasts: when the right password works again,
/// then, over `probes` lockouts in all, one probe halfway through what is known.
pub async fn measure(
    target: &Target<'_>,
    series: &Series,
    relock: &Relock,
    first: Duration,
    waited: Duration,
    probes: u32,
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
    for _ in 1..probes {
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
            .any(|a| a.outcome == LoginOutcome::LockedOut)
            || again.after == Some(LoginOutcome::Rejected);
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
