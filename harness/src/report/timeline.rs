//! Where the time goes, on standard error: a line as each case starts and ends (so a long run is
//! never silent, in CI or on a terminal), and at the end the critical path: the sample that took
//! longest, with its cases by duration, and how much of that was waiting on the unit as against
//! hilt's own time.

use crate::model::event::{Event, Reporter, ReporterError};
use crate::model::verdict::{Measurement, DEVICE_WAIT};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

pub struct Timeline<W: Write + Send> {
    out: W,
    clock: Instant,
    /// Per slot, in the order they ended: each case's id, duration and time spent waiting on
    /// the unit.
    cases: BTreeMap<String, Vec<Spent>>,
}

#[derive(Clone)]
struct Spent {
    id: &'static str,
    duration: Duration,
    waited: Duration,
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
    /// another, so their sum is that sample's share of the run. hilt's own time is what the
    /// cases did not spend waiting on the unit, also as a share of those waits.
    fn critical_path(&self) -> Option<String> {
        let sum = |c: &[Spent], f: fn(&Spent) -> Duration| c.iter().map(f).sum::<Duration>();
        let (slot, cases) = self
            .cases
            .iter()
            .max_by_key(|(_, c)| sum(c, |s| s.duration))?;
        let total = sum(cases, |s| s.duration);
        let waited = sum(cases, |s| s.waited);
        let own = total.saturating_sub(waited);
        let share = match waited.is_zero() {
            true => String::new(),
            false => format!(
                ", {:.1}% of the waits",
                100.0 * own.as_secs_f64() / waited.as_secs_f64()
            ),
        };
        let mut sorted = cases.clone();
        sorted.sort_by_key(|s| std::cmp::Reverse(s.duration));
        let parts: Vec<String> = sorted
            .iter()
            .map(|s| {
                format!(
                    "{} {:.1}s (waiting {:.1}s)",
                    s.id,
                    s.duration.as_secs_f64(),
                    s.waited.as_secs_f64()
                )
            })
            .collect();
        Some(format!(
            "critical path: {slot}, {:.1}s in cases, {:.1}s of it waiting on the unit and {:.1}s hilt's own{share}: {}",
            total.as_secs_f64(),
            waited.as_secs_f64(),
            own.as_secs_f64(),
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
                let waited = Measurement::find(&r.measurements, DEVICE_WAIT).unwrap_or(0.0);
                self.cases
                    .entry(record.slot.clone())
                    .or_default()
                    .push(Spent {
                        id: record.spec.id,
                        duration: r.duration,
                        waited: Duration::try_from_secs_f64(waited).unwrap_or_default(),
                    });
                Some(format!(
                    "hilt: {} {} {} {} after {:.1}s",
                    self.stamp(),
                    record.slot,
                    record.spec.id,
                    r.verdict_text(),
                    r.duration.as_secs_f64()
                ))
            }
            Event::Finished { elapsed, .. } => {
                if let Some(cpu) = own_cpu() {
                    let _ = writeln!(
                        self.out,
                        "hilt: {:.1}s of CPU (user and system) in hilt's own process over the run's {:.1}s",
                        cpu.as_secs_f64(),
                        elapsed.as_secs_f64()
                    );
                }
                self.critical_path().map(|p| format!("hilt: {p}"))
            }
            _ => None,
        };
        if let Some(line) = line {
            // Progress only: a closed standard error must not fail the run's record.
            let _ = writeln!(self.out, "{line}");
        }
        Ok(())
    }
}

/// CPU the hilt process itself used (its launched units are other processes): what waits
/// counted as the unit's cannot hide, such as work done while an answer was awaited.
fn own_cpu() -> Option<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is handed; RUSAGE_SELF always exists.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: filled by the successful call above (and zeroed before).
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    Some(time(usage.ru_utime) + time(usage.ru_stime))
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
        let waited = (secs * 4 / 5) as f64;
        result
            .measurements
            .push(crate::model::verdict::Measurement::new(
                DEVICE_WAIT,
                waited,
                "s",
            ));
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
            text.ends_with("hilt: critical path: b, 11.0s in cases, 8.0s of it waiting on the unit and 3.0s hilt's own, 37.5% of the waits: y 9.0s (waiting 7.0s), x 2.0s (waiting 1.0s)\n"),
            "{text}"
        );
        assert!(text.contains(" a x PASS after 3.0s\n"), "{text}");
    }
}
