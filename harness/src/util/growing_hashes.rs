//! SHA-256 of files that grow while a run is sealed as verdicts arrive (transcripts, packet
//! captures): each seal reads only what was appended since the last one. Hashing every file
//! whole at every seal made a run's cost grow with the square of its length and of its samples.
//!
//! A file is resumed only when it is the same file (inode), no shorter, and the last bytes
//! before where the last read stopped are unchanged; anything else is read whole again.

use super::hash::hex;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

/// How much of a file's end is kept to tell an append from a rewrite.
const TAIL: u64 = 4096;

#[derive(Default)]
pub struct GrowingHashes {
    files: HashMap<PathBuf, Resume>,
}

/// Where the last read of a file stopped.
#[derive(Clone)]
struct Resume {
    inode: u64,
    modified: i64,
    modified_ns: i64,
    length: u64,
    state: Sha256,
    tail: Vec<u8>,
}

impl GrowingHashes {
    /// The file's hash and length as read now, from where the last read stopped when it can.
    pub fn hash(&mut self, path: &Path) -> std::io::Result<(String, u64)> {
        let mut file = File::open(path)?;
        let meta = file.metadata()?;
        let known = self.files.get(path).filter(|r| {
            r.inode == meta.ino() && meta.len() >= r.length && tail(&file, r.length) == r.tail
        });
        let (mut state, mut length) = match known {
            Some(r) if (r.modified, r.modified_ns, r.length) == stamp(&meta, meta.len()) => {
                return Ok((hex(&r.state.clone().finalize()), r.length));
            }
            Some(r) => (r.state.clone(), r.length),
            None => (Sha256::new(), 0),
        };
        file.seek(SeekFrom::Start(length))?;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            state.update(&buf[..n]);
            length += n as u64;
        }
        let (modified, modified_ns, _) = stamp(&meta, length);
        let resume = Resume {
            inode: meta.ino(),
            modified,
            modified_ns,
            length,
            tail: tail(&file, length),
            state,
        };
        let digest = hex(&resume.state.clone().finalize());
        self.files.insert(path.to_path_buf(), resume);
        Ok((digest, length))
    }
}

fn stamp(meta: &std::fs::Metadata, length: u64) -> (i64, i64, u64) {
    (meta.mtime(), meta.mtime_nsec(), length)
}

/// The up to `TAIL` bytes before `end`; empty when they cannot be read.
fn tail(file: &File, end: u64) -> Vec<u8> {
    let start = end.saturating_sub(TAIL);
    let mut buf = vec![0u8; (end - start) as usize];
    match file.read_exact_at(&mut buf, start) {
        Ok(()) => buf,
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::hash::file_sha256_and_size;
    use std::io::Write;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hilt-growing-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn an_appended_file_hashes_as_if_read_whole() {
        let d = dir("append");
        let path = d.join("capture.pcap");
        let mut hashes = GrowingHashes::default();
        let mut f = File::create(&path).unwrap();
        for round in 0..5u8 {
            f.write_all(&vec![round; 10_000]).unwrap();
            f.flush().unwrap();
            assert_eq!(
                hashes.hash(&path).unwrap(),
                file_sha256_and_size(&path).unwrap()
            );
            // Unchanged since: the same answer without reading.
            assert_eq!(
                hashes.hash(&path).unwrap(),
                file_sha256_and_size(&path).unwrap()
            );
        }
    }

    #[test]
    fn a_rewritten_or_replaced_file_is_read_whole_again() {
        let d = dir("rewrite");
        let path = d.join("report.json");
        let mut hashes = GrowingHashes::default();
        std::fs::write(&path, vec![b'a'; 9000]).unwrap();
        hashes.hash(&path).unwrap();
        // Rewritten in place, longer, its old end changed.
        std::fs::write(&path, vec![b'b'; 12_000]).unwrap();
        assert_eq!(
            hashes.hash(&path).unwrap(),
            file_sha256_and_size(&path).unwrap()
        );
        // Shorter.
        std::fs::write(&path, b"c").unwrap();
        assert_eq!(
            hashes.hash(&path).unwrap(),
            file_sha256_and_size(&path).unwrap()
        );
        // Replaced by another file (a rename over it).
        let other = d.join("other");
        std::fs::write(&other, b"cd").unwrap();
        std::fs::rename(&other, &path).unwrap();
        assert_eq!(
            hashes.hash(&path).unwrap(),
            file_sha256_and_size(&path).unwrap()
        );
    }
}
