//! What a sample is doing while a case runs, as the live view shows it.

use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Now {
    pub phase: String,
    pub done: u64,
    pub total: Option<u64>,
    pub since: Instant,
}

impl Now {
    /// The time left if the rest goes as fast as what is done: known once one attempt is.
    pub fn eta(&self) -> Option<Duration> {
        let total = self.total?;
        if self.done == 0 || self.done >= total {
            return None;
        }
        let each = self.since.elapsed().as_secs_f64() / self.done as f64;
        Some(Duration::from_secs_f64(each * (total - self.done) as f64))
    }
}

/// One sample's line in the live view.
#[derive(Debug, Clone)]
pub struct SampleNow {
    pub slot: String,
    /// The case running and when it began.
    pub case: Option<(&'static str, Instant)>,
    pub cases_done: usize,
    pub cases_total: usize,
    pub activity: Option<Now>,
}
