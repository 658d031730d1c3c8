//! One sample's cases, in plan order, each in its own task and under the operator's interrupt.

use super::Prepared;
use crate::bench::label::UnitLabel;
use crate::bench::run_state::Known;
use crate::cases::CaseContext;
use crate::config::Config;
use crate::facts::initialized;
use crate::model::verdict::{CaseResult, Cause, Measurement, Verdict, CASE_DURATION, DEVICE_WAIT};
use crate::plan::PlannedCase;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

pub struct SampleTask {
    pub sample: Prepared,
    pub peers: Arc<Vec<(String, UnitLabel)>>,
    pub pool: Arc<crate::cases::across_units::SecretPool>,
    pub config: Arc<Config>,
    pub interrupt: watch::Receiver<bool>,
}

/// What a sample's task tells the run: a case (by its index in the plan) began or ended.
pub enum Progress {
    Started(usize),
    Done(usize, CaseResult),
}

pub type ProgressTx = mpsc::UnboundedSender<Progress>;

const INTERRUPTED: &str = "interrupted by the operator before this case finished";

impl SampleTask {
    /// Runs `cases` (plan index, case) in order; every one ends with a `Done`.
    pub async fn run(self, cases: Vec<(usize, PlannedCase)>, tx: ProgressTx) {
        let s = match self.sample.as_ref() {
            Ok(s) => s,
            Err(u) => {
                for (index, _) in cases {
                    let _ = tx.send(Progress::Done(
                        index,
                        CaseResult::not_performed(
                            u.cause,
                            format!("sample could not be brought up: {}", u.reason),
                        ),
                    ));
                }
                return;
            }
        };
        let last = cases.len().saturating_sub(1);
        for (i, (index, planned)) in cases.into_iter().enumerate() {
            let _ = tx.send(Progress::Started(index));
            let started = chrono::Utc::now();
            let clock = Instant::now();
            let waited_before = s.device_time.total();
            let version_before = s
                .state
                .get(Known::FirmwareVersion)
                .filter(|v| !v.is_empty());
            let failed_writes_before = s.evidence.health.failures().0;
            let mut result = if *self.interrupt.borrow() {
                CaseResult::not_performed(Cause::Operator, INTERRUPTED)
            } else if let Some(reason) = s.broken_reason() {
                CaseResult::not_performed(Cause::Unit, reason)
            } else {
                let mut stop = self.interrupt.clone();
                tokio::select! {
                    r = self.isolated(planned.clone()) => r,
                    _ = stop.wait_for(|stop| *stop) => CaseResult::not_performed(Cause::Operator, INTERRUPTED),
                }
            };
            // A verdict reached while the unit was dying is not trusted, and an INCONCLUSIVE says
            // first that the unit is gone.
            if let Some(l) = &s.launched {
                l.poll_exit().await;
            }
            if let Some(reason) = s.broken_reason() {
                match result.verdict {
                    Verdict::Pass => result = CaseResult::not_performed(Cause::Unit, reason),
                    Verdict::Inconclusive => {
                        // Whatever failed next to it, the unit going away is the cause.
                        result.cause = Some(Cause::Unit);
                        if !result.message.contains(&reason) {
                            result.message = format!("{reason}; {}", result.message)
                        }
                    }
                    _ => {}
                }
            }
            if let Some(since) = s.drivers.power_state.left_off() {
                result.details.push(power_restored(s, since).await);
            }
            evidence_kept(&mut result, &s.evidence.health, failed_writes_before);
            // The whole run's capture backs every case; its window is the case's start and end.
            let (capture, gaps) = if i == last {
                s.drivers.stop_capture()
            } else {
                (s.drivers.capture_path(), s.drivers.capture_gaps())
            };
            result.evidence.extend(capture);
            if let Some(gaps) = gaps {
                result
                    .details
                    .push(format!("the packet capture is incomplete: {gaps}"));
            }
            if let Some(problem) = &s.drivers.capture_problem {
                result.details.push(format!("no packet capture: {problem}"));
            }
            // Everything after this point (terminal, JUnit, JSON, HTML) sees only redacted,
            // inert text.
            let redactor = &s.evidence.redactor;
            result.message = redactor.clean(&result.message);
            result.details = result.details.iter().map(|d| redactor.clean(d)).collect();
            result.started = started;
            result.duration = clock.elapsed();
            let waited = s.device_time.total().saturating_sub(waited_before);
            result
                .measurements
                .extend(time_spent(result.duration, waited));
            // The first case to need the initialized state reads the version during it.
            result.firmware_version = version_before
                .or_else(|| initialized::established(s).and_then(|st| st.firmware_version.clone()))
                .map(|v| redactor.clean(&v));
            result.evidence = result
                .evidence
                .iter()
                .filter(|p| p.exists())
                .map(|p| PathBuf::from(s.evidence.cite(p)))
                .collect();
            let _ = tx.send(Progress::Done(index, result));
        }
        // Samples waiting to compare secrets with this one stop waiting for it.
        self.pool.ended(&s.unit.slot_id);
    }

    /// Runs one case in its own task, so a bug that panics costs that case (INCONCLUSIVE), not
    /// the sample's remaining cases; dropping the returned future (on interrupt) aborts it.
    async fn isolated(&self, planned: PlannedCase) -> CaseResult {
        if let Ok(sample) = self.sample.as_ref() {
            sample.activity.clear();
        }
        let applied = planned.case.parameters(&planned.params, &self.config.suite);
        let budget = planned.budget.clone();
        // On timeout the case's future is dropped, which aborts its task (AbortOnDrop).
        let mut result = match tokio::time::timeout(budget.limit, self.contained(planned)).await {
            Ok(r) => r,
            Err(_) => CaseResult::not_performed(
                Cause::Unit,
                format!(
                    "the case did not finish within its budget of {}; stopped, so a unit that stalls cannot stall the run",
                    budget.basis
                ),
            ),
        };
        result
            .details
            .push(format!("case budget: {}", budget.basis));
        if !applied.is_empty() {
            result.details.push(format!(
                "decision-rule parameters applied (the suite's, defaults filled in): {}",
                applied.join(", ")
            ));
        }
        result
    }

    async fn contained(&self, planned: PlannedCase) -> CaseResult {
        let (sample, peers, config, pool) = (
            self.sample.clone(),
            self.peers.clone(),
            self.config.clone(),
            self.pool.clone(),
        );
        let task = tokio::spawn(async move {
            let Ok(sample) = sample.as_ref() else {
                return CaseResult::not_performed(Cause::Bench, "sample unavailable");
            };
            let ctx = CaseContext {
                sample,
                peers: &peers,
                pool: &pool,
                config: &config,
            };
            let waits = sample.device_time.clone();
            waits.scope(planned.case.run(&ctx, &planned.params)).await
        });
        let abort = task.abort_handle();
        let _guard = AbortOnDrop(abort);
        match task.await {
            Ok(r) => r,
            Err(e) => CaseResult::not_performed(
                Cause::Bench,
                format!("hilt error: the test case stopped unexpectedly ({e}); please report it"),
            ),
        }
    }
}

/// The case's own duration and how much of it was spent waiting on the unit (see
/// `transport::device_time`): the rest is hilt's.
fn time_spent(duration: Duration, waited: Duration) -> [Measurement; 2] {
    [
        Measurement::new(CASE_DURATION, duration.as_secs_f64(), "s"),
        Measurement::new(DEVICE_WAIT, waited.min(duration).as_secs_f64(), "s"),
    ]
}

struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A case that ended between a power cut and the power coming back (interrupted, past its
/// budget, a step failed) leaves the unit off: it is switched back on, and the result says so.
/// If that fails, the sample is not testable any more.
async fn power_restored(s: &crate::bench::Sample, since: chrono::DateTime<chrono::Utc>) -> String {
    let cut = since.format("%H:%M:%S%.3f UTC");
    let Some(power) = s.drivers.power.as_deref() else {
        return format!("the unit's power was cut at {cut} and no power switch is wired");
    };
    let on = crate::transport::switch::Action::PowerOn;
    let within = std::time::Duration::from_secs(10);
    match crate::transport::switch::actuate_within(power, "power", on, within).await {
        Ok(()) => format!(
            "the case ended with the unit's power cut (since {cut}), so hilt switched it back on"
        ),
        Err(e) => {
            let why = format!("the case ended with the unit's power cut (since {cut}) and switching it back on failed: {e}");
            s.mark_broken(&why);
            why
        }
    }
}

/// A case whose evidence could not be written is not trusted: what it concluded cannot be shown.
/// Evidence past the sample's cap is not kept, which every later result says.
fn evidence_kept(result: &mut CaseResult, health: &crate::evidence::Health, failed_before: usize) {
    let (failed, first) = health.failures();
    if failed > failed_before {
        let why = format!(
            "{} evidence write(s) failed during this case, so what it observed is not all on record: {}",
            failed - failed_before,
            first.last().map_or("", String::as_str)
        );
        match result.verdict {
            Verdict::Inconclusive => result.details.push(why),
            _ => {
                let mut blocked = CaseResult::not_performed(Cause::Bench, why);
                blocked.details = std::mem::take(&mut result.details);
                blocked.details.insert(
                    0,
                    format!(
                        "the case had concluded {}: {}",
                        result.verdict.label(),
                        result.message
                    ),
                );
                blocked.evidence = std::mem::take(&mut result.evidence);
                blocked.measurements = std::mem::take(&mut result.measurements);
                *result = blocked;
            }
        }
    }
    if let Some(capped) = health.capped() {
        result.details.push(capped);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_whose_evidence_was_not_written_is_inconclusive_bench() {
        let health = crate::evidence::Health::default();
        let mut pass = CaseResult::new(Verdict::Fail, "port 23 open");
        evidence_kept(&mut pass, &health, 0);
        assert_eq!(pass.verdict, Verdict::Fail);
        health.failed(
            std::path::Path::new("samples/s1/tcp-scan.json"),
            &"No space left on device",
        );
        evidence_kept(&mut pass, &health, 0);
        assert_eq!(pass.verdict, Verdict::Inconclusive);
        assert_eq!(pass.cause, Some(Cause::Bench));
        assert!(
            pass.message.contains("tcp-scan.json: No space left"),
            "{}",
            pass.message
        );
        assert!(
            pass.details[0].contains("had concluded FAIL: port 23 open"),
            "{:?}",
            pass.details
        );
        health.set_cap(10);
        assert!(!health.take(11, std::path::Path::new("console.log")));
        let mut later = CaseResult::new(Verdict::Pass, "fine");
        evidence_kept(&mut later, &health, 1);
        assert_eq!(later.verdict, Verdict::Pass);
        assert!(later.details[0].contains("reached its cap of 0 KiB at console.log"));
    }
}
