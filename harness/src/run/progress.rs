//! The run's event loop: start every sample's task, then hand each event (a case starting, a
//! verdict, an interrupt) to every reporter until all verdicts are in.

use super::board::Board;
use super::sample_task::{Progress, SampleTask};
use super::{Loaded, Prepared};
use crate::bench::label::UnitLabel;
use crate::cases::across_units::SecretPool;
use crate::model::event::{Event, Reporter, ReporterError};
use crate::model::verdict::{CaseResult, Cause};
use crate::plan::PlannedCase;
use crate::report::CaseRecord;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, watch};

/// Starts each sample's task and hands every event to every reporter until all verdicts are
/// in. Returns whether the operator interrupted, and the reporters' errors at the end.
pub(super) async fn report(
    loaded: &Loaded,
    prepared: &Arc<Vec<Prepared>>,
    mut interrupt: watch::Receiver<bool>,
    reporters: &mut [Box<dyn Reporter>],
) -> (bool, Vec<ReporterError>) {
    let planned = &loaded.planned;
    let clock = Instant::now();
    let mut emit = |event: Event<'_>| -> Vec<ReporterError> {
        reporters
            .iter_mut()
            .filter_map(|r| r.on(&event).err())
            .collect()
    };
    let name_width = planned.iter().map(|p| p.name().len()).max().unwrap_or(0);
    warn(emit(Event::Started {
        planned: planned.len(),
        filtered_out: loaded.filtered_out,
        name_width,
    }));
    for p in prepared.iter() {
        let (slot, outcome) = match p.as_ref() {
            Ok(s) => (s.unit.slot_id.as_str(), Ok(())),
            Err(u) => (u.slot_id.as_str(), Err(u.reason.as_str())),
        };
        warn(emit(Event::SampleUp { slot, outcome }));
    }
    let mut rx = start_samples(loaded, prepared, &interrupt);
    let mut pending: Vec<bool> = planned.iter().map(|p| p.decided.is_none()).collect();
    for p in planned {
        if let Some(result) = &p.decided {
            let record = record_of(p, result.clone());
            warn(emit(Event::Verdict {
                name: &p.name(),
                record: &record,
            }));
        }
    }
    let (mut interrupted, mut watching) = (false, true);
    let mut board = Board::new(planned, prepared);
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            progress = rx.recv() => match progress {
                Some(Progress::Started(i)) => {
                    let p = &planned[i];
                    board.started(&p.slot, p.spec.id);
                    warn(emit(Event::CaseStarted { slot: &p.slot, case: p.spec.id }));
                }
                Some(Progress::Done(i, result)) => {
                    pending[i] = false;
                    board.done(&planned[i].slot);
                    let record = record_of(&planned[i], result);
        warn(emit(Event::Verdict { name: &planned[i].name(), record: &record }));
                }
                None => break,
            },
            _ = tick.tick() => {
                let samples = board.snapshot();
                warn(emit(Event::Tick { elapsed: clock.elapsed(), samples: &samples }));
            }
            stop = interrupt.wait_for(|stop| *stop), if watching => {
                // Once only; an error means no signal can come any more.
                watching = false;
                if stop.is_ok() {
                    interrupted = true;
                    warn(emit(Event::Interrupted));
                }
            }
        }
    }
    for (i, _) in pending.iter().enumerate().filter(|(_, p)| **p) {
        let result =
            CaseResult::not_performed(Cause::Bench, "the sample's task ended without a verdict");
        let record = record_of(&planned[i], result);
        warn(emit(Event::Verdict {
            name: &planned[i].name(),
            record: &record,
        }));
    }
    let errors = emit(Event::Finished {
        interrupted,
        elapsed: clock.elapsed(),
    });
    (interrupted, errors)
}

/// One task per sample, each with its cases in plan order; the channel closes when all end.
fn start_samples(
    loaded: &Loaded,
    prepared: &Arc<Vec<Prepared>>,
    interrupt: &watch::Receiver<bool>,
) -> mpsc::UnboundedReceiver<Progress> {
    let peers: Arc<Vec<(String, UnitLabel)>> = Arc::new(
        prepared
            .iter()
            .filter_map(|p| p.as_ref().as_ref().ok())
            .map(|s| (s.unit.slot_id.clone(), s.unit.label.clone()))
            .collect(),
    );
    let pool = Arc::new(SecretPool::new(peers.iter().map(|(slot, _)| slot.clone())));
    let (tx, rx) = mpsc::unbounded_channel();
    for sample in prepared.iter() {
        let slot = match sample.as_ref() {
            Ok(s) => s.unit.slot_id.clone(),
            Err(u) => u.slot_id.clone(),
        };
        let mine = loaded
            .planned
            .iter()
            .enumerate()
            .filter(|(_, p)| p.slot == slot && p.decided.is_none())
            .map(|(i, p)| (i, p.clone()))
            .collect();
        let task = SampleTask {
            sample: sample.clone(),
            peers: peers.clone(),
            pool: pool.clone(),
            config: loaded.config.clone(),
            interrupt: interrupt.clone(),
        };
        tokio::spawn(task.run(mine, tx.clone()));
    }
    rx
}

fn record_of(p: &PlannedCase, result: CaseResult) -> CaseRecord {
    let evidence = result
        .evidence
        .iter()
        .map(|e| e.display().to_string())
        .collect();
    CaseRecord {
        slot: p.slot.clone(),
        spec: p.spec,
        result,
        evidence,
    }
}

/// A report that could not be updated mid-run is rewritten at the end; say so meanwhile.
fn warn(errors: Vec<ReporterError>) {
    for e in errors {
        eprintln!("hilt: cannot update {e}");
    }
}
