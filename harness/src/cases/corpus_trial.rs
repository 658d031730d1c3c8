//! 5.1-1-2 unit (c), the initialized half: one declared login mechanism against the universal
//! default-credential corpus, after the controls that show hilt can tell success from failure.

use super::CaseContext;
use crate::config::profile::AuthMechanism;
use crate::corpus::Credential;
use crate::login::{self, LoginOutcome};
use std::time::Duration;

pub struct Trials<'c> {
    pub accepted: Vec<&'c Credential>,
    pub tried: usize,
}

pub async fn universal_credentials<'c>(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    corpus: &'c [Credential],
    pause: std::time::Duration,
    log: &crate::evidence::EvidenceLog,
) -> Result<Trials<'c>, String> {
    let sample = ctx.sample;
    let (trial, username) = login::for_account(
        sample,
        &ctx.config.profile,
        mech,
        &format!("5.1-1-2/{}-transcript.log", mech.id),
    )?;
    let current = sample
        .var("password")
        .ok_or("no current password is known")?;

    // Controls first: without them an "all rejected" result could mean a dead or misread surface.
    let positive = trial.try_login(&username, &current).await;
    log.line(
        "#",
        &format!("control: current credential for `{username}` -> {positive}"),
    );
    if positive != LoginOutcome::Accepted {
        return Err(format!("the current credential was not accepted ({positive}); hilt cannot tell success from failure on this surface"));
    }
    let random = crate::util::token::fresh();
    let negative = trial.try_login(&username, &random).await;
    log.line(
        "#",
        &format!("control: random password for `{username}` -> {negative}"),
    );
    if negative != LoginOutcome::Rejected {
        return Err(format!("a random password was not rejected ({negative}); the device accepts anything or the profile's success rule cannot tell"));
    }

    let mut accepted = Vec::new();
    let mut tried = 0;
    for cred in corpus {
        // The current credential is in the corpus: the positive control already showed it works.
        if cred.username == username && cred.password == current {
            log.line(
                "#",
                &format!(
                    "{} user `{}` -> accepted (the current credential)",
                    cred.citation, cred.username
                ),
            );
            accepted.push(cred);
            continue;
        }
        if let Some(reason) = sample.broken_reason() {
            return Err(reason);
        }
        let mut outcome = trial.try_login(&cred.username, &cred.password).await;
        tried += 1;
        // A declared lockout is waited out and the same credential tried again, so the corpus
        // is completed without counting a locked answer as a refusal.
        let mut waits = 0;
        while outcome == LoginOutcome::LockedOut && waits < 3 {
            // Undeclared lockouts are waited out too, backing off from one second.
            let wait = match &mech.brute_force {
                Some(bf) => bf.lockout.0 + bf.lockout.0 / 4,
                None => Duration::from_secs(1 << waits),
            };
            log.line(
                "#",
                &format!(
                    "{} user `{}` -> locked out; waiting {:.3}s",
                    cred.citation,
                    cred.username,
                    wait.as_secs_f64()
                ),
            );
            tokio::time::sleep(wait).await;
            outcome = trial.try_login(&cred.username, &cred.password).await;
            waits += 1;
        }
        log.line(
            "#",
            &format!("{} user `{}` -> {outcome}", cred.citation, cred.username),
        );
        match outcome {
            LoginOutcome::Accepted => accepted.push(cred),
            LoginOutcome::Rejected => {}
            LoginOutcome::LockedOut if !accepted.is_empty() => break,
            LoginOutcome::LockedOut => {
                return Err(format!("locked out after {tried} attempts and the lockout did not pass; the corpus could not be completed"))
            }
            LoginOutcome::NotALogin(why) if accepted.is_empty() => return Err(format!("attempt {tried}: {why}")),
            LoginOutcome::NotALogin(_) => break,
        }
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
    Ok(Trials { accepted, tried })
}
