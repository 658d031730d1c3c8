//! report.json's `ics` and `provisions`: every provision of the catalogue for every sample, with
//! one verdict each and, where the assessor still has work, the questions of each test unit.

use super::{CaseRecord, RunInfo, SampleIdentity};
use crate::model::provisions::{self, Source};
use crate::model::verdict::Verdict;
use crate::standard::catalogue;
use serde::Serialize;

#[derive(Serialize)]
pub struct IcsEntry {
    provision: String,
    support: String,
    detail: String,
}

#[derive(Serialize)]
pub struct SampleProvisions {
    slot: String,
    /// The catalogue the table follows, e.g. en-303-645-v2.1.1.
    catalogue: String,
    counts: Counts,
    summary: String,
    provisions: Vec<ProvisionEntry>,
}

#[derive(Serialize)]
struct Counts {
    pass: usize,
    fail: usize,
    inconclusive: usize,
    not_applicable: usize,
    manual: usize,
}

#[derive(Serialize)]
struct ProvisionEntry {
    provision: String,
    category: String,
    /// As Annex B writes it: M, R, M C (1)…
    status: String,
    summary: String,
    verdict: &'static str,
    basis: String,
    test_cases: Vec<TestCaseEntry>,
}

#[derive(Serialize)]
struct TestCaseEntry {
    test_case: String,
    kind: &'static str,
    verdict: &'static str,
    source: Source,
    note: String,
    /// IXIT pro formas the units read.
    ixit: Vec<u8>,
    /// The units' questions, for a case the assessor has still to answer.
    questions: Vec<Question>,
    /// The assessor's decided units.
    answers: Vec<AnswerEntry>,
    /// What the run observed in the cases that bear on this one (a reference, not its verdict).
    references: Vec<ReferenceEntry>,
}

#[derive(Serialize)]
struct ReferenceEntry {
    test_case: String,
    verdict: &'static str,
    message: String,
}

#[derive(Serialize)]
struct AnswerEntry {
    unit: String,
    verdict: &'static str,
    rationale: String,
    assessor: String,
    date: String,
    documents: Vec<DocumentEntry>,
}

#[derive(Serialize)]
struct DocumentEntry {
    /// The copy in the bundle.
    path: String,
    section: String,
    sha256: String,
}

#[derive(Serialize)]
struct Question {
    unit: String,
    asks: String,
}

pub fn ics(info: &RunInfo) -> Vec<IcsEntry> {
    info.ics_rows
        .iter()
        .map(|(p, s, d)| IcsEntry {
            provision: p.clone(),
            support: s.clone(),
            detail: d.clone(),
        })
        .collect()
}

pub fn per_sample(
    info: &RunInfo,
    samples: &[SampleIdentity],
    records: &[CaseRecord],
) -> Vec<SampleProvisions> {
    let Some(catalogue) = catalogue::for_version(&info.en_303_645) else {
        return Vec::new();
    };
    // A sample that ran nothing (filtered out, or not in this run) gets no table, as in JUnit.
    samples
        .iter()
        .filter(|s| records.iter().any(|r| r.slot == s.slot))
        .map(|s| {
            let mine: Vec<&CaseRecord> = records.iter().filter(|r| r.slot == s.slot).collect();
            let rows =
                provisions::table(catalogue, &info.ics_rows, &mine, info.assessment.as_deref());
            let [pass, fail, inconclusive, not_applicable, manual] = provisions::counts(&rows);
            SampleProvisions {
                slot: s.slot.clone(),
                catalogue: catalogue.id.clone(),
                counts: Counts {
                    pass,
                    fail,
                    inconclusive,
                    not_applicable,
                    manual,
                },
                summary: provisions::summary(&rows),
                provisions: rows
                    .iter()
                    .map(|r| ProvisionEntry {
                        provision: r.provision.id.clone(),
                        category: r.provision.category().to_string(),
                        status: r.provision.status_text(),
                        summary: r.provision.summary.clone(),
                        verdict: r.verdict.label(),
                        basis: s.clean(&r.basis),
                        test_cases: r
                            .cases
                            .iter()
                            .map(|c| TestCaseEntry {
                                test_case: c.case.id.clone(),
                                kind: c.case.kind.label(),
                                verdict: c.verdict.label(),
                                source: c.source,
                                note: s.clean(&c.note),
                                ixit: c.case.ixit.clone(),
                                references: c
                                    .references
                                    .iter()
                                    .map(|r| ReferenceEntry {
                                        test_case: r.test_case.clone(),
                                        verdict: r.verdict.label(),
                                        message: s.clean(&r.message),
                                    })
                                    .collect(),
                                answers: c
                                    .answers
                                    .iter()
                                    .map(|a| AnswerEntry {
                                        unit: a.unit.clone(),
                                        verdict: if a.pass { "PASS" } else { "FAIL" },
                                        rationale: a.rationale.clone(),
                                        assessor: a.assessor.clone(),
                                        date: a.date.clone(),
                                        documents: a
                                            .documents
                                            .iter()
                                            .map(|d| DocumentEntry {
                                                path: d.bundle_path(),
                                                section: d.section.clone(),
                                                sha256: d.sha256.clone(),
                                            })
                                            .collect(),
                                    })
                                    .collect(),
                                questions: match c.verdict {
                                    Verdict::Manual if c.source == Source::Assessor => c
                                        .case
                                        .units
                                        .iter()
                                        .map(|(unit, asks)| Question {
                                            unit: unit.clone(),
                                            asks: asks.clone(),
                                        })
                                        .collect(),
                                    _ => Vec::new(),
                                },
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect()
}
