//! The TS 103 701 test cases a run did not make, as JUnit testcases beside the automated ones,
//! so a CI server counts the whole standard: MANUAL (not yet assessed) and N/A as `skipped` with
//! the assessor's questions or the ICS reason, a mandatory provision declared unsupported as a
//! failure.

use super::{CaseRecord, RunInfo, SampleIdentity};
use crate::model::provisions::{self, ProvisionRow, Source};
use crate::model::verdict::Verdict;
use crate::standard::catalogue;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus};

/// One sample's provision table, made once per sample and read by both functions below.
pub fn rows<'a>(info: &'a RunInfo, mine: &[&CaseRecord]) -> Vec<ProvisionRow<'a>> {
    match catalogue::for_version(&info.en_303_645) {
        Some(c) => provisions::table(c, &info.ics_rows, mine, info.assessment.as_deref()),
        None => Vec::new(),
    }
}

pub fn not_run(
    rows: &[ProvisionRow],
    sample: &SampleIdentity,
    mine: &[&CaseRecord],
) -> Vec<TestCase> {
    let mut out = Vec::new();
    for row in rows {
        let not_run = |id: &str| !mine.iter().any(|r| r.spec.id == id);
        for c in row.cases.iter().filter(|c| not_run(&c.case.id)) {
            let questions: Vec<String> = c
                .case
                .units
                .iter()
                .map(|(unit, asks)| format!("({unit}) {asks}"))
                .collect();
            let message = match (c.verdict, c.source) {
                (Verdict::Manual, Source::Assessor) if c.references.is_empty() => {
                    format!("not yet assessed: {}", questions.join(" "))
                }
                (Verdict::Manual, Source::Assessor) => format!(
                    "not yet assessed: {} For reference, this run observed: {}",
                    questions.join(" "),
                    sample.clean(&provisions::seen(&c.references))
                ),
                _ => sample.clean(&c.note),
            };
            let status = match c.verdict {
                Verdict::Pass => TestCaseStatus::success(),
                Verdict::Fail => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(message.clone()).set_type("FAIL");
                    s
                }
                v => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(message.clone()).set_type(v.label());
                    s
                }
            };
            let name = format!(
                "{} {} ({})",
                c.case.id,
                row.provision.summary,
                c.case.kind.label()
            );
            let mut case = TestCase::new(name, status);
            case.set_classname(format!("en303645.{}", row.provision.id));
            let ixit: Vec<String> = c.case.ixit.iter().map(u8::to_string).collect();
            case.set_system_out(format!(
                "source: {}\nverdict: {}\n{}\nIXIT: {}\n{}\n",
                match c.source {
                    Source::Ics => "the ICS",
                    Source::Assessment => "the assessment",
                    _ => "the assessor (not yet assessed)",
                },
                c.verdict.label(),
                message,
                ixit.join(", "),
                questions.join("\n")
            ));
            out.push(case);
        }
    }
    out
}

/// The verdict and note of a case the run made whose MANUAL units the assessment decided.
pub fn assessed(rows: &[ProvisionRow], id: &str) -> Option<(Verdict, String)> {
    rows.iter()
        .flat_map(|r| &r.cases)
        .find(|c| c.case.id == id && c.source == Source::Assessment)
        .map(|c| (c.verdict, c.note.clone()))
}
