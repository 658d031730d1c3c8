//! Facts: things learnt once per sample and shared by the cases that need them, each with its
//! evidence, kept in the sample's `Learnt` store keyed by its value type. A fact that could not be established carries the reason, which makes every case
//! that needs it INCONCLUSIVE.

pub mod debug_access;
pub mod factory_default;
pub mod initialized;
pub mod login_surfaces;
pub mod open_ports;
pub mod open_udp;
pub mod update_battery;

use crate::bench::Sample;
use crate::config::suite::{ScanSettings, Suite};
use crate::model::verdict::{Blocker, Cause};
use crate::transport::target::Target;

/// The suite's scan settings and the unit's address inside the rig's scope, for both scans.
fn scan_target<'s>(
    sample: &Sample,
    suite: &'s Suite,
) -> Result<(&'s ScanSettings, Target), Blocker> {
    let settings = suite.body.facts.scan.as_ref().ok_or_else(|| {
        Blocker::new(Cause::Config, "the suite configures no scan (`facts.scan`)")
    })?;
    Ok((settings, sample.unit.address))
}
