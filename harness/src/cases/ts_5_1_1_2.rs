//! TS 103 701 test case 5.1-1-2 (functional), provision 5.1-1: in any state other than the
//! factory default, every password of the device is unique per device or defined by the user.
//!
//! Unit (a): no login surface on the unit's open ports is missing from IXIT 1.
//! Unit (b): a mechanism whose password the user defines refuses every login until it is defined.
//! Unit (c): pre-installed passwords are unique: different on every sample (their generation is
//! examined by 5.1-2-2).
//! Then, because a universal value must not survive into the initialized state: factory reset,
//! initialization as the manual describes it, and every declared login mechanism is tried with
//! the current credential (it must work), a random one (it must not) and the universal
//! default-credential corpus (none may work).

use super::registry::DataFiles;
use super::{CaseContext, CaseSpec, TestCase};
use crate::config::duration::Dur;
use crate::config::located::Located;
use crate::config::profile::{AuthMechanism, LoginSurface};
use crate::config::suite::FactSection;
use crate::corpus::{self, Credential};
use crate::facts::initialized;
use crate::login::{self, LoginOutcome};
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use serde::Deserialize;
use std::time::Duration;

/// The suite's `cases."5.1-1-2"` entry.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Universal default-credential lists (CSV: entry,username,password[,...]) relative to the suite.
    pub corpus: Vec<Located<String>>,
    /// Pause between two login attempts, so a lockout is not provoked by the harness itself.
    #[serde(default = "no_pause")]
    pub pause_between_attempts: Dur,
}

fn no_pause() -> Dur {
    Dur(std::time::Duration::ZERO)
}

pub struct Case;

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.1-1-2",
        provision: "5.1-1",
        title: "passwords unique per device or user-defined",
        decision_rule: "FAIL if a mechanism declared user-defined accepts a login in the factory default state (an empty password, the account name, the label password or a corpus entry for that account), if an open TCP port of the unit outside the declared mechanisms' services takes a login (SSH, telnet, FTP, HTTP authentication or login form, RTSP, MQTT, a plain login prompt), if, after factory reset and initialization, any declared login mechanism accepts a credential from the universal corpus, or if a pre-installed password equals another sample's. INCONCLUSIVE if the unit cannot be initialized, a mechanism rejects the current credential or accepts a random one, or locks out before the corpus is complete. PASS otherwise.",
    };
    const FACTS: &'static [FactSection] = &[FactSection::Scan];

    fn data_files(params: &Params) -> Vec<DataFiles<'_>> {
        vec![DataFiles::corpus(&params.corpus)]
    }

    async fn run(ctx: &CaseContext<'_>, params: &Params) -> CaseResult {
        let sample = ctx.sample;
        let mut findings = Vec::new();
        let mut blockers = Vec::new();
        let mut details = Vec::new();
        let mut evidence = Vec::new();
        let mut measurements = Vec::new();

        pre_installed_password(ctx, &mut findings, &mut details);

        match initialized::required(sample, ctx.config).await {
            Ok(state) => {
                details.push(format!(
                    "state: initialized (factory reset, then onboarding per profile); firmware {}",
                    state.firmware_version.as_deref().unwrap_or("not read back")
                ));
                evidence.push(state.procedure_log.clone());
                // Unit (b): a password the user defines must be defined before the mechanism works.
                for p in &state.user_defined {
                    evidence.push(p.log.clone());
                    details.push(format!("unit (b): {}: {} login(s) tried in the factory default state, before a password was set", p.mechanism, p.attempts));
                    for what in &p.accepted {
                        findings.push(format!("{} (declared user-defined) accepted {what} in the factory default state, before the user set a password", p.mechanism));
                    }
                    if let Some(why) = &p.blocked {
                        blockers.push(Blocker::new(
                            Cause::Unit,
                            format!("unit (b): {}: {why}", p.mechanism),
                        ));
                    }
                }
            }
            Err(reason) => {
                let mut r = CaseResult::blocked(reason);
                r.details = details;
                r.evidence = vec![
                    sample.evidence.dir.join("procedures.log"),
                    sample.console_log_path(),
                ];
                return r;
            }
        }

        super::login_surfaces::undeclared(
            ctx,
            &mut findings,
            &mut blockers,
            &mut details,
            &mut evidence,
        )
        .await;

        let paths = params
            .corpus
            .iter()
            .map(|f| ctx.config.suite.path_of(&f.value));
        let corpus = match corpus::load_all(paths) {
            Ok(c) => c,
            Err(e) => {
                return CaseResult::not_performed(Cause::Config, format!("credential corpus: {e}"))
            }
        };
        details.push(format!(
            "universal credential corpus: {} entries",
            corpus.len()
        ));

        for mech in &ctx.config.profile.body.ixit.auth_mechanisms {
            if !reachable(ctx, mech) {
                details.push(format!(
                    "{}: its service is declared disabled; exposure is 5.6-1's question",
                    mech.id
                ));
                continue;
            }
            let log_name = format!("5.1-1-2/{}-attempts.log", mech.id);
            let log = sample.evidence.log(&log_name);
            evidence.push(log.path.clone());
            // The exchanges themselves: transcripts, or the HTTP log (cited only if written).
            match mech.login {
                LoginSurface::Telnet(_)
                | LoginSurface::Ftp(_)
                | LoginSurface::Rtsp(_)
                | LoginSurface::Mqtt(_)
                | LoginSurface::Ssh(_) => evidence.push(
                    sample
                        .evidence
                        .dir
                        .join(format!("5.1-1-2/{}-transcript.log", mech.id)),
                ),
                LoginSurface::Http(_) => evidence.push(sample.evidence.dir.join("http.log")),
                LoginSurface::Console(_) => {}
            }
            match universal_credentials(ctx, mech, &corpus, params.pause_between_attempts.0, &log)
                .await
            {
                Ok(Trials { accepted, tried }) => {
                    details.push(format!(
                        "{}: {tried} universal credentials tried in the initialized state, {} accepted",
                        mech.id,
                        accepted.len()
                    ));
                    measurements.push(Measurement::new(
                        &format!("{}_corpus_attempts", mech.id),
                        tried as f64,
                        "attempts",
                    ));
                    measurements.push(Measurement::new(
                        &format!("{}_corpus_accepted", mech.id),
                        accepted.len() as f64,
                        "credentials",
                    ));
                    for c in accepted {
                        findings.push(format!("{} accepted the universal credential {} (user `{}`) in the initialized state", mech.id, c.citation, c.username));
                    }
                }
                Err(reason) => {
                    blockers.push(Blocker::new(Cause::Unit, format!("{}: {reason}", mech.id)))
                }
            }
        }
        if mech_uses_console(ctx) {
            evidence.push(sample.console_log_path());
        }

        let mut result = CaseResult::from_findings(
            &findings,
            &blockers,
            "no universal credential accepted after initialization; pre-installed passwords unique",
        );
        details.append(&mut result.details);
        result.details = details;
        result.evidence = evidence;
        result.measurements = measurements;
        result
    }
}

/// Unit (c), uniqueness: the pre-installed password printed on the label differs from every
/// other sample's. How it was generated is 5.1-2-2's question.
fn pre_installed_password(
    ctx: &CaseContext<'_>,
    findings: &mut Vec<String>,
    details: &mut Vec<String>,
) {
    let Some(password) = &ctx.sample.label.password else {
        details.push("the label carries no pre-installed password".into());
        return;
    };
    let same: Vec<&str> = ctx
        .peers
        .iter()
        .filter(|(slot, peer)| {
            *slot != ctx.sample.slot_id && peer.password.as_ref() == Some(password)
        })
        .map(|(slot, _)| slot.as_str())
        .collect();
    if !same.is_empty() {
        findings.push(format!(
            "pre-installed password is the same as on {} (not unique per device)",
            same.join(", ")
        ));
    }
    details.push(format!(
        "pre-installed password compared with {} other sample(s)",
        ctx.peers.len().saturating_sub(1)
    ));
}

fn reachable(ctx: &CaseContext<'_>, mech: &AuthMechanism) -> bool {
    match &mech.service {
        Some(id) => ctx
            .config
            .profile
            .service(&id.value)
            .map(|s| s.enabled)
            .unwrap_or(false),
        None => true,
    }
}

fn mech_uses_console(ctx: &CaseContext<'_>) -> bool {
    ctx.config
        .profile
        .body
        .ixit
        .auth_mechanisms
        .iter()
        .any(|m| matches!(m.login, LoginSurface::Console(_)))
}

struct Trials<'c> {
    accepted: Vec<&'c Credential>,
    tried: usize,
}

async fn universal_credentials<'c>(
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
        if cred.username == username && cred.password == current {
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
