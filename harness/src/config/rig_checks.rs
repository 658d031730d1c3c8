//! A rig's checks beyond its fields' types: unique slot ids and addresses, one way to each
//! interface, console and coordinator addresses that parse, a label to read.

use super::error::{ConfigError, ConfigErrors};
use super::rig::{NetworkResource, PowerBackend, Rig, RigFile, SlotFile};
use super::yaml;
use std::collections::HashSet;
use std::net::IpAddr;
use std::path::Path;

pub(super) fn validate(file: &Path, raw: RigFile) -> Result<Rig, ConfigErrors> {
    let mut errors = Vec::new();
    if raw.slots.is_empty() {
        errors.push(ConfigError::whole_file(
            file,
            "`slots` is empty; expected at least one sample slot",
        ));
    }
    let mut ids = HashSet::new();
    let mut addresses = HashSet::new();
    for (i, slot) in raw.slots.iter().enumerate() {
        let id = slot.id.value.as_str();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            errors.push(yaml::at(file, &slot.id, format!("slots[{i}].id"),
                "expected a non-empty slot id of letters, digits, `-` or `_` (it names folders and JUnit suites)"));
        }
        if !ids.insert(id.to_string()) {
            errors.push(yaml::at(
                file,
                &slot.id,
                format!("slots[{i}].id"),
                format!("duplicate slot id `{id}`"),
            ));
        }
        match &slot.network {
            Some(network) => check_addresses(file, i, slot, network, &mut addresses, &mut errors),
            None => {
                let expected = match &slot.labgrid {
                    None => "expected `network: { address: ... }`, the unit's address".to_string(),
                    Some(p) => format!("expected `network: {{ address: ... }}`: labgrid place `{}` offers no NetworkService with the unit's address", p.place.value),
                };
                errors.push(yaml::at(
                    file,
                    &slot.id,
                    format!("slots[{i}].network"),
                    expected,
                ));
            }
        }
        check_wiring(file, i, slot, &mut errors);
    }
    let digests = [
        ("label_password_sha256", &raw.batch.label_password_sha256),
        ("tls_public_key_sha256", &raw.batch.tls_public_key_sha256),
        ("ssh_host_key_sha256", &raw.batch.ssh_host_key_sha256),
    ];
    for (key, list) in digests {
        for (i, hash) in list.iter().enumerate() {
            let h = hash.value.as_str();
            if h.len() != 64
                || !h
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
            {
                let expected = match h.starts_with("SHA256:") {
                    true => "expected a SHA-256 digest as 64 lowercase hex digits, not OpenSSH's base64 form (`cut -d' ' -f2 key.pub | base64 -d | sha256sum` gives the hex)",
                    false => "expected a SHA-256 digest as 64 lowercase hex digits",
                };
                errors.push(yaml::at(file, hash, format!("batch.{key}[{i}]"), expected));
            }
        }
    }
    if errors.is_empty() {
        Ok(Rig {
            file: file.to_path_buf(),
            name: raw.rig,
            slots: raw
                .slots
                .into_iter()
                .filter_map(SlotFile::into_slot)
                .collect(),
            batch: raw.batch,
        })
    } else {
        Err(ConfigErrors(errors))
    }
}

/// Why `coordinator` is not a labgrid coordinator's HOST:PORT, if it is not.
pub(super) fn not_host_port(coordinator: &str) -> Option<String> {
    let parts = coordinator.rsplit_once(':');
    match parts.map(|(host, port)| (host, port.parse::<u16>())) {
        Some((host, Ok(port))) if !host.is_empty() && port > 0 => None,
        _ => Some(format!(
            "`{coordinator}`: expected the coordinator as HOST:PORT, e.g. lab-coordinator:20408"
        )),
    }
}

/// Each unit's address (and IPv6 address) belongs to one slot only.
fn check_addresses(
    file: &Path,
    i: usize,
    slot: &SlotFile,
    network: &NetworkResource,
    addresses: &mut HashSet<IpAddr>,
    errors: &mut Vec<ConfigError>,
) {
    if !addresses.insert(network.address) {
        errors.push(yaml::at(
            file,
            &slot.id,
            format!("slots[{i}].network.address"),
            format!(
                "address {} is already used by another slot",
                network.address
            ),
        ));
    }
    let v6 = network.ipv6.as_ref().map(|v| IpAddr::V6(v.address.ip));
    if v6.is_some_and(|a| !addresses.insert(a)) {
        errors.push(yaml::at(
            file,
            &slot.id,
            format!("slots[{i}].network.ipv6.address"),
            "address is already used by another slot",
        ));
    }
}

/// A slot's wiring as a rig describes it: one way to its SWD, a console rate, a launch command,
/// a label to read.
fn check_wiring(file: &Path, i: usize, slot: &SlotFile, errors: &mut Vec<ConfigError>) {
    if let Some(swd) = slot.debug.as_ref().and_then(|d| d.swd.as_ref()) {
        if swd.probe.is_some() == swd.bridge.is_some() {
            errors.push(yaml::at(
                file,
                &slot.id,
                format!("slots[{i}].debug.swd"),
                "expected exactly one of `probe: {selector, chip}` or `bridge: <socket path>`",
            ));
        }
    }
    let consoles = slot
        .console
        .iter()
        .map(|c| ("console".to_string(), &c.path));
    let headers = slot.debug.iter().flat_map(|d| d.uart.iter().enumerate());
    let headers = headers.map(|(j, h)| (format!("debug.uart[{j}]"), &h.path));
    for (key, path) in consoles.chain(headers) {
        if let Err(e) = super::console_address::ConsoleAddress::parse(path) {
            errors.push(yaml::at(
                file,
                &slot.id,
                format!("slots[{i}].{key}.path"),
                e,
            ));
        }
    }
    if let Some(PowerBackend::Labgrid(p)) = &slot.power {
        if let Some(why) = p.coordinator.as_deref().and_then(not_host_port) {
            errors.push(yaml::at(
                file,
                &slot.id,
                format!("slots[{i}].power.labgrid.coordinator"),
                why,
            ));
        }
    }
    if let Some(super::power::ButtonBackend::Labgrid(b)) = &slot.reset_button {
        if b.place.is_none() {
            errors.push(yaml::at(file, &slot.id, format!("slots[{i}].reset_button"),
                "expected `place: NAME`, or the slot to be in a labgrid place (`labgrid: { place: NAME }`)"));
        }
    }
    for (key, backend) in [("power", &slot.power), ("uplink", &slot.uplink)] {
        if let Some(why) = backend.as_ref().and_then(super::power::misconfigured) {
            errors.push(yaml::at(file, &slot.id, format!("slots[{i}].{key}"), why));
        }
    }
    if let Some(c) = &slot.console {
        if let Some(baud) = c.baud.as_ref().filter(|b| b.value == 0) {
            errors.push(yaml::at(
                file,
                baud,
                format!("slots[{i}].console.baud"),
                "expected a baud rate above 0",
            ));
        }
    }
    if let Some(l) = &slot.launch {
        if l.command.value.is_empty() || l.command.value[0].is_empty() {
            errors.push(yaml::at(
                file,
                &l.command,
                format!("slots[{i}].launch.command"),
                "expected a program and its arguments, e.g. [my-emulator, --port, \"1\"]",
            ));
        }
    }
    let label = slot.label.as_ref();
    let complete =
        label.is_some_and(|l| l.file.is_some() || (l.serial.is_some() && l.mac.is_some()));
    if !complete {
        let expected = match &slot.labgrid {
            None => "expected either `file` or both `serial` and `mac` from the unit's label".to_string(),
            Some(p) => format!("expected either `file` or both `serial` and `mac` from the unit's label, here or as tags of labgrid place `{}` (`labgrid-client -p {} set-tags serial=... mac=...`)", p.place.value, p.place.value),
        };
        errors.push(yaml::at(
            file,
            &slot.id,
            format!("slots[{i}].label"),
            expected,
        ));
    }
}
