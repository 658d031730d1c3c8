//! Table tests of the provision verdicts: no unit, no sample.
use super::*;
use crate::model::case::CaseSpec;
use crate::model::verdict::CaseResult;
use crate::standard::catalogue;
use rstest::rstest;

fn record(id: &'static str, verdict: Verdict) -> CaseRecord {
    CaseRecord {
        slot: "s1".into(),
        spec: CaseSpec {
            id,
            provision: "",
            title: "",
            decision_rule: "",
        },
        result: CaseResult::new(verdict, "observed"),
        evidence: vec![],
    }
}

fn ics(id: &str, support: &str) -> Vec<IcsRow> {
    vec![(id.into(), support.into(), "because".into())]
}

/// 5.1-1 has a conceptual case (5.1-1-1) and a functional one (5.1-1-2).
#[rstest]
#[case::functional_pass_leaves_the_conceptual_case_open("Y", Some(Verdict::Pass), Verdict::Manual)]
#[case::a_failed_case_fails_the_provision("Y", Some(Verdict::Fail), Verdict::Fail)]
#[case::inconclusive_outranks_manual("Y", Some(Verdict::Inconclusive), Verdict::Inconclusive)]
#[case::nothing_run_is_manual("Y", None, Verdict::Manual)]
#[case::not_applicable_by_ics("N/A", None, Verdict::NotApplicable)]
#[case::mandatory_not_supported_fails("N", None, Verdict::Fail)]
#[case::no_row_is_not_guessed("", None, Verdict::Manual)]
fn a_provision_adds_up_its_cases(
    #[case] support: &str,
    #[case] functional: Option<Verdict>,
    #[case] want: Verdict,
) {
    let c = catalogue::for_version("V2.1.1").unwrap();
    let records: Vec<CaseRecord> = functional
        .map(|v| record("5.1-1-2", v))
        .into_iter()
        .collect();
    let refs: Vec<&CaseRecord> = records.iter().collect();
    let rows = table(c, &ics("5.1-1", support), &refs, None);
    assert_eq!(rows.len(), 68);
    let r = rows.iter().find(|r| r.provision.id == "5.1-1").unwrap();
    assert_eq!(r.verdict, want, "{}", r.basis);
    assert_eq!(r.cases.len(), 2);
    if functional.is_some() {
        assert_eq!(r.cases[1].source, Source::Automated);
    }
}

#[test]
fn what_the_run_saw_is_shown_beside_the_question_but_does_not_decide_it() {
    let c = catalogue::for_version("V2.1.1").unwrap();
    let battery = record("5.3-2-2", Verdict::Pass);
    let rows = table(c, &ics("5.3-9", "Y"), &[&battery], None);
    let r = rows.iter().find(|r| r.provision.id == "5.3-9").unwrap();
    assert_eq!(r.verdict, Verdict::Manual);
    assert_eq!(r.cases[0].references[0].test_case, "5.3-2-2");
    assert!(
        r.basis
            .contains("5.3-9-1 awaits the assessor (see 5.3-2-2 PASS)"),
        "{}",
        r.basis
    );
}

#[test]
fn a_recommendation_not_implemented_is_not_applicable_with_its_reason() {
    let c = catalogue::for_version("V2.1.1").unwrap();
    let rows = table(c, &ics("5.7-1", "N"), &[], None);
    let r = rows.iter().find(|r| r.provision.id == "5.7-1").unwrap();
    assert_eq!(r.verdict, Verdict::NotApplicable);
    assert!(r.basis.contains("not implemented — because"), "{}", r.basis);
}

fn assessment(case: &str, answers: &[(&str, bool)]) -> Assessment {
    use crate::config::assessment::{AssessmentFile, Document};
    use crate::config::located::Located;
    let body = AssessmentFile {
        standard: Located::unplaced("V2.1.1".into()),
        assessor: String::new(),
        date: String::new(),
        test_cases: Default::default(),
    };
    let decided = answers
        .iter()
        .map(|(unit, pass)| Answer {
            unit: unit.to_string(),
            pass: *pass,
            rationale: "read".into(),
            assessor: "A".into(),
            date: "2026-12-01".into(),
            documents: vec![Document {
                source: "ixit.txt".into(),
                section: "1".into(),
                sha256: "0".repeat(64),
            }],
        })
        .collect();
    Assessment {
        file: "a.yaml".into(),
        body,
        answers: [(case.to_string(), decided)].into_iter().collect(),
    }
}

/// 5.3-10-1: the run judged unit (c); (a) and (b) are the assessor's.
#[rstest]
#[case::both_pass(&[("a", true), ("b", true)], Verdict::Pass)]
#[case::one_fails(&[("a", true), ("b", false)], Verdict::Fail)]
#[case::one_still_open(&[("a", true)], Verdict::Manual)]
fn the_assessor_decides_only_the_units_the_run_left_open(
    #[case] answers: &[(&str, bool)],
    #[case] want: Verdict,
) {
    use crate::model::unit::UnitResult;
    let c = catalogue::for_version("V2.1.1").unwrap();
    let mut run = record("5.3-10-1", Verdict::Manual);
    run.result.units = vec![
        UnitResult::manual("a", "conceptual", "the assessor's"),
        UnitResult::manual("b", "conceptual", "the assessor's"),
        UnitResult::judge("c", "paths", &[], &[], "none found"),
    ];
    let a = assessment("5.3-10-1", answers);
    let rows = table(c, &ics("5.3-10", "Y"), &[&run], Some(&a));
    let case = &rows
        .iter()
        .find(|r| r.provision.id == "5.3-10")
        .unwrap()
        .cases[0];
    assert_eq!(case.verdict, want, "{}", case.note);
    assert_eq!(case.source, Source::Assessment);
    // Without the assessment the run's MANUAL stands.
    let rows = table(c, &ics("5.3-10", "Y"), &[&run], None);
    assert_eq!(
        rows.iter()
            .find(|r| r.provision.id == "5.3-10")
            .unwrap()
            .cases[0]
            .verdict,
        Verdict::Manual
    );
}

#[test]
fn the_summary_never_reads_as_passed_while_rows_await_the_assessor() {
    let c = catalogue::for_version("V2.1.1").unwrap();
    let all_pass: Vec<CaseRecord> = c
        .provisions
        .iter()
        .flat_map(|p| &p.test_cases)
        .map(|t| record(Box::leak(t.id.clone().into_boxed_str()), Verdict::Pass))
        .collect();
    let ics: Vec<IcsRow> = c
        .provisions
        .iter()
        .map(|p| (p.id.clone(), "Y".into(), String::new()))
        .collect();
    let refs: Vec<&CaseRecord> = all_pass.iter().collect();
    assert_eq!(counts(&table(c, &ics, &refs, None)), [68, 0, 0, 0, 0]);
    let line = summary(&table(c, &ics, &refs[1..], None));
    assert!(
        line.contains("67 PASS")
            && line.contains("1 not yet assessed")
            && line.contains("no statement of conformity yet"),
        "{line}"
    );
}
