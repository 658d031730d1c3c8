//! The controls around a corpus trial: before it, the current credential must work and a random
//! one must not; after it, the current credential must still work. Each login waits a lockout out
//! rather than count it as a refusal.

use crate::config::profile::AuthMechanism;
use crate::evidence::EvidenceLog;
use crate::login::{CredentialTrial, LoginOutcome};
use std::time::Duration;

/// Without the controls an "all rejected" result could mean a dead or misread surface. A
/// lockout (another mechanism's trial may share the device's failure count) is waited out.
pub(super) async fn controls(
    trial: &dyn CredentialTrial,
    mech: &AuthMechanism,
    username: &str,
    current: Option<&str>,
    log: &EvidenceLog,
) -> Result<(), String> {
    match current {
        Some(current) => {
            let positive = waiting(trial, mech, username, current, "control", log).await;
            log.line(
                "#",
                &format!("control: current credential for `{username}` -> {positive}"),
            );
            if positive != LoginOutcome::Accepted {
                return Err(format!("the current credential was not accepted ({positive}); hilt cannot tell success from failure on this surface"));
            }
        }
        None => log.line(
            "#",
            "control: no credential is known for this surface, so there is no positive control; each acceptance is confirmed by a second login",
        ),
    }
    let random = crate::util::token::fresh();
    let negative = waiting(trial, mech, username, &random, "control", log).await;
    log.line(
        "#",
        &format!("control: random password for `{username}` -> {negative}"),
    );
    if negative != LoginOutcome::Rejected {
        return Err(format!("a random password was not rejected ({negative}); the device accepts anything or the profile's success rule cannot tell"));
    }
    Ok(())
}

/// The current credential once more after the corpus: a lockout that answers exactly like a
/// wrong password would have turned every later entry into a refusal, a working universal
/// credential included, so a refusal here leaves the trial not performed.
pub(super) async fn closing_control(
    trial: &dyn CredentialTrial,
    mech: &AuthMechanism,
    username: &str,
    current: &str,
    log: &EvidenceLog,
) -> Result<(), String> {
    let outcome = waiting(trial, mech, username, current, "closing control", log).await;
    log.line(
        "#",
        &format!("closing control: current credential for `{username}` -> {outcome}"),
    );
    match outcome {
        LoginOutcome::Accepted => Ok(()),
        other => Err(format!("the current credential was not accepted after the corpus ({other}): a lockout that answers like a wrong password may have hidden an accepted entry")),
    }
}

/// One login, a lockout waited out (the declared time, else backing off from one second) and
/// the same credential tried again, so a locked answer is never counted as a refusal.
pub(super) async fn waiting(
    trial: &dyn CredentialTrial,
    mech: &AuthMechanism,
    username: &str,
    password: &str,
    what: &str,
    log: &EvidenceLog,
) -> LoginOutcome {
    let mut outcome = trial.try_login(username, password).await;
    for waits in 0..3 {
        if outcome != LoginOutcome::LockedOut {
            break;
        }
        let wait = lockout_wait(mech, waits);
        log.line(
            "#",
            &format!(
                "{what} user `{username}` -> locked out; waiting {:.3}s",
                wait.as_secs_f64()
            ),
        );
        crate::transport::device_time::sleep(wait).await;
        outcome = trial.try_login(username, password).await;
    }
    outcome
}

/// The declared lockout and a quarter more; undeclared, backing off from one second.
pub(super) fn lockout_wait(mech: &AuthMechanism, waits: u32) -> Duration {
    match &mech.brute_force {
        Some(bf) => match bf.lockout.duration() {
            Some(d) => d + d / 4,
            // A permanent lock does not pass by waiting; the corpus stops at it.
            None => Duration::from_secs(1 << waits),
        },
        None => Duration::from_secs(1 << waits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::SampleEvidence;
    use crate::login::TrialFuture;
    use crate::util::test_dir::TestDir;
    use std::sync::Mutex;

    /// A surface that answers from a script, one outcome per login.
    struct Scripted(Mutex<Vec<LoginOutcome>>);

    impl CredentialTrial for Scripted {
        fn try_login<'a>(&'a self, _: &'a str, _: &'a str) -> TrialFuture<'a> {
            let next = self.0.lock().unwrap().remove(0);
            Box::pin(async move { next })
        }
    }

    /// After the corpus the current credential must still work: refused (a lockout that answers
    /// like a wrong password) leaves the trial not performed; an explicit lockout is waited out.
    #[tokio::test]
    async fn the_closing_control_catches_a_lockout_that_looks_like_refusals() {
        let dir = TestDir::new("closing");
        let log = SampleEvidence::new(&dir.0, "s1").unwrap().log("t.log");
        let (_, mech) = crate::login::discovered::mechanism(22, "SSH", "").unwrap();
        let silent = Scripted(Mutex::new(vec![LoginOutcome::Rejected]));
        let err = closing_control(&silent, &mech, "root", "pw", &log)
            .await
            .unwrap_err();
        assert!(err.contains("may have hidden an accepted entry"), "{err}");
        let fine = Scripted(Mutex::new(vec![LoginOutcome::Accepted]));
        assert!(closing_control(&fine, &mech, "root", "pw", &log)
            .await
            .is_ok());
        let visible = Scripted(Mutex::new(vec![
            LoginOutcome::LockedOut,
            LoginOutcome::Accepted,
        ]));
        assert!(closing_control(&visible, &mech, "root", "pw", &log)
            .await
            .is_ok());
    }
}
