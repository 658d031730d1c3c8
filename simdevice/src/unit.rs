//! The unit's state and its power/boot life cycle. Everything a boot starts (console session,
//! network services) lives in one task set that power-off or reboot drops, closing its sockets.

use crate::firmware::{Account, Fault, Firmware};
use crate::manufacture::Label;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub struct Unit {
    pub fw: Firmware,
    pub label: Label,
    pub faults: Vec<Fault>,
    /// Hostile behaviour (`--hostile`): not a non-conformity, a unit hilt must survive.
    pub hostile: Vec<crate::hostile::Hostile>,
    pub address: std::net::IpAddr,
    /// A second address, on IPv6, where the web page (and fault undeclared-port-ipv6) listen.
    pub address6: Option<std::net::IpAddr>,
    pub state: Mutex<State>,
    pub installed: Mutex<crate::update::Installed>,
    /// Work a boot started outside its request handlers (an image fetch); ends with the boot.
    pub background: Mutex<Vec<tokio::task::AbortHandle>>,
    pub events: mpsc::UnboundedSender<Event>,
    /// Fault single-session: set while the admin API judges a login.
    pub login_busy: std::sync::atomic::AtomicBool,
    /// Fault password-change-lost-at-reboot: the accounts flash still holds, while a password
    /// change lives only in RAM.
    pub unsaved: Mutex<Option<Vec<Account>>>,
    /// The settings API's sessions: bearer token and account.
    pub sessions: Mutex<Vec<(String, String)>>,
    /// Fault settings-backup-survives-reset: the settings copy a reset left on the backup
    /// partition, which the boot log lists.
    pub settings_backup: Mutex<Option<String>>,
    pub cloud: Mutex<crate::cloud::Cloud>,
    /// What the kernel printed when a process died, shown before the watchdog's restart.
    pub crash_report: Mutex<Option<String>>,
}

#[derive(Debug, Clone)]
pub struct State {
    pub accounts: Vec<Account>,
    pub initialized: bool,
    /// Consecutive failed logins on the network API, and until when it refuses logins.
    pub failures: u32,
    pub locked_until: Option<std::time::Instant>,
    /// The settings API's one security-relevant setting: where updates come from.
    pub update_server: String,
}

/// A network login's answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Login {
    Ok,
    Wrong,
    Locked,
}

#[derive(Debug)]
pub enum Event {
    PowerOn,
    PowerOff,
    Button(std::time::Duration),
    FactoryReset,
    /// Restart into whatever firmware is installed (after an update).
    Reboot,
    /// The switch port of the unit's uplink, up or down: its cloud, not its local network.
    Uplink(bool),
    /// A process died: the kernel's report, then the watchdog restarts the unit.
    Crash(String),
}

impl Unit {
    pub fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    pub fn is(&self, behaviour: crate::hostile::Hostile) -> bool {
        self.hostile.contains(&behaviour)
    }

    pub fn factory_state(&self) -> State {
        let mut accounts = vec![Account {
            username: self.label.username.clone(),
            password: self.label.password.clone(),
        }];
        if self.has(Fault::UniversalPasswordAfterReset) {
            accounts.push(self.fw.universal_account.clone());
        }
        if self.has(Fault::UserDefinedNotEnforced) || self.has(Fault::ViewerForcedChange) {
            // The viewer account exists before onboarding, with no password at all.
            accounts.push(Account {
                username: self.fw.viewer_username.clone(),
                password: String::new(),
            });
        }
        State {
            accounts,
            initialized: false,
            failures: 0,
            locked_until: None,
            update_server: crate::settings::DEFAULT_UPDATE_SERVER.into(),
        }
    }

    pub fn check_login(&self, username: &str, password: &str) -> bool {
        let st = self.state.lock().unwrap();
        st.accounts
            .iter()
            .any(|a| a.username == username && a.password == password)
    }

    /// A login over the network API, counted for the brute-force lockout.
    pub fn network_login(&self, username: &str, password: &str) -> Login {
        self.network_login_with(|accounts| {
            accounts
                .iter()
                .any(|a| a.username == username && a.password == password)
        })
    }

    /// A network login judged by `accepts` (digest authentication never sees the password).
    pub fn network_login_with(&self, accepts: impl Fn(&[Account]) -> bool) -> Login {
        let now = std::time::Instant::now();
        let mut st = self.state.lock().unwrap();
        if st.locked_until.is_some_and(|t| now < t) {
            // A silent lockout answers exactly as a wrong password does.
            return match self.has(Fault::SilentLockout) {
                true => Login::Wrong,
                false => Login::Locked,
            };
        }
        if accepts(&st.accounts) {
            st.failures = 0;
            return Login::Ok;
        }
        st.failures += 1;
        let after = match self.has(Fault::LockoutAfterThree) {
            true => 3,
            false => self.fw.lockout_after,
        };
        if st.failures >= after && !self.has(Fault::NoLockout) {
            st.failures = 0;
            let lasts = if self.has(Fault::PermanentLockout) {
                std::time::Duration::from_secs(365 * 24 * 3600)
            } else if self.has(Fault::ShortLockout) {
                self.fw.lockout_for / 4
            } else {
                self.fw.lockout_for
            };
            st.locked_until = Some(now + lasts);
        }
        Login::Wrong
    }

    pub fn version(&self) -> String {
        self.installed.lock().unwrap().version.clone()
    }

    pub fn set_password(&self, username: &str, new_password: &str) {
        let mut st = self.state.lock().unwrap();
        match st.accounts.iter_mut().find(|a| a.username == username) {
            Some(a) => a.password = new_password.to_string(),
            None => st.accounts.push(Account {
                username: username.to_string(),
                password: new_password.to_string(),
            }),
        }
    }
}

/// Runs for the life of the process: the unit is plugged in (powered) at start.
/// A request handler that dies: the unit restarts, the connection is never answered.
pub async fn crash<T>(unit: &Unit, report: &str) -> T {
    let _ = unit.events.send(Event::Crash(report.into()));
    std::future::pending().await
}

pub async fn life_cycle(
    unit: Arc<Unit>,
    mut events: mpsc::UnboundedReceiver<Event>,
    boot: impl Fn(Arc<Unit>) -> JoinHandle<()>,
) {
    let mut running: Option<JoinHandle<()>> = Some(boot(unit.clone()));
    while let Some(ev) = events.recv().await {
        match ev {
            Event::Uplink(up) => crate::cloud::uplink(&unit, up),
            Event::PowerOn => {
                if running.is_none() {
                    running = Some(boot(unit.clone()));
                }
            }
            Event::PowerOff => {
                stop(&mut running).await;
                unit.background
                    .lock()
                    .unwrap()
                    .drain(..)
                    .for_each(|h| h.abort());
            }
            Event::Button(held) => {
                if running.is_some() && held >= unit.fw.long_press {
                    reset_and_reboot(&unit, &mut running, &boot).await;
                }
            }
            Event::Crash(report) => {
                if running.is_some() {
                    *unit.crash_report.lock().unwrap() = Some(report);
                    stop(&mut running).await;
                    running = Some(boot(unit.clone()));
                }
            }
            Event::Reboot => {
                if running.is_some() {
                    stop(&mut running).await;
                    running = Some(boot(unit.clone()));
                }
            }
            Event::FactoryReset => {
                if running.is_some() {
                    reset_and_reboot(&unit, &mut running, &boot).await;
                }
            }
        }
    }
}

async fn reset_and_reboot(
    unit: &Arc<Unit>,
    running: &mut Option<JoinHandle<()>>,
    boot: &impl Fn(Arc<Unit>) -> JoinHandle<()>,
) {
    stop(running).await;
    let mut fresh = unit.factory_state();
    let mut state = unit.state.lock().unwrap();
    if unit.has(Fault::ResetKeepsPasswords) {
        // The settings partition is not erased: every account keeps the password it had.
        fresh.accounts = std::mem::take(&mut state.accounts);
    }
    if unit.has(Fault::ResetKeepsSettings) {
        fresh.update_server = std::mem::take(&mut state.update_server);
    }
    if unit.has(Fault::SettingsBackupSurvivesReset) {
        // The live settings are erased, their copy on the backup partition is not.
        *unit.settings_backup.lock().unwrap() = Some(state.update_server.clone());
    }
    *state = fresh;
    drop(state);
    crate::password_change::saved(unit);
    *running = Some(boot(unit.clone()));
}

async fn stop(running: &mut Option<JoinHandle<()>>) {
    if let Some(h) = running.take() {
        h.abort();
        let _ = h.await;
    }
}
