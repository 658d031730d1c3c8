//! Unpacking compressed and archived firmware within its output budget.

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
    0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46, 0x02, 0x00, 0x21, 0x01,
    0x16, 0x00, 0x00, 0x00, 0x74, 0x2f, 0xe5, 0xa3, 0xe0, 0x00, 0xd8, 0x00, 0x1a, 0x5d, 0x00, 0x38,
    0x18, 0x4a, 0xe0, 0x03, 0x09, 0xcf, 0xf7, 0xf5, 0x87, 0xa6, 0x28, 0xc6, 0xbd, 0x41, 0x1f, 0xa4,
    0xbf, 0x89, 0x39, 0x4b, 0xa8, 0xfd, 0xdb, 0x80, 0x00, 0x00, 0x00, 0x00, 0x07, 0x48, 0x2a, 0xb5,
    0xc2, 0x72, 0x0b, 0x96, 0x00, 0x01, 0x36, 0xd9, 0x01, 0x00, 0x00, 0x00, 0x20, 0x4a, 0x2f, 0x2d,
    0xb1, 0xc4, 0x67, 0xfb, 0x02, 0x00, 0x00, 0x00, 0x00, 0x04, 0x59, 0x5a,
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
    // An xz stream header (flags, their CRC32) before bytes that do not decode.
    image.extend([0xfd, b'7', b'z', b'X', b'Z', 0x00, 0x00, 0x01]);
    image.extend(crc32fast::hash(&[0x00, 0x01]).to_le_bytes());
    image.extend([1, 2, 3]);
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
            "squashfs filesystem at 0x22 (unknown blocks, which hilt does not open)"
        ]
    );
}

/// A decompressor's code holds its format's magic number as a constant (a Linux kernel has xz's
/// and lzop's): without the header fields after it, that is not packed content left unread.
#[test]
fn magic_numbers_without_their_header_are_not_named() {
    let xz_magic = [0xfd, b'7', b'z', b'X', b'Z', 0x00];
    let lzop_magic = [0x89, b'L', b'Z', b'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a];
    let mut code = Vec::new();
    for magic in [&xz_magic[..], &lzop_magic[..]] {
        code.extend_from_slice(magic);
        code.extend([
            0xe0, 0x03, 0x00, 0xaa, 0x1f, 0x20, 0x03, 0xd5, 0xc0, 0x03, 0x5f, 0xd6,
        ]);
    }
    assert!(unpack(&code).unreadable.is_empty());
    // lzop 1.04's header: version 0x1040, library 0x20a0, needed 0x0940, method 1 (LZO1X-1).
    let mut lzop = lzop_magic.to_vec();
    lzop.extend([0x10, 0x40, 0x20, 0xa0, 0x09, 0x40, 0x01, 0x05, 0, 0, 0, 0]);
    assert_eq!(unpack(&lzop).unreadable, ["lzop data at 0x0"]);
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
        crate::secrets::scan(&s.data)
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
