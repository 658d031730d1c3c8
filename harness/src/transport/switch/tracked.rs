//! A power switch that remembers when it last cut the unit's power, so whatever stops a step
//! between PowerOff and PowerOn (an operator's interrupt, a case past its budget, a failed
//! step) cannot leave the unit unpowered unnoticed: the run switches it back on and says so.

use super::{ActFuture, Action, Switch};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct PowerState {
    /// Set before the cut is asked for (a cut interrupted midway may have happened), cleared
    /// once power is back on.
    off_since: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
}

impl PowerState {
    /// When the power was cut, if it has not been switched back on since.
    pub fn left_off(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        *self.off_since.lock().unwrap()
    }
}

pub struct Tracked {
    pub inner: Box<dyn Switch>,
    pub state: Arc<PowerState>,
}

impl Switch for Tracked {
    fn actuate(&self, action: Action) -> ActFuture<'_> {
        Box::pin(async move {
            if action == Action::PowerOff {
                self.state
                    .off_since
                    .lock()
                    .unwrap()
                    .get_or_insert_with(chrono::Utc::now);
            }
            let done = self.inner.actuate(action).await;
            if action == Action::PowerOn && done.is_ok() {
                *self.state.off_since.lock().unwrap() = None;
            }
            done
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Relay;

    impl Switch for Relay {
        fn actuate(&self, _: Action) -> ActFuture<'_> {
            Box::pin(async { Ok(()) })
        }
    }

    #[tokio::test]
    async fn a_cut_not_followed_by_power_on_is_remembered() {
        let state = Arc::new(PowerState::default());
        let power = Tracked {
            inner: Box::new(Relay),
            state: state.clone(),
        };
        assert!(state.left_off().is_none());
        power.actuate(Action::PowerOff).await.unwrap();
        assert!(state.left_off().is_some());
        power.actuate(Action::PowerOn).await.unwrap();
        assert!(state.left_off().is_none());
        // A cut whose future is dropped before it finishes counts as made.
        drop(power.actuate(Action::PowerOff));
        assert!(state.left_off().is_none(), "nothing happens until polled");
        let mut cut = power.actuate(Action::PowerOff);
        let _ = futures_poll_once(&mut cut).await;
        drop(cut);
        assert!(state.left_off().is_some());
    }

    async fn futures_poll_once(f: &mut ActFuture<'_>) -> Option<()> {
        crate::transport::device_time::timeout(std::time::Duration::from_millis(1), f)
            .await
            .ok()
            .map(|_| ())
    }
}
