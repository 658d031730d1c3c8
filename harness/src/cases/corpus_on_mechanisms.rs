//! 5.1-1-2 unit (c): the universal corpus against every mechanism it applies to, mechanisms on
//! different services side by side; each mechanism's trial is `corpus_trial`.

use super::corpus_trial::universal_credentials;
use super::CaseContext;
use crate::bench::run_state::Known;
use crate::config::profile::{AuthMechanism, LoginSurface};
use crate::corpus::Credential;
use crate::model::unit::Gathered;
use crate::model::verdict::{Blocker, Cause, Measurement};
use std::time::Duration;

/// What one mechanism's corpus trial found.
#[derive(Default)]
pub struct MechanismTrial {
    pub gathered: Gathered,
    pub findings: Vec<String>,
    pub blockers: Vec<Blocker>,
}

/// Mechanisms on different services (and the console) are tried side by side; those sharing a
/// service one after another, so one daemon is never pushed past one mechanism's sessions. The
/// results come back in declaration order.
/// `known`: whether the unit's current credential is known for these mechanisms (declared
/// ones); the positive control needs it.
pub async fn corpus_on_all(
    ctx: &CaseContext<'_>,
    pause: Duration,
    mechanisms: &[&AuthMechanism],
    corpus: &[Credential],
    known: bool,
) -> Vec<MechanismTrial> {
    let surface = |m: &AuthMechanism| m.service.as_ref().map(|s| s.value.clone());
    let mut groups: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    for (i, m) in mechanisms.iter().enumerate() {
        match groups.iter_mut().find(|(s, _)| *s == surface(m)) {
            Some((_, members)) => members.push(i),
            None => groups.push((surface(m), vec![i])),
        }
    }
    let runs = groups.iter().map(|(_, members)| async move {
        let mut done = Vec::new();
        for &i in members {
            done.push((i, corpus_on(ctx, pause, mechanisms[i], corpus, known).await));
        }
        done
    });
    let mut all: Vec<(usize, MechanismTrial)> = futures_util::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
        .collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, m)| m).collect()
}

async fn corpus_on(
    ctx: &CaseContext<'_>,
    pause: Duration,
    mech: &AuthMechanism,
    corpus: &[Credential],
    known: bool,
) -> MechanismTrial {
    let sample = ctx.sample;
    let mut out = MechanismTrial::default();
    let log = sample
        .evidence
        .log(&format!("5.1-1-2/{}-attempts.log", mech.id));
    out.gathered.evidence.push(log.path.clone());
    let current = if known {
        sample.state.get(Known::Password)
    } else {
        None
    };
    let trial = match (known, &current) {
        (true, None) => Err("no current password is known".to_string()),
        _ => universal_credentials(ctx, mech, corpus, pause, &log, current.as_deref()).await,
    };
    // The exchanges themselves: transcripts, or the HTTP log (cited only if written).
    let transcripts = trial
        .as_ref()
        .map(|t| t.transcripts.clone())
        .unwrap_or_default();
    match mech.login {
        LoginSurface::Telnet(_)
        | LoginSurface::Ftp(_)
        | LoginSurface::Rtsp(_)
        | LoginSurface::Mqtt(_)
        | LoginSurface::Ssh(_) => out
            .gathered
            .evidence
            .extend(transcripts.iter().map(|t| sample.evidence.dir.join(t))),
        LoginSurface::Http(_) => out
            .gathered
            .evidence
            .push(sample.evidence.dir.join("http.log")),
        LoginSurface::Console(_) => {}
    }
    match trial {
        Ok(t) => {
            out.gathered.details.push(format!(
                "unit (c): {}: {} universal credentials tried in the initialized state, {} accepted ({} session(s) side by side, {:.1}s{})",
                mech.id,
                t.tried,
                t.accepted.len(),
                t.sessions,
                t.elapsed.as_secs_f64(),
                match t.unconfirmed {
                    0 => String::new(),
                    n => format!("; {n} acceptance(s) not confirmed by a second login, not counted"),
                }
            ));
            let m = &mut out.gathered.measurements;
            m.push(Measurement::new(
                &format!("{}_corpus_attempts", mech.id),
                t.tried as f64,
                "attempts",
            ));
            m.push(Measurement::new(
                &format!("{}_corpus_accepted", mech.id),
                t.accepted.len() as f64,
                "credentials",
            ));
            m.push(Measurement::new(
                &format!("{}_corpus_duration", mech.id),
                t.elapsed.as_secs_f64(),
                "s",
            ));
            for c in t.accepted {
                out.findings.push(format!(
                    "{} accepted the universal credential {} (user `{}`) in the initialized state",
                    mech.id, c.citation, c.username
                ));
            }
        }
        Err(reason) => out
            .blockers
            .push(Blocker::new(Cause::Unit, format!("{}: {reason}", mech.id))),
    }
    out
}
