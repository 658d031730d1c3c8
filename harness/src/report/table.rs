//! The verdict table printed after a run: test case x sample.

use super::{CaseRecord, RunInfo, SampleIdentity};
use crate::model::provisions;
use crate::model::verdict::Verdict;
use crate::standard::catalogue;
use std::fmt::Write;

pub fn render(
    info: &RunInfo,
    samples: &[SampleIdentity],
    records: &[CaseRecord],
    report_path: &str,
) -> String {
    let mut cases: Vec<(&str, &str)> = Vec::new();
    for r in records {
        if !cases.iter().any(|(id, _)| *id == r.spec.id) {
            cases.push((r.spec.id, r.spec.title));
        }
    }
    let slots: Vec<&SampleIdentity> = samples
        .iter()
        .filter(|s| records.iter().any(|r| r.slot == s.slot))
        .collect();
    let width = slots
        .iter()
        .map(|s| s.slot.len())
        .max()
        .unwrap_or(0)
        .max(12);
    let first = cases
        .iter()
        .map(|(id, t)| id.len() + 1 + t.len())
        .max()
        .unwrap_or(0)
        .max(9);
    let mut out = String::new();
    let _ = write!(out, "\n{:<first$}", "test case");
    for s in &slots {
        let _ = write!(out, " {:<width$}", s.slot);
    }
    out.push('\n');
    for (id, title) in &cases {
        let _ = write!(out, "{:<first$}", format!("{id} {title}"));
        for s in &slots {
            let v = records
                .iter()
                .find(|r| r.slot == s.slot && r.spec.id == *id)
                .map(|r| r.result.verdict.label())
                .unwrap_or("-");
            let _ = write!(out, " {v:<width$}");
        }
        out.push('\n');
    }
    let count = |v: Verdict| records.iter().filter(|r| r.result.verdict == v).count();
    let _ = writeln!(
        out,
        "\nverdicts: {} PASS, {} FAIL, {} INCONCLUSIVE, {} N/A, {} MANUAL",
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Inconclusive),
        count(Verdict::NotApplicable),
        count(Verdict::Manual)
    );
    for r in records
        .iter()
        .filter(|r| matches!(r.result.verdict, Verdict::Fail | Verdict::Inconclusive))
    {
        let clean = slots
            .iter()
            .find(|s| s.slot == r.slot)
            .map(|s| s.clean(&r.result.message))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {} {}: {}",
            r.slot,
            r.spec.id,
            r.result.verdict_text(),
            clean
        );
    }
    // The automated cases are a few of the standard's; say what the whole of it stands at.
    if let Some(catalogue) = catalogue::for_version(&info.en_303_645) {
        for s in &slots {
            let mine: Vec<&CaseRecord> = records.iter().filter(|r| r.slot == s.slot).collect();
            let rows =
                provisions::table(catalogue, &info.ics_rows, &mine, info.assessment.as_deref());
            let _ = writeln!(out, "{}: {}", s.slot, provisions::summary(&rows));
        }
    }
    if info.psti.is_some() {
        let rows = super::psti::view(info, samples, records);
        let each: Vec<String> = rows
            .iter()
            .map(|r| format!("{} {}", r.id, r.outcome.label()))
            .collect();
        let _ = writeln!(out, "PSTI: {} (psti.html)", each.join(", "));
    }
    let _ = writeln!(out, "report: {report_path}");
    out
}
