//! The manifest and its seals against changed, grown, planted and special files.

use super::*;

fn bundle(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hilt-manifest-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("samples/s1")).unwrap();
    std::fs::write(d.join("junit.xml"), "<testsuites/>").unwrap();
    std::fs::write(d.join("samples/s1/console.log"), "login: ").unwrap();
    d
}

#[test]
fn any_changed_added_or_removed_file_is_reported() {
    let d = bundle("changes");
    write(&d, None).unwrap();
    assert!(verify(&d, None).unwrap().ok());
    std::fs::write(d.join("samples/s1/console.log"), "login:  ").unwrap();
    std::fs::write(d.join("extra.txt"), "x").unwrap();
    std::fs::remove_file(d.join("junit.xml")).unwrap();
    let v = verify(&d, None).unwrap();
    assert_eq!(v.altered, vec!["samples/s1/console.log"]);
    assert_eq!(v.added, vec!["extra.txt"]);
    assert_eq!(v.missing, vec!["junit.xml"]);
    let mut m = std::fs::read_to_string(d.join(MANIFEST)).unwrap();
    m.push('\n');
    std::fs::write(d.join(MANIFEST), m).unwrap();
    assert!(verify(&d, None).unwrap().manifest_altered);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn paths_leaving_the_bundle_and_special_files_are_refused_without_reading_them() {
    let d = bundle("refuse");
    write(&d, None).unwrap();
    let fifo = d.join("samples/s1/pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    std::os::unix::fs::symlink("/etc/hostname", d.join("link")).unwrap();
    let mut m = std::fs::read_to_string(d.join(seal::SEAL)).unwrap();
    m.push_str(&format!("{}  0  ../outside\n", sha256_hex(b"")));
    m.push_str(&format!("{}  0  /etc/hostname\n", sha256_hex(b"")));
    m.push_str(&format!("{}  0  samples/s1/pipe\n", sha256_hex(b"")));
    std::fs::write(d.join(seal::SEAL), &m).unwrap();
    let v = verify(&d, None).unwrap();
    assert!(!v.ok());
    assert_eq!(v.refused.len(), 4, "{:?}", v.refused);
    assert!(v.refused.iter().any(|r| r.starts_with("../outside")));
    assert!(v.refused.iter().any(|r| r.starts_with("/etc/hostname")));
    assert!(v
        .refused
        .iter()
        .any(|r| r.starts_with("link (not a regular")));
    assert!(v
        .refused
        .iter()
        .any(|r| r.starts_with("samples/s1/pipe (not a regular")));
    assert!(!v.signed);
    let _ = std::fs::remove_dir_all(&d);
}

/// What a killed run leaves: logs that grew and a file created after its last seal.
/// That is partial and consistent; a change inside what was sealed is not.
#[test]
fn a_run_stopped_after_a_running_seal_is_consistent_and_a_change_to_its_sealed_part_is_not() {
    let d = bundle("crash");
    let log = d.join("samples/s1/console.log");
    write_sealed(
        &d,
        None,
        3,
        seal::State::Running,
        &[("junit.xml", b"<a/>")],
        &mut fresh(),
    )
    .unwrap();
    std::fs::write(&log, "login: admin\n").unwrap();
    std::fs::write(d.join("samples/s1/next-case.log"), "x").unwrap();
    let v = verify(&d, None).unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.seal, Some((3, seal::State::Running)));
    assert_eq!(v.grown, ["samples/s1/console.log"]);
    assert_eq!(v.unsealed, ["samples/s1/next-case.log"]);
    std::fs::write(&log, "LOGIN: admin\n").unwrap();
    let v = verify(&d, None).unwrap();
    assert_eq!(v.altered, ["samples/s1/console.log"]);
    // Once the run has ended, growth and new files are changes.
    std::fs::write(&log, "login: ").unwrap();
    write_sealed(&d, None, 4, seal::State::Final, &[], &mut fresh()).unwrap();
    std::fs::write(&log, "login: admin\n").unwrap();
    std::fs::write(d.join("samples/s1/late.log"), "x").unwrap();
    let v = verify(&d, None).unwrap();
    assert_eq!(v.altered, ["samples/s1/console.log"]);
    assert_eq!(v.added, ["samples/s1/late.log"]);
    let _ = std::fs::remove_dir_all(&d);
}

/// A writer stopped after the next seal and its reports were written, before the seal took
/// its place: each report matches the seal in progress, so nothing reads as altered.
#[test]
fn reports_written_for_a_seal_in_progress_are_accepted() {
    let d = bundle("inprogress");
    write_sealed(
        &d,
        None,
        1,
        seal::State::Running,
        &[("junit.xml", b"<one/>")],
        &mut fresh(),
    )
    .unwrap();
    let next = Seal::new(
        2,
        seal::State::Running,
        vec![
            Entry {
                sha256: sha256_hex(b"<two/>"),
                size: 6,
                name: "junit.xml".into(),
            },
            Entry {
                sha256: sha256_hex(b"login: "),
                size: 7,
                name: "samples/s1/console.log".into(),
            },
        ],
    );
    std::fs::write(d.join(seal::NEXT), next.text(None)).unwrap();
    std::fs::write(d.join("junit.xml"), "<two/>").unwrap();
    let v = verify(&d, None).unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.in_progress, Some(2));
    std::fs::write(d.join("junit.xml"), "<three/>").unwrap();
    assert_eq!(verify(&d, None).unwrap().altered, ["junit.xml"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn signature_checks_against_the_trusted_key_only() {
    let d = bundle("sig");
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let other = SigningKey::from_bytes(&[8u8; 32]);
    write(&d, Some(&key)).unwrap();
    assert!(verify(&d, None).unwrap().signed);
    assert_eq!(
        verify(&d, Some(&key.verifying_key())).unwrap().signature,
        SignatureCheck::Valid
    );
    assert!(matches!(
        verify(&d, Some(&other.verifying_key())).unwrap().signature,
        SignatureCheck::Invalid(_)
    ));
    let _ = std::fs::remove_dir_all(&d);
}

fn fresh() -> crate::util::growing_hashes::GrowingHashes {
    crate::util::growing_hashes::GrowingHashes::default()
}
