//! A bench at run time: per slot, the resources of the rig bound to drivers (labgrid's split),
//! the unit's label, its evidence folder and what has been learnt about it.

pub mod label;
pub mod launch;
pub mod learnt;
pub mod scope;

use crate::config::rig::Slot;
use crate::config::Config;
use crate::evidence::SampleEvidence;
use crate::model::verdict::Cause;
use crate::transport::capture::Capture;
use crate::transport::expect::Channel;
use crate::transport::http::Http;
use crate::transport::switch::{self, Switch};
use label::UnitLabel;
use launch::{Broken, Launched};
use scope::Scope;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub struct Sample {
    pub slot_id: String,
    pub label: UnitLabel,
    pub address: IpAddr,
    pub host_baseline: Option<IpAddr>,
    /// hilt's address on the unit's network (rig `network.serve_from`).
    pub serve_from: Option<IpAddr>,
    /// The run's capture of the unit's traffic, when the rig asks for one.
    pub capture: Mutex<Option<Capture>>,
    /// Why the capture the rig asks for could not be made.
    pub capture_problem: Option<String>,
    pub scope: Scope,
    pub evidence: SampleEvidence,
    pub http: Http,
    console_path: Option<(String, Option<u32>)>,
    console_reached_by: Option<crate::config::debug_interface::ReachedBy>,
    console: tokio::sync::Mutex<Option<Channel>>,
    pub power: Option<Box<dyn Switch>>,
    pub button: Option<Box<dyn Switch>>,
    /// The slot's SWD wiring, `{scratch}` filled in.
    pub swd: Option<crate::config::debug_interface::SwdResource>,
    /// UART headers besides the console, `{scratch}` filled in.
    pub uart_headers: Vec<crate::config::debug_interface::UartHeader>,
    /// Procedure variables: label values, the credential in force, captured values.
    pub vars: Mutex<BTreeMap<String, String>>,
    pub broken: Broken,
    /// Facts learnt once and shared by the cases (see `facts/`).
    pub learnt: learnt::Learnt,
    pub launched: Option<Launched>,
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
    let broken: Broken = Arc::default();
    // Started before the unit is, so its boot traffic is in the evidence too.
    let (capture, capture_problem) = match &slot.network.capture_interface {
        Some(iface) => {
            let filter = format!("host {}", slot.network.address);
            let file = evidence.dir.join("capture.pcap");
            match Capture::start(iface, &filter, &file, evidence.redactor.clone()) {
                Ok(c) => (Some(c), None),
                Err(e) => (None, Some(e)),
            }
        }
        None => (None, None),
    };

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
    let http = match Http::new(slot.network.address, evidence.log("http.log")) {
        Ok(h) => h,
        Err(e) => return Err(fail(e, launched)),
    };
    let mut vars = BTreeMap::new();
    vars.insert("label.serial".into(), label.serial.clone());
    vars.insert("label.mac".into(), label.mac.clone());
    if let Some(u) = &label.username {
        vars.insert("label.username".into(), u.clone());
        vars.insert("username".into(), u.clone());
    }
    if let Some(p) = &label.password {
        vars.insert("label.password".into(), p.clone());
        vars.insert("password".into(), p.clone());
    }
    let mut allowed = vec![slot.network.address];
    allowed.extend(slot.network.host_baseline);
    Ok(Sample {
        slot_id: slot_id.clone(),
        label,
        address: slot.network.address,
        host_baseline: slot.network.host_baseline,
        serve_from: slot.network.serve_from,
        capture: Mutex::new(capture),
        capture_problem,
        scope: Scope::new(allowed),
        http,
        console_path: slot
            .console
            .as_ref()
            .map(|c| (fill(&c.path), c.baud.as_ref().map(|b| b.value))),
        console_reached_by: slot.console.as_ref().map(|c| c.reached_by),
        console: tokio::sync::Mutex::new(None),
        power: slot
            .power
            .as_ref()
            .map(|p| switch::power(p, &fill, rig_dir.clone())),
        button: slot
            .reset_button
            .as_ref()
            .map(|b| switch::button(b, &fill, rig_dir.clone())),
        swd: slot
            .debug
            .as_ref()
            .and_then(|d| d.swd.clone())
            .map(|mut w| {
                w.bridge = w
                    .bridge
                    .map(|b| rig_dir.join(fill(&b)).display().to_string());
                w
            }),
        uart_headers: slot
            .debug
            .iter()
            .flat_map(|d| d.uart.iter().cloned())
            .map(|mut h| {
                h.path = fill(&h.path);
                h
            })
            .collect(),
        vars: Mutex::new(vars),
        broken,
        learnt: learnt::Learnt::default(),
        launched,
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
    ) -> Result<tokio::sync::MappedMutexGuard<'_, Channel>, String> {
        let mut guard = self.console.lock().await;
        if guard.is_none() {
            let (path, baud) = self
                .console_path
                .clone()
                .ok_or("the rig wires no console to this slot")?;
            let log = self.evidence.log("console.log");
            *guard =
                Some(crate::transport::console::open_at(&path, baud, log, death.to_vec()).await?);
        }
        Ok(tokio::sync::MutexGuard::map(guard, |c| {
            c.as_mut().expect("opened above")
        }))
    }

    /// Ends the capture (before the last verdict, so the bundle hashes the finished file) and
    /// returns its path.
    pub fn stop_capture(&self) -> Option<PathBuf> {
        let mut capture = self.capture.lock().unwrap().take()?;
        capture.stop();
        Some(capture.path.clone())
    }

    pub fn capture_path(&self) -> Option<PathBuf> {
        self.capture
            .lock()
            .unwrap()
            .as_ref()
            .map(|c| c.path.clone())
    }

    /// Packets so far in which a known password crossed the wire readable; None without a
    /// running capture.
    pub fn clear_secrets(&self) -> Option<Vec<crate::transport::capture::ClearSecret>> {
        self.capture
            .lock()
            .unwrap()
            .as_ref()
            .map(|c| c.clear_secrets())
    }

    pub fn has_console(&self) -> bool {
        self.console_path.is_some()
    }

    /// How the rig reaches the unit's console; None when it wires none.
    pub fn console_reached_by(&self) -> Option<crate::config::debug_interface::ReachedBy> {
        self.console_reached_by
    }

    pub fn var(&self, name: &str) -> Option<String> {
        self.vars.lock().unwrap().get(name).cloned()
    }

    pub fn set_var(&self, name: &str, value: String, secret: bool) {
        if secret {
            self.evidence.redactor.add(&value);
        }
        self.vars.lock().unwrap().insert(name.to_string(), value);
    }

    pub fn fill(&self, text: &str) -> Result<String, String> {
        crate::util::template::fill(text, &self.vars.lock().unwrap())
    }

    pub fn console_log_path(&self) -> PathBuf {
        self.evidence.dir.join("console.log")
    }
}
