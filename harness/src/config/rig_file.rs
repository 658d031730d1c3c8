//! A rig file as written: the YAML's shape, before a labgrid place fills in what a slot leaves to
//! it and before the checks that make it a `Rig`.

use super::labgrid_place::LabgridPlace;
use super::located::Located;
use super::power::{ButtonBackend, PowerBackend};
use super::rig::{Batch, ConsoleResource, DebugResources, Label, Launch, NetworkResource, Slot};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RigFile {
    pub rig: String,
    pub slots: Vec<SlotFile>,
    /// What the lab received about units of the same batch that are not on the bench.
    #[serde(default)]
    pub batch: Batch,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotFile {
    pub id: Located<String>,
    /// The unit is in a labgrid place: hilt acquires the place for the run and releases it after;
    /// the console, network address, power and label the slot leaves out come from the place's
    /// resources and tags. What the slot says wins over what the place offers.
    #[serde(default)]
    pub labgrid: Option<LabgridPlace>,
    /// A program hilt starts for this slot before the run and stops after it (an emulator, a
    /// simulated unit, a bench helper). Strings in the slot may use `{scratch}`, a fresh per-slot
    /// directory the program can put sockets and files in.
    #[serde(default)]
    pub launch: Option<Launch>,
    #[serde(default)]
    pub console: Option<ConsoleResource>,
    /// Required unless a labgrid place's NetworkService gives the unit's address.
    #[serde(default)]
    pub network: Option<NetworkResource>,
    #[serde(default)]
    pub power: Option<PowerBackend>,
    #[serde(default)]
    pub reset_button: Option<ButtonBackend>,
    /// Network link control: the switch port (or netns link, or router rule) between the unit
    /// and the rest of the network beyond the bench, with `off` cutting it and `on` restoring it
    /// (5.9-2-2). The bench's own path to the unit stays up.
    #[serde(default)]
    pub uplink: Option<PowerBackend>,
    /// Debug interfaces wired to the unit.
    #[serde(default)]
    pub debug: Option<DebugResources>,
    /// Required unless a labgrid place's tags give the serial number and MAC address.
    #[serde(default)]
    pub label: Option<Label>,
}

impl SlotFile {
    /// The slot, once the checks found its network and label (None otherwise).
    pub(super) fn into_slot(self) -> Option<Slot> {
        Some(Slot {
            id: self.id,
            launch: self.launch,
            console: self.console,
            network: self.network?,
            power: self.power,
            reset_button: self.reset_button,
            uplink: self.uplink,
            debug: self.debug,
            label: self.label?,
            labgrid: self.labgrid,
        })
    }
}
