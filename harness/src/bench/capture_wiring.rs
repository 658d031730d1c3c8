//! The capture a slot's rig asks for, and what it keeps: the unit's addresses, and, when the rig
//! declares no IPv6 address, whatever the unit's MAC sends over IPv6, so a unit that speaks
//! IPv6 where nobody declared it is noticed without hilt sending it anything there.

use super::label;
use crate::config::rig::Slot;
use crate::evidence::SampleEvidence;
use crate::transport::capture::Capture;
use crate::transport::error::Error;
use crate::transport::ipv6_sightings;

pub struct Wired {
    pub capture: Option<Capture>,
    /// Why the capture the rig asks for could not be made.
    pub problem: Option<String>,
    /// The MAC whose IPv6 frames the capture keeps; None when the rig declares the unit's IPv6
    /// address (then it is scanned) or no MAC was known before the unit started.
    pub ipv6_watch: Option<[u8; 6]>,
}

/// Whether the slot's capture interface is there now. One that is not may be made by the slot's
/// launched program (a QEMU board's tap, a namespace's veth), so its capture waits for that.
pub fn interface_present(iface: Option<&str>) -> bool {
    match iface {
        Some(iface) => {
            iface == "any" || std::path::Path::new("/sys/class/net").join(iface).exists()
        }
        None => true,
    }
}

pub fn start(
    slot: &Slot,
    fill: &dyn Fn(&str) -> String,
    rig_dir: &std::path::Path,
    evidence: &SampleEvidence,
) -> Wired {
    let Some(iface) = &slot.network.capture_interface else {
        return Wired {
            capture: None,
            problem: None,
            ipv6_watch: None,
        };
    };
    let file = evidence.dir.join("capture.pcap");
    let start = |filter: &str| {
        let health = evidence.health.clone();
        Capture::start(iface, filter, &file, evidence.redactor.clone(), health)
    };
    let base = match &slot.network.ipv6 {
        Some(v6) => format!("host {} or host {}", slot.network.address, v6.address.ip),
        None => format!("host {}", slot.network.address),
    };
    let watch = match &slot.network.ipv6 {
        Some(_) => None,
        None => label_mac(slot, fill, rig_dir),
    };
    if let Some(mac) = watch {
        match start(&ipv6_sightings::filter_with(&base, mac)) {
            Ok(c) => return wired(Ok(c), Some(mac)),
            // A link without MACs (a tunnel) cannot take the MAC filter; the unit's addresses
            // are still captured.
            Err(Error::Config(_)) => {}
            Err(e) => return wired(Err(e), None),
        }
    }
    wired(start(&base), None)
}

fn wired(started: Result<Capture, Error>, ipv6_watch: Option<[u8; 6]>) -> Wired {
    match started {
        Ok(c) => Wired {
            capture: Some(c),
            problem: None,
            ipv6_watch,
        },
        Err(e) => Wired {
            capture: None,
            problem: Some(e.to_string()),
            ipv6_watch: None,
        },
    }
}

/// The label's MAC, if the rig gives it or its label file is there before the unit starts.
fn label_mac(
    slot: &Slot,
    fill: &dyn Fn(&str) -> String,
    rig_dir: &std::path::Path,
) -> Option<[u8; 6]> {
    let file = slot.label.file.as_ref().map(|f| rig_dir.join(fill(f)));
    if file.as_ref().is_some_and(|f| !f.exists()) {
        return None;
    }
    let text = match &slot.label.mac {
        Some(mac) if file.is_none() => mac.clone(),
        _ => label::read(&slot.label, file.as_deref()).ok()?.mac,
    };
    ipv6_sightings::parse_mac(&text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_interface_the_launch_will_make_is_not_present_yet() {
        assert!(super::interface_present(Some("lo")));
        assert!(super::interface_present(Some("any")));
        assert!(super::interface_present(None));
        assert!(!super::interface_present(Some("hilt-absent0")));
    }
}
