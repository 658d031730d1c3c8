//! The update battery end to end: each updater fault, seeded in one simulated unit next to a
//! compliant one, fails the right case with the attack named and the image's hash cited.

mod common;
use common::*;
use rstest::rstest;

const MISUSE: &str = "5.3-2-2";
const EVERY: &str = "5.3-1-2";
const PATHS: &str = "5.3-10-1";

fn run_update_cases(tag: &str, subnet: u8, faults: &[&str]) -> (TempDir, Run) {
    let dir = TempDir::new(tag);
    let rig = write_rig(&dir.0, subnet, &[&[], faults]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &["5.3-"]);
    (dir, run)
}

fn expect(run: &Run, slot: &str, case: &str, want: &str, has: &str) -> String {
    let (verdict, message, _) = run.verdict(slot, case);
    assert_eq!(
        verdict,
        want,
        "{slot} {case}: {message}\nstdout:\n{}",
        run.stdout()
    );
    assert!(
        message.contains(has),
        "{slot} {case}: {message:?} lacks {has:?}"
    );
    message
}

/// The FAIL names an image by SHA-256; that image is among the cited evidence, byte for byte.
fn assert_image_cited(run: &Run, slot: &str, message: &str) {
    let at = message
        .find("sha256 ")
        .expect("an image hash in the message")
        + 7;
    let hash = &message[at..at + 64];
    let cited = run.evidence(slot, MISUSE);
    let found = cited
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "img"))
        .any(|p| {
            let bytes = std::fs::read(p).unwrap();
            hilt::util::hash::sha256_hex(&bytes) == hash
        });
    assert!(found, "no cited image has sha256 {hash}: {cited:?}");
}

/// Faults that let a tampered image in show on every mechanism (upload, download, UART). A lab
/// image already installed through the first mechanism carries the running version on the next
/// ones (not performed there), and a bricking fault ends the battery at the first mechanism.
#[rstest]
#[case::signature_not_checked(
    "sigcheck",
    81,
    "update-signature-not-checked",
    "installed the payload-byte-flipped image",
    true
)]
#[case::any_signing_key(
    "anykey",
    82,
    "update-any-signing-key",
    "installed the signed-with-wrong-key image",
    true
)]
#[case::model_not_checked(
    "model",
    83,
    "update-model-not-checked",
    "installed the image-for-other-model image",
    false
)]
#[case::rollback_allowed(
    "rollback",
    84,
    "update-rollback-allowed",
    "installed the rollback-to-older-image image",
    false
)]
#[case::truncated_bricks(
    "truncated",
    85,
    "update-truncated-bricks",
    "the unit stopped answering after the truncated-image image",
    false
)]
fn an_updater_fault_fails_with_the_attack_named(
    #[case] tag: &str,
    #[case] subnet: u8,
    #[case] fault: &str,
    #[case] finding: &str,
    #[case] on_every_mechanism: bool,
) {
    let (_dir, run) = run_update_cases(tag, subnet, &[fault]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    // 5.3-1-2 judges coverage: the defect is 5.3-2-2's alone. (After a misuse image went in,
    // the later mechanisms may not be reachable for coverage: INCONCLUSIVE there is honest.)
    let (every, message, _) = run.verdict("slot2", EVERY);
    assert_ne!(every, "FAIL", "one defect judged twice: {message}");
    expect(&run, "slot1", EVERY, "PASS", "");
    {
        let message = expect(&run, "slot2", MISUSE, "FAIL", finding);
        assert_image_cited(&run, "slot2", &message);
        let mechanisms = [
            "admin-upload",
            "app-triggered-download",
            "uart-service-update",
        ];
        let named = if on_every_mechanism {
            &mechanisms[..]
        } else {
            &mechanisms[..1]
        };
        for m in named {
            assert!(
                message.contains(&format!("`{m}`")),
                "{m} missing from {message}"
            );
        }
        expect(&run, "slot1", MISUSE, "PASS", "");
    }
    expect(&run, "slot2", PATHS, "SKIPPED", "unit (a)");
    expect(&run, "slot1", PATHS, "SKIPPED", "unit (a)");
}

#[test]
fn a_unit_that_bricks_on_a_power_cut_mid_transfer_fails() {
    let (_dir, run) = run_update_cases("powercut", 86, &["update-interrupted-bricks"]);
    expect(
        &run,
        "slot2",
        MISUSE,
        "FAIL",
        "no firmware boots after a power cut in the middle of a valid transfer",
    );
    expect(&run, "slot1", MISUSE, "PASS", "");
    let (_, message, _) = run.verdict("slot2", MISUSE);
    assert!(
        !message.contains("installed the"),
        "every misuse image was refused: {message}"
    );
}

/// Unit (c) finds the legacy CGI; basic authentication over a whole area (401 for /admin/upgrade
/// and for a random path beside it) is not an update path. Units (a) and (b) are the assessor's.
#[test]
fn an_undeclared_upload_path_fails_5_3_10_1() {
    let dir = TempDir::new("cgi");
    let rig = write_rig(
        &dir.0,
        87,
        &[&[], &["undeclared-update-path"], &["admin-area-basic-auth"]],
    );
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &["5.3-10-1"]);
    expect(
        &run,
        "slot2",
        PATHS,
        "FAIL",
        "answers 405 at /cgi-bin/upgrade.cgi, a common firmware-upload path, where a random path under /cgi-bin/ answers 404",
    );
    for slot in ["slot1", "slot3"] {
        let (verdict, message, out) = run.verdict(slot, PATHS);
        assert_eq!(verdict, "SKIPPED", "{slot}: {message}\n{out}");
        assert!(message.contains("unit (b)"), "{slot}: {message}");
        assert!(out.contains("unit (c) PASS: none of"), "{slot}: {out}");
        assert!(
            out.contains("unit (a) MANUAL: IXIT 7 declares `admin-upload`"),
            "{out}"
        );
    }
    let (_, _, out) = run.verdict("slot3", PATHS);
    assert!(
        out.contains("/admin/upgrade answers 401, as a random path under /admin/ does"),
        "{out}"
    );
}

#[test]
fn a_broken_update_path_is_inconclusive_never_pass() {
    let (_dir, run) = run_update_cases("broken", 88, &["update-path-broken"]);
    for (case, said) in [
        (MISUSE, "the valid image was not installed either"),
        (EVERY, "the valid-image control was not installed"),
    ] {
        expect(&run, "slot2", case, "INCONCLUSIVE", said);
        expect(&run, "slot1", case, "PASS", "");
    }
}

/// The compliant unit installs each mechanism's valid image in turn, and the run recorded the
/// version changes.
#[test]
fn the_compliant_unit_installs_the_valid_image() {
    let (_dir, run) = run_update_cases("valid", 89, &[]);
    for slot in ["slot1", "slot2"] {
        expect(&run, slot, MISUSE, "PASS", "");
    }
    let log = std::fs::read_to_string(run.run_dir().join("samples/slot1/update/admin-upload.log"))
        .unwrap();
    assert!(log.contains("unit runs firmware 1.4.2"), "{log}");
    assert!(log.contains("; Installed(\"1.5.0\")"), "{log}");
    let pull = run
        .run_dir()
        .join("samples/slot1/update/app-triggered-download.log");
    let log = std::fs::read_to_string(pull).unwrap();
    assert!(log.contains("unit runs firmware 1.5.0"), "{log}");
    assert!(log.contains("; Installed(\"1.6.0\")"), "{log}");
    // The report names the version the cases tested, not the one the battery left installed,
    // and each result the version the unit ran when it started.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.run_dir().join("report.json")).unwrap())
            .unwrap();
    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slot"] == "slot1")
        .unwrap();
    assert_eq!(item["firmware_version"], "1.4.2", "{item}");
    let version = |case: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["slot"] == "slot1" && r["test_case"] == case)
            .map(|r| r["firmware_version"].clone())
            .unwrap()
    };
    assert_eq!(version(PATHS), "1.4.2");
    assert_eq!(version(MISUSE), "1.4.2");
    // The three mechanisms install 1.5.0, 1.6.0 and 1.7.0 in turn; 5.3-1-2 starts on the last.
    assert_eq!(version(EVERY), "1.7.0");
}

/// Without a device: every attack the default profile allows is written, each differing from the
/// valid image, and the layout's regions are listed.
#[test]
fn update_images_writes_the_misuse_images_without_a_device() {
    let dir = TempDir::new("offline-images");
    let out = dir.0.join("images");
    let run = std::process::Command::new(hilt())
        .args(["update-images", "--out", out.to_str().unwrap()])
        .current_dir(repo())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("region signature: bytes 16480..16544 (64 bytes)"),
        "{stdout}"
    );
    let valid = std::fs::read(repo().join("device-profiles/images/vc100-1.5.0.vcfw")).unwrap();
    let written: Vec<_> = std::fs::read_dir(&out).unwrap().flatten().collect();
    assert_eq!(written.len(), 8, "{stdout}");
    for entry in written {
        assert_ne!(
            std::fs::read(entry.path()).unwrap(),
            valid,
            "{:?}",
            entry.path()
        );
    }
}

/// The same battery when the unit downloads from the server hilt plays: a unit that bricks when
/// a download is cut off by a power loss fails, a compliant one passes.
#[test]
fn a_unit_that_pulls_its_update_is_tested_through_hilts_server() {
    let dir = TempDir::new("pull");
    let text = profile_text();
    let start = text.find("    - id: admin-upload").unwrap();
    let end = text.find("    - id: app-triggered-download").unwrap();
    let pull_only = format!("{}{}", &text[..start], &text[end..]).replace(
        "[admin-upload, app-triggered-download, uart-service-update]",
        "[app-triggered-download, uart-service-update]",
    );
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, pull_only).unwrap();
    let rig = write_rig(&dir.0, 79, &[&[], &["update-interrupted-bricks"]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &["5.3-2"]);
    expect(&run, "slot1", MISUSE, "PASS", "");
    expect(
        &run,
        "slot2",
        MISUSE,
        "FAIL",
        "`app-triggered-download`: no firmware boots after a power cut",
    );
    let log = std::fs::read_to_string(
        run.run_dir()
            .join("samples/slot1/update/app-triggered-download.log"),
    )
    .unwrap();
    assert!(log.contains("update server: GET /update/"), "{log}");
    assert!(log.contains("the unit fetched all 16544 bytes"), "{log}");
    assert!(log.contains("valid-image: told to fetch"), "{log}");
}

/// An attack hilt could not make does not vanish into a PASS: no older image from the lab, no
/// power backend on the rig, no IXIT 6. The compliant unit is INCONCLUSIVE, each gap named.
#[test]
fn attacks_not_made_leave_the_update_cases_inconclusive() {
    let dir = TempDir::new("gaps");
    let text = profile_text();
    let older = text
        .lines()
        .find(|l| l.trim_start().starts_with("older:"))
        .unwrap();
    let start = text.find("\n  software_components:").unwrap();
    let end = text.find("\n  update_mechanisms:").unwrap();
    let gaps = format!("{}{}", &text[..start], &text[end..]).replace(older, "");
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, gaps).unwrap();
    let rig = write_rig(&dir.0, 100, &[&[]]);
    let wired = std::fs::read_to_string(&rig).unwrap();
    let power = wired.lines().find(|l| l.contains("power:")).unwrap();
    std::fs::write(&rig, wired.replace(&format!("{power}\n"), "")).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &["5.3-"]);
    let message = expect(
        &run,
        "slot1",
        MISUSE,
        "INCONCLUSIVE",
        "rollback-to-older-image: the lab supplied no older image",
    );
    assert!(
        message.contains("power-cut-mid-transfer: the rig wires no power backend"),
        "{message}"
    );
    expect(&run, "slot1", EVERY, "INCONCLUSIVE", "IXIT 6");
}
