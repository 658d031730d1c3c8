//! Power, reset-button and uplink controllers a rig wires to a slot, each by the model a lab
//! owns (labgrid's network power ports name theirs the same way).

use super::pattern::Pattern;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum PowerBackend {
    /// A controller that takes one text line per action on a socket and answers with `reply`.
    Line(LinePower),
    /// Programs run for each action (a relay CLI, a PDU script); exit 0 means done.
    Command(CommandPower),
    /// A Tasmota relay over its HTTP API (`/cm?cmnd=Power1 On`).
    Tasmota(TasmotaPower),
    /// A Shelly relay: Gen1 `/relay/N`, Gen2 and later `/rpc/Switch.Set`.
    Shelly(ShellyPower),
    /// Any relay with an HTTP on/off call and a state to read.
    Rest(Box<RestPower>),
    /// An outlet of a switched PDU over SNMP v2c.
    SnmpPdu(SnmpPduPower),
    /// A port of a USB hub with per-port power, through `uhubctl`.
    Uhubctl(UhubctlPower),
    /// A QEMU machine through its QMP monitor: off stops and resets it, on continues it.
    Qmp(QmpPower),
    /// A labgrid place's power port, through `labgrid-client power` while hilt holds the place.
    Labgrid(LabgridPower),
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum ButtonBackend {
    Line(LineButton),
    Command(CommandButton),
    /// A labgrid place's digital output wired across the button: `io high`, held, `io low`.
    Labgrid(LabgridButton),
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinePower {
    /// `unix:/path/to/socket` or `tcp:host:port`.
    pub endpoint: String,
    pub on: String,
    pub off: String,
    #[serde(default = "default_reply")]
    pub reply: String,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineButton {
    pub endpoint: String,
    /// `{ms}` is replaced by how long the button is held.
    pub press: String,
    #[serde(default = "default_reply")]
    pub reply: String,
}

fn default_reply() -> String {
    "ok".into()
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandPower {
    pub on: Vec<String>,
    pub off: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandButton {
    /// `{ms}` in an argument is replaced by how long the button is held.
    pub press: Vec<String>,
}

/// What is wrong with a backend's fields that their types cannot say, if anything.
pub fn misconfigured(backend: &PowerBackend) -> Option<String> {
    let web = |url: &str| url.starts_with("http://") || url.starts_with("https://");
    match backend {
        PowerBackend::Tasmota(t) if t.relay == 0 => {
            Some("expected `relay` from 1 (Tasmota counts its relays Power1, Power2, ...)".into())
        }
        PowerBackend::SnmpPdu(p) if p.outlet == 0 => {
            Some("expected `outlet` from 1, as the PDU numbers its outlets".into())
        }
        PowerBackend::Shelly(s) if s.generation == Some(0) => {
            Some("expected `generation` 1, 2 or later, or none to read it from the device".into())
        }
        PowerBackend::Labgrid(l) if l.place.is_none() => Some(
            "expected `place: NAME`, or the slot to be in a labgrid place (`labgrid: { place: NAME }`)".into(),
        ),
        PowerBackend::Rest(r) => [&r.on.url, &r.off.url, &r.state.url]
            .into_iter()
            .find(|u| !web(u))
            .map(|u| format!("`{u}`: expected an http:// or https:// URL")),
        _ => None,
    }
}

/// Credentials some relays ask for.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelayLogin {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TasmotaPower {
    /// HOST or HOST:PORT of the relay's web server.
    pub host: String,
    /// Which relay of the device (Tasmota's `Power1`, `Power2`, ...).
    #[serde(default = "first_relay")]
    pub relay: u8,
    /// The web admin login, when the device has one set.
    #[serde(default)]
    pub login: Option<RelayLogin>,
}

fn first_relay() -> u8 {
    1
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShellyPower {
    /// HOST or HOST:PORT of the relay's web server.
    pub host: String,
    /// Which relay (Shelly counts from 0).
    #[serde(default)]
    pub channel: u8,
    /// 1 (`/relay/N`) or 2 and later (RPC); absent: read from the device's `/shelly`.
    #[serde(default)]
    pub generation: Option<u8>,
    /// Gen1: HTTP basic; Gen2 and later: HTTP digest, whose username is always `admin`.
    #[serde(default)]
    pub login: Option<RelayLogin>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestPower {
    pub on: RestCall,
    pub off: RestCall,
    /// Read after each switch: the state must be the one asked for.
    pub state: RestState,
    /// HTTP basic credentials for every call.
    #[serde(default)]
    pub login: Option<RelayLogin>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestCall {
    pub url: String,
    #[serde(default = "post")]
    pub method: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default = "json_type")]
    pub content_type: String,
}

fn post() -> String {
    "POST".into()
}

fn json_type() -> String {
    "application/json".into()
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestState {
    /// Fetched with GET.
    pub url: String,
    /// Matched against the answer's body: a match means the power is on.
    pub on_when: Pattern,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnmpPduPower {
    /// HOST or HOST:PORT (UDP, default 161) of the PDU's SNMP agent; an IPv6 address in
    /// brackets.
    pub host: String,
    /// The write community (SNMP v2c).
    pub community: String,
    /// The outlet's number on the PDU, from 1.
    pub outlet: u32,
    /// Which MIB the PDU speaks.
    pub model: PduModel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PduModel {
    /// APC PowerNet-MIB `sPDUOutletCtl` (older Switched Rack PDUs and MasterSwitch).
    Apc,
    /// APC PowerNet-MIB `rPDUOutletControlOutletCommand` and `rPDUOutletStatusOutletState`
    /// (AP7900 and later rack PDUs).
    ApcRpdu,
    /// Raritan PDU2-MIB `switchingOperation` and `outletSwitchingState`.
    Raritan,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UhubctlPower {
    /// The hub's location as `uhubctl` prints it, e.g. `1-1.4`.
    pub location: String,
    /// The hub port the unit is powered from.
    pub port: u32,
    /// The program; default `uhubctl` on PATH.
    #[serde(default = "uhubctl")]
    pub program: String,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QmpPower {
    /// QEMU's `-qmp` socket: `unix:PATH` or `tcp:HOST:PORT`.
    pub socket: String,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabgridPower {
    /// Absent in a slot that is a labgrid place: that place.
    #[serde(default)]
    pub place: Option<String>,
    /// Absent: the slot's place's coordinator, else labgrid-client's default.
    #[serde(default)]
    pub coordinator: Option<String>,
    /// Which of the place's power resources, when it has more than one (`power -n NAME`).
    #[serde(default)]
    pub resource: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabgridButton {
    /// Absent in a slot that is a labgrid place: that place.
    #[serde(default)]
    pub place: Option<String>,
    /// Absent: the slot's place's coordinator, else labgrid-client's default.
    #[serde(default)]
    pub coordinator: Option<String>,
    /// The digital output's resource name in the place; absent: the place's only one.
    #[serde(default)]
    pub output: Option<String>,
}

fn uhubctl() -> String {
    "uhubctl".into()
}
