//! A rig: one bench, its sample slots and what is wired to each (labgrid's "resources").

use super::duration::Dur;
use super::error::{ConfigError, ConfigErrors};
use super::located::Located;
use super::yaml;
use serde::Deserialize;
use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

pub use super::labgrid_place::{LabgridPlace, PlaceResolver, PlaceResources};
pub use super::power::{
    ButtonBackend, CommandButton, CommandPower, LineButton, LinePower, PowerBackend,
};
pub use super::rig_file::{RigFile, SlotFile};

/// Batch data for uniqueness checks beyond the samples on the bench (TS 103 701 5.1-1-2 (c)).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// SHA-256 (lowercase hex, of the UTF-8 bytes) of other units' label passwords, so the rig
    /// file holds no password.
    #[serde(default)]
    pub label_password_sha256: Vec<Located<String>>,
    /// SHA-256 (lowercase hex) of other units' TLS certificate public keys, each of its
    /// SubjectPublicKeyInfo DER (`openssl x509 -pubkey -noout | openssl pkey -pubin -outform
    /// DER | sha256sum`), for 5.4-3-2's comparison of presented keys (TS 103 701 5.4-3-2 a).
    #[serde(default)]
    pub tls_public_key_sha256: Vec<Located<String>>,
    /// SHA-256 (lowercase hex) of other units' SSH host keys, each of the public key blob: the
    /// digest `ssh-keygen -l` prints in base64 (`cut -d' ' -f2 key.pub | base64 -d | sha256sum`),
    /// for the same comparison of SSH host keys.
    #[serde(default)]
    pub ssh_host_key_sha256: Vec<Located<String>>,
}

/// A slot as the run sees it: what the rig wrote, with a labgrid place's resources filled in
/// where the rig was silent (`rig_file::SlotFile` is what the YAML holds).
#[derive(Debug, Clone)]
pub struct Slot {
    pub id: Located<String>,
    pub launch: Option<Launch>,
    pub console: Option<ConsoleResource>,
    pub network: NetworkResource,
    pub power: Option<PowerBackend>,
    pub reset_button: Option<ButtonBackend>,
    pub uplink: Option<PowerBackend>,
    pub debug: Option<DebugResources>,
    pub label: Label,
    /// The labgrid place the slot's unit is in, when it is one.
    pub labgrid: Option<LabgridPlace>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DebugResources {
    #[serde(default)]
    pub swd: Option<super::debug_interface::SwdResource>,
    /// UART headers besides `console` (which is the profile's first `kind: uart` interface no
    /// header here names).
    #[serde(default)]
    pub uart: Vec<super::debug_interface::UartHeader>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Launch {
    /// argv; argv[0] is looked up next to the hilt binary, then on PATH. Runs in the rig file's folder.
    pub command: Located<Vec<String>>,
    /// The slot is ready once this path exists.
    pub ready: String,
    pub within: Dur,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsoleResource {
    /// A tty path such as /dev/ttyUSB0 or /dev/serial/by-id/...; or a console server:
    /// `rfc2217://HOST:PORT` (RFC 2217: hilt sets the rate and sends BREAK through it) or
    /// `tcp://HOST:PORT` (raw TCP, e.g. ser2net's `tcp` accepter: the server sets the rate and
    /// no BREAK can be sent).
    pub path: String,
    /// Absent: hilt tries the common rates and keeps the one that gives readable text.
    #[serde(default)]
    pub baud: Option<Located<u32>>,
    /// How the UART is reached: a populated header (default) or a bare test pad, which TS 103 701
    /// does not count as physically accessible.
    #[serde(default = "header")]
    pub reached_by: super::debug_interface::ReachedBy,
}

fn header() -> super::debug_interface::ReachedBy {
    super::debug_interface::ReachedBy::Header
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkResource {
    /// The unit's address: the only address hilt sends traffic to for this slot.
    pub address: IpAddr,
    /// On a bench where units share the host's addresses (loopback aliases), a port open here too
    /// is the host's, not the unit's. Probed only for ports found open on the unit.
    #[serde(default)]
    pub host_baseline: Option<IpAddr>,
    /// The unit's IPv6 address, when it has one beside `address`: 5.6-1-2 scans it too, since
    /// a service may listen on IPv6 alone.
    #[serde(default)]
    pub ipv6: Option<super::ipv6::Ipv6Resource>,
    /// hilt's own address on the unit's network: servers hilt plays (an update server the unit
    /// pulls from) listen here and answer only the unit.
    #[serde(default)]
    pub serve_from: Option<IpAddr>,
    /// Interface on which hilt captures the unit's traffic (filtered to its address) for the
    /// whole run, as `capture.pcap` evidence; needs CAP_NET_RAW.
    #[serde(default)]
    pub capture_interface: Option<String>,
}

/// What is printed on the unit's label, typed in by the lab, or read from a file a launched
/// program writes (`file`, YAML with the same keys).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Label {
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub serial: Option<String>,
    #[serde(default)]
    pub mac: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    /// Names the unit announces (DHCP hostname, mDNS name, Wi-Fi SSID): public identifiers too.
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub ssid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Rig {
    pub file: PathBuf,
    pub name: String,
    pub slots: Vec<Slot>,
    pub batch: Batch,
}

impl Rig {
    /// The rig as written; a slot that is a labgrid place must then say all it needs itself.
    pub fn load(file: &Path) -> Result<Rig, ConfigErrors> {
        Rig::load_with(file, &mut super::labgrid_place::Unresolved)
    }

    /// The rig, with each labgrid slot's silences filled by what `places` says its place offers.
    pub fn load_with(file: &Path, places: &mut dyn PlaceResolver) -> Result<Rig, ConfigErrors> {
        let mut raw: RigFile = yaml::load(file)?;
        let mut errors = Vec::new();
        let mut places_seen = HashSet::new();
        for (i, slot) in raw.slots.iter_mut().enumerate() {
            let Some(place) = slot.labgrid.clone() else {
                continue;
            };
            // Asked before anything is acquired: a coordinator written wrong is the rig's error.
            if let Some(why) = place.coordinator.as_deref().and_then(not_host_port) {
                let key = format!("slots[{i}].labgrid.coordinator");
                errors.push(yaml::at(file, &place.place, key, why));
                continue;
            }
            // One unit per place: a place is acquired once per run.
            if !places_seen.insert((place.coordinator.clone(), place.place.value.clone())) {
                let why = format!(
                    "labgrid place `{}` is already another slot's",
                    place.place.value
                );
                errors.push(yaml::at(
                    file,
                    &place.place,
                    format!("slots[{i}].labgrid.place"),
                    why,
                ));
                continue;
            }
            match places.resolve(&slot.id.value, &place) {
                Ok(offered) => super::labgrid_place::fill(slot, offered),
                Err(why) => errors.push(yaml::at(
                    file,
                    &place.place,
                    format!("slots[{i}].labgrid.place"),
                    why,
                )),
            }
        }
        match errors.is_empty() {
            true => validate(file, raw),
            false => Err(ConfigErrors(errors)),
        }
    }

    /// The slot named `id`, by its index; the error names the slots there are.
    pub fn slot_index(&self, id: &str) -> Result<usize, String> {
        self.slots
            .iter()
            .position(|s| s.id.value == id)
            .ok_or_else(|| {
                let known: Vec<&str> = self.slots.iter().map(|s| s.id.value.as_str()).collect();
                format!("no slot `{id}` in the rig (slots: {})", known.join(", "))
            })
    }

    /// Relative paths in a rig (launch programs' working folder, label files) are relative to it.
    pub fn dir(&self) -> PathBuf {
        self.file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

fn validate(file: &Path, raw: RigFile) -> Result<Rig, ConfigErrors> {
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
fn not_host_port(coordinator: &str) -> Option<String> {
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
