//! What a run hands its reporters: who each sample is, each case's record, and the run's
//! identity for the report (ISO/IEC 17025 7.8).

use super::case::CaseSpec;
use super::verdict::CaseResult;

/// Who a sample is, as far as the run learnt it.
#[derive(Debug, Clone, Default)]
pub struct SampleIdentity {
    pub slot: String,
    pub serial: Option<String>,
    pub mac: Option<String>,
    pub firmware_version: Option<String>,
    /// Redacts this sample's secrets from anything a reporter writes.
    pub redact: Option<std::sync::Arc<crate::evidence::Redactor>>,
}

#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub slot: String,
    pub spec: CaseSpec,
    pub result: CaseResult,
    /// Evidence paths relative to the run folder.
    pub evidence: Vec<String>,
}

/// A configuration or data file as a report cites it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FileRef {
    pub name: String,
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub run_id: String,
    /// Unique per report (run id + random suffix), for ISO/IEC 17025 7.8.2.1 b.
    pub report_id: String,
    /// Set until the run has finished normally.
    pub partial: bool,
    pub operator: Option<String>,
    pub manufacturer: String,
    pub model: String,
    pub rig: FileRef,
    pub profile: FileRef,
    pub suite: FileRef,
    pub corpora: Vec<FileRef>,
    /// (slot, console path, baud) of every serial adapter the rig wires.
    /// The baud rate is None where hilt finds it (see the console transcript).
    pub serial_adapters: Vec<(String, String, Option<u32>)>,
    /// (slot, how) of every debug probe or bridge the rig wires.
    pub debug_probes: Vec<(String, String)>,
    /// The update images the lab supplied (profile `update.images`), by role.
    pub update_images: Vec<FileRef>,
    /// (provision, support, detail) of the ICS rows the human report summarises.
    pub ics_rows: Vec<(String, String, String)>,
    pub started: chrono::DateTime<chrono::Utc>,
    pub finished: chrono::DateTime<chrono::Utc>,
    pub en_303_645: String,
    pub ts_103_701: String,
    pub hostname: String,
    /// The assessor's answers applied to the MANUAL rows (`--assessment`).
    pub assessment: Option<std::sync::Arc<crate::config::assessment::Assessment>>,
    /// Set on a report reissued from a finished bundle (`hilt report`).
    pub reissue: Option<Reissue>,
    /// The PSTI evidence gathered off the unit, when the profile has a `psti` section.
    pub psti: Option<std::sync::Arc<super::psti::Gathered>>,
}

/// What a reissued report replaces, and what the assessment changed in it.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Reissue {
    /// 1 for the first reissue of a run's report.
    pub sequence: u32,
    pub previous_report_id: String,
    /// The digest of the manifest the previous report was sealed with (kept under `previous/`).
    pub previous_manifest_sha256: String,
    /// (slot, test case, verdict before, verdict now).
    pub changes: Vec<(String, String, String, String)>,
}

impl SampleIdentity {
    pub fn clean(&self, text: &str) -> String {
        match &self.redact {
            Some(r) => r.clean(text),
            None => crate::evidence::report_text(text),
        }
    }
}
