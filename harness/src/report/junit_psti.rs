//! The PSTI view in JUnit: one testsuite, a testcase per requirement, so a CI gate sees its
//! PSTI position on every build. Met passes, not met fails, a requirement waiting for the
//! officer is skipped with the checks that wait.

use super::{CaseRecord, RunInfo, SampleIdentity};
use crate::model::psti::Outcome;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

pub fn suite(
    info: &RunInfo,
    samples: &[SampleIdentity],
    records: &[CaseRecord],
    id: usize,
) -> TestSuite {
    let mut suite = TestSuite::new("UK PSTI (SI 2023/1007)");
    suite.set_timestamp(info.started.fixed_offset());
    suite
        .extra
        .insert("hostname".into(), info.hostname.as_str().into());
    suite.extra.insert("package".into(), "psti".into());
    suite.extra.insert("id".into(), id.to_string().into());
    for r in super::psti::view(info, samples, records) {
        let waiting: Vec<String> = r
            .checks
            .iter()
            .filter(|c| c.outcome == r.outcome)
            .map(|c| format!("{}: {}", c.id, c.observed))
            .collect();
        let message = waiting.join("; ");
        let status = match r.outcome {
            Outcome::Met => TestCaseStatus::success(),
            Outcome::NotMet => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(message).set_type("NOT MET");
                s
            }
            Outcome::NeedsConfirmation => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(message).set_type("NEEDS CONFIRMATION");
                s
            }
        };
        let mut case = TestCase::new(format!("{} ({})", r.title, r.source), status);
        case.set_classname(format!("psti.{}", r.id));
        let mut out = format!(
            "outcome: {}\nEN 303 645: {}\n",
            r.outcome.label(),
            r.provisions
        );
        for c in &r.checks {
            out.push_str(&format!(
                "{} [{}] {} — {}\n",
                c.id,
                c.outcome.label(),
                c.question,
                c.observed
            ));
            for e in &c.evidence {
                out.push_str(&format!("  evidence: {e}\n"));
            }
        }
        case.set_system_out(out);
        suite.add_test_case(case);
    }
    suite.set_system_out("published pages: published/\n");
    suite.set_system_err("");
    suite
}
