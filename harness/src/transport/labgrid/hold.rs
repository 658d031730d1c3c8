//! A place held for one run: acquired through labgrid (so other users and their labgrid
//! sessions see it taken) and, on this host, locked, since labgrid sees two runs of one user as
//! one holder. Released when the hold is dropped, and by `release_all` when a second interrupt
//! ends the process at once.

use super::Coordinator;
use std::io::{Read, Seek, Write};
use std::sync::Mutex;

/// Places this process acquired and has not released yet.
static HELD: Mutex<Vec<(Coordinator, String)>> = Mutex::new(Vec::new());

pub struct Hold {
    pub coordinator: Coordinator,
    pub place: String,
    /// Acquired by this run, so released by it. False when the user had acquired the place
    /// themselves before the run: it stays theirs.
    pub ours: bool,
    _lock: std::fs::File,
}

impl Hold {
    /// The place, held for this process, or why not: another user holds it, another hilt run on
    /// this host does, or the coordinator cannot be asked.
    pub fn acquire(coordinator: &Coordinator, place: &str) -> Result<Hold, String> {
        let lock = lock(coordinator, place)?;
        let ours = match coordinator.client(Some(place), &["acquire"]) {
            Ok(_) => true,
            Err(e) if e.contains("You have already acquired place") => false,
            Err(e) => return Err(e),
        };
        if ours {
            held().push((coordinator.clone(), place.to_string()));
        }
        Ok(Hold {
            coordinator: coordinator.clone(),
            place: place.to_string(),
            ours,
            _lock: lock,
        })
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        if self.ours {
            release(&self.coordinator, &self.place);
            held().retain(|(c, p)| !(c == &self.coordinator && p == &self.place));
        }
    }
}

/// Every place still held: for the path that ends the process without unwinding.
pub fn release_all() {
    let all: Vec<_> = held().drain(..).collect();
    for (c, p) in all {
        release(&c, &p);
    }
}

fn release(coordinator: &Coordinator, place: &str) {
    match coordinator.client(Some(place), &["release"]) {
        Ok(_) => eprintln!("hilt: labgrid place `{place}` released"),
        Err(e) => eprintln!(
            "hilt: could not release labgrid place `{place}` on {}: {e}; release it with `labgrid-client -p {place} release`",
            coordinator.name()
        ),
    }
}

fn held() -> std::sync::MutexGuard<'static, Vec<(Coordinator, String)>> {
    HELD.lock().unwrap_or_else(|p| p.into_inner())
}

/// An exclusive lock on this host for (coordinator, place), holding the locker's process id.
fn lock(coordinator: &Coordinator, place: &str) -> Result<std::fs::File, String> {
    let dir = std::env::temp_dir().join("hilt-labgrid");
    let _ = std::fs::create_dir_all(&dir);
    let key = format!("{}\n{place}", coordinator.name());
    let name = &crate::util::hash::sha256_hex(key.as_bytes())[..16];
    let path = dir.join(format!("{name}.lock"));
    let mut file = std::fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("cannot open the lock {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            return Err(format!(
                "another hilt run on this host (pid {}) holds labgrid place `{place}`",
                pid.trim()
            ));
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(format!("cannot lock {}: {e}", path.display()))
        }
    }
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "{}", std::process::id());
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::labgrid::test_lab::TestLab;

    fn holder(lab: &TestLab, place: &str) -> Option<String> {
        let places = crate::transport::labgrid::places::places(&lab.coordinator()).unwrap();
        places.into_iter().find(|p| p.name == place)?.acquired_by
    }

    /// Held while the hold lives and released when it goes; a second run on this host and
    /// another user are refused, each with who holds it; a place the user held already stays
    /// theirs.
    #[test]
    fn a_place_is_held_for_one_run_at_a_time_and_released_after() {
        let lab = TestLab::start("labgrid-hold");
        for p in ["p1", "p2", "p3"] {
            assert!(lab.client(&["-p", p, "create"]).status.success());
        }
        let c = lab.coordinator();
        let hold = Hold::acquire(&c, "p1").unwrap();
        assert!(hold.ours);
        assert!(holder(&lab, "p1").is_some());
        let second = Hold::acquire(&c, "p1").err().unwrap();
        assert!(
            second.contains("another hilt run on this host (pid"),
            "{second}"
        );
        drop(hold);
        assert_eq!(holder(&lab, "p1"), None, "released when the hold goes");

        assert!(lab
            .client_as(Some("someone"), &["-p", "p2", "acquire"])
            .status
            .success());
        let theirs = Hold::acquire(&c, "p2").err().unwrap();
        assert!(
            theirs.contains("already acquired by") && theirs.contains("someone"),
            "{theirs}"
        );

        assert!(lab.client(&["-p", "p3", "acquire"]).status.success());
        let mine = Hold::acquire(&c, "p3").unwrap();
        assert!(!mine.ours);
        drop(mine);
        assert!(
            holder(&lab, "p3").is_some(),
            "a place the user held stays held"
        );
    }
}
