//! Verdicts and what a test case hands to the reporters.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Verdict {
    Pass,
    Fail,
    /// The ICS condition does not hold for this product.
    NotApplicable,
    /// Needs a lab engineer's judgement.
    Manual,
    /// The bench or the device stopped the test; never folded into PASS.
    Inconclusive,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::NotApplicable => "N/A",
            Verdict::Manual => "MANUAL",
            Verdict::Inconclusive => "INCONCLUSIVE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Measurement {
    pub name: String,
    pub value: f64,
    pub unit: String,
}

impl Measurement {
    pub fn new(name: &str, value: f64, unit: &str) -> Measurement {
        Measurement {
            name: name.into(),
            value,
            unit: unit.into(),
        }
    }
}

/// The outcome of one test case on one sample.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub verdict: Verdict,
    /// One line: observed vs declared for a FAIL, the reason otherwise.
    pub message: String,
    /// Further lines: each finding, measurement and note.
    pub details: Vec<String>,
    pub evidence: Vec<PathBuf>,
    /// Measured values with their units (ISO/IEC 17025 7.8.2.1 m).
    pub measurements: Vec<Measurement>,
    pub started: chrono::DateTime<chrono::Utc>,
    pub duration: Duration,
    /// The firmware version the unit reported when the case started (set by the run): the
    /// update battery changes it, so each result names the version it tested.
    pub firmware_version: Option<String>,
}

impl CaseResult {
    pub fn new(verdict: Verdict, message: impl Into<String>) -> CaseResult {
        CaseResult {
            verdict,
            message: message.into(),
            details: vec![],
            evidence: vec![],
            measurements: vec![],
            started: chrono::Utc::now(),
            duration: Duration::ZERO,
            firmware_version: None,
        }
    }

    pub fn inconclusive(reason: impl Into<String>) -> CaseResult {
        CaseResult::new(Verdict::Inconclusive, reason)
    }

    /// The usual verdict of a functional case: FAIL on any finding (an indication of
    /// non-conformity outweighs an unfinished part), else INCONCLUSIVE if something could not be
    /// completed, else PASS. Blockers are kept as details either way.
    pub fn from_findings(findings: &[String], blockers: &[String], pass: &str) -> CaseResult {
        let mut r = if !findings.is_empty() {
            CaseResult::new(Verdict::Fail, findings.join("; "))
        } else if !blockers.is_empty() {
            CaseResult::inconclusive(blockers.join("; "))
        } else {
            CaseResult::new(Verdict::Pass, pass)
        };
        r.details = blockers
            .iter()
            .map(|b| format!("not completed: {b}"))
            .collect();
        r
    }
}
