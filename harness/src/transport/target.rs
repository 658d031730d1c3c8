//! The only addresses hilt sends traffic to: those the rig declares for a slot (its unit, and the
//! host baseline beside it). A `Target` can be made from a rig slot and nothing else, so a way to
//! the unit that takes one cannot be pointed anywhere the rig did not name.

use crate::config::rig::Slot;
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Target(IpAddr);

impl Target {
    /// The unit in this slot.
    pub fn unit(slot: &Slot) -> Target {
        Target(slot.network.address)
    }

    /// The host the rig declares as the baseline next to the unit, if any.
    pub fn baseline(slot: &Slot) -> Option<Target> {
        slot.network.host_baseline.map(Target)
    }

    pub fn ip(self) -> IpAddr {
        self.0
    }

    pub fn socket(self, port: u16) -> SocketAddr {
        SocketAddr::new(self.0, port)
    }
}

/// Unit tests reach servers they start themselves on loopback.
#[cfg(test)]
impl Target {
    pub fn loopback() -> Target {
        Target(IpAddr::from([127, 0, 0, 1]))
    }

    /// A unit a test builds itself (a network namespace of its own).
    pub fn test_unit(ip: IpAddr) -> Target {
        Target(ip)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
