//! What a sample is doing right now, for the live view: the phase a case is in and, where it
//! knows them, the attempts made of the attempts planned. Cases set it; nothing judges by it.

pub use crate::model::activity::Now;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Default)]
pub struct Activity(Mutex<Option<Now>>);

impl Activity {
    /// A new phase begins: `total` attempts, when it is known.
    pub fn phase(&self, phase: impl Into<String>, total: Option<u64>) {
        *self.lock() = Some(Now {
            phase: phase.into(),
            done: 0,
            total,
            since: Instant::now(),
        });
    }

    /// One more attempt of the phase is made.
    pub fn step(&self) {
        if let Some(now) = self.lock().as_mut() {
            now.done += 1;
        }
    }

    pub fn clear(&self) {
        *self.lock() = None;
    }

    pub fn now(&self) -> Option<Now> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Now>> {
        // A case that panicked mid-update leaves a value still worth showing.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_counted_per_phase_and_the_eta_needs_one_done() {
        let a = Activity::default();
        assert!(a.now().is_none());
        a.phase("corpus on ssh", Some(4));
        assert_eq!(a.now().unwrap().eta(), None);
        a.step();
        a.step();
        let now = a.now().unwrap();
        assert_eq!(
            (now.phase.as_str(), now.done, now.total),
            ("corpus on ssh", 2, Some(4))
        );
        assert!(now.eta().is_some());
        a.phase("brute force on ssh", None);
        assert_eq!(a.now().unwrap().done, 0);
        assert_eq!(a.now().unwrap().eta(), None);
        a.clear();
        assert!(a.now().is_none());
    }
}
