//! `hilt report BUNDLE --assessment F`: the reports of a finished bundle rebuilt with the
//! assessor's answers, without the device. Only MANUAL rows can change; what the run observed
//! cannot. The previous reports and manifest move to `previous/<n>/`, the new report names them
//! and lists every change, and a new manifest (signed with the lab's key if given) seals it all.

use super::error::Error;
use super::manifest::{self, DIGEST, MANIFEST, SIGNATURE};
use super::seal;
use super::{html, json, junit, reload, CaseRecord, RunInfo};
use crate::config::assessment::Assessment;
use crate::model::provisions::{self, Source};
use crate::model::record::Reissue;
use crate::model::verdict::Verdict;
use crate::standard::catalogue;
use std::path::Path;
use std::sync::Arc;

/// The assessment file and every document it relies on, into the bundle's `assessment/`.
pub fn copy_documents(dir: &Path, a: &Assessment) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("assessment"))?;
    std::fs::copy(&a.file, dir.join("assessment/assessment.yaml"))?;
    for d in a.answers.values().flatten().flat_map(|a| &a.documents) {
        std::fs::copy(&d.source, dir.join(d.bundle_path()))?;
    }
    Ok(())
}

pub fn reissue(
    dir: &Path,
    assessment: &Path,
    key: Option<&ed25519_dalek::SigningKey>,
) -> Result<String, Error> {
    let check = manifest::verify(dir, None)?;
    if !check.ok() {
        return Err(Error::Input(format!(
            "{}: the bundle does not verify against its manifest (run `hilt verify`); a report is reissued only from an intact bundle",
            dir.display()
        )));
    }
    let (mut info, samples, records) = reload::reload(dir).map_err(Error::Input)?;
    if info.partial {
        return Err(Error::Input(format!(
            "{}: the run did not finish; only a finished run's report can be reissued",
            dir.display()
        )));
    }
    let mut ran: Vec<&str> = records.iter().map(|r| r.spec.id).collect();
    ran.sort_unstable();
    ran.dedup();
    let assessment = Assessment::load(assessment, &ran).map_err(|e| Error::Input(e.to_string()))?;
    assessment
        .of_version(&info.en_303_645, "the bundle's")
        .map_err(Error::Input)?;
    refuse_decided_units(&assessment, &records).map_err(Error::Input)?;
    let sequence = (1..)
        .find(|n| !dir.join(format!("previous/{n}")).exists())
        .unwrap_or(1);
    let previous = dir.join(format!("previous/{sequence}"));
    // The reissue's seal follows the run's last one.
    let seal_number = std::fs::read_to_string(dir.join(seal::SEAL))
        .ok()
        .and_then(|t| seal::Seal::parse(&t))
        .map_or(1, |s| s.number + 1);
    std::fs::create_dir_all(&previous).map_err(|e| Error::unwritable(&previous, e))?;
    for name in [
        "junit.xml",
        "report.json",
        "report.html",
        "psti.html",
        MANIFEST,
        DIGEST,
        SIGNATURE,
        seal::SEAL,
        "assessment/assessment.yaml",
    ] {
        let from = dir.join(name);
        if from.is_file() {
            let to = previous.join(Path::new(name).file_name().unwrap_or_default());
            std::fs::rename(&from, &to).map_err(|e| Error::unwritable(&from, e))?;
        }
    }
    let previous_manifest_sha256 = std::fs::read_to_string(previous.join(DIGEST))
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    copy_documents(dir, &assessment).map_err(|e| Error::unwritable(&dir.join("assessment"), e))?;
    let assessment = Arc::new(assessment);
    let changes = changes(&info, &samples, &records, &assessment);
    let summary = format!("reissue {sequence}: {} change(s)", changes.len());
    info.reissue = Some(Reissue {
        sequence,
        previous_report_id: info.report_id.clone(),
        previous_manifest_sha256,
        changes,
    });
    info.report_id = format!("{}-r{sequence}", info.report_id);
    info.assessment = Some(assessment);
    let junit = junit::render(&info, &samples, &records)?;
    let mut hashes = crate::util::growing_hashes::GrowingHashes::default();
    let json = json::render(dir, &info, &samples, &records, &mut hashes);
    let html = html::render(&info, &samples, &records);
    let psti = super::html_psti::page(&info, &samples, &records);
    let reports: [(&str, &[u8]); 4] = [
        ("junit.xml", junit.as_bytes()),
        ("report.json", json.as_bytes()),
        ("report.html", html.as_bytes()),
        ("psti.html", psti.as_bytes()),
    ];
    let digest = manifest::write_sealed(
        dir,
        key,
        seal_number,
        seal::State::Final,
        &reports,
        &mut hashes,
    )
    .map_err(|e| Error::unwritable(dir, e))?;
    Ok(format!("{summary}; manifest sha256 {digest}"))
}

/// A unit the run decided on the device keeps the run's verdict.
fn refuse_decided_units(a: &Assessment, records: &[CaseRecord]) -> Result<(), String> {
    let mut errors = Vec::new();
    for r in records {
        let Some(answers) = a.answers.get(r.spec.id) else {
            continue;
        };
        for answer in answers {
            let decided = match r.result.units.iter().find(|u| u.id == answer.unit) {
                Some(u) => u.verdict != Verdict::Manual,
                None => r.result.verdict != Verdict::Manual,
            };
            if decided {
                let at = a
                    .body
                    .test_cases
                    .get(r.spec.id)
                    .and_then(|units| units.get(&answer.unit));
                let loc = at
                    .map(|u| format!("{}:{}", u.at.line(), u.at.column()))
                    .unwrap_or_default();
                errors.push(format!(
                    "error: {}:{loc}: test_cases.{}.{}.verdict: the run decided this unit on {} ({}); a reissue may only decide MANUAL units; expected no verdict here",
                    a.file.display(), r.spec.id, answer.unit, r.slot, r.result.verdict.label()
                ));
            }
        }
    }
    errors.sort();
    errors.dedup();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// Each test case the assessment decided, per sample: its verdict before and now.
fn changes(
    info: &RunInfo,
    samples: &[super::SampleIdentity],
    records: &[CaseRecord],
    a: &Assessment,
) -> Vec<(String, String, String, String)> {
    let Some(catalogue) = catalogue::for_version(&info.en_303_645) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in samples {
        let mine: Vec<&CaseRecord> = records.iter().filter(|r| r.slot == s.slot).collect();
        if mine.is_empty() {
            continue;
        }
        let before = provisions::table(catalogue, &info.ics_rows, &mine, None);
        let after = provisions::table(catalogue, &info.ics_rows, &mine, Some(a));
        for (b, n) in before.iter().zip(&after) {
            for (cb, cn) in b.cases.iter().zip(&n.cases) {
                if cn.source == Source::Assessment && cb.verdict != cn.verdict {
                    out.push((
                        s.slot.clone(),
                        cn.case.id.clone(),
                        cb.verdict.label().into(),
                        cn.verdict.label().into(),
                    ));
                }
            }
        }
    }
    out
}
