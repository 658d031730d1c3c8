//! How the update battery's observations become a verdict; shared by 5.3-2-2 (one mechanism
//! cannot be misused) and 5.3-1-2 (the same, for every mechanism).

use super::CaseContext;
use crate::facts::update_battery;
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use crate::update::battery::{MechanismReport, Outcome, Trial};

pub const DECISION_RULE: &str = "Through each declared update mechanism hilt sends images made from the lab's valid image: a byte inverted in the payload, the signature and the header, a truncated image, the signature stripped, re-signed with a key hilt generated, a validly signed image for another model, an older validly signed image; then the valid image; then the valid image with the power cut part-way. FAIL if the unit's version read-back changes after a misuse image (it installed it), if the unit stops answering after one (also after a power cycle), or if no valid firmware boots after the power cut. INCONCLUSIVE if the version cannot be read or the valid image is not installed either (a refusal could not be told from a broken update path). PASS otherwise. Attacks that cannot be made (no lab image for them, a signature scheme hilt cannot produce, no power backend) are listed as not performed.";

pub async fn judge(ctx: &CaseContext<'_>, pass: &str) -> CaseResult {
    let sample = ctx.sample;
    if ctx.config.profile.body.ixit.update_mechanisms.is_empty() {
        return CaseResult::not_performed(
            Cause::Config,
            "the profile declares no update mechanism (ixit.update_mechanisms, IXIT 7)",
        );
    }
    let reports = match update_battery::get(sample, ctx.config).await {
        Ok(r) => r,
        Err(e) => {
            let mut r = CaseResult::blocked(e.clone());
            r.evidence = vec![sample.evidence.dir.join("procedures.log")];
            return r;
        }
    };
    let (mut findings, mut blockers, mut details, mut evidence) = (vec![], vec![], vec![], vec![]);
    let (mut performed, mut refused) = (0u32, 0u32);
    for (id, report) in reports {
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                blockers.push(e.clone().context(format!("`{id}`")));
                continue;
            }
        };
        evidence.push(report.log.clone());
        for t in report
            .misuse
            .iter()
            .chain([&report.valid, &report.power_cut])
        {
            details.push(format!("`{id}` {}: {}", t.name, describe(t)));
            evidence.extend(t.image.iter().map(|(p, _)| p.clone()));
        }
        for t in &report.misuse {
            match &t.outcome {
                Outcome::Installed(v) => findings.push(format!(
                    "`{id}` installed the {} image ({}; sha256 {}): firmware {} -> {v}",
                    t.name,
                    t.how,
                    hash(t),
                    report.version_before
                )),
                Outcome::Unresponsive(e) => {
                    findings.push(format!(
                    "`{id}`: the unit stopped answering after the {} image ({}; sha256 {}): {e}",
                    t.name, t.how, hash(t)
                ))
                }
                _ => {}
            }
            if matches!(
                t.outcome,
                Outcome::Refused | Outcome::Installed(_) | Outcome::Unresponsive(_)
            ) {
                performed += 1;
            }
            refused += u32::from(t.outcome == Outcome::Refused);
        }
        judge_controls(id, report, &mut findings, &mut blockers);
    }
    let mut r = CaseResult::from_findings(&findings, &blockers, pass);
    r.details.extend(details);
    r.evidence = evidence;
    r.measurements = vec![
        Measurement::new("misuse images sent", f64::from(performed), "images"),
        Measurement::new("misuse images refused", f64::from(refused), "images"),
    ];
    r
}

fn judge_controls(
    id: &str,
    report: &MechanismReport,
    findings: &mut Vec<String>,
    blockers: &mut Vec<Blocker>,
) {
    match &report.valid.outcome {
        Outcome::Refused => blockers.push(Blocker::new(Cause::Unit, format!(
            "`{id}`: the valid image was not installed either ({}), so a refusal cannot be told from a broken update path",
            report.valid.answer
        ))),
        Outcome::Unresponsive(e) => blockers.push(Blocker::new(Cause::Unit, format!("`{id}`: the unit stopped answering after the valid image: {e}"))),
        _ => {}
    }
    if let Outcome::Unresponsive(e) = &report.power_cut.outcome {
        findings.push(format!(
            "`{id}`: no firmware boots after a power cut in the middle of a valid transfer ({}): {e}",
            report.power_cut.how
        ));
    }
}

fn hash(t: &Trial) -> &str {
    t.image.as_ref().map(|(_, h)| h.as_str()).unwrap_or("-")
}

fn describe(t: &Trial) -> String {
    let outcome = match &t.outcome {
        Outcome::Refused => "unit kept its firmware".to_string(),
        Outcome::Installed(v) => format!("unit runs {v} afterwards"),
        Outcome::Unresponsive(e) => format!("unit silent afterwards: {e}"),
        Outcome::NotPerformed(why) => return format!("not performed: {why}"),
        Outcome::NotAttempted(why) => return format!("not attempted: {why}"),
    };
    format!(
        "{outcome}; {}; sha256 {}; answer: {}",
        t.how,
        hash(t),
        t.answer
    )
}
