//! A labgrid place's power, through `labgrid-client power on|off|get` while this run holds the
//! place: labgrid drives whatever power port the place has, and `get` reads it back.

use super::read_back::Relay;
use crate::config::power::LabgridPower;
use crate::transport::error::Error;
use crate::transport::labgrid::Coordinator;
use futures_util::future::BoxFuture;

pub(super) struct LabgridSwitch(pub LabgridPower);

impl LabgridSwitch {
    async fn power(&self, action: &'static str) -> Result<String, Error> {
        let c = Coordinator(self.0.coordinator.clone());
        let mut args = vec!["power", action];
        if let Some(r) = &self.0.resource {
            args.extend(["-n", r]);
        }
        c.client_async(self.0.place.as_deref(), &args)
            .await
            .map_err(Error::Bench)
    }
}

/// `power for place p1 is on` (labgrid 26): the last word.
fn state(said: &str) -> Option<bool> {
    let line = said.lines().rev().find(|l| l.contains(" is "))?;
    match line.split_whitespace().last()? {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    }
}

impl Relay for LabgridSwitch {
    fn set(&self, on: bool) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move { self.power(if on { "on" } else { "off" }).await.map(drop) })
    }

    fn is_on(&self) -> BoxFuture<'_, Result<bool, Error>> {
        Box::pin(async move {
            let said = self.power("get").await?;
            state(&said).ok_or_else(|| {
                Error::Bench(format!("labgrid-client power get said `{}`", said.trim()))
            })
        })
    }

    fn describe(&self) -> String {
        let c = Coordinator(self.0.coordinator.clone());
        format!(
            "labgrid place {} on {}",
            self.0.place.as_deref().unwrap_or("?"),
            c.name()
        )
    }
}

/// A button pressed through one of the place's digital outputs: high, held, low. Each
/// `labgrid-client` call takes a few hundred milliseconds to start, so the press lasts that much
/// longer than asked.
pub(super) struct LabgridButtonSwitch(pub crate::config::power::LabgridButton);

async fn io(b: &crate::config::power::LabgridButton, level: &'static str) -> Result<(), Error> {
    let mut args = vec!["io", level];
    if let Some(o) = &b.output {
        args.push(o);
    }
    Coordinator(b.coordinator.clone())
        .client_async(b.place.as_deref(), &args)
        .await
        .map(drop)
        .map_err(Error::Bench)
}

impl super::Switch for LabgridButtonSwitch {
    fn actuate(&self, action: super::Action) -> super::ActFuture<'_> {
        Box::pin(async move {
            let super::Action::Press(hold) = action else {
                return Err(Error::Config(
                    "a labgrid digital output wired as a button only presses".into(),
                ));
            };
            io(&self.0, "high").await?;
            // A press cut short (the case's deadline, an interrupt) still lets go of the button.
            let release = Release(Some(self.0.clone()));
            crate::transport::device_time::sleep(hold).await;
            release.now().await
        })
    }
}

struct Release(Option<crate::config::power::LabgridButton>);

impl Release {
    async fn now(mut self) -> Result<(), Error> {
        let b = self.0.take().expect("released once");
        io(&b, "low").await
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        if let (Some(b), Ok(rt)) = (self.0.take(), tokio::runtime::Handle::try_current()) {
            rt.spawn(async move { io(&b, "low").await });
        }
    }
}

#[cfg(test)]
#[path = "labgrid_tests.rs"]
mod labgrid_tests;

#[cfg(test)]
mod tests {
    #[test]
    fn the_state_is_the_last_word_of_what_labgrid_says() {
        assert_eq!(super::state("power for place p1 is on\n"), Some(true));
        assert_eq!(super::state("power pdu for place p1 is off"), Some(false));
        assert_eq!(super::state("Traceback ..."), None);
    }
}
