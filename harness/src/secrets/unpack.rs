//! Packed content in an image. Compressed streams hilt can open (gzip, xz and zstd: initramfs,
//! root filesystem archives, kernel payloads; and the zlib, xz or zstd blocks of a squashfs
//! filesystem) are opened before the scan, so a key inside one is found; content packed in a
//! way hilt cannot open, or an xz or zstd stream that does not decode, is named, so "nothing
//! found" is never claimed for bytes that were not read. Tar and cpio members are stored as
//! they are and need no opening.

use super::find_all;
use std::io::Read;

/// Decompressed bytes, all streams together, beyond which the rest is left unread (and said so).
const MAX_OUTPUT: usize = 256 << 20;
/// A compressed stream inside a compressed stream inside a compressed stream, at most.
const MAX_DEPTH: usize = 3;

/// Packers recognised by their magic numbers but not opened.
const UNREADABLE: &[(&str, &[u8])] = &[
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
        let headers = find_all(data, magic).filter(|&at| header_follows(packer, &data[at..]));
        for at in headers.take(4) {
            out.unreadable
                .push(format!("{packer} data at {at:#x}{within}"));
        }
    }
    for (packer, magic, open, strict) in OPENED {
        let starts = find_all(data, magic);
        let found = Found {
            packer,
            open,
            strict: *strict,
            within,
        };
        found.open_all(data, starts, depth, out, budget);
    }
    for (at, compressor) in squashfs(data) {
        match compressor {
            // Each block of a gzip squashfs is a zlib stream: two bytes of header, which turn
            // up by chance too, so only inside the filesystem and only what decodes.
            1 => {
                let end = filesystem_end(data, at);
                let starts = (at..end.saturating_sub(1)).filter(|&i| {
                    data[i] == 0x78 && matches!(data[i + 1], 0x01 | 0x5e | 0x9c | 0xda)
                });
                let within = format!(" in the squashfs filesystem at {at:#x}{within}");
                let found = Found {
                    packer: "zlib block",
                    open: &(unzlib as Opener),
                    strict: false,
                    within: &within,
                };
                found.open_all(&data[..end], starts, depth, out, budget);
            }
            // xz and zstd blocks carry their magic numbers: opened above.
            4 | 6 => {}
            other => out.unreadable.push(format!(
                "squashfs filesystem at {at:#x}{within} ({} blocks, which hilt does not open)",
                match other {
                    2 => "lzma",
                    3 => "lzo",
                    5 => "lz4",
                    _ => "unknown",
                }
            )),
        }
    }
}

/// One kind of stream to open wherever it may start.
struct Found<'a> {
    packer: &'a str,
    open: &'a Opener,
    strict: bool,
    within: &'a str,
}

impl Found<'_> {
    fn open_all(
        &self,
        data: &[u8],
        starts: impl Iterator<Item = usize>,
        depth: usize,
        out: &mut Unpacked,
        budget: &mut usize,
    ) {
        let (packer, within) = (self.packer, self.within);
        let mut next = 0;
        for at in starts {
            if at < next {
                continue;
            }
            let Some((bytes, used)) = (self.open)(&data[at..], budget) else {
                // Three bytes of gzip header turn up by chance; an xz or zstd magic number is
                // long and rare enough that a stream which does not decode is named, unless its
                // header shows it is the constant a decompressor's code holds.
                if self.strict && header_follows(packer, &data[at..]) {
                    out.unreadable.push(format!(
                        "{packer} data at {at:#x}{within} (it does not decode)"
                    ));
                }
                continue;
            };
            next = at + used.max(1);
            let what = format!("{packer} stream at {at:#x}{within}");
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
}

/// Whether the fields after a magic number make a header, where the format lets that be told:
/// a decompressor's own code holds the magic number too (a Linux kernel has xz's and lzop's).
fn header_follows(packer: &str, from: &[u8]) -> bool {
    match packer {
        // Stream flags (a zero byte, then the check type), then their CRC32.
        "xz" => {
            let (Some(flags), Some(crc)) = (from.get(6..8), from.get(8..12)) else {
                return false;
            };
            flags[0] == 0 && crc32fast::hash(flags).to_le_bytes() == crc
        }
        // Version, library version, version needed, then the method: LZO1X-1, -1(15) or -999.
        "lzop" => {
            let Some(h) = from.get(9..17) else {
                return false;
            };
            let version = u16::from_be_bytes([h[0], h[1]]);
            let method = if version >= 0x0940 { h[6] } else { h[4] };
            (0x0900..0x2000).contains(&version) && matches!(method, 1..=3)
        }
        // The frame descriptor's version bits are 01.
        "LZ4" => from.get(4).is_some_and(|flg| flg & 0xc0 == 0x40),
        _ => true,
    }
}

/// Opens one stream at the start of its input within the output budget: its content and how
/// many input bytes it took; None when the bytes do not decode.
type Opener = fn(&[u8], &mut usize) -> Option<(Vec<u8>, usize)>;

/// Packers hilt opens: name, magic number, opener, and whether a magic number that does not
/// decode is named as unread.
const OPENED: &[(&str, &[u8], Opener, bool)] = &[
    ("gzip", &[0x1f, 0x8b, 0x08], gunzip, false),
    ("xz", &[0xfd, b'7', b'z', b'X', b'Z', 0x00], unxz, true),
    ("zstd", &[0x28, 0xb5, 0x2f, 0xfd], unzstd, true),
];

/// One xz stream. The decoder writes into a buffer that refuses bytes past the budget, so a
/// stream that expands without end stops there, kept as far as it got.
fn unxz(data: &[u8], budget: &mut usize) -> Option<(Vec<u8>, usize)> {
    let mut input = data;
    let mut out = Bounded {
        bytes: Vec::new(),
        limit: (*budget).max(1),
    };
    let done = lzma_rs::xz_decompress(&mut input, &mut out);
    let used = data.len() - input.len();
    // The decoder wants its input to end with the stream; in an image more follows. Reaching
    // the footer's magic is the stream read whole.
    let whole = done.is_ok() || data[..used].ends_with(b"YZ");
    if out.bytes.is_empty() || (!whole && out.bytes.len() < out.limit) {
        return None;
    }
    *budget = budget.saturating_sub(out.bytes.len());
    Some((out.bytes, used))
}

/// One zstd frame, read up to the budget.
fn unzstd(data: &[u8], budget: &mut usize) -> Option<(Vec<u8>, usize)> {
    let mut input = data;
    let mut decoder = ruzstd::decoding::StreamingDecoder::new(&mut input).ok()?;
    let mut bytes = Vec::new();
    let limit = (*budget as u64).max(1);
    let read = (&mut decoder).take(limit).read_to_end(&mut bytes);
    if bytes.is_empty() || (read.is_err() && (bytes.len() as u64) < limit) {
        return None;
    }
    drop(decoder);
    *budget = budget.saturating_sub(bytes.len());
    Some((bytes, data.len() - input.len()))
}

struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.limit - self.bytes.len();
        if room == 0 {
            return Err(std::io::Error::other("unpacking limit reached"));
        }
        let n = buf.len().min(room);
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One gzip member from the start of `data`: its content and how many input bytes it took.
/// None for bytes that only look like a gzip header.
fn gunzip(data: &[u8], budget: &mut usize) -> Option<(Vec<u8>, usize)> {
    let decoder = flate2::bufread::GzDecoder::new(data);
    inflate(data, decoder, |d| d.into_inner().len(), budget)
}

/// Reads `decoder` over `data` up to the budget; `rest` tells how much input it left unread.
fn inflate<D: Read>(
    data: &[u8],
    mut decoder: D,
    rest: impl FnOnce(D) -> usize,
    budget: &mut usize,
) -> Option<(Vec<u8>, usize)> {
    let mut bytes = Vec::new();
    let limit = (*budget as u64).max(1);
    let read = (&mut decoder).take(limit).read_to_end(&mut bytes);
    if read.is_err() || bytes.is_empty() {
        return None;
    }
    *budget = budget.saturating_sub(bytes.len());
    Some((bytes, data.len() - rest(decoder)))
}

/// Squashfs superblocks (little-endian magic `hsqs`, major version 4 at offset 28), each with
/// its compressor id (offset 20: 1 gzip, 2 lzma, 3 lzo, 4 xz, 5 lz4, 6 zstd).
fn squashfs(data: &[u8]) -> Vec<(usize, u16)> {
    find_all(data, b"hsqs")
        .filter(|&at| data.get(at + 28..at + 30) == Some(&[4, 0]))
        .filter_map(|at| {
            let id = data.get(at + 20..at + 22)?;
            Some((at, u16::from_le_bytes([id[0], id[1]])))
        })
        .take(4)
        .collect()
}

/// Where the filesystem at `at` ends (its `bytes_used`, offset 40), within `data`.
fn filesystem_end(data: &[u8], at: usize) -> usize {
    let used = data
        .get(at + 40..at + 48)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
        .unwrap_or(0);
    usize::try_from(used)
        .ok()
        .and_then(|u| at.checked_add(u))
        .unwrap_or(data.len())
        .min(data.len())
}

/// One zlib stream (a block of a gzip squashfs).
fn unzlib(data: &[u8], budget: &mut usize) -> Option<(Vec<u8>, usize)> {
    let decoder = flate2::bufread::ZlibDecoder::new(data);
    inflate(data, decoder, |d| d.into_inner().len(), budget)
}

#[cfg(test)]
#[path = "unpack_tests.rs"]
mod tests;
