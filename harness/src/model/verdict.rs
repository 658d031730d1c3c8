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
    /// The verdict a report printed (`NOT PERFORMED` is a unit's INCONCLUSIVE).
    pub fn from_label(label: &str) -> Option<Verdict> {
        Some(match label {
            "PASS" => Verdict::Pass,
            "FAIL" => Verdict::Fail,
            "N/A" => Verdict::NotApplicable,
            "MANUAL" => Verdict::Manual,
            "INCONCLUSIVE" | "NOT PERFORMED" => Verdict::Inconclusive,
            _ => return None,
        })
    }

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

/// Who stopped a test that ends INCONCLUSIVE; reports show it (JUnit's error `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    /// The rig or hilt could not do it: a backend, probe, capture or file, or a hilt bug.
    Bench,
    /// The device stopped answering or answered in a way the test cannot use.
    Unit,
    /// The profile, rig or suite lacks what the test needs.
    Config,
    /// The operator interrupted the run.
    Operator,
}

impl Cause {
    pub fn label(self) -> &'static str {
        match self {
            Cause::Bench => "bench",
            Cause::Unit => "unit",
            Cause::Config => "config",
            Cause::Operator => "operator",
        }
    }
}

/// Why part of a test could not be performed, and whose doing that was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub cause: Cause,
    pub why: String,
}

impl Blocker {
    pub fn new(cause: Cause, why: impl Into<String>) -> Blocker {
        Blocker {
            cause,
            why: why.into(),
        }
    }

    /// The same blocker, its reason prefixed (which mechanism, which unit of the case).
    pub fn context(self, what: impl std::fmt::Display) -> Blocker {
        Blocker {
            cause: self.cause,
            why: format!("{what}: {}", self.why),
        }
    }
}

/// A placeholder without a value is the profile's doing: it asks for what the run never captures.
impl From<crate::util::template::TemplateError> for Blocker {
    fn from(e: crate::util::template::TemplateError) -> Blocker {
        Blocker::new(Cause::Config, e.to_string())
    }
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Measurement {
    pub name: String,
    pub value: f64,
    pub unit: String,
}

/// Every result's own duration, and the part of it spent waiting on the unit (answers,
/// deadlines, boots, lockouts, the method's pauses); the difference is hilt's own time.
pub const CASE_DURATION: &str = "case_duration";
pub const DEVICE_WAIT: &str = "device_wait";

impl Measurement {
    /// The value of the measurement called `name` among `all`.
    pub fn find(all: &[Measurement], name: &str) -> Option<f64> {
        all.iter().find(|m| m.name == name).map(|m| m.value)
    }

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
    /// Set when the verdict is INCONCLUSIVE: whose doing that was.
    pub cause: Option<Cause>,
    /// The TS 103 701 test units, each judged on its own (empty for a case not yet split).
    pub units: Vec<super::unit::UnitResult>,
    /// Observations in a shape the reports draw (attempt series, port maps).
    pub figures: Vec<super::figure::Figure>,
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
            cause: None,
            units: vec![],
            figures: vec![],
        }
    }

    /// The verdict as reports print it: `INCONCLUSIVE (bench)` names whose doing it was.
    pub fn verdict_text(&self) -> String {
        match self.cause {
            Some(c) if self.verdict == Verdict::Inconclusive => {
                format!("{} ({})", self.verdict.label(), c.label())
            }
            _ => self.verdict.label().to_string(),
        }
    }

    /// INCONCLUSIVE: the test could not be performed, for `cause`.
    pub fn not_performed(cause: Cause, reason: impl Into<String>) -> CaseResult {
        let mut r = CaseResult::new(Verdict::Inconclusive, reason);
        r.cause = Some(cause);
        r
    }

    pub fn blocked(blocker: Blocker) -> CaseResult {
        CaseResult::not_performed(blocker.cause, blocker.why)
    }

    /// The usual verdict of a functional case: FAIL on any finding (an indication of
    /// non-conformity outweighs an unfinished part), else INCONCLUSIVE (for the first
    /// blocker's cause) if something could not be completed, else PASS. Blockers are kept as
    /// details either way.
    pub fn from_findings(findings: &[String], blockers: &[Blocker], pass: &str) -> CaseResult {
        let mut r = if !findings.is_empty() {
            CaseResult::new(Verdict::Fail, findings.join("; "))
        } else if let Some(first) = blockers.first() {
            let reasons: Vec<&str> = blockers.iter().map(|b| b.why.as_str()).collect();
            CaseResult::not_performed(first.cause, reasons.join("; "))
        } else {
            CaseResult::new(Verdict::Pass, pass)
        };
        r.details = blockers
            .iter()
            .map(|b| format!("not completed ({}): {}", b.cause.label(), b.why))
            .collect();
        r
    }
}
