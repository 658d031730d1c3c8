//! The only addresses hilt sends traffic to: those the rig declares for a slot (its unit, and the
//! host baseline beside it, on IPv4 and IPv6). A `Target` can be made from a rig slot and nothing
//! else, so a way to the unit that takes one cannot be pointed anywhere the rig did not name.

use crate::config::ipv6::ScopedIpv6;
use crate::config::rig::Slot;
use std::net::{IpAddr, SocketAddr, SocketAddrV6};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Target {
    ip: IpAddr,
    /// The interface index of a link-local IPv6 address; 0 for every other address.
    scope: u32,
}

impl Target {
    /// The unit in this slot.
    pub fn unit(slot: &Slot) -> Target {
        Target::plain(slot.network.address)
    }

    /// The host the rig declares as the baseline next to the unit, if any.
    pub fn baseline(slot: &Slot) -> Option<Target> {
        slot.network.host_baseline.map(Target::plain)
    }

    /// The unit's IPv6 address, when the rig declares one beside its main address.
    pub fn unit_ipv6(slot: &Slot) -> Option<Target> {
        slot.network
            .ipv6
            .as_ref()
            .map(|v| Target::scoped(&v.address))
    }

    /// The host baseline on IPv6, if the rig declares one.
    pub fn baseline_ipv6(slot: &Slot) -> Option<Target> {
        let v6 = slot.network.ipv6.as_ref()?;
        v6.host_baseline.as_ref().map(Target::scoped)
    }

    fn plain(ip: IpAddr) -> Target {
        Target { ip, scope: 0 }
    }

    /// An interface that does not exist gives scope 0, and every connection to a link-local
    /// address then fails: the scan reports it as a probe error, not as a closed port.
    fn scoped(address: &ScopedIpv6) -> Target {
        let scope = address.interface.as_deref().map_or(0, interface_index);
        Target {
            ip: IpAddr::V6(address.ip),
            scope,
        }
    }

    pub fn ip(self) -> IpAddr {
        self.ip
    }

    pub fn socket(self, port: u16) -> SocketAddr {
        match self.ip {
            IpAddr::V6(ip) => SocketAddr::V6(SocketAddrV6::new(ip, port, 0, self.scope)),
            ip => SocketAddr::new(ip, port),
        }
    }
}

fn interface_index(name: &str) -> u32 {
    let Ok(name) = std::ffi::CString::new(name) else {
        return 0;
    };
    // SAFETY: `name` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::if_nametoindex(name.as_ptr()) }
}

/// Unit tests reach servers they start themselves on loopback.
#[cfg(test)]
impl Target {
    pub fn loopback() -> Target {
        Target::plain(IpAddr::from([127, 0, 0, 1]))
    }

    /// A unit a test builds itself (a network namespace of its own).
    pub fn test_unit(ip: IpAddr) -> Target {
        Target::plain(ip)
    }
}

/// Written as the rig writes an address, in the evidence.
impl serde::Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.scope {
            0 => self.ip.fmt(f),
            scope => write!(f, "{}%{scope}", self.ip),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_local_target_carries_its_interface_into_every_socket_address() {
        let lo = ScopedIpv6::parse("fe80::1%lo").unwrap();
        let t = Target::scoped(&lo);
        let SocketAddr::V6(s) = t.socket(80) else {
            panic!("an IPv6 target gives IPv6 socket addresses")
        };
        assert_eq!((s.port(), s.scope_id()), (80, interface_index("lo")));
        assert_ne!(s.scope_id(), 0);
        assert!(t.to_string().starts_with("fe80::1%"));
        let missing = ScopedIpv6::parse("fe80::1%nosuchif0").unwrap();
        assert_eq!(Target::scoped(&missing).scope, 0);
    }
}
