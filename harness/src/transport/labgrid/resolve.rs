//! A rig's labgrid slots made whole: `Acquire` holds each place for the run and reads what it
//! offers; `Describe` only reads what the coordinator publishes (for checking a rig), which
//! lacks the console's port until someone acquires the place.

use super::hold::Hold;
use super::show::{self, Offer};
use super::Coordinator;
use crate::config::rig::{LabgridPlace, PlaceResolver, PlaceResources};
use std::time::{Duration, Instant};

/// How long an exporter may take to start a place's ser2net after the place is acquired.
const CONSOLE_WITHIN: Duration = Duration::from_secs(15);

fn coordinator(place: &LabgridPlace) -> Coordinator {
    Coordinator(place.coordinator.clone())
}

fn shown(c: &Coordinator, place: &str) -> Result<Offer, String> {
    let text = c.client(Some(place), &["show"])?;
    let shown = show::parse(&text).map_err(|e| format!("labgrid-client show: {e}"))?;
    show::offered(&shown)
}

/// Holds every place it resolves until it is dropped.
#[derive(Default)]
pub struct Acquire {
    pub holds: Vec<Hold>,
    /// Per slot: the place, who held it before, what was taken from it.
    pub record: Vec<String>,
}

impl PlaceResolver for Acquire {
    fn resolve(&mut self, slot: &str, place: &LabgridPlace) -> Result<PlaceResources, String> {
        let c = coordinator(place);
        let name = place.place.value.as_str();
        let hold = Hold::acquire(&c, name)?;
        let started = Instant::now();
        let offer = loop {
            let offer = shown(&c, name)?;
            if !offer.console_pending {
                break offer;
            }
            if started.elapsed() > CONSOLE_WITHIN {
                return Err(format!(
                    "the exporter published no port for the place's serial port within {}s of acquiring it (is ser2net installed on the exporter?)",
                    CONSOLE_WITHIN.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        };
        let how = match hold.ours {
            true => "acquired for this run",
            false => "already held by this user before the run; left held",
        };
        eprintln!(
            "hilt: slot {slot}: labgrid place `{name}` on {} {how}",
            c.name()
        );
        let mut line = format!("slot {slot}: labgrid place `{name}` on {}, {how}", c.name());
        for t in &offer.resources.taken {
            line.push_str(&format!("\n  {t}"));
        }
        self.record.push(line);
        self.holds.push(hold);
        Ok(offer.resources)
    }
}

/// Reads what a place publishes without holding it.
pub struct Describe;

impl PlaceResolver for Describe {
    fn resolve(&mut self, _: &str, place: &LabgridPlace) -> Result<PlaceResources, String> {
        shown(&coordinator(place), &place.place.value).map(|o| o.resources)
    }
}
