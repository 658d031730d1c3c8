//! The camera's link to its cloud, over the uplink the bench can cut: `connected` a moment after
//! the uplink comes up, `offline` while it is down. Local control does not depend on it, unless
//! a fault makes it.

use crate::firmware::Fault;
use crate::unit::Unit;
use std::time::{Duration, Instant};

/// How long the cloud client takes to connect once the uplink is up.
const CONNECT_AFTER: Duration = Duration::from_millis(300);

#[derive(Debug)]
pub struct Cloud {
    up: bool,
    since: Instant,
    /// The uplink has been down once (fault never-reconnects keeps the client offline after).
    was_cut: bool,
}

impl Default for Cloud {
    fn default() -> Cloud {
        Cloud {
            up: true,
            since: Instant::now() - CONNECT_AFTER,
            was_cut: false,
        }
    }
}

pub fn uplink(unit: &Unit, up: bool) {
    let mut cloud = unit.cloud.lock().unwrap();
    if cloud.up != up {
        cloud.up = up;
        cloud.since = Instant::now();
        cloud.was_cut |= !up;
    }
}

pub fn status(unit: &Unit) -> &'static str {
    let cloud = unit.cloud.lock().unwrap();
    let gave_up = cloud.was_cut && unit.has(Fault::NeverReconnects);
    match cloud.up && cloud.since.elapsed() >= CONNECT_AFTER && !gave_up {
        true => "connected",
        false => "offline",
    }
}

/// Whether the local API answers: always, unless fault local-control-needs-cloud and the
/// uplink is down.
pub fn local_control(unit: &Unit) -> bool {
    !unit.has(Fault::LocalControlNeedsCloud) || unit.cloud.lock().unwrap().up
}
