//! Power and reset-button actuators behind one trait, one file per backend: a socket controller
//! that takes text lines (`line`), programs the lab already uses for its relays (`command`),
//! and the relays labs own, spoken to natively and read back after every switch (`tasmota`,
//! `shelly`, `rest`, `snmp_pdu`, `uhubctl`, a QEMU machine's monitor, `qmp`, and a labgrid
//! place's power port, `labgrid`). A new backend is its file here, its resource in
//! `config::power` and one arm in `power`/`button`.

mod command;
mod labgrid;
mod line;
mod qmp;
mod read_back;
mod relay_http;
#[cfg(test)]
mod relay_tests;
mod rest;
mod shelly;
mod snmp_pdu;
mod tasmota;
pub mod tracked;
mod uhubctl;

use super::error::Error;
use crate::config::rig::{
    ButtonBackend, CommandButton, CommandPower, LineButton, LinePower, PowerBackend,
};
use command::CommandSwitch;
use line::LineSwitch;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PowerOn,
    PowerOff,
    Press(Duration),
}

pub type ActFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;

pub trait Switch: Send + Sync {
    fn actuate(&self, action: Action) -> ActFuture<'_>;
}

/// Builds the rig's backends; `fill` resolves `{scratch}` and similar in their strings.
pub fn power(
    backend: &PowerBackend,
    fill: &dyn Fn(&str) -> String,
    cwd: PathBuf,
) -> Result<Box<dyn Switch>, Error> {
    use read_back::ReadBack;
    Ok(match backend {
        PowerBackend::Line(LinePower {
            endpoint,
            on,
            off,
            reply,
        }) => Box::new(LineSwitch {
            endpoint: fill(endpoint),
            on: Some(on.clone()),
            off: Some(off.clone()),
            press: None,
            reply: reply.clone(),
        }),
        PowerBackend::Command(CommandPower { on, off }) => Box::new(CommandSwitch {
            on: Some(on.iter().map(|a| fill(a)).collect()),
            off: Some(off.iter().map(|a| fill(a)).collect()),
            press: None,
            cwd,
        }),
        PowerBackend::Tasmota(c) => Box::new(ReadBack(tasmota::Tasmota::new(c)?)),
        PowerBackend::Shelly(c) => Box::new(ReadBack(shelly::Shelly::new(c)?)),
        PowerBackend::Rest(c) => Box::new(ReadBack(rest::Rest::new(c)?)),
        PowerBackend::SnmpPdu(c) => Box::new(ReadBack(snmp_pdu::SnmpPdu::new(c)?)),
        PowerBackend::Uhubctl(c) => Box::new(ReadBack(uhubctl::Uhubctl(c.clone()))),
        PowerBackend::Qmp(c) => Box::new(ReadBack(qmp::Qmp {
            endpoint: fill(&c.socket),
        })),
        PowerBackend::Labgrid(c) => Box::new(ReadBack(labgrid::LabgridSwitch(c.clone()))),
    })
}

pub fn button(
    backend: &ButtonBackend,
    fill: &dyn Fn(&str) -> String,
    cwd: PathBuf,
) -> Box<dyn Switch> {
    match backend {
        ButtonBackend::Line(LineButton {
            endpoint,
            press,
            reply,
        }) => Box::new(LineSwitch {
            endpoint: fill(endpoint),
            on: None,
            off: None,
            press: Some(press.clone()),
            reply: reply.clone(),
        }),
        ButtonBackend::Command(CommandButton { press }) => Box::new(CommandSwitch {
            on: None,
            off: None,
            press: Some(press.iter().map(|a| fill(a)).collect()),
            cwd,
        }),
        ButtonBackend::Labgrid(b) => Box::new(labgrid::LabgridButtonSwitch(b.clone())),
    }
}

/// A controller's socket, whichever kind the rig names.
pub(super) trait Duplex:
    tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send
{
}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Duplex for T {}

/// Connects to `endpoint`, `unix:PATH` or `tcp:HOST:PORT` (the caller names it in errors).
pub(super) async fn connect_endpoint(endpoint: &str) -> Result<Box<dyn Duplex>, Error> {
    let bench = |e: std::io::Error| Error::Bench(e.to_string());
    if let Some(path) = endpoint.strip_prefix("unix:") {
        Ok(Box::new(
            tokio::net::UnixStream::connect(path).await.map_err(bench)?,
        ))
    } else if let Some(addr) = endpoint.strip_prefix("tcp:") {
        Ok(Box::new(
            tokio::net::TcpStream::connect(addr).await.map_err(bench)?,
        ))
    } else {
        Err(Error::Config(format!(
            "endpoint `{endpoint}`: expected unix:PATH or tcp:HOST:PORT"
        )))
    }
}

/// One action under a deadline: a controller that hangs is the bench's failure, not a wait.
pub async fn actuate_within(
    switch: &dyn Switch,
    which: &str,
    action: Action,
    within: Duration,
) -> Result<(), Error> {
    crate::transport::device_time::timeout(within, switch.actuate(action))
        .await
        .map_err(|_| {
            Error::Bench(format!(
                "{which} backend gave no answer within {:.1}s",
                within.as_secs_f64()
            ))
        })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::verdict::Cause;

    /// A controller that answers each action after a scripted delay; what hardware cannot show
    /// on demand (a relay that hangs) is scripted here.
    struct Scripted {
        delay: Duration,
        done: std::sync::Mutex<Vec<Action>>,
    }

    impl Switch for Scripted {
        fn actuate(&self, action: Action) -> ActFuture<'_> {
            Box::pin(async move {
                crate::transport::device_time::sleep(self.delay).await;
                self.done.lock().unwrap().push(action);
                Ok(())
            })
        }
    }

    #[tokio::test]
    async fn a_controller_that_hangs_is_the_benchs_failure_within_the_deadline() {
        let hung = Scripted {
            delay: Duration::from_secs(3600),
            done: Default::default(),
        };
        let started = std::time::Instant::now();
        let e = actuate_within(&hung, "power", Action::PowerOff, Duration::from_millis(50))
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(e.cause(), Cause::Bench);
        assert!(e
            .to_string()
            .contains("power backend gave no answer within 0.1s"));
        let quick = Scripted {
            delay: Duration::ZERO,
            done: Default::default(),
        };
        actuate_within(&quick, "power", Action::PowerOn, Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!(*quick.done.lock().unwrap(), vec![Action::PowerOn]);
    }
}
