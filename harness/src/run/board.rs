//! Where each sample stands, read once a second for the live view: the case it runs, how many
//! of its cases are done, and what the case says it is doing.

use super::Prepared;
use crate::model::activity::SampleNow;
use crate::plan::PlannedCase;
use std::sync::Arc;
use std::time::Instant;

pub(super) struct Board {
    now: Vec<SampleNow>,
    prepared: Arc<Vec<Prepared>>,
}

impl Board {
    /// The samples that came up, each with the cases it has to run.
    pub fn new(planned: &[PlannedCase], prepared: &Arc<Vec<Prepared>>) -> Board {
        let now = prepared
            .iter()
            .filter_map(|p| p.as_ref().as_ref().ok())
            .map(|s| SampleNow {
                slot: s.unit.slot_id.clone(),
                case: None,
                cases_done: 0,
                cases_total: planned
                    .iter()
                    .filter(|p| p.slot == s.unit.slot_id && p.decided.is_none())
                    .count(),
                activity: None,
            })
            .collect();
        Board {
            now,
            prepared: prepared.clone(),
        }
    }

    pub fn started(&mut self, slot: &str, case: &'static str) {
        if let Some(s) = self.now.iter_mut().find(|s| s.slot == slot) {
            s.case = Some((case, Instant::now()));
        }
    }

    pub fn done(&mut self, slot: &str) {
        if let Some(s) = self.now.iter_mut().find(|s| s.slot == slot) {
            s.case = None;
            s.cases_done += 1;
        }
    }

    /// Every sample still running a case, with what it is doing now.
    pub fn snapshot(&self) -> Vec<SampleNow> {
        self.now
            .iter()
            .filter(|s| s.case.is_some())
            .map(|s| SampleNow {
                activity: self.activity_of(&s.slot),
                ..s.clone()
            })
            .collect()
    }

    fn activity_of(&self, slot: &str) -> Option<crate::model::activity::Now> {
        self.prepared
            .iter()
            .filter_map(|p| p.as_ref().as_ref().ok())
            .find(|p| p.unit.slot_id == slot)?
            .activity
            .now()
    }
}
