//! The simulated unit's command line.

use crate::firmware::Fault;
use crate::hostile;
use std::net::IpAddr;
use std::path::PathBuf;

const USAGE: &str = "usage: hilt-simdevice --firmware FILE --address IP --dir DIR --unit N [--address6 IPV6] [--fault NAME]... [--hostile NAME]... [--boot-delay MS] [--ssh-server]";

pub struct Args {
    pub firmware: PathBuf,
    pub address: IpAddr,
    pub address6: Option<IpAddr>,
    pub dir: PathBuf,
    pub unit: u32,
    pub faults: Vec<Fault>,
    pub hostile: Vec<hostile::Hostile>,
    pub boot_delay_ms: Option<u64>,
    /// The model variant with an SSH server on `ssh_port`.
    pub ssh_server: bool,
}

pub fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut firmware, mut address, mut dir, mut unit) = (None, None, None, None);
    let mut faults = Vec::new();
    let mut hostile = Vec::new();
    let mut boot_delay_ms = None;
    let mut address6 = None;
    let mut ssh_server = false;
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--firmware" => firmware = Some(PathBuf::from(value()?)),
            "--address" => address = Some(value()?.parse().map_err(|e| format!("--address: {e}"))?),
            "--address6" => {
                address6 = Some(value()?.parse().map_err(|e| format!("--address6: {e}"))?)
            }
            "--dir" => dir = Some(PathBuf::from(value()?)),
            "--unit" => unit = Some(value()?.parse().map_err(|e| format!("--unit: {e}"))?),
            "--boot-delay" => {
                boot_delay_ms = Some(value()?.parse().map_err(|e| format!("--boot-delay: {e}"))?)
            }
            "--ssh-server" => ssh_server = true,
            "--fault" => {
                let name = value()?;
                let known: Vec<&str> = Fault::ALL.iter().map(|(n, _)| *n).collect();
                faults.push(
                    Fault::parse(&name).ok_or_else(|| {
                        format!("unknown fault {name}; known: {}", known.join(", "))
                    })?,
                );
            }
            "--hostile" => {
                let name = value()?;
                let known: Vec<&str> = hostile::Hostile::ALL.iter().map(|(n, _)| *n).collect();
                hostile.push(hostile::Hostile::parse(&name).ok_or_else(|| {
                    format!(
                        "unknown hostile behaviour {name}; known: {}",
                        known.join(", ")
                    )
                })?);
            }
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    Ok(Args {
        firmware: firmware.ok_or(USAGE)?,
        address: address.ok_or(USAGE)?,
        address6,
        dir: dir.ok_or(USAGE)?,
        unit: unit.ok_or(USAGE)?,
        faults,
        hostile,
        boot_delay_ms,
        ssh_server,
    })
}
