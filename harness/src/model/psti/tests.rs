//! Table tests of the PSTI view: how unit verdicts of several samples become requirement rows.
use super::*;
use crate::model::case::CaseSpec;
use crate::model::unit::UnitResult;
use crate::model::verdict::{Blocker, CaseResult, Cause};
use rstest::rstest;

fn unit(id: &'static str, verdict: Verdict) -> UnitResult {
    match verdict {
        Verdict::Fail => UnitResult::judge(id, "", &["seen".into()], &[], ""),
        Verdict::Inconclusive => {
            UnitResult::not_performed(id, "", Blocker::new(Cause::Bench, "no power control"))
        }
        Verdict::NotApplicable => UnitResult::not_applicable(id, "", "none declared"),
        _ => UnitResult::judge(id, "", &[], &[], "fine"),
    }
}

fn record(slot: &str, case: &'static str, units: &[(&'static str, Verdict)]) -> CaseRecord {
    let units: Vec<UnitResult> = units.iter().map(|(u, v)| unit(u, *v)).collect();
    CaseRecord {
        slot: slot.into(),
        spec: CaseSpec {
            id: case,
            provision: "",
            title: "",
            decision_rule: "",
        },
        result: if units.is_empty() {
            CaseResult::new(Verdict::Pass, "fine")
        } else {
            CaseResult::from_units(units)
        },
        evidence: vec![],
    }
}

const P: Verdict = Verdict::Pass;
const F: Verdict = Verdict::Fail;
const I: Verdict = Verdict::Inconclusive;

#[rstest]
#[case::both_samples_pass(P, P, Outcome::Met)]
#[case::one_sample_fails_unit_c(P, F, Outcome::NotMet)]
#[case::a_unit_not_performed_waits(I, P, Outcome::NeedsConfirmation)]
#[case::a_failure_outranks_not_performed(I, F, Outcome::NotMet)]
fn passwords_count_every_sample(#[case] s1: Verdict, #[case] s2: Verdict, #[case] want: Outcome) {
    let records = [
        record("s1", "5.1-1-2", &[("a", P), ("b", P), ("c", s1)]),
        record("s2", "5.1-1-2", &[("a", P), ("b", P), ("c", s2)]),
        record("s1", "5.1-2-2", &[]),
        record("s2", "5.1-2-2", &[]),
    ];
    let rows = view(&Gathered::default(), &records);
    let passwords = &rows[0];
    assert_eq!(passwords.outcome, want, "{:?}", passwords.checks);
    let c = passwords
        .checks
        .iter()
        .find(|c| c.id == "5.1-1-2(c)")
        .unwrap();
    assert_eq!(c.outcome, want);
}

#[test]
fn a_failed_5_1_2_2_is_not_met_and_cases_not_run_wait() {
    let failed = [record("s1", "5.1-2-2", &[("a", F)])];
    let rows = view(&Gathered::default(), &failed);
    assert_eq!(rows[0].outcome, Outcome::NotMet);
    let c = rows[0]
        .checks
        .iter()
        .find(|c| c.id == "5.1-1-2(c)")
        .unwrap();
    assert_eq!(c.outcome, Outcome::NeedsConfirmation);
    assert_eq!(c.observed, "not run on any sample");
}

#[test]
fn an_undeclared_login_surface_asks_for_a_look_only() {
    let records = [
        record("s1", "5.1-1-2", &[("a", F), ("b", P), ("c", P)]),
        record("s1", "5.1-2-2", &[]),
    ];
    let rows = view(&Gathered::default(), &records);
    assert_eq!(rows[0].outcome, Outcome::NeedsConfirmation);
    let a = rows[0]
        .checks
        .iter()
        .find(|c| c.id == "5.1-1-2(a)")
        .unwrap();
    assert!(a.observed.contains("s1: seen"), "{}", a.observed);
}

#[test]
fn nothing_gathered_is_never_met() {
    let rows = view(&Gathered::default(), &[]);
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.outcome == Outcome::NeedsConfirmation));
}

#[test]
fn the_assessor_settles_only_what_waits() {
    let mut g = Gathered {
        reporting_issues: vec![
            Check::new(
                "r.in_english",
                "",
                Outcome::NeedsConfirmation,
                "for the assessor",
            ),
            Check::new("r.page1.available", "", Outcome::NotMet, "answers 401"),
        ],
        support_period: vec![Check::new("s.clear", "", Outcome::NeedsConfirmation, "")],
        ..Gathered::default()
    };
    g.confirmations
        .insert("r.in_english".into(), (true, "read it".into()));
    g.confirmations
        .insert("r.page1.available".into(), (true, String::new()));
    g.confirmations
        .insert("s.clear".into(), (false, "jargon".into()));
    let rows = view(&g, &[]);
    assert_eq!(rows[1].checks[0].outcome, Outcome::Met);
    assert!(rows[1].checks[0]
        .observed
        .starts_with("confirmed by the assessor: read it"));
    assert_eq!(
        rows[1].checks[1].outcome,
        Outcome::NotMet,
        "a program's finding stands"
    );
    assert_eq!(rows[2].outcome, Outcome::NotMet);
}
