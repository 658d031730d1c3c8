//! Facts: things learnt once per sample and shared by the cases that need them, each with its
//! evidence. A fact that could not be established carries the reason, which makes every case
//! that needs it INCONCLUSIVE.

pub mod debug_access;
pub mod factory_default;
pub mod initialized;
pub mod open_ports;
pub mod open_udp;
pub mod update_battery;

use tokio::sync::OnceCell;

#[derive(Default)]
pub struct Facts {
    pub initialized: OnceCell<Result<initialized::InitializedState, String>>,
    pub open_tcp: OnceCell<Result<open_ports::OpenPorts, String>>,
    pub open_udp: OnceCell<Result<open_udp::OpenUdp, String>>,
    pub update_battery: OnceCell<Result<update_battery::Reports, String>>,
    pub debug_access: OnceCell<Result<debug_access::DebugAccess, String>>,
}
