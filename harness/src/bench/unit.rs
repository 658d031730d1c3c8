//! What the rig says of the unit in a slot: which slot, what its label reads, where it is on the
//! network. Fixed for the run; nothing here talks to the unit.

use super::label::UnitLabel;
use crate::config::rig::Slot;
use crate::transport::target::Target;
use std::net::IpAddr;

pub struct Unit {
    pub slot_id: String,
    pub label: UnitLabel,
    /// The unit's address: the only one its cases send traffic to.
    pub address: Target,
    pub host_baseline: Option<Target>,
    /// The unit's IPv6 address and the host baseline beside it, when the rig declares them.
    pub ipv6: Option<Target>,
    pub host_baseline_ipv6: Option<Target>,
    /// hilt's address on the unit's network (rig `network.serve_from`).
    pub serve_from: Option<IpAddr>,
}

impl Unit {
    pub fn in_slot(slot: &Slot, label: UnitLabel) -> Unit {
        Unit {
            slot_id: slot.id.value.clone(),
            label,
            address: Target::unit(slot),
            host_baseline: Target::baseline(slot),
            ipv6: Target::unit_ipv6(slot),
            host_baseline_ipv6: Target::baseline_ipv6(slot),
            serve_from: slot.network.serve_from,
        }
    }
}
