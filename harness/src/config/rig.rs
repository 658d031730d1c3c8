//! A rig: one bench, its sample slots and what is wired to each (labgrid's "resources").

use super::duration::Dur;
use super::error::ConfigErrors;
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
            if let Some(why) = place
                .coordinator
                .as_deref()
                .and_then(super::rig_checks::not_host_port)
            {
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
            true => super::rig_checks::validate(file, raw),
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
