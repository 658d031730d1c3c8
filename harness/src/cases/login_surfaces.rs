//! Unit (a) of 5.1-1-2 and of 5.1-5-2: authentication mechanisms reachable over the network but
//! missing from IXIT 1, judged from the `login_surfaces` fact (learnt once for both).

use super::CaseContext;
use crate::facts::login_surfaces;
use crate::model::unit::UnitResult;
use std::path::PathBuf;

pub const TITLE: &str = "authentication mechanisms missing from IXIT 1";

pub async fn unit_a(
    ctx: &CaseContext<'_>,
    details: &mut Vec<String>,
    evidence: &mut Vec<PathBuf>,
) -> UnitResult {
    match login_surfaces::get(ctx.sample, ctx.config).await {
        Ok(found) if ctx.config.profile.evidence_only => {
            evidence.extend(found.evidence.iter().cloned());
            details.extend(
                found
                    .undeclared
                    .iter()
                    .map(|u| format!("unit (a): found: {u}")),
            );
            UnitResult::not_applicable(
                "a",
                TITLE,
                format!(
                    "an evidence profile has no IXIT 1 to hold them against: {} login surface(s) found on {} open port(s), each tried in unit (c)",
                    found.found.len(),
                    found.asked
                ),
            )
        }
        Ok(found) => {
            details.push(format!(
                "unit (a): {} open port(s) outside the declared mechanisms asked for a login surface",
                found.asked
            ));
            evidence.extend(found.evidence.iter().cloned());
            details.extend(found.unauthenticated.iter().map(|u| {
                format!("unit (a): observation, not a finding: {u}; no password mechanism, so not this case's question (unauthenticated access is 5.5-5's)")
            }));
            let unprobed: Vec<_> = found.unprobed.iter().cloned().collect();
            UnitResult::judge(
                "a",
                TITLE,
                &found.undeclared,
                &unprobed,
                "every open port outside the declared mechanisms was asked; none takes a login",
            )
        }
        Err(why) => UnitResult::not_performed("a", TITLE, why.clone()),
    }
}
