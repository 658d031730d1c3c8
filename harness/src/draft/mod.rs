//! `hilt draft-profile`: a first device profile written from what a unit shows, for a lab to
//! correct rather than write from nothing. The unit is observed through the same facts a run
//! learns (the suite's TCP and UDP scans, the login-surface probe, the TLS probe), so a run with
//! the draft meets the unit as the draft saw it. Every observed entry is marked for the
//! manufacturer's IXIT to confirm; what hilt cannot observe is listed for a person.

pub mod boot;
pub mod dialogue;
pub mod ics;
mod observe;
mod render;

pub use observe::observe;
pub use render::{for_a_person, render};

use crate::config::crypto::TlsVersion;
use crate::config::{Config, ConfigPaths, Profile, Rig, Suite};
use dialogue::Dialogue;
use std::net::IpAddr;
use std::path::Path;

/// The console `hilt draft-profile --console` was given.
pub struct ConsoleGiven {
    pub path: String,
    pub baud: Option<u32>,
}

/// Where the unit is: its address, and the bench host's address beside it whose open ports
/// are the host's, not the unit's (the rig's `host_baseline`).
pub struct UnitGiven {
    pub address: IpAddr,
    pub host_baseline: Option<IpAddr>,
}

/// Observes the unit at `address` (and its console) with `suite`'s scans and returns the draft
/// profile's text. `work` holds the one-slot rig and the empty profile the observation runs
/// under, and the transcripts it leaves.
pub async fn from_unit(
    unit: &UnitGiven,
    console: Option<&ConsoleGiven>,
    suite: &Path,
    work: &Path,
) -> Result<(String, Draft), String> {
    std::fs::create_dir_all(work).map_err(|e| format!("{}: {e}", work.display()))?;
    let console_line = console
        .map(|c| {
            let baud = c.baud.map(|b| format!(", baud: {b}")).unwrap_or_default();
            format!(
                "    console: {{ path: {}{baud} }}\n",
                observe::quoted(&c.path)
            )
        })
        .unwrap_or_default();
    let address = unit.address;
    let baseline = unit
        .host_baseline
        .map(|b| format!(", host_baseline: {}", observe::quoted(&b.to_string())))
        .unwrap_or_default();
    // The label is not read: a draft needs no credential, and the lookup needs one to exist.
    let rig = format!(
        "rig: draft-profile\nslots:\n  - id: unit\n{console_line}    network: {{ address: {}{baseline} }}\n    label: {{ serial: \"not-read\", mac: \"02:00:00:00:00:00\" }}\n",
        observe::quoted(&address.to_string())
    );
    let empty = render(
        &Draft {
            address: address.to_string(),
            ..Draft::default()
        },
        &ics::newest(),
    );
    let paths = ConfigPaths {
        rig: work.join("rig.yaml"),
        profile: work.join("empty-profile.yaml"),
        suite: suite.to_path_buf(),
    };
    let write =
        |p: &Path, text: &str| std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()));
    write(&paths.rig, &rig)?;
    write(&paths.profile, &empty)?;
    let config = Config::load(&paths).map_err(|e| e.to_string())?;
    drafted(&config, 0, work, false).await
}

/// As `from_unit`, for a slot of a rig: its address, host baseline and console, its launch
/// command if it has one, and its power, with which the boot is watched. The rig is read
/// without holding it to a profile, since the draft is the profile still to be written.
pub async fn from_slot(
    rig: &Path,
    slot: &str,
    suite: &Path,
    work: &Path,
) -> Result<(String, Draft), String> {
    std::fs::create_dir_all(work).map_err(|e| format!("{}: {e}", work.display()))?;
    // Held while the draft watches the unit; released when this returns.
    let mut places = crate::transport::labgrid::resolve::Acquire::default();
    let rig = Rig::load_with(rig, &mut places).map_err(|e| e.to_string())?;
    let index = rig.slot_index(slot)?;
    let address = rig.slots[index].network.address.to_string();
    let empty = render(
        &Draft {
            address,
            ..Draft::default()
        },
        &ics::newest(),
    );
    let profile_file = work.join("empty-profile.yaml");
    std::fs::write(&profile_file, empty).map_err(|e| format!("{}: {e}", profile_file.display()))?;
    let config = Config {
        rig,
        profile: Profile::load(&profile_file).map_err(|e| e.to_string())?,
        suite: Suite::load(suite).map_err(|e| e.to_string())?,
    };
    drafted(&config, index, work, true).await
}

async fn drafted(
    config: &Config,
    slot: usize,
    work: &Path,
    watch_boot: bool,
) -> Result<(String, Draft), String> {
    let sample =
        crate::bench::prepare(config, &config.rig.slots[slot], work, &work.join("scratch"))
            .await
            .map_err(|u| u.reason)?;
    // The boot first: the unit is then up, as the scans want it.
    let boot = match watch_boot && sample.drivers.power.is_some() {
        true => Some(boot::watch(&sample).await),
        false => None,
    };
    let observed = observe(&sample, config).await;
    if let Some(launched) = &sample.launched {
        launched.stop().await;
    }
    let mut draft = observed?;
    draft.boot = boot;
    Ok((render(&draft, &ics::newest()), draft))
}

/// What the unit showed.
#[derive(Debug, Default)]
pub struct Draft {
    /// The address it was observed at.
    pub address: String,
    pub services: Vec<Service>,
    pub mechanisms: Vec<Mechanism>,
    /// The console's dialogue, when a console was given.
    pub console: Option<Dialogue>,
    /// The boot as the console showed it, when the rig's power could cycle the unit.
    pub boot: Option<boot::Boot>,
    /// What a person has to add or decide, one line each.
    pub needs_a_person: Vec<String>,
}

#[derive(Debug)]
pub struct Service {
    pub id: String,
    /// `tcp` or `udp`.
    pub protocol: &'static str,
    pub port: u16,
    /// What answered, in a few words.
    pub seen: String,
    pub tls: Option<Tls>,
}

#[derive(Debug)]
pub struct Tls {
    pub versions: Vec<TlsVersion>,
    /// The smallest certificate key it presented, in bits.
    pub min_key_bits: Option<u32>,
    /// Each certificate key, e.g. `EC 256 (ecdsa-with-SHA256)`.
    pub keys: Vec<String>,
}

#[derive(Debug)]
pub struct Mechanism {
    pub id: String,
    pub service: String,
    pub seen: String,
    /// The `login:` mapping, one YAML line each, without indentation.
    pub login: Vec<String>,
}
