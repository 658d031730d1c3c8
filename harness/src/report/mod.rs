//! Reporters: results in, formats out. Execution never writes a report format itself.

pub mod junit;
pub mod table;

use crate::cases::CaseSpec;
use crate::verdict::CaseResult;

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

#[derive(Debug, Clone)]
pub struct RunInfo {
    pub run_id: String,
    pub started: chrono::DateTime<chrono::Utc>,
    pub finished: chrono::DateTime<chrono::Utc>,
    pub rig_name: String,
    pub rig_file: String,
    pub profile_name: String,
    pub profile_file: String,
    pub suite_name: String,
    pub suite_file: String,
    pub en_303_645: String,
    pub ts_103_701: String,
    pub hostname: String,
}

impl SampleIdentity {
    pub fn clean(&self, text: &str) -> String {
        match &self.redact {
            Some(r) => r.redact(text),
            None => text.to_string(),
        }
    }
}
