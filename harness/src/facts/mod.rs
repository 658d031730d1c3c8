//! Facts: things learnt once per sample and shared by the cases that need them, each with its
//! evidence, kept in the sample's `Learnt` store keyed by its value type. A fact that could not be established carries the reason, which makes every case
//! that needs it INCONCLUSIVE.

pub mod debug_access;
pub mod factory_default;
pub mod initialized;
pub mod open_ports;
pub mod open_udp;
pub mod update_battery;
