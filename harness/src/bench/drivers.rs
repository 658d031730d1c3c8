//! The slot's resources bound to drivers (labgrid's split): each wired resource of the rig becomes
//! the driver that uses it. A resource the rig does not wire is `None`, and a case that needs it
//! says so rather than guessing.

use crate::config::debug_interface::{ReachedBy, SwdResource, UartHeader};
use crate::config::pattern::Pattern;
use crate::config::rig::Slot;
use crate::evidence::SampleEvidence;
use crate::transport::capture::{Capture, ClearSecret};
use crate::transport::error::Error;
use crate::transport::expect::Channel;
use crate::transport::http::Http;
use crate::transport::switch::tracked::{PowerState, Tracked};
use crate::transport::switch::{self, Switch};
use crate::transport::target::Target;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;

pub struct Drivers {
    pub http: Http,
    pub power: Option<Box<dyn Switch>>,
    /// Whether `power` last cut the unit's power and has not switched it back on.
    pub power_state: Arc<PowerState>,
    pub button: Option<Box<dyn Switch>>,
    /// The unit's uplink: `PowerOff` cuts its network access, `PowerOn` restores it.
    pub uplink: Option<Box<dyn Switch>>,
    /// The slot's SWD wiring, `{scratch}` filled in; the probe is opened by the case using it.
    pub swd: Option<SwdResource>,
    /// UART headers besides the console, `{scratch}` filled in.
    pub uart_headers: Vec<UartHeader>,
    /// Why the capture the rig asks for could not be made.
    pub capture_problem: Option<String>,
    /// The MAC whose IPv6 frames the capture keeps (see `capture_wiring`).
    pub ipv6_watch: Option<[u8; 6]>,
    capture: Mutex<Option<Capture>>,
    console_path: Option<(String, Option<u32>)>,
    console_reached_by: Option<ReachedBy>,
    console: tokio::sync::Mutex<Option<Channel>>,
}

impl Drivers {
    /// `fill` resolves `{scratch}` in the rig's strings; relative paths are the rig file's.
    /// The capture is not started here: `start_capture` does, when the interface is there.
    pub fn wire(
        slot: &Slot,
        fill: &dyn Fn(&str) -> String,
        rig_dir: &std::path::Path,
        evidence: &SampleEvidence,
    ) -> Result<Drivers, Error> {
        let rig_dir = rig_dir.to_path_buf();
        let power_state = Arc::new(PowerState::default());
        Ok(Drivers {
            http: Http::new(Target::unit(slot), evidence.log("http.log"))?,
            power: match &slot.power {
                Some(p) => Some(Box::new(Tracked {
                    inner: switch::power(p, fill, rig_dir.clone())?,
                    state: power_state.clone(),
                }) as Box<dyn Switch>),
                None => None,
            },
            power_state,
            button: slot
                .reset_button
                .as_ref()
                .map(|b| switch::button(b, fill, rig_dir.clone())),
            uplink: match &slot.uplink {
                Some(u) => Some(switch::power(u, fill, rig_dir.clone())?),
                None => None,
            },
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
            capture_problem: None,
            ipv6_watch: None,
            capture: Mutex::new(None),
            console_path: slot
                .console
                .as_ref()
                .map(|c| (fill(&c.path), c.baud.as_ref().map(|b| b.value))),
            console_reached_by: slot.console.as_ref().map(|c| c.reached_by),
            console: tokio::sync::Mutex::new(None),
        })
    }

    /// The capture the rig asks for, started on the slot's interface.
    pub fn start_capture(
        &mut self,
        slot: &Slot,
        fill: &dyn Fn(&str) -> String,
        rig_dir: &std::path::Path,
        evidence: &SampleEvidence,
    ) {
        let wired = super::capture_wiring::start(slot, fill, rig_dir, evidence);
        self.capture_problem = wired.problem;
        self.ipv6_watch = wired.ipv6_watch;
        *self.capture.get_mut().unwrap_or_else(|e| e.into_inner()) = wired.capture;
    }

    /// The console, opened on first use and kept open for the run (it carries the transcript).
    pub async fn console(
        &self,
        evidence: &SampleEvidence,
        death: &[Pattern],
    ) -> Result<tokio::sync::MappedMutexGuard<'_, Channel>, Error> {
        let mut guard = self.console.lock().await;
        if guard.is_none() {
            let (path, baud) = self
                .console_path
                .clone()
                .ok_or_else(|| Error::Config("the rig wires no console to this slot".into()))?;
            let log = evidence.log("console.log");
            *guard =
                Some(crate::transport::console::open_at(&path, baud, log, death.to_vec()).await?);
        }
        Ok(tokio::sync::MutexGuard::map(guard, |c| {
            c.as_mut().expect("opened above")
        }))
    }

    /// How the rig reaches the unit's console; None when it wires none.
    pub fn console_reached_by(&self) -> Option<ReachedBy> {
        self.console_reached_by
    }

    /// Ends the capture (before the last verdict, so the bundle hashes the finished file) and
    /// returns its path and why it does not hold every packet, if it does not.
    pub fn stop_capture(&self) -> (Option<PathBuf>, Option<String>) {
        let Some(mut capture) = self.capture.lock().unwrap().take() else {
            return (None, None);
        };
        capture.stop();
        (Some(capture.path.clone()), capture.gaps())
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
    pub fn clear_secrets(&self) -> Option<Vec<ClearSecret>> {
        self.capture
            .lock()
            .unwrap()
            .as_ref()
            .map(|c| c.clear_secrets())
    }

    /// Why the running capture does not hold all the unit's packets so far, if it does not.
    pub fn capture_gaps(&self) -> Option<String> {
        self.capture.lock().unwrap().as_ref().and_then(|c| c.gaps())
    }
}
