//! Where the time goes, on standard error: a line as each case starts and ends (so a long run is
//! never silent, in CI or on a terminal), and at the end the critical path: the sample that took
//! longest, with its cases by duration.

use crate::model::event::{Event, Reporter, ReporterError};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

pub struct Timeline<W: Write + Send> {
    out: W,
    clock: Instant,
    /// Per slot: (case id, duration) in the order they ended.
    cases: BTreeMap<String, Vec<(&'static str, Duration)>>,
}

impl<W: Write + Send> Timeline<W> {
    pub fn new(out: W) -> Self {
        Timeline {
            out,
            clock: Instant::now(),
            cases: BTreeMap::new(),
        }
    }

    fn stamp(&self) -> String {
        format!("[{:7.1}s]", self.clock.elapsed().as_secs_f64())
    }

    /// The slowest sample and its cases, longest first; the cases of one sample run one after
    /// another, so their sum is that sample's share of the run.
    fn critical_path(&self) -> Option<String> {
        let (slot, cases) = self
            .cases
            .iter()
            .max_by_key(|(_, c)| c.iter().map(|(_, d)| *d).sum::<Duration>())?;
        let total: Duration = cases.iter().map(|(_, d)| *d).sum();
        let mut sorted = cases.clone();
        sorted.sort_by_key(|(_, d)| std::cmp::Reverse(*d));
        let parts: Vec<String> = sorted
            .iter()
            .map(|(id, d)| format!("{id} {:.1}s", d.as_secs_f64()))
            .collect();
        Some(format!(
            "critical path: {slot}, {:.1}s in cases: {}",
            total.as_secs_f64(),
            parts.join(", ")
        ))
    }
}

impl<W: Write + Send> Reporter for Timeline<W> {
    fn on(&mut self, event: &Event<'_>) -> Result<(), ReporterError> {
        let line = match event {
            Event::CaseStarted { slot, case } => {
                Some(format!("hilt: {} {slot} {case} started", self.stamp()))
            }
            Event::Verdict { record, .. } if record.result.duration > Duration::ZERO => {
                let r = &record.result;
                self.cases
                    .entry(record.slot.clone())
                    .or_default()
                    .push((record.spec.id, r.duration));
                Some(format!(
                    "hilt: {} {} {} {} after {:.1}s",
                    self.stamp(),
                    record.slot,
                    record.spec.id,
                    r.verdict_text(),
                    r.duration.as_secs_f64()
                ))
            }
            Event::Finished { .. } => self.critical_path().map(|p| format!("hilt: {p}")),
            _ => None,
        };
        if let Some(line) = line {
            // Progress only: a closed standard error must not fail the run's record.
            let _ = writeln!(self.out, "{line}");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::case::CaseSpec;
    use crate::model::record::CaseRecord;
    use crate::model::verdict::{CaseResult, Verdict};

    fn record(slot: &str, id: &'static str, secs: u64) -> CaseRecord {
        let mut result = CaseResult::new(Verdict::Pass, "");
        result.duration = Duration::from_secs(secs);
        CaseRecord {
            slot: slot.into(),
            spec: CaseSpec {
                id,
                provision: "5.1-1",
                title: "t",
                decision_rule: "",
            },
            result,
            evidence: vec![],
        }
    }

    #[test]
    fn the_slowest_sample_is_the_critical_path_with_its_longest_case_first() {
        let mut t = Timeline::new(Vec::new());
        for (slot, id, s) in [("a", "x", 3), ("b", "x", 2), ("b", "y", 9), ("a", "y", 1)] {
            let r = record(slot, id, s);
            t.on(&Event::Verdict {
                name: "n",
                record: &r,
            })
            .unwrap();
        }
        t.on(&Event::Finished {
            interrupted: false,
            elapsed: Duration::from_secs(11),
        })
        .unwrap();
        let text = String::from_utf8(t.out).unwrap();
        assert!(
            text.ends_with("hilt: critical path: b, 11.0s in cases: y 9.0s, x 2.0s\n"),
            "{text}"
        );
        assert!(text.contains(" a x PASS after 3.0s\n"), "{text}");
    }
}
