//! The debug port of a real probe, through probe-rs (pinned 0.32.0). Sessions are opened with
//! default permissions, which do not allow erasing: a locked nRF answers "wants erase_all" and
//! stays as it is. Every probe-rs call runs under `catch_unwind`, so a probe-rs panic on an odd
//! target becomes an error for this sample instead of ending the run.

use super::{DebugPort, PortError};
use probe_rs::architecture::arm::dp::{DpAddress, DpRegisterAddress};
use probe_rs::architecture::arm::{ArmError, DapError};
use probe_rs::probe::{DebugProbeError, DebugProbeSelector, Probe};
use probe_rs::{Error, MemoryInterface, Permissions, Session};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

pub struct ProbeRsPort {
    label: String,
    chip: String,
    probe: Option<Probe>,
    session: Option<Session>,
}

impl ProbeRsPort {
    /// Opens the probe named by `selector` (`VID:PID` or `VID:PID:serial`) for `chip` (a
    /// probe-rs target name such as `nRF52840_xxAA`).
    pub fn open(selector: &str, chip: &str) -> Result<ProbeRsPort, PortError> {
        let parsed: DebugProbeSelector = selector.parse().map_err(|e| {
            PortError::NoProbe(format!("`{selector}` is not VID:PID[:serial]: {e}"))
        })?;
        let lister = probe_rs::probe::list::Lister::new();
        let probe = guarded(|| lister.open(parsed).map_err(Error::Probe)).map_err(|e| {
            let detail = match e {
                PortError::NoProbe(d) | PortError::Other(d) => d,
                other => other.to_string(),
            };
            // What is plugged in tells the lab whether the selector or the cable is wrong.
            let present = match super::hardware::probes() {
                Ok(found) if found.is_empty() => "none".to_string(),
                Ok(found) => found.into_iter().map(|(s, _)| s).collect::<Vec<_>>().join(", "),
                Err(e) => e,
            };
            PortError::NoProbe(format!(
                "none matches `{selector}` (probes on this bench: {present}; `hilt hardware` lists them); probe-rs: {detail}"
            ))
        })?;
        Ok(ProbeRsPort::with_probe(probe, selector, chip))
    }

    /// A port over a probe already opened (tests give probe-rs's FakeProbe here).
    pub fn with_probe(probe: Probe, label: &str, chip: &str) -> ProbeRsPort {
        ProbeRsPort {
            label: label.to_string(),
            chip: chip.to_string(),
            probe: Some(probe),
            session: None,
        }
    }

    fn session(&mut self) -> Result<&mut Session, PortError> {
        self.session
            .as_mut()
            .ok_or_else(|| PortError::Other("not attached".into()))
    }
}

impl DebugPort for ProbeRsPort {
    fn describe(&self) -> String {
        format!("probe-rs probe {} attached as {}", self.label, self.chip)
    }

    fn attach(&mut self) -> Result<(), PortError> {
        let probe = self
            .probe
            .take()
            .ok_or_else(|| PortError::Other("the probe was used by an earlier attach".into()))?;
        let chip = self.chip.clone();
        let session = guarded(move || probe.attach(chip, Permissions::default()))?;
        self.session = Some(session);
        Ok(())
    }

    fn idcode(&mut self) -> Option<u32> {
        let session = self.session().ok()?;
        guarded(|| {
            let arm = session.get_arm_interface().map_err(Error::Arm)?;
            let dpidr = DpRegisterAddress {
                address: 0,
                bank: None,
            };
            arm.read_raw_dp_register(DpAddress::Default, dpidr)
                .map_err(Error::Arm)
        })
        .ok()
    }

    fn halt(&mut self) -> Result<(), PortError> {
        let session = self.session()?;
        guarded(|| {
            session
                .core(0)?
                .halt(Duration::from_millis(500))
                .map(|_| ())
        })
    }

    fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), PortError> {
        let session = self.session()?;
        guarded(|| session.core(0)?.read_8(address, buf))
    }

    fn reset(&mut self) -> Result<(), PortError> {
        let session = self.session()?;
        guarded(|| session.core(0)?.reset())
    }
}

/// Runs a probe-rs call, turning its error (or panic) into what a lock verdict needs.
fn guarded<T>(call: impl FnOnce() -> Result<T, Error>) -> Result<T, PortError> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(classify(&e)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(PortError::Other(format!("probe-rs panicked: {what}")))
        }
    }
}

fn classify(e: &Error) -> PortError {
    let text = chain(e);
    if matches!(
        e,
        Error::MissingPermissions(_) | Error::Arm(ArmError::MissingPermissions(_))
    ) {
        return PortError::LockedWantsErase(text);
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(dap) = s.downcast_ref::<DapError>() {
            return match dap {
                DapError::FaultResponse => PortError::AccessFault(text),
                DapError::NoAcknowledge => PortError::NoResponse(text),
                _ => PortError::Other(text),
            };
        }
        if let Some(ArmError::Timeout) = s.downcast_ref::<ArmError>() {
            return PortError::NoResponse(text);
        }
        if let Some(DebugProbeError::ProbeCouldNotBeCreated(_)) =
            s.downcast_ref::<DebugProbeError>()
        {
            return PortError::NoProbe(text);
        }
        source = s.source();
    }
    PortError::Other(text)
}

/// An error with its causes: probe-rs's outer messages alone are often just "an ARM specific
/// error occurred".
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debug::access::{assess, Access, Expectation, Region};
    use probe_rs::architecture::arm::FullyQualifiedApAddress;
    use probe_rs::probe::fake_probe::{FakeProbe, Operation};

    const NRF52840: &str = "nRF52840_xxAA";

    /// nRF52's CTRL-AP (AP 1) APPROTECTSTATUS register: 0 means protected.
    fn nrf_ctrl_ap_says(protected: bool) -> FakeProbe {
        let fake = FakeProbe::with_mocked_core();
        fake.expect_operation(Operation::ReadRawApRegister {
            ap: FullyQualifiedApAddress::v1_with_default_dp(1),
            address: 0x0C,
            result: u32::from(!protected),
        });
        fake
    }

    fn flash() -> Vec<Region> {
        vec![Region {
            name: "flash".into(),
            start: 0,
            length: 64,
        }]
    }

    #[test]
    fn a_locked_nrf_refuses_the_session_and_is_not_erased() {
        let mut port =
            ProbeRsPort::with_probe(nrf_ctrl_ap_says(true).into_probe(), "fake", NRF52840);
        let err = port.attach().unwrap_err();
        assert!(
            matches!(&err, PortError::LockedWantsErase(t) if t.contains("erase_all")),
            "{err:?}"
        );
        let regions = flash();
        let mut port =
            ProbeRsPort::with_probe(nrf_ctrl_ap_says(true).into_probe(), "fake", NRF52840);
        let verdict = assess(
            &mut port,
            &Expectation {
                regions: &regions,
                protection_register: None,
                silent_when_locked: false,
            },
        );
        assert!(
            matches!(&verdict, Access::Locked { how, .. } if how.contains("mass-erased")),
            "{verdict:?}"
        );
    }

    #[test]
    fn an_open_nrf_attaches_halts_and_its_memory_reads() {
        let mut port =
            ProbeRsPort::with_probe(nrf_ctrl_ap_says(false).into_probe(), "fake", NRF52840);
        port.attach().expect("an unprotected part attaches");
        port.halt().expect("the mocked core halts");
        let mut buf = [0xffu8; 16];
        port.read(0x0, &mut buf).expect("flash reads");
        assert_eq!(buf, [0u8; 16], "FakeProbe's mocked memory reads as zeros");
        // The fake has no DP register model: the optional IDCODE is absent, not a crash.
        assert_eq!(port.idcode(), None);
    }

    #[test]
    fn selectors_that_name_no_probe_say_so() {
        match ProbeRsPort::open("not-a-selector", NRF52840) {
            Err(PortError::NoProbe(t)) => assert!(t.contains("VID:PID"), "{t}"),
            other => panic!("{:?}", other.err()),
        }
        match ProbeRsPort::open("1366:0105:HILT-ABSENT", NRF52840) {
            Err(PortError::NoProbe(t)) => {
                assert!(t.contains("none matches `1366:0105:HILT-ABSENT`"), "{t}");
                assert!(t.contains("probes on this bench: "), "{t}");
            }
            other => panic!("{:?}", other.err()),
        }
    }
}
