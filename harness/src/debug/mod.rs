//! Debug ports (SWD) behind one small trait, so the lock assessment and the test cases never
//! see which probe or library is underneath. Nothing here erases, writes or unlocks: a lab's
//! sample must leave the bench as it came.

pub mod access;
pub mod bridge_port;
pub mod hardware;
pub mod probe_rs_port;
pub mod uart_probe;

/// What a debug port can do for hilt: attach, identify, halt, read, reset. Every call blocks
/// (probes are blocking devices); callers run them off the async runtime.
pub trait DebugPort: Send {
    /// The probe and target as the evidence names them.
    fn describe(&self) -> String;
    /// Opens a debug session with the target.
    fn attach(&mut self) -> Result<(), PortError>;
    /// The debug port's identification register (DPIDR / IDCODE), when the port can read it.
    fn idcode(&mut self) -> Option<u32> {
        None
    }
    fn halt(&mut self) -> Result<(), PortError>;
    /// Reads target memory; flash, option bytes and identification registers are
    /// memory-mapped on the parts this serves.
    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), PortError>;
    /// Resets the target so it runs its firmware again.
    fn reset(&mut self) -> Result<(), PortError>;
}

/// Why a debug port operation failed, in the terms a lock verdict needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortError {
    /// The part refuses a session unless it is mass-erased first (nRF APPROTECT).
    LockedWantsErase(String),
    /// The port answers, but a memory access faults (STM32 readout protection level 1).
    AccessFault(String),
    /// Nothing answers: STM32 RDP level 2 disables SWD, and a wiring, power or probe fault
    /// looks exactly the same.
    NoResponse(String),
    /// No probe matches the rig's selector.
    NoProbe(String),
    Other(String),
}

impl std::fmt::Display for PortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortError::LockedWantsErase(e) => write!(f, "the part wants a mass erase first: {e}"),
            PortError::AccessFault(e) => write!(f, "memory access fault: {e}"),
            PortError::NoResponse(e) => write!(f, "no response from the debug port: {e}"),
            PortError::NoProbe(e) => write!(f, "no debug probe: {e}"),
            PortError::Other(e) => f.write_str(e),
        }
    }
}

/// Opens the port a rig's SWD wiring names (blocking: call it off the async runtime).
pub fn open(
    wiring: &crate::config::debug_interface::SwdResource,
) -> Result<Box<dyn DebugPort>, PortError> {
    match (&wiring.probe, &wiring.bridge) {
        (Some(p), _) => Ok(Box::new(probe_rs_port::ProbeRsPort::open(
            &p.selector,
            &p.chip,
        )?)),
        (None, Some(b)) => Ok(Box::new(bridge_port::BridgePort::new(b.into()))),
        (None, None) => Err(PortError::NoProbe("no probe or bridge given".into())),
    }
}
