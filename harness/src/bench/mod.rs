//! A bench at run time: per slot, the resources of the rig bound to drivers (labgrid's split),
//! the unit's label, its evidence folder and what has been learnt about it.

pub mod activity;
mod capture_wiring;
pub mod drivers;
pub mod label;
pub mod launch;
pub mod learnt;
pub mod run_state;
pub mod unit;

use crate::config::rig::Slot;
use crate::config::Config;
use crate::evidence::SampleEvidence;
use crate::model::verdict::Cause;
use crate::transport::expect::Channel;
use drivers::Drivers;
use launch::{Broken, Launched};
use run_state::{Known, RunState};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unit::Unit;

/// One unit under test for the run: what the rig says of it, the drivers that reach it, where
/// its evidence goes and what the run has learnt of it so far.
pub struct Sample {
    pub unit: Unit,
    pub drivers: Drivers,
    pub evidence: SampleEvidence,
    /// Label values, the credential in force, the version read back, captured values.
    pub state: RunState,
    pub broken: Broken,
    /// Facts learnt once and shared by the cases (see `facts/`).
    pub learnt: learnt::Learnt,
    pub launched: Option<Launched>,
    /// What it is doing now, for the live view.
    pub activity: activity::Activity,
    /// The time its cases spend waiting on it, as against hilt's own.
    pub device_time: Arc<crate::transport::device_time::DeviceTime>,
}

/// A slot that could not be brought up: all its cases are INCONCLUSIVE with this reason.
pub struct Unavailable {
    pub slot_id: String,
    pub reason: String,
    pub cause: Cause,
    pub launched: Option<Launched>,
}

pub async fn prepare(
    config: &Config,
    slot: &Slot,
    run_dir: &Path,
    scratch_root: &Path,
) -> Result<Sample, Unavailable> {
    let slot_id = slot.id.value.clone();
    // Everything here is the bench's to do, but for the label the rig describes.
    let fail = |reason: String, launched: Option<Launched>| Unavailable {
        slot_id: slot_id.clone(),
        reason,
        cause: Cause::Bench,
        launched,
    };
    let scratch = scratch_root.join(&slot_id);
    std::fs::create_dir_all(&scratch)
        .map_err(|e| fail(format!("scratch folder {}: {e}", scratch.display()), None))?;
    let fill = |s: &str| s.replace("{scratch}", &scratch.display().to_string());
    let rig_dir = config.rig.dir();
    let evidence = SampleEvidence::new(run_dir, &slot_id)
        .map_err(|e| fail(format!("evidence folder: {e}"), None))?;
    let cap_kib = config.suite.body.budgets.evidence_per_sample_kib;
    evidence.health.set_cap(cap_kib.saturating_mul(1024));
    let broken: Broken = Arc::default();
    let mut drivers =
        Drivers::wire(slot, &fill, &rig_dir, &evidence).map_err(|e| fail(e.to_string(), None))?;
    // The capture starts before the unit, so its boot traffic is in it too; unless its interface
    // is not there yet and the slot launches something that may make it.
    let capture_later = slot.launch.is_some()
        && !capture_wiring::interface_present(slot.network.capture_interface.as_deref());
    if !capture_later {
        drivers.start_capture(slot, &fill, &rig_dir, &evidence);
    }

    let launched = match &slot.launch {
        Some(l) => {
            let argv: Vec<String> = l.command.value.iter().map(|a| fill(a)).collect();
            let ready = PathBuf::from(fill(&l.ready));
            let log = evidence.dir.join("launch.log");
            Some(
                launch::launch(&argv, &rig_dir, &ready, l.within.0, &log, broken.clone())
                    .await
                    .map_err(|e| fail(e, None))?,
            )
        }
        None => None,
    };
    if capture_later {
        drivers.start_capture(slot, &fill, &rig_dir, &evidence);
    }
    let label_file = slot.label.file.as_ref().map(|f| rig_dir.join(fill(f)));
    let label = match label::read(&slot.label, label_file.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            return Err(Unavailable {
                cause: Cause::Config,
                ..fail(e, launched)
            })
        }
    };
    if let Some(u) = &label.username {
        evidence.redactor.add_username(u);
    }
    if let Some(pw) = &label.password {
        evidence.redactor.add(pw);
    }
    evidence.write("label.yaml", &label.describe());
    let state = RunState::new(evidence.redactor.clone());
    state.set(Known::LabelSerial, label.serial.clone());
    state.set(Known::LabelMac, label.mac.clone());
    if let Some(u) = &label.username {
        state.set(Known::LabelUsername, u.clone());
        state.set(Known::Username, u.clone());
    }
    if let Some(p) = &label.password {
        state.set(Known::LabelPassword, p.clone());
        state.set(Known::Password, p.clone());
    }
    Ok(Sample {
        unit: Unit::in_slot(slot, label),
        drivers,
        state,
        broken,
        learnt: learnt::Learnt::default(),
        launched,
        activity: activity::Activity::default(),
        device_time: Arc::default(),
        evidence,
    })
}

impl Sample {
    pub fn broken_reason(&self) -> Option<String> {
        self.broken.lock().unwrap().clone()
    }

    /// Marks the sample as no longer testable; later cases become INCONCLUSIVE at once.
    pub fn mark_broken(&self, reason: &str) {
        let mut b = self.broken.lock().unwrap();
        if b.is_none() {
            *b = Some(reason.to_string());
        }
    }

    /// The console, opened on first use and kept open for the run (it carries the transcript).
    pub async fn console(
        &self,
        death: &[crate::config::pattern::Pattern],
    ) -> Result<tokio::sync::MappedMutexGuard<'_, Channel>, crate::transport::error::Error> {
        self.drivers.console(&self.evidence, death).await
    }

    pub fn fill(&self, text: &str) -> Result<String, crate::util::template::TemplateError> {
        self.state.fill(text)
    }

    pub fn console_log_path(&self) -> PathBuf {
        self.evidence.dir.join("console.log")
    }
}
