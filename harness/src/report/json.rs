//! `report.json`: what JUnit cannot hold, named after the report contents ISO/IEC 17025
//! 7.8.2.1 asks for. Its JSON Schema is `harness/schema/report.schema.json`.

use super::{CaseRecord, FileRef, RunInfo, SampleIdentity};
use crate::model::verdict::{Cause, Measurement, Verdict};
use crate::util::growing_hashes::GrowingHashes;
use crate::util::hash::file_sha256;
use serde::Serialize;
use std::path::Path;

pub const SCHEMA_ID: &str = "hilt-report/1";

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    report_id: &'a str,
    run_id: &'a str,
    partial: bool,
    title: &'static str,
    method: Method<'a>,
    items: Vec<Item>,
    equipment: Equipment<'a>,
    operator: Option<&'a str>,
    started: String,
    finished: String,
    results: Vec<ResultEntry>,
    deviations: Vec<Deviation>,
    /// The ICS as the profile declares it (EN 303 645 Annex B).
    ics: Vec<super::json_provisions::IcsEntry>,
    /// Every provision of the standard for every sample, each with one verdict.
    provisions: Vec<super::json_provisions::SampleProvisions>,
    /// The assessment applied to the MANUAL rows, as copied into the bundle.
    assessment: Option<EvidenceRef>,
    /// Set on a reissued report: what it replaces and what changed.
    reissue: Option<&'a crate::model::record::Reissue>,
    /// The UK PSTI requirements, judged from the run and the published information.
    psti: super::psti::Json,
}

#[derive(Serialize)]
struct Method<'a> {
    en_303_645: &'a str,
    ts_103_701: &'a str,
    suite: &'a FileRef,
    corpora: &'a [FileRef],
    /// The update images the lab supplied: what the update cases sent and tampered with.
    update_images: &'a [FileRef],
    hilt_version: &'static str,
    hilt_commit: &'static str,
}

#[derive(Serialize)]
struct Item {
    slot: String,
    manufacturer: String,
    model: String,
    serial: Option<String>,
    mac: Option<String>,
    firmware_version: Option<String>,
}

#[derive(Serialize)]
struct Equipment<'a> {
    host: &'a str,
    rig: &'a FileRef,
    profile: &'a FileRef,
    serial_adapters: Vec<SerialAdapter>,
    debug_probes: Vec<DebugProbe>,
}

#[derive(Serialize)]
struct DebugProbe {
    slot: String,
    wiring: String,
}

#[derive(Serialize)]
struct SerialAdapter {
    slot: String,
    path: String,
    baud: Option<u32>,
}

#[derive(Serialize)]
struct ResultEntry {
    slot: String,
    test_case: &'static str,
    provision: &'static str,
    title: &'static str,
    verdict: &'static str,
    /// Whose doing an INCONCLUSIVE was: bench, unit, config or operator.
    cause: Option<Cause>,
    started: String,
    finished: String,
    message: String,
    /// The TS 103 701 test units, each with its own verdict.
    units: Vec<UnitEntry>,
    observations: Vec<String>,
    measurements: Vec<Measurement>,
    decision_rule: &'static str,
    /// The version the unit reported when the case started.
    firmware_version: Option<String>,
    evidence: Vec<EvidenceRef>,
    /// Observations in a shape report.html draws (attempt series, port maps).
    figures: Vec<crate::model::figure::Figure>,
}

#[derive(Serialize)]
struct UnitEntry {
    unit: &'static str,
    title: &'static str,
    /// PASS, FAIL, MANUAL, N/A, or NOT PERFORMED.
    verdict: &'static str,
    cause: Option<Cause>,
    message: String,
}

#[derive(Serialize)]
struct EvidenceRef {
    path: String,
    sha256: Option<String>,
}

#[derive(Serialize)]
struct Deviation {
    slot: String,
    test_case: &'static str,
    verdict: &'static str,
    reason: String,
}

/// `hashes` resumes the evidence files an earlier rendering read: the capture every case cites
/// is read once as it grows, not once per case and rewrite.
pub fn render(
    run_dir: &Path,
    info: &RunInfo,
    samples: &[SampleIdentity],
    records: &[CaseRecord],
    hashes: &mut GrowingHashes,
) -> String {
    let sample = |slot: &str| samples.iter().find(|s| s.slot == slot);
    let clean = |slot: &str, text: &str| {
        sample(slot)
            .map(|s| s.clean(text))
            .unwrap_or_else(|| text.to_string())
    };
    let results = records
        .iter()
        .map(|r| result_entry(r, run_dir, &|text| clean(&r.slot, text), hashes))
        .collect();
    let deviations = records
        .iter()
        .filter(|r| !matches!(r.result.verdict, Verdict::Pass | Verdict::Fail))
        .map(|r| Deviation {
            slot: r.slot.clone(),
            test_case: r.spec.id,
            verdict: r.result.verdict.label(),
            reason: clean(&r.slot, &r.result.message),
        })
        .collect();
    let items = samples
        .iter()
        .map(|s| Item {
            slot: s.slot.clone(),
            manufacturer: info.manufacturer.clone(),
            model: info.model.clone(),
            serial: s.serial.as_deref().map(|v| s.clean(v)),
            mac: s.mac.as_deref().map(|v| s.clean(v)),
            firmware_version: s.firmware_version.as_deref().map(|v| s.clean(v)),
        })
        .collect();
    let report = Report {
        schema: SCHEMA_ID,
        report_id: &info.report_id,
        run_id: &info.run_id,
        partial: info.partial,
        title: "ETSI EN 303 645 conformance test report (test cases of ETSI TS 103 701)",
        method: Method {
            en_303_645: &info.en_303_645,
            ts_103_701: &info.ts_103_701,
            suite: &info.suite,
            corpora: &info.corpora,
            update_images: &info.update_images,
            hilt_version: env!("CARGO_PKG_VERSION"),
            hilt_commit: env!("HILT_GIT_COMMIT"),
        },
        items,
        equipment: equipment(info),
        operator: info.operator.as_deref(),
        started: info.started.to_rfc3339(),
        finished: info.finished.to_rfc3339(),
        results,
        deviations,
        ics: super::json_provisions::ics(info),
        provisions: super::json_provisions::per_sample(info, samples, records),
        assessment: info.assessment.as_ref().map(|_| EvidenceRef {
            path: "assessment/assessment.yaml".into(),
            sha256: file_sha256(&run_dir.join("assessment/assessment.yaml")).ok(),
        }),
        reissue: info.reissue.as_ref(),
        psti: super::psti::json(info, samples, records),
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// One record as report.json gives it, device text cleaned of its secrets by `clean`.
fn result_entry(
    r: &CaseRecord,
    run_dir: &Path,
    clean: &dyn Fn(&str) -> String,
    hashes: &mut GrowingHashes,
) -> ResultEntry {
    ResultEntry {
        slot: r.slot.clone(),
        test_case: r.spec.id,
        provision: r.spec.provision,
        title: r.spec.title,
        verdict: r.result.verdict.label(),
        cause: r.result.cause,
        started: r.result.started.to_rfc3339(),
        finished: (r.result.started
            + chrono::Duration::from_std(r.result.duration).unwrap_or_default())
        .to_rfc3339(),
        message: clean(&r.result.message),
        units: r
            .result
            .units
            .iter()
            .map(|u| UnitEntry {
                unit: u.id,
                title: u.title,
                verdict: match u.verdict {
                    Verdict::Inconclusive => "NOT PERFORMED",
                    v => v.label(),
                },
                cause: u.cause,
                message: clean(&u.message),
            })
            .collect(),
        observations: r.result.details.iter().map(|d| clean(d)).collect(),
        measurements: r.result.measurements.clone(),
        decision_rule: r.spec.decision_rule,
        firmware_version: r.result.firmware_version.as_deref().map(clean),
        evidence: r
            .evidence
            .iter()
            .map(|p| EvidenceRef {
                path: p.clone(),
                sha256: hashes.hash(&run_dir.join(p)).ok().map(|(h, _)| h),
            })
            .collect(),
        figures: r.result.figures.clone(),
    }
}

/// The bench as the run used it: host, rig, profile, serial adapters, debug probes.
fn equipment(info: &RunInfo) -> Equipment<'_> {
    Equipment {
        host: &info.hostname,
        rig: &info.rig,
        profile: &info.profile,
        serial_adapters: info
            .serial_adapters
            .iter()
            .map(|(slot, path, baud)| SerialAdapter {
                slot: slot.clone(),
                path: path.clone(),
                baud: *baud,
            })
            .collect(),
        debug_probes: info
            .debug_probes
            .iter()
            .map(|(slot, wiring)| DebugProbe {
                slot: slot.clone(),
                wiring: wiring.clone(),
            })
            .collect(),
    }
}
