//! The plan: suite x profile ICS x samples -> the test cases of this run, decided without
//! touching hardware (so `--list` never starts a unit). N/A is decided here from the ICS.

use crate::cases::{self, CaseSpec};
use crate::config::profile::Support;
use crate::config::Config;

#[derive(Debug, Clone)]
pub struct PlannedCase {
    pub slot: String,
    pub spec: CaseSpec,
    /// `Some(reason)` when the ICS makes the case not applicable.
    pub not_applicable: Option<String>,
}

impl PlannedCase {
    /// libtest-style name: filters and `--exact` match against it.
    pub fn name(&self) -> String {
        format!("{}::{} {}", self.slot, self.spec.id, self.spec.title)
    }
}

pub fn plan(config: &Config) -> Vec<PlannedCase> {
    let mut planned = Vec::new();
    for slot in &config.rig.slots {
        for spec in cases::ALL.iter().filter(|s| cases::in_suite(s, config)) {
            let not_applicable = match config.profile.ics(spec.provision) {
                Some(row) if row.support == Support::NotApplicable => {
                    Some(format!("ICS {} is N/A: {}", spec.provision, row.detail))
                }
                _ => None,
            };
            planned.push(PlannedCase {
                slot: slot.id.value.clone(),
                spec: *spec,
                not_applicable,
            });
        }
    }
    planned
}
