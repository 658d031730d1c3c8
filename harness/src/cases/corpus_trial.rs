//! 5.1-1-2 unit (c), the initialized half: one declared login mechanism against the universal
//! default-credential corpus, after the controls that show hilt can tell success from failure.
//!
//! The corpus runs on up to `max_sessions` sessions side by side, each with its own transcript.
//! When the device refuses, resets or locks out a session, hilt halves the sessions (waiting a
//! lockout out) down to one at a time, where lockouts are waited out entry by entry. Every acceptance is
//! confirmed by a second, clean login before it counts, so a confused answer under load is never
//! reported as a universal credential.

use super::corpus_controls::{closing_control, controls, lockout_wait, waiting};
use super::CaseContext;
use crate::config::profile::AuthMechanism;
use crate::corpus::Credential;
use crate::evidence::EvidenceLog;
use crate::login::{self, CredentialTrial, LoginOutcome};
use std::time::{Duration, Instant};

pub struct Trials<'c> {
    /// Entries accepted and confirmed by a second login.
    pub accepted: Vec<&'c Credential>,
    /// Entries tried to a conclusion (the current credential, proven by the control, excluded).
    pub tried: usize,
    /// Sessions used side by side while the device allowed it.
    pub sessions: usize,
    /// Acceptances a second login did not confirm (logged, not findings).
    pub unconfirmed: usize,
    pub elapsed: Duration,
    /// The transcripts written, one per session.
    pub transcripts: Vec<String>,
}

type Lane<'a> = Box<dyn CredentialTrial + 'a>;

/// `known`: the credential in force, for the positive control; None on a surface nobody
/// declared, where only a random credential's refusal shows the answers are read right.
pub async fn universal_credentials<'c>(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    corpus: &'c [Credential],
    pause: Duration,
    log: &EvidenceLog,
    known: Option<&str>,
) -> Result<Trials<'c>, String> {
    let started = Instant::now();
    let sample = ctx.sample;
    let sessions = mech.corpus_sessions();
    let transcripts: Vec<String> = (0..sessions).map(|i| transcript(mech, i)).collect();
    let mut lanes: Vec<Lane> = Vec::new();
    let mut username = String::new();
    for t in &transcripts {
        let (trial, user) =
            login::for_account(sample, &ctx.config.profile, mech, t).map_err(|e| e.to_string())?;
        lanes.push(trial);
        username = user;
    }
    let current = match known {
        Some(p) => p.to_string(),
        None => String::new(),
    };
    let control_user = match username.as_str() {
        "" => "root",
        u => u,
    };
    controls(lanes[0].as_ref(), mech, control_user, known, log).await?;

    let mut run = Progress {
        queue: Queue::new(),
        hits: Vec::new(),
        tried: 0,
    };
    for cred in corpus {
        // The current credential is in the corpus: the positive control already showed it works.
        if known.is_some() && cred.username == username && cred.password == current {
            log.line(
                "#",
                &format!(
                    "{} user `{}` -> accepted (the current credential)",
                    cred.citation, cred.username
                ),
            );
            run.hits.push(cred);
        } else {
            run.queue.push_back(cred);
        }
    }
    let proven = run.hits.len();
    let phase = format!("corpus on {}", mech.id);
    sample.activity.phase(phase, Some(run.queue.len() as u64));
    if sessions > 1 {
        let line = format!(
            "{} entries, up to {sessions} sessions side by side",
            run.queue.len()
        );
        log.line("#", &line);
        run.side_by_side(&lanes, sample, mech, pause, log).await?;
        if !run.queue.is_empty() {
            let line = format!(
                "the {} entries left are tried one at a time",
                run.queue.len()
            );
            log.line("#", &line);
        }
    }
    run.one_at_a_time(lanes[0].as_ref(), sample, mech, pause, log, proven)
        .await?;
    let Progress { hits, tried, .. } = run;
    if let Some(current) = known {
        closing_control(lanes[0].as_ref(), mech, control_user, current, log).await?;
    }
    let (accepted, unconfirmed) = confirm(lanes[0].as_ref(), mech, hits, proven, log).await;
    Ok(Trials {
        accepted,
        tried,
        sessions,
        unconfirmed,
        elapsed: started.elapsed(),
        transcripts,
    })
}

type Queue<'c> = std::collections::VecDeque<&'c Credential>;

/// Where a corpus trial stands: entries still to try, accepted ones (to confirm), attempts
/// answered as a login.
struct Progress<'c> {
    queue: Queue<'c>,
    hits: Vec<&'c Credential>,
    tried: usize,
}

impl<'c> Progress<'c> {
    /// Waves of sessions, each taking the next entry as soon as its last one is answered. The
    /// first answer that is not a login's (a refusal, a reset, a lockout) ends the wave: the width
    /// halves, a lockout is waited out, and the unanswered entries go first in the next.
    async fn side_by_side(
        &mut self,
        lanes: &[Lane<'_>],
        sample: &crate::bench::Sample,
        mech: &AuthMechanism,
        pause: Duration,
        log: &EvidenceLog,
    ) -> Result<(), String> {
        let mut width = lanes.len();
        while width > 1 && !self.queue.is_empty() {
            if let Some(reason) = sample.broken_reason() {
                return Err(reason);
            }
            let (seen, left) =
                wave(&lanes[..width], std::mem::take(&mut self.queue), pause, log).await;
            self.queue = left;
            let mut again = Vec::new();
            let mut locked = false;
            for (cred, outcome) in seen {
                match outcome {
                    // A universal credential that makes the user set a new password still
                    // hands the device to whoever knows it.
                    LoginOutcome::Accepted | LoginOutcome::ForcedChange => self.hits.push(cred),
                    LoginOutcome::Rejected => {}
                    LoginOutcome::LockedOut => {
                        locked = true;
                        again.push(cred);
                        continue;
                    }
                    LoginOutcome::NotALogin(_) => {
                        again.push(cred);
                        continue;
                    }
                }
                self.tried += 1;
                sample.activity.step();
            }
            if !again.is_empty() {
                width /= 2;
                log.line("#", &format!("the device did not answer every session as a login; {} session(s) side by side from now on", width.max(1)));
                for cred in again.into_iter().rev() {
                    self.queue.push_front(cred);
                }
                if locked {
                    crate::transport::device_time::sleep(lockout_wait(mech, 0)).await;
                }
            }
        }
        Ok(())
    }

    /// The rest, one attempt at a time, each lockout waited out. `proven` hits came from the
    /// positive control: an answer that is not a login's before any further hit is an error.
    async fn one_at_a_time(
        &mut self,
        lane: &dyn CredentialTrial,
        sample: &crate::bench::Sample,
        mech: &AuthMechanism,
        pause: Duration,
        log: &EvidenceLog,
        proven: usize,
    ) -> Result<(), String> {
        while let Some(cred) = self.queue.pop_front() {
            if let Some(reason) = sample.broken_reason() {
                return Err(reason);
            }
            let outcome = attempt(lane, mech, cred, log).await;
            log.line(
                "#",
                &format!("{} user `{}` -> {outcome}", cred.citation, cred.username),
            );
            match outcome {
                LoginOutcome::Accepted | LoginOutcome::ForcedChange => self.hits.push(cred),
                LoginOutcome::Rejected => {}
                LoginOutcome::LockedOut if self.hits.len() > proven => break,
                LoginOutcome::LockedOut => {
                    return Err(format!("locked out after {} attempts and the lockout did not pass; the corpus could not be completed", self.tried))
                }
                LoginOutcome::NotALogin(why) if self.hits.len() == proven => {
                    return Err(format!("attempt {}: {why}", self.tried + 1))
                }
                LoginOutcome::NotALogin(_) => break,
            }
            self.tried += 1;
            sample.activity.step();
            if !pause.is_zero() {
                crate::transport::device_time::sleep(pause).await;
            }
        }
        Ok(())
    }
}

/// One wave: every lane logs in with the next queued entry until the queue is empty or any lane
/// meets an answer that is not a login's. Returns each entry tried with its outcome, and the
/// entries not started.
async fn wave<'c>(
    lanes: &[Lane<'_>],
    queue: Queue<'c>,
    pause: Duration,
    log: &EvidenceLog,
) -> (Vec<(&'c Credential, LoginOutcome)>, Queue<'c>) {
    let queue = std::sync::Mutex::new(queue);
    let trouble = std::sync::atomic::AtomicBool::new(false);
    let runs = lanes.iter().enumerate().map(|(k, lane)| {
        let (queue, trouble) = (&queue, &trouble);
        async move {
            let mut seen = Vec::new();
            let mut last: Option<&str> = None;
            while !trouble.load(std::sync::atomic::Ordering::Relaxed) {
                let next = queue
                    .lock()
                    .map(|mut q| next_for(&mut q, last))
                    .unwrap_or(None);
                let Some(cred) = next else { break };
                last = Some(cred.username.as_str());
                let outcome = lane.try_login(&cred.username, &cred.password).await;
                log.line(
                    "#",
                    &format!(
                        "{} user `{}` -> {outcome} (session {})",
                        cred.citation,
                        cred.username,
                        k + 1
                    ),
                );
                if !matches!(outcome, LoginOutcome::Accepted | LoginOutcome::Rejected) {
                    trouble.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                seen.push((cred, outcome));
                if !pause.is_zero() {
                    crate::transport::device_time::sleep(pause).await;
                }
            }
            seen
        }
    });
    let seen = futures_util::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
        .collect();
    let left = queue.into_inner().unwrap_or_default();
    (seen, left)
}

/// The next entry for a session whose last entry was for `last`: the first queued one for the
/// same account when there is one, so a protocol that keeps a connection per account (SSH) can
/// reuse it; otherwise the first in line.
fn next_for<'c>(queue: &mut Queue<'c>, last: Option<&str>) -> Option<&'c Credential> {
    let same = last.and_then(|user| queue.iter().position(|c| c.username == user));
    match same {
        Some(at) => queue.remove(at),
        None => queue.pop_front(),
    }
}

fn transcript(mech: &AuthMechanism, lane: usize) -> String {
    match lane {
        0 => format!("5.1-1-2/{}-transcript.log", mech.id),
        n => format!("5.1-1-2/{}-transcript-session{}.log", mech.id, n + 1),
    }
}

async fn attempt(
    trial: &dyn CredentialTrial,
    mech: &AuthMechanism,
    cred: &Credential,
    log: &EvidenceLog,
) -> LoginOutcome {
    waiting(
        trial,
        mech,
        &cred.username,
        &cred.password,
        &cred.citation,
        log,
    )
    .await
}

/// Each acceptance past the first `proven` (the current credential) is logged in with again,
/// alone; only a second acceptance makes it a finding.
async fn confirm<'c>(
    trial: &dyn CredentialTrial,
    mech: &AuthMechanism,
    hits: Vec<&'c Credential>,
    proven: usize,
    log: &EvidenceLog,
) -> (Vec<&'c Credential>, usize) {
    let mut accepted = hits[..proven].to_vec();
    let mut unconfirmed = 0;
    for cred in &hits[proven..] {
        trial.fresh();
        let again = attempt(trial, mech, cred, log).await;
        log.line(
            "#",
            &format!(
                "{} user `{}` -> confirmation login: {again}",
                cred.citation, cred.username
            ),
        );
        if matches!(again, LoginOutcome::Accepted | LoginOutcome::ForcedChange) {
            accepted.push(cred);
        } else {
            unconfirmed += 1;
        }
    }
    (accepted, unconfirmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred(user: &str, n: usize) -> Credential {
        Credential {
            username: user.into(),
            password: format!("p{n}"),
            citation: format!("entry {n}"),
        }
    }

    #[test]
    fn a_session_keeps_to_its_account_while_the_queue_has_one() {
        let all = [
            cred("root", 1),
            cred("admin", 2),
            cred("root", 3),
            cred("guest", 4),
        ];
        let mut q: Queue = all.iter().collect();
        let take = |q: &mut Queue, last| next_for(q, last).map(|c| c.citation.clone());
        assert_eq!(take(&mut q, None).as_deref(), Some("entry 1"));
        assert_eq!(take(&mut q, Some("root")).as_deref(), Some("entry 3"));
        assert_eq!(take(&mut q, Some("root")).as_deref(), Some("entry 2"));
        assert_eq!(take(&mut q, Some("admin")).as_deref(), Some("entry 4"));
        assert_eq!(take(&mut q, Some("guest")), None);
    }
}
