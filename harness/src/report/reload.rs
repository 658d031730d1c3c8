//! A finished bundle's `report.json` read back into what the reporters take (run information,
//! samples, records), so `hilt report` can reissue the reports without the device. Only what
//! report.json holds comes back: its text is already redacted and cleaned.

use super::{CaseRecord, FileRef, RunInfo, SampleIdentity};
use crate::model::case::CaseSpec;
use crate::model::unit::UnitResult;
use crate::model::verdict::{CaseResult, Cause, Measurement, Verdict};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Report {
    report_id: String,
    run_id: String,
    partial: bool,
    method: Method,
    items: Vec<Item>,
    equipment: Equipment,
    operator: Option<String>,
    started: String,
    finished: String,
    results: Vec<ResultEntry>,
    ics: Vec<Ics>,
    #[serde(default)]
    psti: Option<Psti>,
}

#[derive(Deserialize)]
struct Psti {
    gathered: Option<crate::model::psti::Gathered>,
}

#[derive(Deserialize)]
struct Method {
    en_303_645: String,
    ts_103_701: String,
    suite: FileRef,
    corpora: Vec<FileRef>,
    update_images: Vec<FileRef>,
}

#[derive(Deserialize)]
struct Item {
    slot: String,
    manufacturer: String,
    model: String,
    serial: Option<String>,
    mac: Option<String>,
    firmware_version: Option<String>,
}

#[derive(Deserialize)]
struct Equipment {
    host: String,
    rig: FileRef,
    profile: FileRef,
    serial_adapters: Vec<SerialAdapter>,
    debug_probes: Vec<DebugProbe>,
}

#[derive(Deserialize)]
struct SerialAdapter {
    slot: String,
    path: String,
    baud: Option<u32>,
}

#[derive(Deserialize)]
struct DebugProbe {
    slot: String,
    wiring: String,
}

#[derive(Deserialize)]
struct Ics {
    provision: String,
    support: String,
    detail: String,
}

#[derive(Deserialize)]
struct ResultEntry {
    slot: String,
    test_case: String,
    provision: String,
    title: String,
    verdict: String,
    cause: Option<Cause>,
    started: String,
    finished: String,
    message: String,
    units: Vec<UnitEntry>,
    observations: Vec<String>,
    measurements: Vec<Measurement>,
    decision_rule: String,
    firmware_version: Option<String>,
    evidence: Vec<Evidence>,
    #[serde(default)]
    figures: Vec<crate::model::figure::Figure>,
}

#[derive(Deserialize)]
struct UnitEntry {
    unit: String,
    title: String,
    verdict: String,
    cause: Option<Cause>,
    message: String,
}

#[derive(Deserialize)]
struct Evidence {
    path: String,
}

/// The records keep `&'static str` names (case specs are compiled in); a reissue reads one
/// report once per process, so its few names are leaked rather than the types made generic.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("time {s:?}: {e}"))
}

fn verdict(label: &str) -> Result<Verdict, String> {
    Verdict::from_label(label).ok_or_else(|| format!("unknown verdict {label:?}"))
}

pub fn reload(dir: &Path) -> Result<(RunInfo, Vec<SampleIdentity>, Vec<CaseRecord>), String> {
    let path = dir.join("report.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let r: Report = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a hilt report.json: {e}", path.display()))?;
    let first = r.items.first();
    let info = RunInfo {
        run_id: r.run_id,
        report_id: r.report_id,
        partial: r.partial,
        operator: r.operator,
        manufacturer: first.map(|i| i.manufacturer.clone()).unwrap_or_default(),
        model: first.map(|i| i.model.clone()).unwrap_or_default(),
        rig: r.equipment.rig,
        profile: r.equipment.profile,
        suite: r.method.suite,
        corpora: r.method.corpora,
        serial_adapters: r
            .equipment
            .serial_adapters
            .into_iter()
            .map(|a| (a.slot, a.path, a.baud))
            .collect(),
        debug_probes: r
            .equipment
            .debug_probes
            .into_iter()
            .map(|p| (p.slot, p.wiring))
            .collect(),
        update_images: r.method.update_images,
        ics_rows: r
            .ics
            .into_iter()
            .map(|i| (i.provision, i.support, i.detail))
            .collect(),
        started: time(&r.started)?,
        finished: time(&r.finished)?,
        en_303_645: r.method.en_303_645,
        ts_103_701: r.method.ts_103_701,
        hostname: r.equipment.host,
        assessment: None,
        reissue: None,
        psti: r.psti.and_then(|p| p.gathered).map(std::sync::Arc::new),
    };
    let samples = r
        .items
        .into_iter()
        .map(|i| SampleIdentity {
            slot: i.slot,
            serial: i.serial,
            mac: i.mac,
            firmware_version: i.firmware_version,
            redact: None,
        })
        .collect();
    let records = r
        .results
        .into_iter()
        .map(record)
        .collect::<Result<Vec<_>, String>>()?;
    Ok((info, samples, records))
}

fn record(e: ResultEntry) -> Result<CaseRecord, String> {
    let started = time(&e.started)?;
    let mut result = CaseResult::new(verdict(&e.verdict)?, e.message);
    result.cause = e.cause;
    result.started = started;
    result.duration = (time(&e.finished)? - started).to_std().unwrap_or_default();
    result.details = e.observations;
    result.measurements = e.measurements;
    result.firmware_version = e.firmware_version;
    result.figures = e.figures;
    result.units = e
        .units
        .into_iter()
        .map(|u| {
            Ok(UnitResult {
                id: leak(u.unit),
                title: leak(u.title),
                verdict: verdict(&u.verdict)?,
                cause: u.cause,
                message: u.message,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(CaseRecord {
        slot: e.slot,
        spec: CaseSpec {
            id: leak(e.test_case),
            provision: leak(e.provision),
            title: leak(e.title),
            decision_rule: leak(e.decision_rule),
        },
        result,
        evidence: e.evidence.into_iter().map(|v| v.path).collect(),
    })
}
