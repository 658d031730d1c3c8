//! A unit's IPv6 address in a rig. Its services may listen on IPv6 as well as (or instead of)
//! IPv4, so 5.6-1-2 scans both. A link-local address only means something on one link, so it
//! names its interface the way `ip` and `ping` write it: `fe80::1%eth0`.

use serde::{Deserialize, Deserializer};
use std::net::Ipv6Addr;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ipv6Resource {
    /// The unit's IPv6 address: scanned like `address`, and the only IPv6 address hilt sends
    /// traffic to for this slot.
    pub address: ScopedIpv6,
    /// As `host_baseline`, for IPv6: a port open here too is the bench host's, not the unit's.
    #[serde(default)]
    pub host_baseline: Option<ScopedIpv6>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScopedIpv6 {
    pub ip: Ipv6Addr,
    /// The interface a link-local address is reached on.
    pub interface: Option<String>,
}

const EXPECTED: &str = "an IPv6 address, with its interface when link-local (fe80::1%eth0)";

impl ScopedIpv6 {
    pub fn parse(text: &str) -> Result<ScopedIpv6, String> {
        let (ip, interface) = match text.trim().split_once('%') {
            Some((ip, zone)) => (ip, Some(zone.to_string())),
            None => (text.trim(), None),
        };
        let ip: Ipv6Addr = ip
            .parse()
            .map_err(|_| format!("`{text}` is not {EXPECTED}"))?;
        let link_local = ip.is_unicast_link_local();
        match &interface {
            None if link_local => Err(format!(
                "`{text}` is link-local and names no interface; expected {EXPECTED}"
            )),
            Some(_) if !link_local => Err(format!(
                "`{text}` names an interface, which only a link-local address (fe80::/10) needs"
            )),
            Some(zone) if zone.is_empty() || zone.len() > 15 || zone.contains('/') => Err(format!(
                "`{text}`: `{zone}` is not an interface name; expected {EXPECTED}"
            )),
            _ => Ok(ScopedIpv6 { ip, interface }),
        }
    }
}

impl std::fmt::Display for ScopedIpv6 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.interface {
            Some(zone) => write!(f, "{}%{zone}", self.ip),
            None => self.ip.fmt(f),
        }
    }
}

impl<'de> Deserialize<'de> for ScopedIpv6 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ScopedIpv6::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for ScopedIpv6 {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ScopedIpv6".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": EXPECTED
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_local_address_names_its_interface_and_no_other_does() {
        let ll = ScopedIpv6::parse("fe80::1%eth0").unwrap();
        assert_eq!(ll.interface.as_deref(), Some("eth0"));
        assert_eq!(ll.to_string(), "fe80::1%eth0");
        assert!(ScopedIpv6::parse("fe80::1")
            .unwrap_err()
            .contains("names no interface"));
        assert!(ScopedIpv6::parse("fd00::1%eth0")
            .unwrap_err()
            .contains("only a link-local"));
        assert_eq!(ScopedIpv6::parse("fd00::1").unwrap().interface, None);
        assert!(ScopedIpv6::parse("10.0.0.1")
            .unwrap_err()
            .contains("not an IPv6"));
        assert!(ScopedIpv6::parse("fe80::1%").is_err());
    }
}
