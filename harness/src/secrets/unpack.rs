//! Packed content in an image. Compressed streams hilt can open (gzip, as in most initramfs and
//! root filesystem archives) are opened before the scan, so a key inside one is found; content
//! packed in a way hilt cannot open is named, so "nothing found" is never claimed for bytes that
//! were not read. Tar and cpio members are stored as they are and need no opening.

use super::find_all;
use std::io::Read;

/// Decompressed bytes, all streams together, beyond which the rest is left unread (and said so).
const MAX_OUTPUT: usize = 256 << 20;
/// A compressed stream inside a compressed stream inside a compressed stream, at most.
const MAX_DEPTH: usize = 3;

/// Packers recognised by their magic numbers but not opened.
const UNREADABLE: &[(&str, &[u8])] = &[
    ("xz", &[0xfd, b'7', b'z', b'X', b'Z', 0x00]),
    ("zstd", &[0x28, 0xb5, 0x2f, 0xfd]),
    ("bzip2", b"BZh91AY&SY"),
    ("LZ4", &[0x04, 0x22, 0x4d, 0x18]),
    (
        "lzop",
        &[0x89, b'L', b'Z', b'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a],
    ),
    ("UBI", b"UBI#"),
];

pub struct Stream {
    /// Where it came from, e.g. `gzip stream at 0x1200`.
    pub what: String,
    pub data: Vec<u8>,
}

#[derive(Default)]
pub struct Unpacked {
    pub streams: Vec<Stream>,
    /// Packed content that was not read, each with where it is.
    pub unreadable: Vec<String>,
}

pub fn unpack(data: &[u8]) -> Unpacked {
    let mut out = Unpacked::default();
    let mut budget = MAX_OUTPUT;
    walk(data, "", 0, &mut out, &mut budget);
    out
}

fn walk(data: &[u8], within: &str, depth: usize, out: &mut Unpacked, budget: &mut usize) {
    for (packer, magic) in UNREADABLE {
        for at in find_all(data, magic).take(4) {
            out.unreadable
                .push(format!("{packer} data at {at:#x}{within}"));
        }
    }
    if let Some(at) = squashfs(data) {
        out.unreadable
            .push(format!("squashfs filesystem at {at:#x}{within}"));
    }
    let mut next = 0;
    for at in find_all(data, &[0x1f, 0x8b, 0x08]) {
        if at < next {
            continue;
        }
        let Some((bytes, used)) = gunzip(&data[at..], budget) else {
            continue;
        };
        next = at + used;
        let what = format!("gzip stream at {at:#x}{within}");
        if *budget == 0 {
            out.unreadable.push(format!(
                "{what}: beyond the {MAX_OUTPUT}-byte unpacking limit"
            ));
        }
        if depth + 1 < MAX_DEPTH {
            walk(&bytes, &format!(" in the {what}"), depth + 1, out, budget);
        }
        out.streams.push(Stream { what, data: bytes });
    }
}

/// One gzip member from the start of `data`: its content and how many input bytes it took.
/// None for bytes that only look like a gzip header.
fn gunzip(data: &[u8], budget: &mut usize) -> Option<(Vec<u8>, usize)> {
    let mut decoder = flate2::bufread::GzDecoder::new(data);
    let mut bytes = Vec::new();
    let limit = (*budget as u64).max(1);
    let read = (&mut decoder).take(limit).read_to_end(&mut bytes);
    if read.is_err() || bytes.is_empty() {
        return None;
    }
    *budget = budget.saturating_sub(bytes.len());
    let rest = decoder.into_inner().len();
    Some((bytes, data.len() - rest))
}

/// A squashfs superblock (little-endian magic `hsqs`, major version 4 at offset 28).
fn squashfs(data: &[u8]) -> Option<usize> {
    find_all(data, b"hsqs").find(|&at| data.get(at + 28..at + 30) == Some(&[4, 0]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_streams_are_opened_even_nested() {
        let inner = gzip(b"api_key=\"Zx81-Qw77-Lm09\"");
        let mut image = vec![0u8; 300];
        image.extend(gzip(&[b"header ".as_slice(), &inner].concat()));
        image.extend([0u8; 50]);
        let u = unpack(&image);
        assert!(u.unreadable.is_empty(), "{:?}", u.unreadable);
        let whats: Vec<&str> = u.streams.iter().map(|s| s.what.as_str()).collect();
        assert_eq!(
            whats,
            [
                "gzip stream at 0x7 in the gzip stream at 0x12c",
                "gzip stream at 0x12c"
            ]
        );
        assert!(u.streams[0].data.starts_with(b"api_key="));
    }

    #[test]
    fn packers_hilt_cannot_open_are_named_and_junk_does_not_panic() {
        let mut image = b"\x1f\x8b\x08 not really gzip".to_vec();
        image.extend([0xfd, b'7', b'z', b'X', b'Z', 0x00, 1, 2, 3]);
        let mut sq = b"hsqs".to_vec();
        sq.resize(28, 0);
        sq.extend([4, 0, 0, 0]);
        image.extend(sq);
        let u = unpack(&image);
        assert!(u.streams.is_empty());
        assert_eq!(
            u.unreadable,
            ["xz data at 0x13", "squashfs filesystem at 0x1c"]
        );
    }
}
