//! Whether a sample's evidence is being kept: the writes that failed (a full disk, a folder
//! gone), and the size cap that an endless transcript or capture from a hostile unit meets.
//! The run reads both after each case: a case whose evidence was not written is not trusted.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The first failures say what went wrong; a thousand more say nothing new.
const KEPT_FAILURES: usize = 20;

pub struct Health {
    failures: Mutex<(usize, Vec<String>)>,
    written: AtomicU64,
    cap: AtomicU64,
    capped: Mutex<Option<String>>,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            failures: Mutex::default(),
            written: AtomicU64::new(0),
            cap: AtomicU64::new(u64::MAX),
            capped: Mutex::default(),
        }
    }
}

impl Health {
    pub fn set_cap(&self, bytes: u64) {
        self.cap.store(bytes, Ordering::Relaxed);
    }

    pub fn failed(&self, path: &Path, error: &dyn std::fmt::Display) {
        let mut f = self.failures.lock().unwrap();
        f.0 += 1;
        if f.1.len() < KEPT_FAILURES {
            f.1.push(format!("{}: {error}", path.display()));
        }
    }

    /// How many writes failed so far, and the first of them.
    pub fn failures(&self) -> (usize, Vec<String>) {
        self.failures.lock().unwrap().clone()
    }

    /// Counts `n` more bytes for `path`; false once the sample's cap would be passed (the first
    /// refusal is remembered with the file that met it).
    pub fn take(&self, n: u64, path: &Path) -> bool {
        let cap = self.cap.load(Ordering::Relaxed);
        let before = self.written.fetch_add(n, Ordering::Relaxed);
        if before.saturating_add(n) <= cap {
            return true;
        }
        self.written.fetch_sub(n, Ordering::Relaxed);
        let mut capped = self.capped.lock().unwrap();
        if capped.is_none() {
            *capped = Some(format!(
                "the sample's evidence reached its cap of {} KiB at {}: later transcript lines, files and captured packets are not kept",
                cap / 1024,
                path.display()
            ));
        }
        false
    }

    /// Why evidence stopped being kept, once the cap was met.
    pub fn capped(&self) -> Option<String> {
        self.capped.lock().unwrap().clone()
    }

    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_refuses_what_would_pass_it_and_says_where() {
        let h = Health::default();
        h.set_cap(100);
        assert!(h.take(60, Path::new("a.log")));
        assert!(!h.take(60, Path::new("b.log")));
        assert!(h.take(40, Path::new("c.log")));
        assert_eq!(h.written(), 100);
        assert!(h.capped().unwrap().contains("at b.log"));
        for i in 0..30 {
            h.failed(Path::new("x"), &i);
        }
        let (count, kept) = h.failures();
        assert_eq!((count, kept.len()), (30, KEPT_FAILURES));
    }
}
