//! Facts: things learnt once per sample and shared by the cases that need them, each with its
//! evidence, kept in the sample's `Learnt` store keyed by its value type. A fact that could not be established carries the reason, which makes every case
//! that needs it INCONCLUSIVE.

pub mod debug_access;
pub mod factory_default;
pub mod initialized;
pub mod login_surfaces;
pub mod open_on_ipv6;
pub mod open_ports;
pub mod open_udp;
pub mod port_budget;
pub mod second_logins;
pub mod update_battery;

use crate::config::suite::{ScanSettings, Suite};
use crate::model::verdict::{Blocker, Cause};

/// The suite's scan settings, for both scans.
fn scan_settings(suite: &Suite) -> Result<&ScanSettings, Blocker> {
    suite
        .body
        .facts
        .scan
        .as_ref()
        .ok_or_else(|| Blocker::new(Cause::Config, "the suite configures no scan (`facts.scan`)"))
}
