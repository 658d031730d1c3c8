//! The time a case spends waiting on its unit: for answers up to their deadlines, for boots and
//! lockouts, and through the pauses its method imposes. What is left of the case's time is hilt's
//! own (setting up, judging, writing evidence), the overhead issue 17 bounds.
//!
//! Waits that overlap (sessions side by side, a scan's probes in flight) count once: the clock
//! runs while at least one wait is open, so its total never exceeds the wall time. The clock of
//! the case running is task-local, so transports count into it without being handed a sample,
//! and work outside a case (another sample, the capture) never does.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
// tokio's clock, which a test can pause and advance.
use tokio::time::Instant;

tokio::task_local! {
    static CURRENT: Arc<DeviceTime>;
}

#[derive(Default)]
pub struct DeviceTime(Mutex<Clock>);

#[derive(Default)]
struct Clock {
    open: usize,
    since: Option<Instant>,
    closed: Duration,
}

impl DeviceTime {
    /// Waited so far, the wait in progress included.
    pub fn total(&self) -> Duration {
        let clock = self.lock();
        clock.closed + clock.since.map_or(Duration::ZERO, |s| s.elapsed())
    }

    /// Runs `work` with this clock as the one its waits count into.
    pub async fn scope<F: Future>(self: Arc<Self>, work: F) -> F::Output {
        CURRENT.scope(self, work).await
    }

    fn open(&self) {
        let mut clock = self.lock();
        if clock.open == 0 {
            clock.since = Some(Instant::now());
        }
        clock.open += 1;
    }

    fn close(&self) {
        let mut clock = self.lock();
        clock.open = clock.open.saturating_sub(1);
        if clock.open == 0 {
            if let Some(since) = clock.since.take() {
                clock.closed += since.elapsed();
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Clock> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Closes its wait when dropped, so a wait cut short (a deadline, a cancelled case) ends too.
struct Open(Arc<DeviceTime>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// `work` as a wait on the unit, counted in the running case's clock when there is one.
pub async fn waiting<F: Future>(work: F) -> F::Output {
    let _open = CURRENT.try_with(|c| c.clone()).ok().map(|clock| {
        clock.open();
        Open(clock)
    });
    work.await
}

/// `tokio::time::timeout` counted as a wait on the unit.
pub async fn timeout<F: Future>(
    within: Duration,
    work: F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    waiting(tokio::time::timeout(within, work)).await
}

/// `tokio::time::timeout_at` counted as a wait on the unit.
pub async fn timeout_at<F: Future>(
    deadline: tokio::time::Instant,
    work: F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    waiting(tokio::time::timeout_at(deadline, work)).await
}

/// A pause for the unit's sake (a lockout, a boot, a method's pacing).
pub async fn sleep(pause: Duration) {
    waiting(tokio::time::sleep(pause)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Waits of 200 and 300 ms side by side, then 600 ms of hilt's own work: about 300 ms,
    /// far from the 500 a sum would give or the 900 of the wall.
    #[tokio::test]
    async fn overlapping_waits_count_once_and_work_between_them_not_at_all() {
        let clock = Arc::new(DeviceTime::default());
        clock
            .clone()
            .scope(async {
                tokio::join!(sleep(ms(200)), sleep(ms(300)));
                tokio::time::sleep(ms(600)).await;
            })
            .await;
        let total = clock.total();
        assert!(total >= ms(300) && total < ms(500), "{total:?}");
    }

    /// A wait cut short by something that is not one stops the clock there.
    #[tokio::test]
    async fn outside_a_case_nothing_is_counted_and_a_cancelled_wait_closes() {
        sleep(ms(10)).await;
        let clock = Arc::new(DeviceTime::default());
        let cut = clock.clone().scope(async {
            tokio::select! {
                _ = sleep(Duration::from_secs(60)) => {}
                _ = tokio::time::sleep(ms(200)) => {}
            }
        });
        cut.await;
        tokio::time::sleep(ms(400)).await;
        let total = clock.total();
        assert!(total >= ms(200) && total < ms(550), "{total:?}");
    }
}
