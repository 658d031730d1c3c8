//! Is a debug port open? Attach, then read the regions the profile names, and say what was
//! seen: a refusal that wants an erase (nRF APPROTECT), faulting reads behind an answering port
//! (readout protection), silence (RDP level 2 — or a cable), or readable memory with its bytes.

use super::{DebugPort, PortError};

/// Reads stop here in total, whatever the profile asks: a dump is evidence, not a backup.
pub const MAX_DUMP: u64 = 16 << 20;
const CHUNK: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub name: String,
    pub start: u64,
    pub length: u64,
}

/// A register whose masked value shows the protection level (STM32 option bytes' RDP field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionRegister {
    pub address: u64,
    pub mask: u32,
    /// The masked value when memory is readable (STM32: 0xAA, level 0).
    pub open_value: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Memory could be read: the interface is open. The dumps are kept as evidence.
    Readable {
        idcode: Option<u32>,
        dumps: Vec<(Region, Vec<u8>)>,
        notes: Vec<String>,
    },
    /// The port refused, with what showed it.
    Locked { how: String, notes: Vec<String> },
    /// No conclusion possible (no probe, silence not declared as RDP2, a probe error).
    Unknown { why: String, notes: Vec<String> },
}

pub struct Expectation<'a> {
    pub regions: &'a [Region],
    pub protection_register: Option<&'a ProtectionRegister>,
    /// The profile says the part is at readout protection level 2, where silence is expected.
    pub silent_when_locked: bool,
}

pub fn assess(port: &mut dyn DebugPort, want: &Expectation<'_>) -> Access {
    let mut notes = vec![format!("debug port: {}", port.describe())];
    if let Err(e) = port.attach() {
        return match e {
            PortError::LockedWantsErase(detail) => Access::Locked {
                how: format!("the debug port refuses a session unless the part is mass-erased (APPROTECT-style lock): {detail}"),
                notes,
            },
            PortError::NoResponse(detail) if want.silent_when_locked => Access::Locked {
                how: format!("no response from the debug port, as the profile declares for readout protection level 2 ({detail}); a wiring or power fault would look the same"),
                notes,
            },
            PortError::NoResponse(detail) => Access::Unknown {
                why: format!("no response from the debug port ({detail}): readout protection level 2 or a wiring, power or probe fault; the profile does not declare level 2, so hilt cannot tell"),
                notes,
            },
            other => Access::Unknown {
                why: other.to_string(),
                notes,
            },
        };
    }
    let idcode = port.idcode();
    if let Some(id) = idcode {
        notes.push(format!("IDCODE {id:#010x}"));
    }
    if let Err(e) = port.halt() {
        notes.push(format!("halt: {e} (memory read with the core running)"));
    }
    let result = read_all(port, want, &mut notes);
    if let Err(e) = port.reset() {
        notes.push(format!("reset after reading: {e}"));
    }
    match result {
        Ok(dumps) => Access::Readable {
            idcode,
            dumps,
            notes,
        },
        Err(Stop::Locked(how)) => Access::Locked { how, notes },
        Err(Stop::Unknown(why)) => Access::Unknown { why, notes },
    }
}

enum Stop {
    Locked(String),
    Unknown(String),
}

fn read_all(
    port: &mut dyn DebugPort,
    want: &Expectation<'_>,
    notes: &mut Vec<String>,
) -> Result<Vec<(Region, Vec<u8>)>, Stop> {
    if let Some(reg) = want.protection_register {
        let mut word = [0u8; 4];
        match port.read(reg.address, &mut word) {
            Ok(()) => {
                let level = u32::from_le_bytes(word) & reg.mask;
                notes.push(format!(
                    "protection register {:#x}: {level:#x} (readable memory shows {:#x})",
                    reg.address, reg.open_value
                ));
                if level != reg.open_value {
                    notes.push("the protection register says memory is protected".into());
                }
            }
            Err(e) => notes.push(format!("protection register {:#x}: {e}", reg.address)),
        }
    }
    let mut budget = MAX_DUMP;
    let mut dumps = Vec::new();
    for region in want.regions {
        let length = region.length.min(budget);
        if length < region.length {
            notes.push(format!(
                "{}: only the first {length} bytes read (dump limit {MAX_DUMP} bytes)",
                region.name
            ));
        }
        budget -= length;
        let mut bytes = vec![0u8; length as usize];
        for (i, chunk) in bytes.chunks_mut(CHUNK).enumerate() {
            let at = region.start + (i * CHUNK) as u64;
            match port.read(at, chunk) {
                Ok(()) => {}
                Err(PortError::AccessFault(detail)) => {
                    return Err(Stop::Locked(format!(
                        "the debug port answers, but reading {} at {at:#x} faults (readout protection, e.g. STM32 RDP level 1): {detail}",
                        region.name
                    )))
                }
                Err(e) => {
                    return Err(Stop::Unknown(format!(
                        "reading {} at {at:#x}: {e}",
                        region.name
                    )))
                }
            }
        }
        dumps.push((region.clone(), bytes));
    }
    Ok(dumps)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted port: attach outcome, memory, and an address from which reads fault.
    struct Scripted {
        attach: Result<(), PortError>,
        memory: Vec<u8>,
        fault_from: Option<u64>,
        resets: u32,
    }

    impl DebugPort for Scripted {
        fn describe(&self) -> String {
            "scripted".into()
        }
        fn attach(&mut self) -> Result<(), PortError> {
            self.attach.clone()
        }
        fn idcode(&mut self) -> Option<u32> {
            Some(0x2ba0_1477)
        }
        fn halt(&mut self) -> Result<(), PortError> {
            Ok(())
        }
        fn read(&mut self, address: u64, buf: &mut [u8]) -> Result<(), PortError> {
            if self.fault_from.is_some_and(|f| address >= f) {
                return Err(PortError::AccessFault("FAULT response".into()));
            }
            for (i, b) in buf.iter_mut().enumerate() {
                *b = *self.memory.get(address as usize + i).unwrap_or(&0xff);
            }
            Ok(())
        }
        fn reset(&mut self) -> Result<(), PortError> {
            self.resets += 1;
            Ok(())
        }
    }

    fn port(attach: Result<(), PortError>, fault_from: Option<u64>) -> Scripted {
        Scripted {
            attach,
            memory: (0..=255u8).cycle().take(10_000).collect(),
            fault_from,
            resets: 0,
        }
    }

    fn flash() -> Vec<Region> {
        vec![Region {
            name: "flash".into(),
            start: 0,
            length: 9000,
        }]
    }

    fn expect(regions: &[Region], rdp2: bool) -> Expectation<'_> {
        Expectation {
            regions,
            protection_register: None,
            silent_when_locked: rdp2,
        }
    }

    #[test]
    fn an_open_port_gives_the_memory_and_the_unit_is_reset_afterwards() {
        let regions = flash();
        let mut p = port(Ok(()), None);
        match assess(&mut p, &expect(&regions, false)) {
            Access::Readable { idcode, dumps, .. } => {
                assert_eq!(idcode, Some(0x2ba0_1477));
                assert_eq!(dumps[0].1.len(), 9000);
                assert_eq!(dumps[0].1[300], 44);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(p.resets, 1);
    }

    #[test]
    fn each_lock_is_named_by_what_showed_it() {
        let regions = flash();
        let wants_erase = assess(
            &mut port(Err(PortError::LockedWantsErase("erase_all".into())), None),
            &expect(&regions, false),
        );
        assert!(
            matches!(wants_erase, Access::Locked { ref how, .. } if how.contains("mass-erased"))
        );
        let rdp1 = assess(&mut port(Ok(()), Some(4096)), &expect(&regions, false));
        assert!(matches!(rdp1, Access::Locked { ref how, .. } if how.contains("at 0x1000 faults")));
        let silent = Err(PortError::NoResponse("no ACK".into()));
        let rdp2 = assess(&mut port(silent.clone(), None), &expect(&regions, true));
        assert!(matches!(rdp2, Access::Locked { ref how, .. } if how.contains("level 2")));
        let unknown = assess(&mut port(silent, None), &expect(&regions, false));
        assert!(matches!(unknown, Access::Unknown { ref why, .. } if why.contains("cannot tell")));
        let no_probe = assess(
            &mut port(Err(PortError::NoProbe("1366:0105 not found".into())), None),
            &expect(&regions, false),
        );
        assert!(
            matches!(no_probe, Access::Unknown { ref why, .. } if why.contains("no debug probe"))
        );
    }

    #[test]
    fn the_protection_register_is_reported_and_dumps_are_bounded() {
        let regions = vec![Region {
            name: "everything".into(),
            start: 0,
            length: u64::MAX,
        }];
        let register = ProtectionRegister {
            address: 0x10,
            mask: 0xff,
            open_value: 0xaa,
        };
        let want = Expectation {
            regions: &regions,
            protection_register: Some(&register),
            silent_when_locked: false,
        };
        match assess(&mut port(Ok(()), None), &want) {
            Access::Readable { dumps, notes, .. } => {
                assert_eq!(dumps[0].1.len() as u64, MAX_DUMP);
                assert!(
                    notes
                        .iter()
                        .any(|n| n.contains("0x10: 0x10 (readable memory shows 0xaa)")),
                    "{notes:?}"
                );
                assert!(notes.iter().any(|n| n.contains("says memory is protected")));
            }
            other => panic!("{other:?}"),
        }
    }
}
