//! TS 103 701 test case 5.3-1-2 (functional), provision 5.3-1: all software components are
//! securely updateable.
//!
//! Unit (a) applies test case 5.3-2-2 to the update mechanisms of every software component of
//! IXIT 6. What this case adds is coverage: each component names its mechanisms, and each of those
//! was put through the misuse battery to the end. Whether a mechanism can be misused is 5.3-2-2's
//! verdict on the same battery, so one defect is not judged twice.

use super::budget::Waits;
use super::NoParams;
use super::{update_judgement, CaseContext, CaseSpec, TestCase};
use crate::config::located::Located;
use crate::config::profile::SoftwareComponent;
use crate::facts::update_battery::Reports;
use crate::model::unit::{Gathered, UnitResult};
use crate::model::verdict::{Blocker, CaseResult, Cause};
use crate::update::battery::Outcome;

pub struct Case;

const UNIT_A: &str = "5.3-2-2 applied to every component's update mechanisms";

impl TestCase for Case {
    type Params = NoParams;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.3-1-2",
        provision: "5.3-1",
        title: "every software component securely updateable",
        decision_rule: "Unit (a): each software component of IXIT 6 (ixit.software_components) names the IXIT 7 mechanisms that update it, and each of those mechanisms was put through 5.3-2-2's misuse battery to the end (its valid-image control installed). Not performed if the profile lists no software components, or the battery could not run or finish against a named mechanism. A component declared not updateable is reported with its reason (judged by the conceptual 5.3-1-1). Whether a mechanism can be misused is judged once, by 5.3-2-2.",
    };

    fn declared_waits(_params: &NoParams, config: &crate::config::Config) -> Waits {
        super::declared_waits::update_battery(config)
    }

    async fn run(ctx: &CaseContext<'_>, _params: &NoParams) -> CaseResult {
        let components = &ctx.config.profile.body.ixit.software_components;
        if components.is_empty() {
            return CaseResult::not_performed(
                Cause::Config,
                "the profile lists no software components (ixit.software_components, IXIT 6): which mechanisms update which component is not known",
            );
        }
        match update_judgement::reports(ctx).await {
            Ok(reports) => coverage(components, reports),
            Err(r) => r,
        }
    }
}

/// Unit (a) from the components and the battery's reports alone.
fn coverage(components: &[Located<SoftwareComponent>], reports: &Reports) -> CaseResult {
    let mut out = Gathered::default();
    let mut blockers = Vec::new();
    let mut covered = 0;
    for c in components.iter() {
        if c.update_mechanisms.is_empty() {
            out.details.push(format!(
                "component `{}`: declared not updateable: {}",
                c.id,
                c.not_updateable_because.as_deref().unwrap_or("")
            ));
            continue;
        }
        let mut complete = true;
        for m in &c.update_mechanisms {
            if let Some(why) = incomplete(reports, &m.value) {
                complete = false;
                blockers.push(Blocker::new(
                    Cause::Unit,
                    format!("component `{}`: mechanism `{}`: {why}", c.id, m.value),
                ));
            }
        }
        let names: Vec<&str> = c.update_mechanisms.iter().map(|m| m.as_str()).collect();
        out.details.push(format!(
            "component `{}`: updated by {}: {}",
            c.id,
            names.join(", "),
            if complete {
                "put through the battery (misuse findings, if any, are 5.3-2-2's)"
            } else {
                "the battery did not reach a verdict"
            }
        ));
        covered += usize::from(complete);
    }
    let a = UnitResult::judge(
            "a",
            UNIT_A,
            &[],
            &blockers,
            format!("{covered} updateable component(s), each mechanism of each put through the 5.3-2-2 battery to the end (its misuse verdict is 5.3-2-2's)"),
        );
    out.into_result(vec![a])
}

/// Why the battery did not reach its end against a mechanism: `None` when it did.
fn incomplete(reports: &Reports, mechanism: &str) -> Option<String> {
    match reports.iter().find(|(id, _)| id == mechanism) {
        None => Some("the battery did not run against it".into()),
        Some((_, Err(e))) => Some(e.why.clone()),
        Some((_, Ok(r))) => match &r.valid.outcome {
            Outcome::Installed(_) => None,
            // Stopped by a misuse image the unit took: covered, and judged by 5.3-2-2.
            Outcome::NotAttempted(_) => None,
            other => Some(format!(
                "the valid-image control was not installed ({other:?})"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::verdict::Verdict;
    use crate::update::battery::{MechanismReport, Trial};
    use rstest::rstest;

    fn component(id: &str, mechanisms: &[&str]) -> Located<SoftwareComponent> {
        Located::unplaced(SoftwareComponent {
            id: id.into(),
            description: String::new(),
            update_mechanisms: mechanisms
                .iter()
                .map(|m| Located::unplaced(m.to_string()))
                .collect(),
            not_updateable_because: mechanisms.is_empty().then(|| "mask ROM".to_string()),
        })
    }

    fn ran(id: &str, valid: Outcome) -> (String, Result<MechanismReport, Blocker>) {
        let trial = |name, outcome| Trial {
            name,
            how: String::new(),
            image: None,
            answer: String::new(),
            outcome,
        };
        (
            id.into(),
            Ok(MechanismReport {
                mechanism: id.into(),
                version_before: "1.0".into(),
                misuse: vec![],
                valid: trial("valid-image", valid),
                power_cut: trial("power-cut-mid-transfer", Outcome::Refused),
                log: "update.log".into(),
            }),
        )
    }

    #[rstest]
    #[case::every_mechanism_through_the_battery(&["web"], Verdict::Pass)]
    #[case::a_component_not_updateable_is_reported_not_judged(&[], Verdict::Pass)]
    #[case::a_mechanism_the_battery_never_ran(&["web", "usb"], Verdict::Inconclusive)]
    #[case::the_control_not_installed(&["app"], Verdict::Inconclusive)]
    #[case::stopped_by_a_misuse_image_it_took(&["taken"], Verdict::Pass)]
    fn each_components_mechanisms_must_reach_the_end_of_the_battery(
        #[case] mechanisms: &[&str],
        #[case] want: Verdict,
    ) {
        let reports = vec![
            ran("web", Outcome::Installed("2.0".into())),
            ran("app", Outcome::Refused),
            ran("taken", Outcome::NotAttempted("the unit runs 0.9".into())),
        ];
        let components = [component("firmware", mechanisms), component("bootrom", &[])];
        let r = coverage(&components, &reports);
        assert_eq!(r.verdict, want, "{}", r.message);
    }
}
