//! IXIT 23 "Resilience Mechanisms" as hilt tests them (5.9-2): the functions that must keep
//! working without the network, and how to tell the unit is connected to its services again.

use super::duration::Dur;
use super::located::Located;
use super::procedure::Step;
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resilience {
    /// How long hilt cuts the unit's uplink for.
    #[serde(default = "default_outage")]
    pub outage: Dur,
    /// What the user can still do locally without the network (a console command, a local API
    /// call): each procedure must complete while the uplink is cut, and after a power cut.
    pub local_functions: Vec<Located<LocalFunction>>,
    /// Steps that complete only while the unit is connected to its remote services (e.g. a
    /// status call whose answer must show "connected"); empty: reconnection is not checked.
    #[serde(default)]
    pub connected: Vec<Located<Step>>,
    /// How soon after the uplink returns `connected` must complete again.
    #[serde(default = "default_reconnect")]
    pub reconnect_within: Dur,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalFunction {
    pub id: String,
    #[serde(default)]
    pub description: String,
    pub steps: Vec<Located<Step>>,
}

fn default_outage() -> Dur {
    Dur(Duration::from_secs(10))
}

fn default_reconnect() -> Dur {
    Dur(Duration::from_secs(60))
}
