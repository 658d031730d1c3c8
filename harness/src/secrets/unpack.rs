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
        for at in find_all(data, magic).take(4) {
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
                // long and rare enough that a stream which does not decode is named.
                if self.strict {
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

    fn xz(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        lzma_rs::xz_compress(&mut &bytes[..], &mut out).unwrap();
        out
    }

    fn zstd(bytes: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
    }

    /// `password="in-xz" ` and 100 times `ab`, packed by Python's lzma module (liblzma): the
    /// text is not in the packed bytes, as lzma-rs's own encoder would leave it.
    const XZ_PASSWORD: [u8; 92] = [
        0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46, 0x02, 0x00, 0x21,
        0x01, 0x16, 0x00, 0x00, 0x00, 0x74, 0x2f, 0xe5, 0xa3, 0xe0, 0x00, 0xd8, 0x00, 0x1a, 0x5d,
        0x00, 0x38, 0x18, 0x4a, 0xe0, 0x03, 0x09, 0xcf, 0xf7, 0xf5, 0x87, 0xa6, 0x28, 0xc6, 0xbd,
        0x41, 0x1f, 0xa4, 0xbf, 0x89, 0x39, 0x4b, 0xa8, 0xfd, 0xdb, 0x80, 0x00, 0x00, 0x00, 0x00,
        0x07, 0x48, 0x2a, 0xb5, 0xc2, 0x72, 0x0b, 0x96, 0x00, 0x01, 0x36, 0xd9, 0x01, 0x00, 0x00,
        0x00, 0x20, 0x4a, 0x2f, 0x2d, 0xb1, 0xc4, 0x67, 0xfb, 0x02, 0x00, 0x00, 0x00, 0x00, 0x04,
        0x59, 0x5a,
    ];

    #[test]
    fn xz_and_zstd_streams_are_opened_and_the_scan_goes_on_after_them() {
        assert!(!find_all(&XZ_PASSWORD, b"password").any(|_| true));
        let mut image = vec![0u8; 64];
        image.extend(XZ_PASSWORD);
        let zstd_at = image.len() + 16;
        image.extend([0u8; 16]);
        image.extend(zstd(b"token=\"in-zstd\""));
        image.extend([0u8; 8]);
        let u = unpack(&image);
        assert!(u.unreadable.is_empty(), "{:?}", u.unreadable);
        let whats: Vec<&str> = u.streams.iter().map(|s| s.what.as_str()).collect();
        assert_eq!(
            whats,
            ["xz stream at 0x40", &format!("zstd stream at {zstd_at:#x}")]
        );
        assert!(u.streams[0].data.starts_with(b"password="));
        assert!(u.streams[1].data.starts_with(b"token="));
    }

    #[test]
    fn a_stream_that_expands_past_the_limit_stops_there() {
        let mut budget = 1000;
        let (bytes, _) = unxz(&xz(&vec![b'a'; 100_000]), &mut budget).unwrap();
        assert_eq!((bytes.len(), budget), (1000, 0));
        let mut budget = 1000;
        let (bytes, _) = unzstd(&zstd(&vec![b'a'; 100_000]), &mut budget).unwrap();
        assert_eq!((bytes.len(), budget), (1000, 0));
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
            [
                "xz data at 0x13 (it does not decode)",
                "squashfs filesystem at 0x1c (unknown blocks, which hilt does not open)"
            ]
        );
    }

    /// Real filesystems made by mksquashfs 4.5 (`-comp C -all-root -mkfs-time 0 -all-time 0`)
    /// of a tree holding /etc/ssl/device.key, a P-256 key in PEM: found through every block
    /// compressor hilt opens, named unread for one it does not.
    #[rstest::rstest]
    #[case::gzip(include_bytes!("../../tests/fixtures/squashfs/gzip.sqfs").as_slice(), true)]
    #[case::xz(include_bytes!("../../tests/fixtures/squashfs/xz.sqfs").as_slice(), true)]
    #[case::zstd(include_bytes!("../../tests/fixtures/squashfs/zstd.sqfs").as_slice(), true)]
    #[case::lz4(include_bytes!("../../tests/fixtures/squashfs/lz4.sqfs").as_slice(), false)]
    fn squashfs_blocks_are_opened(#[case] image: &[u8], #[case] opened: bool) {
        let u = unpack(image);
        let key_in_a_stream = u.streams.iter().any(|s| {
            super::super::scan(&s.data)
                .iter()
                .any(|f| f.kind.to_string().contains("private key"))
        });
        match opened {
            true => {
                assert!(u.unreadable.is_empty(), "{:?}", u.unreadable);
                assert!(
                    key_in_a_stream,
                    "{:?}",
                    u.streams.iter().map(|s| &s.what).collect::<Vec<_>>()
                );
            }
            false => assert!(
                u.unreadable
                    .iter()
                    .any(|w| w.contains("lz4 blocks, which hilt does not open")),
                "{:?}",
                u.unreadable
            ),
        }
    }
}
