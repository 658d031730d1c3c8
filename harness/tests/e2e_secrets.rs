//! 5.4-3-2: secrets in what hilt can read of a unit's software (its memory through an open debug
//! port, the lab's firmware images), each seeded in a simulated unit or an image next to a
//! compliant control.

mod common;
use common::*;
use rstest::rstest;

const DEBUG: &str = "5.6-4-2";
const SECRETS: &str = "5.4-3-2";

/// Readable flash on three units: a device key unique to each passes, one key shared by two
/// units fails on both with offsets and hashes, never the key.
#[test]
fn a_private_key_shared_across_units_is_found_by_hash() {
    let (_dir, run) = run_rig(
        "sharedkey",
        72,
        &[
            &["swd-readable"],
            &["swd-readable", "identical-private-key"],
            &["swd-readable", "identical-private-key"],
        ],
    );
    assert_verdict(&run, "slot1", SECRETS, "PASS", "");
    let (_, _, out) = run.verdict("slot1", SECRETS);
    for seen in [
        "private key (PEM, PKCS#8) in flash at 0x8000 (run HMAC ",
        "is unique to this sample among 2 other sample(s), as IXIT 10 declares for `device-tls-key`",
    ] {
        assert!(out.contains(seen), "{seen:?} not in {out}");
    }
    assert_verdict(
        &run,
        "slot2",
        SECRETS,
        "FAIL",
        "the same private key (PEM, PKCS#8) is in this sample's flash at 0x8000 and in slot3 flash at 0x8000 (run HMAC ",
    );
    assert_verdict(
        &run,
        "slot3",
        SECRETS,
        "FAIL",
        "and in slot2 flash at 0x8000",
    );
    for slot in ["slot1", "slot2", "slot3"] {
        assert_verdict(
            &run,
            slot,
            DEBUG,
            "FAIL",
            "is open through a populated header",
        );
        let text = std::fs::read_to_string(
            run.run_dir()
                .join(format!("samples/{slot}/5.4-3-2/secrets.log")),
        )
        .unwrap();
        assert!(
            !text.contains("BEGIN PRIVATE KEY"),
            "the key itself is never written"
        );
    }
}

/// The certificate key a unit's TLS service presents is compared across samples: two units
/// whose firmware ships one key fail, with the public key's SHA-256; the unit with its own key
/// passes.
#[test]
fn a_certificate_key_presented_by_two_units_fails_on_both() {
    let dir = TempDir::new("sharedtls");
    let units: &[&[&str]] = &[
        &[],
        &["shared-certificate-key"],
        &["shared-certificate-key"],
    ];
    let rig = write_rig(&dir.0, 139, units);
    let run = secrets_only(&dir, &rig, &profile());
    one_own_key_two_shared(
        &run,
        "TLS certificate key",
        "`https` (TCP 8443): EC 256 bits",
    );
}

/// slot1 presents its own key, slot2 and slot3 one key between them.
fn one_own_key_two_shared(run: &Run, what: &str, source: &str) {
    assert_verdict(run, "slot1", SECRETS, "PASS", "");
    let (_, _, out) = run.verdict("slot1", SECRETS);
    assert!(
        out.contains(&format!("{source}'s {what} (public key SHA-256 "))
            && out.contains("is this sample's own among 2 other sample(s)"),
        "{out}"
    );
    for (slot, other) in [("slot2", "slot3"), ("slot3", "slot2")] {
        let message =
            format!("{source} presents the same {what} as {other} {source} (public key SHA-256 ");
        assert_verdict(run, slot, SECRETS, "FAIL", &message);
    }
}

/// The model variant with an SSH server, declared as such: its admin account logs in over SSH
/// on the `ssh` service.
fn profile_with_ssh(dir: &TempDir) -> std::path::PathBuf {
    let text = profile_text()
        .replacen(
            "  services:",
            "  services:\n    - { id: ssh, protocol: tcp, port: 2222, purpose: \"SSH for the installer\", enabled: true }",
            1,
        )
        .replacen(
            "  auth_mechanisms:",
            "  auth_mechanisms:\n    - { id: ssh-admin, service: ssh, factor: pre-installed-unique, username: \"{label.username}\", login: { ssh: { within: 5s } } }",
            1,
        );
    let path = dir.0.join("camera-with-ssh.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The SSH host keys the units present are compared across samples: two units whose image
/// ships one host key fail, the unit with its own key passes.
#[test]
fn an_ssh_host_key_presented_by_two_units_fails_on_both() {
    let dir = TempDir::new("sharedssh");
    let units: &[&[&str]] = &[&[], &["shared-ssh-host-key"], &["shared-ssh-host-key"]];
    let rig = write_rig_with(&dir.0, 23, units, "--ssh-server");
    let run = secrets_only(&dir, &rig, &profile_with_ssh(&dir));
    one_own_key_two_shared(&run, "SSH host key", "`ssh` (TCP 2222): ssh-ed25519");
}

/// One sample is enough when the rig names another unit's host key: the simulator's built-in
/// SSH host key (as `ssh-keyscan` shows it, digested as the README says) in the batch.
#[test]
fn an_ssh_host_key_in_the_batch_fails_a_single_sample() {
    const BUILT_IN: &str = "4444073150922cd521e0a669f4fac4d514c01543aac243e05944e5b8a4b02886";
    let dir = TempDir::new("batchssh");
    let rig = write_rig_with(&dir.0, 24, &[&["shared-ssh-host-key"]], "--ssh-server");
    let mut text = std::fs::read_to_string(&rig).unwrap();
    text.push_str(&format!("  ssh_host_key_sha256: [\"{BUILT_IN}\"]\n"));
    std::fs::write(&rig, text).unwrap();
    let run = secrets_only(&dir, &rig, &profile_with_ssh(&dir));
    assert_verdict(
        &run,
        "slot1",
        SECRETS,
        "FAIL",
        &format!("presents the same SSH host key as a unit of the rig's batch (`batch.ssh_host_key_sha256`) (public key SHA-256 {BUILT_IN})"),
    );
}

/// A second sample whose memory could not be read shows nothing of the first one's key, even
/// though its TLS service's key was compared: the key in memory stays not judged.
#[test]
fn a_sample_without_readable_memory_does_not_vouch_for_another_s_key() {
    let dir = TempDir::new("memnotread");
    let rig = write_rig(&dir.0, 22, &[&["swd-readable"], &[]]);
    let run = secrets_only(&dir, &rig, &profile());
    assert_verdict(
        &run,
        "slot1",
        SECRETS,
        "INCONCLUSIVE",
        "IXIT 10 declares `device-tls-key` different in every unit; with no other sample's memory to compare",
    );
    assert_verdict(&run, "slot2", SECRETS, "PASS", "");
}

/// One sample is enough when the rig names another unit's key: the simulator's built-in key
/// (SHA-256 of its public key below) in `batch.tls_public_key_sha256` fails the faulty unit.
#[test]
fn a_certificate_key_in_the_batch_fails_a_single_sample() {
    const BUILT_IN: &str = "7919dfad847bacb9cc56540a5ebbf35dd0e5f4d75b7795b21f142edaed2d9be2";
    let dir = TempDir::new("batchtls");
    let rig = write_rig(&dir.0, 21, &[&["shared-certificate-key"]]);
    let text = std::fs::read_to_string(&rig).unwrap();
    let text = text.replace(
        "tls_public_key_sha256: [",
        &format!("tls_public_key_sha256: [\"{BUILT_IN}\", "),
    );
    std::fs::write(&rig, text).unwrap();
    let run = secrets_only(&dir, &rig, &profile());
    assert_verdict(
        &run,
        "slot1",
        SECRETS,
        "FAIL",
        &format!("presents the same TLS certificate key as a unit of the rig's batch (`batch.tls_public_key_sha256`) (public key SHA-256 {BUILT_IN})"),
    );
}

/// 5.4-3-2 alone, with the quick suite, on `rig` and `profile`.
fn secrets_only(dir: &TempDir, rig: &std::path::Path, profile: &std::path::Path) -> Run {
    let suite = quick_suite(&dir.0);
    run_files(&dir.0, rig, profile, Some(&suite), &[SECRETS])
}

/// A whole P-256 key made for this test (openssl ecparam -genkey): a PEM marker alone is no key
/// (secrets/keys.rs), so an image must hold one that decodes.
const EC_KEY: &[u8] = b"-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIHZDsg1jk9r5ouwcxN/amvDDXX1CablVnYsXhJIuf0XYoAoGCCqGSM49
AwEHoUQDQgAE+0SRgD72huDQ2n7lRVgqnLw1m85Xgsv+X4W2mhRKbZ04JcPDRp8r
2J/zo5in4VAym8nMaiEJRAjh5yPPsxYHKA==
-----END EC PRIVATE KEY-----
";

fn gzipped(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A key inside the lab's firmware image is in every unit that runs it: it fails, also inside a
/// gzip stream; packed content hilt cannot open
/// leaves the unit not performed instead of claiming the image clean.
#[rstest]
#[case::plain("imagekey", 73, EC_KEY.to_vec(), "FAIL", "private key (PEM, SEC1 EC) in the lab's firmware image")]
#[case::in_gzip(
    "imagegz",
    62,
    gzipped(EC_KEY),
    "FAIL",
    "with-key.vcfw (gzip stream at 0xc8) at 0x0 (226 bytes"
)]
#[case::in_zstd(
    "imagezst",
    115,
    ruzstd::encoding::compress_to_vec(EC_KEY, ruzstd::encoding::CompressionLevel::Fastest),
    "FAIL",
    "with-key.vcfw (zstd stream at 0xc8) at 0x0"
)]
// An xz stream header (flags, then their CRC32) before bytes that are no xz stream.
#[case::broken_xz("imagexz", 95, [0xfd, b'7', b'z', b'X', b'Z', 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46].to_vec(), "INCONCLUSIVE", "with-key.vcfw: xz data at 0xc8 (it does not decode) could not be unpacked, so its contents were not scanned")]
fn a_private_key_in_the_lab_image_fails(
    #[case] tag: &str,
    #[case] subnet: u8,
    #[case] planted: Vec<u8>,
    #[case] verdict: &str,
    #[case] message: &str,
) {
    let dir = TempDir::new(tag);
    let image = repo().join("device-profiles/images/vc100-1.5.0.vcfw");
    let mut bytes = std::fs::read(&image).unwrap();
    bytes[200..200 + planted.len()].copy_from_slice(&planted);
    let keyed = dir.0.join("with-key.vcfw");
    std::fs::write(&keyed, bytes).unwrap();
    let text = profile_text().replace(&image.display().to_string(), &keyed.display().to_string());
    assert!(text.contains("with-key.vcfw"));
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, text).unwrap();
    let rig = write_rig(&dir.0, subnet, &[&[]]);
    let run = secrets_only(&dir, &rig, &profile);
    assert_verdict(&run, "slot1", SECRETS, verdict, message);
}

/// A private key in the memory of the only sample: IXIT 10 declares the device key generated on
/// the device, which one sample cannot show, so the unit is not performed; a profile whose
/// IXIT 10 declares no private key at all makes the same key a finding.
#[rstest]
#[case::declared_per_unit("ixit10", 116, "", "INCONCLUSIVE", "IXIT 10 declares `device-tls-key` different in every unit; with no other sample's memory to compare")]
#[case::undeclared(
    "ixit10none",
    117,
    "kind: private-key",
    "FAIL",
    "private key (PEM, PKCS#8) in flash at 0x8000 (run HMAC "
)]
fn a_key_in_one_sample_is_judged_against_ixit_10(
    #[case] tag: &str,
    #[case] subnet: u8,
    #[case] removed: &str,
    #[case] verdict: &str,
    #[case] message: &str,
) {
    let dir = TempDir::new(tag);
    let mut text = profile_text();
    if !removed.is_empty() {
        assert!(text.contains(removed));
        text = text.replace(removed, "kind: other");
    }
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, text).unwrap();
    let rig = write_rig(&dir.0, subnet, &[&["swd-readable"]]);
    let run = secrets_only(&dir, &rig, &profile);
    assert_verdict(&run, "slot1", SECRETS, verdict, message);
    if verdict == "FAIL" {
        assert_verdict(&run, "slot1", SECRETS, verdict, "IXIT 10 does not declare");
    }
}
