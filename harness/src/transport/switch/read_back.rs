//! Relays whose state can be read: every switch is confirmed by reading the state back, so a
//! relay that clicked nothing (a welded contact, a wrong channel, a PDU that queued the order)
//! is the bench's error, never a silent pass.

use super::{ActFuture, Action, Error, Switch};
use futures_util::future::BoxFuture;
use std::time::Duration;

/// How long a relay's state may take to follow the order (PDUs apply outlet commands with a
/// delay of their own), and how often it is read meanwhile.
const CONFIRM_WITHIN: Duration = Duration::from_secs(3);
const READ_EVERY: Duration = Duration::from_millis(200);

pub(super) trait Relay: Send + Sync {
    fn set(&self, on: bool) -> BoxFuture<'_, Result<(), Error>>;
    fn is_on(&self) -> BoxFuture<'_, Result<bool, Error>>;
    /// E.g. `tasmota 192.0.2.5 relay 1`, for error messages.
    fn describe(&self) -> String;
}

pub(super) struct ReadBack<R>(pub R);

impl<R: Relay> Switch for ReadBack<R> {
    fn actuate(&self, action: Action) -> ActFuture<'_> {
        Box::pin(async move {
            let relay = &self.0;
            let on = match action {
                Action::PowerOn => true,
                Action::PowerOff => false,
                Action::Press(_) => {
                    return Err(Error::Config(format!(
                        "{} switches power; it has no button to press",
                        relay.describe()
                    )))
                }
            };
            let word = |on: bool| if on { "on" } else { "off" };
            relay
                .set(on)
                .await
                .map_err(|e| e.context(relay.describe()))?;
            let until = tokio::time::Instant::now() + CONFIRM_WITHIN;
            loop {
                let state = relay
                    .is_on()
                    .await
                    .map_err(|e| e.context(relay.describe()))?;
                if state == on {
                    return Ok(());
                }
                if tokio::time::Instant::now() >= until {
                    return Err(Error::Bench(format!(
                        "{}: switched {} but still reads back {} after {:.0}s",
                        relay.describe(),
                        word(on),
                        word(state),
                        CONFIRM_WITHIN.as_secs_f64()
                    )));
                }
                crate::transport::device_time::sleep(READ_EVERY).await;
            }
        })
    }
}
