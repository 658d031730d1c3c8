//! The suites and corpora compiled into the binary (everything under `suites/` but the
//! catalogues, which `standard::catalogue` embeds), so a copied or installed hilt runs without a
//! source tree. The loaders read files and resolve a suite's corpora next to it, so the built-in
//! tree is written out once to a folder named after its content and read from there like any
//! other suite.

use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/suites.rs"));

/// The built-in files, by their path relative to `suites/` (`en303645.yaml`,
/// `credentials/mirai-2016.csv`, …).
pub fn files() -> &'static [(&'static str, &'static [u8])] {
    SUITE_FILES
}

/// The built-in file at `relative`, if there is one.
pub fn file(relative: &str) -> Option<&'static [u8]> {
    SUITE_FILES
        .iter()
        .find(|(name, _)| *name == relative)
        .map(|(_, bytes)| *bytes)
}

/// Writes the built-in tree under `cache` (once per distinct content) and returns its folder.
/// A file someone changed there is put back, so the built-in suite is always what was compiled.
pub fn extract(cache: &Path) -> io::Result<PathBuf> {
    let dir = cache.join(format!("suites-{}", content_id()));
    for (relative, bytes) in SUITE_FILES {
        let path = dir.join(relative);
        if std::fs::read(&path).is_ok_and(|on_disk| on_disk == *bytes) {
            continue;
        }
        let parent = path.parent().unwrap_or(&dir);
        std::fs::create_dir_all(parent)?;
        // Another hilt may be extracting at the same moment: each writes its own temporary
        // file and renames it into place, so no reader sees half a file.
        let temporary = parent.join(format!(".{}.{}", std::process::id(), unique()));
        std::fs::write(&temporary, bytes)?;
        std::fs::rename(&temporary, &path)?;
    }
    Ok(dir)
}

/// The first 12 hex digits of a SHA-256 over every built-in file's name and content.
fn content_id() -> String {
    let mut hash = Sha256::new();
    for (relative, bytes) in SUITE_FILES {
        hash.update((relative.len() as u64).to_le_bytes());
        hash.update(relative.as_bytes());
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    }
    hash.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suites_and_their_corpora_are_built_in() {
        for name in [
            "en303645.yaml",
            "psti.yaml",
            "credentials/mirai-2016.csv",
            "update/http-paths.txt",
        ] {
            assert!(file(name).is_some(), "{name} is not built in");
        }
        assert!(files().iter().all(|(n, _)| !n.starts_with("catalogue")));
    }

    #[test]
    fn extracting_twice_gives_the_same_folder_and_repairs_a_changed_file() {
        let cache = std::env::temp_dir().join(format!("hilt-built-in-{}", std::process::id()));
        let first = extract(&cache).unwrap();
        let suite = first.join("en303645.yaml");
        std::fs::write(&suite, "changed").unwrap();
        let second = extract(&cache).unwrap();
        assert_eq!(first, second);
        assert_eq!(
            std::fs::read(&suite).unwrap(),
            file("en303645.yaml").unwrap()
        );
        std::fs::remove_dir_all(cache).unwrap();
    }
}
