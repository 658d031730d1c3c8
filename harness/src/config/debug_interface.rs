//! The debug interfaces a product has (IXIT 15, physical side) and, for SWD, what hilt reads
//! to tell an open port from a locked one; and what a rig wires to them.

use serde::Deserialize;

/// Profile side: one physical debug interface of the product, as the manufacturer declares it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DebugInterface {
    pub id: String,
    pub kind: DebugKind,
    /// How the manufacturer says it is disabled in software (IXIT 15), quoted in the report.
    pub disabled_by: String,
    /// Memory read to show the port open (flash is memory-mapped); default: the first 4 KiB.
    #[serde(default)]
    pub read: Vec<MemoryRegion>,
    /// A register whose masked value shows the protection level (STM32 option bytes).
    #[serde(default)]
    pub protection_register: Option<ProtectionRegister>,
    /// The part is at readout protection level 2, where SWD gives no answer at all.
    #[serde(default)]
    pub readout_protection_level_2: bool,
    /// UART: what it offers in production.
    #[serde(default)]
    pub offers: super::located::Located<UartOffers>,
    /// UART: keys sent during boot besides the usual boot-loader interrupts.
    #[serde(default)]
    pub interrupt_keys: Vec<String>,
    /// UART: how long after power-on hilt keeps sending interrupt keys.
    #[serde(default = "five_seconds")]
    pub boot_window: super::duration::Dur,
}

fn five_seconds() -> super::duration::Dur {
    super::duration::Dur(std::time::Duration::from_secs(5))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DebugKind {
    Swd,
    Uart,
}

/// What a UART offers in production, as the manufacturer declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UartOffers {
    /// Boot messages at most: no prompt of any kind.
    #[default]
    Nothing,
    /// A console that asks for a login (declared in IXIT 1 too).
    LoginPrompt,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemoryRegion {
    pub name: String,
    pub start: u64,
    pub length: u64,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProtectionRegister {
    pub address: u64,
    pub mask: u32,
    pub open_value: u32,
}

/// Rig side: how a slot's SWD is reached.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SwdResource {
    /// Which interface of the profile this is (`ixit.debug_interfaces[].id`); absent: an
    /// interface the profile does not declare.
    #[serde(default)]
    pub interface: Option<crate::config::located::Located<String>>,
    /// TS 103 701 counts only interfaces usable with a standard cable: a populated header is
    /// physically accessible, a bare test pad is not.
    pub reached_by: ReachedBy,
    /// A probe probe-rs drives: `selector` is `VID:PID[:serial]` (see `hilt hardware`), `chip`
    /// a probe-rs target name such as `nRF52840_xxAA`.
    #[serde(default)]
    pub probe: Option<ProbeWiring>,
    /// Or a debug bridge's Unix socket (protocol in harness/src/debug/bridge_port.rs).
    #[serde(default)]
    pub bridge: Option<String>,
}

/// Rig side: a UART header besides the console (a second serial port on the board), probed as
/// a debug interface only.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UartHeader {
    /// Which `kind: uart` interface of the profile this is; absent: one the profile does not
    /// declare.
    #[serde(default)]
    pub interface: Option<crate::config::located::Located<String>>,
    /// A tty path such as /dev/ttyUSB1, or a console server (`rfc2217://HOST:PORT`,
    /// `tcp://HOST:PORT`) as for the slot's `console`.
    pub path: String,
    /// Absent: hilt tries the common rates and keeps the one that gives readable text.
    #[serde(default)]
    pub baud: Option<u32>,
    pub reached_by: ReachedBy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReachedBy {
    Header,
    TestPad,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeWiring {
    pub selector: String,
    pub chip: String,
}
