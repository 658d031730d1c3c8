//! What the sample's SWD gives a standard probe in its default state, learnt once: 5.6-4-2
//! judges the lock, 5.4-3-2 scans what could be read.

use crate::bench::Sample;
use crate::config::debug_interface::DebugInterface;
use crate::config::Profile;
use crate::debug::access::{self, Access, Expectation, ProtectionRegister, Region};
use crate::model::verdict::{Blocker, Cause};

pub struct DebugAccess {
    /// The profile's entry for the wired interface; None when the rig names none.
    pub interface: Option<DebugInterface>,
    pub access: Access,
}

/// None when the rig wires no SWD to the sample; an error when the rig names an interface the
/// profile does not declare.
pub async fn get<'a>(
    sample: &'a Sample,
    profile: &Profile,
) -> Option<&'a Result<DebugAccess, Blocker>> {
    sample.drivers.swd.as_ref()?;
    Some(
        sample
            .learnt
            .get_or_establish(|| establish(sample, profile))
            .await,
    )
}

async fn establish(sample: &Sample, profile: &Profile) -> Result<DebugAccess, Blocker> {
    let config = |e: String| Blocker::new(Cause::Config, e);
    let wiring = sample
        .drivers
        .swd
        .clone()
        .ok_or_else(|| config("no SWD wired".into()))?;
    let declared = &profile.body.ixit.debug_interfaces;
    let interface = match &wiring.interface {
        Some(id) => Some(declared.iter().find(|d| d.id == id.value).cloned().ok_or_else(|| {
            config(format!("the rig wires SWD as interface `{}`, which the profile's ixit.debug_interfaces does not declare", id.value))
        })?),
        None => None,
    };
    let regions: Vec<Region> = match interface.as_ref().filter(|d| !d.read.is_empty()) {
        Some(d) => d
            .read
            .iter()
            .map(|r| Region {
                name: r.name.clone(),
                start: r.start,
                length: r.length,
            })
            .collect(),
        None => vec![Region {
            name: "memory at 0x0".into(),
            start: 0,
            length: 4096,
        }],
    };
    let register = interface
        .as_ref()
        .and_then(|d| d.protection_register.as_ref())
        .map(|r| ProtectionRegister {
            address: r.address,
            mask: r.mask,
            open_value: r.open_value,
        });
    let level_2 = interface
        .as_ref()
        .is_some_and(|d| d.readout_protection_level_2);
    let attach = tokio::task::spawn_blocking(move || {
        let mut port = match crate::debug::open(&wiring) {
            Ok(p) => p,
            Err(e) => {
                return Access::Unknown {
                    why: e.to_string(),
                    notes: vec![],
                }
            }
        };
        access::assess(
            port.as_mut(),
            &Expectation {
                regions: &regions,
                protection_register: register.as_ref(),
                silent_when_locked: level_2,
            },
        )
    });
    let access = crate::transport::device_time::waiting(attach)
        .await
        .unwrap_or_else(|e| Access::Unknown {
            why: format!("the debug port task failed: {e}"),
            notes: vec![],
        });
    let interface = interface.map(|i| i.value);
    Ok(DebugAccess { interface, access })
}
