//! Every provision of the catalogue for one sample, each with one verdict, so no report reads as
//! "EN 303 645 passed" on the strength of the few cases a run automates. A provision's verdict
//! follows from its ICS row and from each of its TS 103 701 test cases:
//! - a test case the run made keeps the run's verdict;
//! - the others are MANUAL (the assessor's questions) where the provision applies, N/A where the
//!   ICS says it does not, or a recommendation is declared not implemented;
//! - a mandatory provision the ICS declares not supported is a FAIL (it is not met, whatever
//!   the reason);
//! - the provision is FAIL if a case failed, else INCONCLUSIVE if one could not be completed,
//!   else MANUAL while one awaits the assessor, else PASS if one passed, else N/A.

use super::record::CaseRecord;
use super::verdict::Verdict;
use crate::config::assessment::{Answer, Assessment};
use crate::standard::catalogue::{Catalogue, Provision, Status, TestCase};

pub struct ProvisionRow<'a> {
    pub provision: &'a Provision,
    pub verdict: Verdict,
    /// Why, in a sentence: the ICS row's effect, or how the cases add up.
    pub basis: String,
    pub cases: Vec<CaseRow<'a>>,
}

pub struct CaseRow<'a> {
    pub case: &'a TestCase,
    pub verdict: Verdict,
    /// Where the verdict came from.
    pub source: Source,
    pub note: String,
    /// The assessor's decided units of this case, if any.
    pub answers: &'a [Answer],
    /// For a case the assessor decides: what the run observed in the cases the catalogue names
    /// as bearing on it (`evidence_from`), shown as a reference only.
    pub references: Vec<Reference>,
}

pub struct Reference {
    pub test_case: String,
    pub verdict: Verdict,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A test case hilt ran on the unit.
    Automated,
    /// Decided by the ICS alone.
    Ics,
    /// Not yet assessed.
    Assessor,
    /// Decided by the assessor (the assessment file), alone or with the run's own units.
    Assessment,
}

/// One ICS row as the reports carry it: (provision, support Y/N/N/A, detail).
pub type IcsRow = (String, String, String);

pub fn table<'a>(
    catalogue: &'a Catalogue,
    ics: &[IcsRow],
    records: &[&CaseRecord],
    assessment: Option<&'a Assessment>,
) -> Vec<ProvisionRow<'a>> {
    catalogue
        .provisions
        .iter()
        .map(|p| {
            let ics = ics.iter().find(|(id, _, _)| *id == p.id);
            row(p, ics, records, assessment)
        })
        .collect()
}

fn row<'a>(
    p: &'a Provision,
    ics: Option<&IcsRow>,
    records: &[&CaseRecord],
    assessment: Option<&'a Assessment>,
) -> ProvisionRow<'a> {
    let (support, detail) = ics.map_or(("", ""), |(_, s, d)| (s.as_str(), d.as_str()));
    let (unrun, note) = match support {
        "N/A" => (Verdict::NotApplicable, format!("ICS: N/A — {detail}")),
        "N" if p.status == Status::Mandatory => (
            Verdict::Fail,
            format!("ICS: this mandatory provision is declared not supported — {detail}"),
        ),
        "N" => (
            Verdict::NotApplicable,
            format!("ICS: this recommendation is not implemented — {detail} (its justification is 4-1-1's to judge)"),
        ),
        "Y" => (Verdict::Manual, "not yet assessed".to_string()),
        _ => (
            Verdict::Manual,
            "no ICS row: the assessor establishes whether it applies".to_string(),
        ),
    };
    let cases: Vec<CaseRow> = p
        .test_cases
        .iter()
        .map(|case| {
            let answers: &[Answer] = assessment
                .and_then(|a| a.answers.get(&case.id))
                .map_or(&[], Vec::as_slice);
            let run = records.iter().find(|r| r.spec.id == case.id);
            let mut row = match run {
                Some(r) => CaseRow {
                    case,
                    verdict: r.result.verdict,
                    source: Source::Automated,
                    note: r.result.message.clone(),
                    answers: &[],
                    references: Vec::new(),
                },
                None => CaseRow {
                    case,
                    verdict: unrun,
                    source: match unrun {
                        Verdict::Manual => Source::Assessor,
                        _ => Source::Ics,
                    },
                    note: note.clone(),
                    answers: &[],
                    references: Vec::new(),
                },
            };
            if row.verdict == Verdict::Manual && !answers.is_empty() {
                assess(&mut row, run.copied(), answers);
            }
            if matches!(row.source, Source::Assessor | Source::Assessment) {
                row.references = references(case, records);
            }
            row
        })
        .collect();
    let verdict = aggregate(cases.iter().map(|c| c.verdict));
    let basis = match support {
        "N/A" | "N" if unrun != Verdict::Manual => note,
        _ => cases
            .iter()
            .map(|c| match c.source {
                Source::Automated => format!("{} {} (run by hilt)", c.case.id, c.verdict.label()),
                Source::Assessment => format!("{} {} (assessed)", c.case.id, c.verdict.label()),
                _ if c.references.is_empty() => format!("{} awaits the assessor", c.case.id),
                _ => format!(
                    "{} awaits the assessor (see {})",
                    c.case.id,
                    seen(&c.references)
                ),
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    ProvisionRow {
        provision: p,
        verdict,
        basis,
        cases,
    }
}

fn references(case: &TestCase, records: &[&CaseRecord]) -> Vec<Reference> {
    case.evidence_from
        .iter()
        .filter_map(|id| records.iter().find(|r| r.spec.id == id))
        .map(|r| Reference {
            test_case: r.spec.id.to_string(),
            verdict: r.result.verdict,
            message: r.result.message.clone(),
        })
        .collect()
}

/// "5.3-2-2 PASS, 5.5-1-2 FAIL": the referenced results in a few words.
pub fn seen(references: &[Reference]) -> String {
    references
        .iter()
        .map(|r| format!("{} {}", r.test_case, r.verdict.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Puts the assessor's answers in the units still MANUAL: those hilt left to the assessor in a
/// case it ran, or every unit of a case it did not. The case is decided once no unit is open.
fn assess<'a>(row: &mut CaseRow<'a>, run: Option<&CaseRecord>, answers: &'a [Answer]) {
    let open: Vec<&str> = match run {
        Some(r) if !r.result.units.is_empty() => r
            .result
            .units
            .iter()
            .filter(|u| u.verdict == Verdict::Manual)
            .map(|u| u.id)
            .collect(),
        // A MANUAL case the run recorded without units leaves the assessor its conceptual ones.
        Some(_) => row
            .case
            .units
            .keys()
            .map(String::as_str)
            .filter(|u| !row.case.is_functional_unit(u))
            .collect(),
        None => row.case.units.keys().map(String::as_str).collect(),
    };
    let mut verdicts: Vec<Verdict> = run
        .map(|r| {
            r.result
                .units
                .iter()
                .filter(|u| u.verdict != Verdict::Manual)
                .map(|u| u.verdict)
                .collect()
        })
        .unwrap_or_default();
    let mut said = Vec::new();
    for unit in &open {
        match answers.iter().find(|a| a.unit == *unit) {
            Some(a) => {
                let v = if a.pass { Verdict::Pass } else { Verdict::Fail };
                verdicts.push(v);
                said.push(format!(
                    "({unit}) {} by {} on {}: {}",
                    v.label(),
                    a.assessor,
                    a.date,
                    a.rationale
                ));
            }
            None => verdicts.push(Verdict::Manual),
        }
    }
    row.verdict = aggregate(verdicts.into_iter());
    row.source = Source::Assessment;
    row.answers = answers;
    let prefix = match run {
        Some(r) => format!("run: {}; ", r.result.message),
        None => String::new(),
    };
    row.note = format!("{prefix}assessed: {}", said.join("; "));
}

fn aggregate(verdicts: impl Iterator<Item = Verdict>) -> Verdict {
    let all: Vec<Verdict> = verdicts.collect();
    let has = |v: Verdict| all.contains(&v);
    [
        Verdict::Fail,
        Verdict::Inconclusive,
        Verdict::Manual,
        Verdict::Pass,
    ]
    .into_iter()
    .find(|v| has(*v))
    .unwrap_or(Verdict::NotApplicable)
}

/// (PASS, FAIL, INCONCLUSIVE, N/A, MANUAL) counts of a table.
pub fn counts(rows: &[ProvisionRow]) -> [usize; 5] {
    let n = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
    [
        n(Verdict::Pass),
        n(Verdict::Fail),
        n(Verdict::Inconclusive),
        n(Verdict::NotApplicable),
        n(Verdict::Manual),
    ]
}

/// One line a summary can print: never "passed" while provisions await the assessor.
pub fn summary(rows: &[ProvisionRow]) -> String {
    let [pass, fail, inconclusive, na, manual] = counts(rows);
    let mut line = format!(
        "EN 303 645 provisions: {pass} PASS, {fail} FAIL, {inconclusive} INCONCLUSIVE, {na} N/A, {manual} not yet assessed (MANUAL) of {}",
        rows.len()
    );
    if fail == 0 && inconclusive == 0 && manual > 0 {
        line.push_str("; no statement of conformity yet: the assessment is incomplete");
    }
    line
}

#[cfg(test)]
mod tests;
