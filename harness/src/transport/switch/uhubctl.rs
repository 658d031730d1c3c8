//! A USB-powered unit on a hub with per-port power switching, through `uhubctl`: `-a on|off`
//! switches the port, and the status it prints (`Port 2: 0503 power ...`, `Port 2: 0000 off`)
//! is read back.

use super::read_back::Relay;
use crate::config::power::UhubctlPower;
use crate::transport::error::Error;
use futures_util::future::BoxFuture;
use std::time::Duration;

const RUN_WITHIN: Duration = Duration::from_secs(10);

pub(super) struct Uhubctl(pub UhubctlPower);

impl Uhubctl {
    async fn run(&self, action: Option<&str>) -> Result<String, Error> {
        let c = &self.0;
        let mut command = tokio::process::Command::new(&c.program);
        command.args(["-l", &c.location, "-p", &c.port.to_string()]);
        if let Some(a) = action {
            command.args(["-a", a]);
        }
        let out =
            crate::transport::device_time::timeout(RUN_WITHIN, command.kill_on_drop(true).output())
                .await
                .map_err(|_| {
                    Error::Bench(format!(
                        "{} gave no answer within {}s",
                        c.program,
                        RUN_WITHIN.as_secs()
                    ))
                })?
                .map_err(|e| Error::Bench(format!("{}: {e}", c.program)))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            return Err(Error::Bench(format!(
                "{} exited with {}: {}",
                c.program,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(text)
    }
}

/// The port's state in the last status block uhubctl printed for the hub at `location`.
fn port_state(status: &str, location: &str, port: u32) -> Option<bool> {
    let header = format!("status for hub {location} ");
    let wanted = format!("Port {port}:");
    let mut in_hub = false;
    let mut state = None;
    for line in status.lines() {
        if line.contains("status for hub ") {
            in_hub = line.contains(&header);
        } else if in_hub && line.trim_start().starts_with(&wanted) {
            let words: Vec<&str> = line.split_whitespace().collect();
            state = Some(words.contains(&"power"));
        }
    }
    state
}

impl Relay for Uhubctl {
    fn set(&self, on: bool) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            self.run(Some(if on { "on" } else { "off" }))
                .await
                .map(drop)
        })
    }

    fn is_on(&self) -> BoxFuture<'_, Result<bool, Error>> {
        Box::pin(async move {
            let status = self.run(None).await?;
            port_state(&status, &self.0.location, self.0.port).ok_or_else(|| {
                Error::Bench(format!(
                    "no Port {} of hub {} in what {} printed",
                    self.0.port, self.0.location, self.0.program
                ))
            })
        })
    }

    fn describe(&self) -> String {
        format!("uhubctl hub {} port {}", self.0.location, self.0.port)
    }
}

#[cfg(test)]
mod tests {
    use super::super::read_back::ReadBack;
    use super::super::relay_tests::{bench_error, switches_both_ways};
    use super::*;

    /// No USB hub with per-port power is on a CI machine: a stand-in prints uhubctl's status
    /// format for hub 1-1.4 and keeps port 2's state in a file; `stuck` ignores `-a`.
    fn stand_in(tag: &str, stuck: bool) -> (UhubctlPower, crate::evidence::ScratchDir) {
        let (_, dir) = crate::evidence::scratch(tag);
        let state = dir.0.join("port2");
        std::fs::write(&state, "0000 off").unwrap();
        let set = match stuck {
            true => String::new(),
            false => format!(
                "[ \"$6\" = on ] && echo '0503 power highspeed enable connect' > '{0}'\n\
                 [ \"$6\" = off ] && echo '0000 off' > '{0}'\n",
                state.display()
            ),
        };
        let script = format!(
            "#!/bin/sh\n[ \"$2\" = 1-1.4 ] && [ \"$4\" = 2 ] || {{ echo 'No compatible devices' >&2; exit 1; }}\n\
             echo 'Current status for hub 1-1.4 [0bda:5411 Generic USB2.1 Hub, USB 2.10, 4 ports, ppps]'\n\
             {set}echo \"  Port 2: $(cat '{}')\"\n",
            state.display()
        );
        let program = dir.0.join("uhubctl");
        std::fs::write(&program, script).unwrap();
        std::process::Command::new("chmod")
            .arg("+x")
            .arg(&program)
            .status()
            .unwrap();
        let config = UhubctlPower {
            location: "1-1.4".into(),
            port: 2,
            program: program.display().to_string(),
        };
        (config, dir)
    }

    #[tokio::test]
    async fn a_hub_port_switches_and_reads_back_or_is_the_benchs_error() {
        let (port, _dir) = stand_in("uhubctl", false);
        switches_both_ways(&ReadBack(Uhubctl(port))).await;
        let (port, _dir) = stand_in("uhubctl-stuck", true);
        bench_error(
            &ReadBack(Uhubctl(port.clone())),
            "switched on but still reads back off",
        )
        .await;
        let other = UhubctlPower {
            location: "3-1".into(),
            ..port
        };
        bench_error(&ReadBack(Uhubctl(other)), "No compatible devices").await;
    }

    #[test]
    fn the_ports_state_is_read_from_its_hubs_block() {
        let status = "Current status for hub 1-1 [2109:2817 VIA Labs, Inc. USB2.0 Hub, USB 2.10, 4 ports, ppps]\n  Port 2: 0000 off\nCurrent status for hub 1-1.4 [0bda:5411 Generic, USB 2.10, 4 ports, ppps]\n  Port 1: 0100 power\n  Port 2: 0503 power highspeed enable connect [0403:6001 FTDI FT232R]\n";
        assert_eq!(port_state(status, "1-1.4", 2), Some(true));
        assert_eq!(port_state(status, "1-1", 2), Some(false));
        assert_eq!(port_state(status, "1-1.4", 3), None);
        let after = format!("{status}Sent power off request\nNew status for hub 1-1.4 [0bda:5411]\n  Port 2: 0000 off\n");
        assert_eq!(port_state(&after, "1-1.4", 2), Some(false));
    }
}
