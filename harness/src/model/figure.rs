//! Observations a case keeps in a shape worth drawing: the reports carry them as data
//! (report.json `figures`) and report.html draws them as inline SVG.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Figure {
    /// One brute-force series (5.1-5-2): each wrong password's answer and how long it took.
    Attempts {
        mechanism: String,
        /// The declared lockout threshold (failures), if any.
        declared_after: Option<u32>,
        /// The suite's threshold when nothing is declared.
        undeclared_threshold: Option<u32>,
        attempts: Vec<AttemptPoint>,
    },
    /// The unit's ports against the declaration (5.6-1-2).
    Ports {
        tcp: Vec<PortMark>,
        udp: Vec<PortMark>,
    },
    /// The update battery on one mechanism (5.3-2-2): each image in the order sent, what the
    /// unit should have done and what it did, and the version it ran afterwards.
    UpdateBattery {
        mechanism: String,
        version_before: String,
        steps: Vec<UpdateStep>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateStep {
    /// The image or step, e.g. `payload-byte`, `older`, `valid`, `power-cut`.
    pub name: String,
    /// refused or installed.
    pub expected: String,
    /// refused, installed, unresponsive, not performed or not attempted.
    pub observed: String,
    /// The version read back after the step, when the unit answered.
    pub version_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptPoint {
    /// When the attempt was sent, since the series began.
    pub sent_ms: f64,
    pub latency_ms: f64,
    /// rejected, locked, accepted or other.
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortMark {
    pub port: u16,
    /// Declared as an enabled service.
    pub declared: bool,
    /// Declared, but disabled.
    pub declared_disabled: bool,
    /// Found open (TCP) or answering (UDP).
    pub found: bool,
}
