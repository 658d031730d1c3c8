//! What the unit accepts in the factory default state, between the factory reset and
//! initialization: a mechanism whose password the user defines must refuse every login until
//! the user has defined it (TS 103 701 5.1-1-2 b).

use crate::bench::Sample;
use crate::config::profile::{AuthFactor, AuthMechanism};
use crate::config::Config;
use crate::login::{self, LoginOutcome};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct UserDefinedProbe {
    pub mechanism: String,
    /// What worked before any password was set (descriptions, never the password itself).
    pub accepted: Vec<String>,
    /// What was accepted only to make the user set a password (the login's declared
    /// forced-change answer): the password is still defined by the user before use.
    pub forced_change: Vec<String>,
    /// Why the probe could not tell (the surface did not answer like a login).
    pub blocked: Option<String>,
    pub attempts: usize,
    pub log: PathBuf,
}

/// Probes every reachable user-defined mechanism; called between reset and initialization.
pub async fn probe_user_defined(sample: &Sample, config: &Config) -> Vec<UserDefinedProbe> {
    let profile = &config.profile;
    let mut out = Vec::new();
    for mech in profile
        .body
        .ixit
        .auth_mechanisms
        .iter()
        .filter(|m| m.factor == AuthFactor::UserDefined)
    {
        let enabled = mech
            .service
            .as_ref()
            .map(|s| {
                profile
                    .service(&s.value)
                    .map(|s| s.enabled)
                    .unwrap_or(false)
            })
            .unwrap_or(true);
        if enabled {
            out.push(probe(sample, config, mech).await);
        }
    }
    out
}

async fn probe(sample: &Sample, config: &Config, mech: &AuthMechanism) -> UserDefinedProbe {
    let log = sample
        .evidence
        .log(&format!("5.1-1-2/{}-factory-default.log", mech.id));
    let mut result = UserDefinedProbe {
        mechanism: mech.id.clone(),
        accepted: vec![],
        forced_change: vec![],
        blocked: None,
        attempts: 0,
        log: log.path.clone(),
    };
    let trial = match login::for_mechanism(
        sample,
        &config.profile,
        mech,
        &format!("5.1-1-2/{}-factory-default-transcript.log", mech.id),
    ) {
        Ok(t) => t,
        Err(e) => {
            result.blocked = Some(e.to_string());
            return result;
        }
    };
    let username = match sample.fill(&mech.username) {
        Ok(u) => u,
        Err(e) => {
            result.blocked = Some(e.to_string());
            return result;
        }
    };
    // The values a user-defined account is most often left with before setup, then the corpus
    // entries for the same account name.
    let mut tries: Vec<(String, String)> = vec![
        ("an empty password".into(), String::new()),
        ("the account name as password".into(), username.clone()),
    ];
    if let Some(pw) = &sample.unit.label.password {
        tries.push(("the label's pre-installed password".into(), pw.clone()));
    }
    for file in &config.suite.body.facts.factory_default.corpus {
        if let Ok(list) = crate::corpus::load(&config.suite.path_of(&file.value)) {
            tries.extend(
                list.into_iter()
                    .filter(|c| c.username == username)
                    .map(|c| (c.citation, c.password)),
            );
        }
    }
    log.line(
        "#",
        &format!(
            "factory default state: {} trials for `{username}` on {}",
            tries.len(),
            mech.id
        ),
    );
    for (what, password) in tries {
        let outcome = trial.try_login(&username, &password).await;
        result.attempts += 1;
        log.line("#", &format!("{what} -> {outcome}"));
        match outcome {
            LoginOutcome::Accepted => result.accepted.push(what),
            LoginOutcome::ForcedChange => result.forced_change.push(what),
            LoginOutcome::Rejected | LoginOutcome::LockedOut => {}
            LoginOutcome::NotALogin(why) => {
                result.blocked = Some(format!("{what}: {why}"));
                break;
            }
        }
    }
    result
}
