//! A slot whose unit is in a labgrid place: what the rig says about the place, what the place
//! offers once asked, and how the two make one slot. Asking the coordinator is the transport's
//! job (`PlaceResolver`); this module only merges, so the rule "the rig's own fields win" is
//! in one place.

use super::located::Located;
use super::power::{ButtonBackend, LabgridButton, LabgridPower, PowerBackend};
use super::rig::{ConsoleResource, Label, NetworkResource};
use super::rig_file::SlotFile;
use serde::Deserialize;
use std::net::IpAddr;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabgridPlace {
    /// The place's name on the coordinator.
    pub place: Located<String>,
    /// The coordinator's HOST:PORT; absent: labgrid-client's own default (LG_COORDINATOR, else
    /// 127.0.0.1:20408).
    #[serde(default)]
    pub coordinator: Option<String>,
}

/// What a place offers, read from its resources (NetworkSerialPort, NetworkService, a power
/// port) and its tags (`serial`, `mac`, `hostname`, `ssid`, `username`).
#[derive(Debug, Clone, Default)]
pub struct PlaceResources {
    pub console: Option<ConsoleResource>,
    pub address: Option<IpAddr>,
    /// The place has a power port, switched through labgrid.
    pub power: bool,
    /// The digital output across the unit's reset button: the place's output whose name says
    /// `reset`.
    pub reset_output: Option<String>,
    pub label: Label,
    /// One line per resource taken, for the run's record.
    pub taken: Vec<String>,
}

/// Asks a coordinator what a place offers. Holding the place for the run (and letting it go) is
/// the implementor's: config only reads what it answers.
pub trait PlaceResolver {
    /// Err: why the place cannot be used (held by someone else, no coordinator, no such place).
    fn resolve(&mut self, slot: &str, place: &LabgridPlace) -> Result<PlaceResources, String>;
}

/// For loading a rig without asking any coordinator: a place offers nothing, so a slot must
/// say all it needs itself.
pub struct Unresolved;

impl PlaceResolver for Unresolved {
    fn resolve(&mut self, _: &str, _: &LabgridPlace) -> Result<PlaceResources, String> {
        Ok(PlaceResources::default())
    }
}

/// The slot with what the place offers wherever the rig was silent.
pub fn fill(slot: &mut SlotFile, offered: PlaceResources) {
    let Some(place) = &slot.labgrid else { return };
    if slot.console.is_none() {
        slot.console = offered.console;
    }
    if slot.network.is_none() {
        slot.network = offered.address.map(|address| NetworkResource {
            address,
            host_baseline: None,
            ipv6: None,
            serve_from: None,
            capture_interface: None,
        });
    }
    let through_place = || LabgridPower {
        place: Some(place.place.value.clone()),
        coordinator: place.coordinator.clone(),
        resource: None,
    };
    match &mut slot.power {
        None if offered.power => slot.power = Some(PowerBackend::Labgrid(through_place())),
        Some(PowerBackend::Labgrid(p)) if p.place.is_none() => {
            let resource = p.resource.take();
            *p = LabgridPower {
                resource,
                ..through_place()
            };
        }
        _ => {}
    }
    match &mut slot.reset_button {
        None => {
            slot.reset_button = offered.reset_output.map(|output| {
                ButtonBackend::Labgrid(LabgridButton {
                    place: Some(place.place.value.clone()),
                    coordinator: place.coordinator.clone(),
                    output: Some(output),
                })
            })
        }
        Some(ButtonBackend::Labgrid(b)) if b.place.is_none() => {
            b.place = Some(place.place.value.clone());
            b.coordinator = place.coordinator.clone();
        }
        _ => {}
    }
    slot.label = Some(match slot.label.take() {
        None => offered.label,
        Some(l) if l.file.is_some() => l,
        Some(l) => {
            let o = offered.label;
            Label {
                file: None,
                serial: l.serial.or(o.serial),
                mac: l.mac.or(o.mac),
                password: l.password.or(o.password),
                username: l.username.or(o.username),
                hostname: l.hostname.or(o.hostname),
                ssid: l.ssid.or(o.ssid),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(yaml: &str) -> SlotFile {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn offered() -> PlaceResources {
        PlaceResources {
            console: Some(ConsoleResource {
                path: "rfc2217://192.0.2.9:40001".into(),
                baud: Some(Located::unplaced(115200)),
                reached_by: crate::config::debug_interface::ReachedBy::Header,
            }),
            address: Some("192.0.2.20".parse().unwrap()),
            power: true,
            reset_output: Some("reset".into()),
            label: Label {
                serial: Some("SN-9".into()),
                mac: Some("02:00:00:00:00:09".into()),
                password: Some("from-place".into()),
                ..Label::default()
            },
            taken: vec![],
        }
    }

    #[test]
    fn a_slot_that_is_only_a_place_takes_everything_the_place_offers() {
        let mut s = slot("id: a\nlabgrid: { place: p1, coordinator: \"192.0.2.1:20408\" }\n");
        fill(&mut s, offered());
        assert_eq!(s.console.unwrap().path, "rfc2217://192.0.2.9:40001");
        assert_eq!(s.network.unwrap().address.to_string(), "192.0.2.20");
        let Some(PowerBackend::Labgrid(p)) = s.power else {
            panic!("power through the place")
        };
        assert_eq!(p.place.as_deref(), Some("p1"));
        assert_eq!(p.coordinator.as_deref(), Some("192.0.2.1:20408"));
        assert_eq!(s.label.unwrap().serial.as_deref(), Some("SN-9"));
        let Some(ButtonBackend::Labgrid(b)) = s.reset_button else {
            panic!("the reset button through the place")
        };
        assert_eq!(
            (b.place.as_deref(), b.output.as_deref()),
            (Some("p1"), Some("reset"))
        );
    }

    #[test]
    fn what_the_rig_says_wins_over_what_the_place_offers() {
        let mut s = slot(
            "id: a\nlabgrid: { place: p1 }\nconsole: { path: /dev/ttyUSB0 }\nnetwork: { address: 198.51.100.7 }\npower: { tasmota: { host: relay } }\nlabel: { serial: MINE }\n",
        );
        fill(&mut s, offered());
        assert_eq!(s.console.unwrap().path, "/dev/ttyUSB0");
        assert_eq!(s.network.unwrap().address.to_string(), "198.51.100.7");
        assert!(matches!(s.power, Some(PowerBackend::Tasmota(_))));
        let label = s.label.unwrap();
        assert_eq!(label.serial.as_deref(), Some("MINE"));
        assert_eq!(label.mac.as_deref(), Some("02:00:00:00:00:09"));
    }

    #[test]
    fn labgrid_power_without_a_place_is_the_slots_place() {
        let mut s = slot("id: a\nlabgrid: { place: p2 }\npower: { labgrid: { resource: pdu } }\n");
        fill(&mut s, PlaceResources::default());
        let Some(PowerBackend::Labgrid(p)) = s.power else {
            panic!()
        };
        assert_eq!(
            (p.place.as_deref(), p.resource.as_deref()),
            (Some("p2"), Some("pdu"))
        );
    }

    #[test]
    fn a_place_without_power_leaves_the_slot_without_power() {
        let mut s = slot("id: a\nlabgrid: { place: p1 }\n");
        fill(&mut s, PlaceResources::default());
        assert!(s.power.is_none() && s.network.is_none());
    }
}
