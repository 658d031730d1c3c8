//! How the update battery's observations become 5.3-2-2's units; 5.3-1-2 reads the same reports
//! for coverage only, so one defect is judged once.

use super::CaseContext;
use crate::facts::update_battery;
use crate::model::figure::{Figure, UpdateStep};
use crate::model::unit::{Gathered, UnitResult};
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use crate::update::battery::{MechanismReport, Outcome, Trial};

pub const DECISION_RULE: &str = "Unit (a), attacks devised: through each declared update mechanism (IXIT 7) hilt devises images from the lab's valid image: a byte inverted in the payload, the signature and the header, a truncated image, the signature stripped, re-signed with a key hilt generated (or the lab's image signed with a key the unit must not trust, for schemes hilt cannot sign), a validly signed image for another model, an older validly signed image (the rollback), then the valid image with the power cut part-way. Not performed for an attack the lab's material does not allow (no older or other-model image, a valid image that misses the declared layout, a signature scheme hilt cannot produce without the lab's wrong-key image). Unit (b), attacks made: each image is sent, then the valid image (the control), then the power cut. FAIL if the unit's version read-back changes after a misuse image (it installed it), if the unit stops answering after one (also after a power cycle), or if no valid firmware boots after the power cut. Not performed if the version cannot be read, the valid image is not installed either (a refusal could not be told from a broken update path), or the rig has no power backend for the power cut. PASS only when both units pass.";

const UNIT_A: &str = "misuse attacks devised from IXIT 7";
const UNIT_B: &str = "each attack made; the design prevents it";

/// The battery's reports, or the result that stands in for them.
pub async fn reports<'s>(ctx: &CaseContext<'s>) -> Result<&'s update_battery::Reports, CaseResult> {
    let sample = ctx.sample;
    if ctx.config.profile.body.ixit.update_mechanisms.is_empty() {
        return Err(CaseResult::not_performed(
            Cause::Config,
            "the profile declares no update mechanism (ixit.update_mechanisms, IXIT 7)",
        ));
    }
    update_battery::get(sample, ctx.config)
        .await
        .as_ref()
        .map_err(|e| {
            let mut r = CaseResult::blocked(e.clone());
            r.evidence = vec![sample.evidence.dir.join("procedures.log")];
            r
        })
}

/// 5.3-2-2: units (a) and (b) from the battery's trials.
pub async fn judge(ctx: &CaseContext<'_>) -> CaseResult {
    match reports(ctx).await {
        Ok(r) => judge_reports(r),
        Err(r) => r,
    }
}

/// The units from the battery's reports alone: no unit is needed to decide them.
pub fn judge_reports(reports: &update_battery::Reports) -> CaseResult {
    let mut out = Gathered::default();
    let (mut devised, mut not_devised) = (Vec::new(), Vec::new());
    let (mut findings, mut blockers) = (vec![], vec![]);
    let (mut performed, mut refused) = (0u32, 0u32);
    for (id, report) in reports {
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                blockers.push(e.clone().context(format!("`{id}`")));
                continue;
            }
        };
        out.evidence.push(report.log.clone());
        out.figures.push(battery_figure(id, report));
        for t in report
            .misuse
            .iter()
            .chain([&report.valid, &report.power_cut])
        {
            out.details
                .push(format!("`{id}` {}: {}", t.name, describe(t)));
            out.evidence.extend(t.image.iter().map(|(p, _)| p.clone()));
        }
        for t in &report.misuse {
            match &t.outcome {
                Outcome::NotPerformed(why) => not_devised.push(Blocker::new(
                    Cause::Config,
                    format!("`{id}` {}: {why}", t.name),
                )),
                _ => devised.push(format!("`{id}` {}", t.name)),
            }
            match &t.outcome {
                Outcome::Installed(v) => findings.push(format!(
                    "`{id}` installed the {} image ({}; sha256 {}): firmware {} -> {v}",
                    t.name,
                    t.how,
                    hash(t),
                    report.version_before
                )),
                Outcome::Unresponsive(e) => findings.push(format!(
                    "`{id}`: the unit stopped answering after the {} image ({}; sha256 {}): {e}",
                    t.name,
                    t.how,
                    hash(t)
                )),
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
    out.measurements = vec![
        Measurement::new("misuse images sent", f64::from(performed), "images"),
        Measurement::new("misuse images refused", f64::from(refused), "images"),
    ];
    let a = UnitResult::judge(
        "a",
        UNIT_A,
        &[],
        &not_devised,
        format!(
            "{} misuse image(s) devised: {}",
            devised.len(),
            devised.join(", ")
        ),
    );
    let b = UnitResult::judge(
        "b",
        UNIT_B,
        &findings,
        &blockers,
        format!("all {performed} misuse images were refused, the valid image was installed and the unit survived a power cut mid-transfer"),
    );
    out.into_result(vec![a, b])
}

/// The battery as report.html draws it: misuse images must be refused, the valid image and the
/// image after the power cut installed (or the old firmware kept running).
fn battery_figure(id: &str, report: &MechanismReport) -> Figure {
    let step = |t: &Trial, expected: &str| {
        let (observed, version_after) = match &t.outcome {
            Outcome::Refused => ("refused", Some(report.version_before.clone())),
            Outcome::Installed(v) => ("installed", Some(v.clone())),
            Outcome::Unresponsive(_) => ("unresponsive", None),
            Outcome::NotPerformed(_) => ("not performed", None),
            Outcome::NotAttempted(_) => ("not attempted", None),
        };
        UpdateStep {
            name: t.name.to_string(),
            expected: expected.to_string(),
            observed: observed.to_string(),
            version_after,
        }
    };
    let mut steps: Vec<UpdateStep> = report.misuse.iter().map(|t| step(t, "refused")).collect();
    steps.push(step(&report.valid, "installed"));
    steps.push(step(&report.power_cut, "boots"));
    Figure::UpdateBattery {
        mechanism: id.to_string(),
        version_before: report.version_before.clone(),
        steps,
    }
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
    if let Outcome::NotPerformed(why) = &report.power_cut.outcome {
        blockers.push(Blocker::new(
            Cause::Config,
            format!("`{id}` {}: {why}", report.power_cut.name),
        ));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::verdict::Verdict;
    use rstest::rstest;

    fn trial(name: &'static str, outcome: Outcome) -> Trial {
        Trial {
            name,
            how: "test".into(),
            image: Some(("img".into(), "00".into())),
            answer: "HTTP 200".into(),
            outcome,
        }
    }

    fn report(misuse: Outcome, valid: Outcome, power_cut: Outcome) -> update_battery::Reports {
        vec![(
            "web".into(),
            Ok(MechanismReport {
                mechanism: "web".into(),
                version_before: "1.0".into(),
                misuse: vec![
                    trial("rollback", misuse),
                    trial("unsigned", Outcome::Refused),
                ],
                valid: trial("valid-image", valid),
                power_cut: trial("power-cut-mid-transfer", power_cut),
                log: "update.log".into(),
            }),
        )]
    }

    fn installed() -> Outcome {
        Outcome::Installed("2.0".into())
    }

    #[rstest]
    #[case::every_misuse_refused(Outcome::Refused, installed(), installed(), Verdict::Pass)]
    #[case::a_misuse_image_installed(installed(), installed(), installed(), Verdict::Fail)]
    #[case::silent_after_a_misuse_image(Outcome::Unresponsive("no answer".into()), installed(), installed(), Verdict::Fail)]
    #[case::no_firmware_after_the_power_cut(Outcome::Refused, installed(), Outcome::Unresponsive("dead".into()), Verdict::Fail)]
    #[case::the_valid_image_refused_too(
        Outcome::Refused,
        Outcome::Refused,
        installed(),
        Verdict::Inconclusive
    )]
    #[case::no_power_backend(Outcome::Refused, installed(), Outcome::NotPerformed("no power backend".into()), Verdict::Inconclusive)]
    #[case::an_attack_the_material_does_not_allow(Outcome::NotPerformed("no older image".into()), installed(), installed(), Verdict::Inconclusive)]
    fn the_battery_decides_the_units(
        #[case] misuse: Outcome,
        #[case] valid: Outcome,
        #[case] power_cut: Outcome,
        #[case] want: Verdict,
    ) {
        let r = judge_reports(&report(misuse, valid, power_cut));
        assert_eq!(r.verdict, want, "{}", r.message);
        assert_eq!(r.units.len(), 2);
    }

    #[test]
    fn a_mechanism_the_battery_could_not_run_is_not_performed_with_its_cause() {
        let reports = vec![(
            "pull".to_string(),
            Err(Blocker::new(
                Cause::Bench,
                "update server on 10.0.0.1: in use",
            )),
        )];
        let r = judge_reports(&reports);
        assert_eq!(r.verdict, Verdict::Inconclusive);
        assert!(r.message.contains("`pull`: update server"), "{}", r.message);
    }
}
