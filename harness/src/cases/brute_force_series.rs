//! 5.1-5-2's attempts against one login: a paced series of wrong passwords until the lockout,
//! and whether the right credential works again once the lockout has passed.

use super::brute_force_judgement::Attempt;
use crate::login::{CredentialTrial, LoginOutcome};
use std::time::{Duration, Instant};

/// Wrong passwords, paced, until a lockout answer or the budget; each attempt logged. Starts
/// from a clean counter: the right credential resets it on most devices.
pub async fn series(
    trial: &dyn CredentialTrial,
    username: &str,
    current: &str,
    budget: u32,
    pace: Duration,
    lockout: Duration,
    log: &crate::evidence::EvidenceLog,
) -> Result<Vec<Attempt>, String> {
    settle(trial, username, current, lockout).await;
    let start = Instant::now();
    let mut attempts: Vec<Attempt> = Vec::new();
    for i in 1..=budget {
        let wrong = crate::util::token::fresh();
        let t = Instant::now();
        let outcome = trial.try_login(username, &wrong).await;
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
            LoginOutcome::Accepted => {
                return Err(format!(
                    "attempt {i}: a random password was accepted; the surface cannot be judged"
                ))
            }
            _ => {}
        }
        let locked = outcome == LoginOutcome::LockedOut;
        attempts.push(Attempt {
            at: start.elapsed(),
            outcome,
            latency,
        });
        if locked {
            break;
        }
        tokio::time::sleep(pace).await;
    }
    Ok(attempts)
}

/// Logs in with the right credential (waiting out a lockout another case may have left).
async fn settle(trial: &dyn CredentialTrial, username: &str, password: &str, lockout: Duration) {
    for _ in 0..3 {
        if trial.try_login(username, password).await != LoginOutcome::LockedOut {
            return;
        }
        tokio::time::sleep(lockout).await;
    }
}

/// How long after the lockout began the right credential worked again, asked once after the
/// declared lockout and half of it more, then once more half a lockout later; `None` if never.
pub async fn recovered_after(
    trial: &dyn CredentialTrial,
    username: &str,
    current: &str,
    lockout: Duration,
    log: &crate::evidence::EvidenceLog,
) -> Option<Duration> {
    let locked = Instant::now();
    for wait in [
        lockout + lockout / 2 + Duration::from_millis(100),
        lockout / 2,
    ] {
        tokio::time::sleep(wait).await;
        let outcome = trial.try_login(username, current).await;
        log.line(
            "#",
            &format!("after the lockout: current credential -> {outcome}"),
        );
        if outcome == LoginOutcome::Accepted {
            return Some(locked.elapsed());
        }
    }
    None
}
