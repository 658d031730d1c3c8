//! 5.1-1-2 judged unit by unit: what one sample cannot show, and a universal password the
//! manual's own onboarding leaves in force.

mod common;
use common::*;

const PASSWORDS: &str = "5.1-1-2";

/// Rig text for one simulated unit, with the given batch digests (none: no `batch:` at all).
fn one_unit_rig(dir: &std::path::Path, subnet: u8, batch: &[&str]) -> std::path::PathBuf {
    let rig = write_rig(dir, subnet, &[&[]]);
    let mut text = std::fs::read_to_string(&rig).unwrap().replace(BATCH, "");
    if !batch.is_empty() {
        text.push_str("batch:\n  label_password_sha256:\n");
        for h in batch {
            text.push_str(&format!("    - \"{h}\"\n"));
        }
    }
    std::fs::write(&rig, text).unwrap();
    rig
}

fn units(run: &Run, slot: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(run.run_dir().join("report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let result = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["slot"] == slot && r["test_case"] == PASSWORDS)
        .unwrap()
        .clone();
    result["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit"].as_str().unwrap().to_string(),
                u["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn one_sample_alone_cannot_show_uniqueness_but_batch_data_can() {
    let dir = TempDir::new("alone");
    let suite = quick_suite(&dir.0);
    let rig = one_unit_rig(&dir.0, 80, &[]);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[PASSWORDS]);
    assert_verdict(
        &run,
        "slot1",
        PASSWORDS,
        "INCONCLUSIVE",
        "unit (c) not performed: uniqueness needs a second unit's label password",
    );
    assert_eq!(run.cause("slot1", PASSWORDS).as_deref(), Some("config"));
    let seen = units(&run, "slot1");
    let want = [("a", "PASS"), ("b", "PASS"), ("c", "NOT PERFORMED")];
    assert_eq!(
        seen,
        want.map(|(u, v)| (u.to_string(), v.to_string())),
        "{seen:?}"
    );
    let junit = run.junit_text();
    assert!(
        junit.contains("unit (c) NOT PERFORMED (config): uniqueness needs"),
        "{junit}"
    );

    // Another unit's label password, received from the manufacturer as a digest.
    let dir = TempDir::new("batch-digest");
    let suite = quick_suite(&dir.0);
    let other = "6b1f3ad0c4e2a7956f2d8c1b0e3a4f5d6c7b8a9e0f1d2c3b4a5968778695a4b3";
    let rig = one_unit_rig(&dir.0, 80, &[other]);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[PASSWORDS]);
    assert_verdict(&run, "slot1", PASSWORDS, "PASS", "");
    let (_, _, out) = run.verdict("slot1", PASSWORDS);
    assert!(
        out.contains("compared with 0 other sample(s) and 1 batch unit(s)"),
        "{out}"
    );
}

/// The manual's onboarding sets a password from Mirai's list: the credential in force after
/// initialization is universal, though hilt itself typed it.
#[test]
fn a_universal_password_left_in_force_by_onboarding_fails_unit_c() {
    let dir = TempDir::new("onboard-universal");
    let marker = "  initialize:                            # onboarding, as the app does it\n";
    let text = profile_text();
    assert!(text.contains(marker));
    let text = text.replace(
        marker,
        &format!("{marker}    - set: {{ new_password: \"juantech\" }}\n"),
    );
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, text).unwrap();
    let other = "6b1f3ad0c4e2a7956f2d8c1b0e3a4f5d6c7b8a9e0f1d2c3b4a5968778695a4b3";
    let rig = one_unit_rig(&dir.0, 94, &[other]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[PASSWORDS]);
    assert_verdict(
        &run,
        "slot1",
        PASSWORDS,
        "FAIL",
        "unit (c) the credential in force after initialization is a universal default password (mirai-2016.csv entry 8)",
    );
    let seen = units(&run, "slot1");
    assert_eq!(seen[2], ("c".to_string(), "FAIL".to_string()), "{seen:?}");
    assert!(!run.junit_text().contains("juantech"));
}

/// A console whose shell prompt the profile's success pattern does not describe (as a root
/// prompt `# ` or a coloured prompt often is not): the shell is recognised by what it does, so
/// the controls and the corpus still run.
#[test]
fn a_login_answer_no_pattern_names_is_settled_by_behaviour() {
    let dir = TempDir::new("behaviour");
    let from =
        "          success: \"# $\"\n          failure: \"Login incorrect\"\n          logout:";
    let to = "          success: \"Welcome, admin$\"\n          failure: \"Login incorrect\"\n          logout:";
    let text = profile_text();
    assert!(text.contains(from));
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, text.replacen(from, to, 1)).unwrap();
    let rig = write_rig(&dir.0, 98, &[&[]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[PASSWORDS]);
    assert_verdict(&run, "slot1", PASSWORDS, "PASS", "");
    let log = std::fs::read_to_string(
        run.run_dir()
            .join("samples/slot1/5.1-1-2/uart-console-attempts.log"),
    )
    .unwrap();
    assert!(
        log.contains("control: current credential for `admin` -> accepted"),
        "{log}"
    );
    let console = std::fs::read_to_string(run.run_dir().join("samples/slot1/console.log")).unwrap();
    assert!(console.contains("echo hilt$(("), "{console}");
}

/// The corpus runs four sessions side by side where the device allows it. A unit that serves one
/// login at a time (503 to the others), and one that locks out after three failures, still get
/// the whole corpus, one at a time after the first refusal, and the same verdict.
#[test]
fn the_side_by_side_corpus_falls_back_when_the_device_cannot_keep_up() {
    let dir = TempDir::new("sessions");
    let suite = quick_suite(&dir.0);
    let rig = write_rig(
        &dir.0,
        101,
        &[&[], &["single-session"], &["lockout-after-three"]],
    );
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[PASSWORDS]);
    let attempts = |slot: &str| {
        std::fs::read_to_string(
            run.run_dir()
                .join(format!("samples/{slot}/5.1-1-2/web-admin-attempts.log")),
        )
        .unwrap()
    };
    for slot in ["slot1", "slot2", "slot3"] {
        let (verdict, message, out) = run.verdict(slot, PASSWORDS);
        assert_eq!(verdict, "PASS", "{slot}: {message}\n{out}");
        assert!(
            out.contains("web-admin: 65 universal credentials tried in the initialized state, 0 accepted (4 session(s) side by side"),
            "{slot}: {out}"
        );
    }
    // The compliant unit locks after five failures too: both it and the one locking after three
    // are waited out; the single-session unit turns the other sessions away with 503.
    for slot in ["slot1", "slot2", "slot3"] {
        let log = attempts(slot);
        assert!(log.contains("(session 4)"), "{slot}: {log}");
        assert!(log.contains("are tried one at a time"), "{slot}: {log}");
    }
    assert!(attempts("slot2").contains("503"), "{}", attempts("slot2"));
    assert!(attempts("slot3").contains("-> locked out (session"));
}

/// IXIT 1 declares pre-installed passwords, but the lab typed in a label without one: unit (c)
/// cannot judge uniqueness, and says why, instead of passing on the corpus alone.
#[test]
fn a_label_without_its_password_leaves_unit_c_not_performed() {
    let dir = TempDir::new("nolabelpw");
    let suite = quick_suite(&dir.0);
    let rig = write_rig(&dir.0, 103, &[&[]]);
    let text = std::fs::read_to_string(&rig).unwrap().replace(
        "label: { file: \"{scratch}/label.yaml\" }",
        "label: { serial: \"VC100-X\", mac: \"02:00:00:67:00:01\", username: admin }",
    );
    std::fs::write(&rig, text).unwrap();
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[PASSWORDS]);
    let (verdict, message, out) = run.verdict("slot1", PASSWORDS);
    assert_eq!(verdict, "INCONCLUSIVE", "{message}\n{out}");
    assert!(
        out.contains("unit (c) NOT PERFORMED (config): IXIT 1 declares pre-installed passwords (web-admin, web-ui, snapshot-api, uart-console) but the rig gives this unit's label no password"),
        "{out}"
    );
}

/// A user-defined login that takes the empty password before onboarding only to demand a new
/// one is the forced-change flow the profile declares: unit (b) records it and passes. Without
/// the declaration the same answer is an acceptance, and unit (b) fails.
#[test]
fn a_declared_forced_change_is_not_a_login_before_the_password_is_set() {
    let declared = "          forced_change_body: \"change_password_required\"";
    for (tag, subnet, profile_has_it, verdict) in [
        ("forced", 118u8, true, "PASS"),
        ("forcednodecl", 119, false, "FAIL"),
    ] {
        let dir = TempDir::new(tag);
        let mut text = profile_text();
        assert!(text.contains(declared));
        if !profile_has_it {
            let line = text
                .lines()
                .find(|l| l.starts_with(declared))
                .unwrap()
                .to_string();
            text = text.replace(&format!("{line}\n"), "");
        }
        let profile = dir.0.join("profile.yaml");
        std::fs::write(&profile, text).unwrap();
        let rig = write_rig(&dir.0, subnet, &[&["viewer-forced-change"]]);
        let suite = quick_suite(&dir.0);
        let run = run_files(&dir.0, &rig, &profile, Some(&suite), &["5.1-1-2"]);
        let (got, message, out) = run.verdict("slot1", "5.1-1-2");
        assert_eq!(got, verdict, "{tag}: {message}\n{out}");
        match profile_has_it {
            true => assert!(
                out.contains("viewer-stream accepted an empty password in the factory default state only to force a password change"),
                "{out}"
            ),
            false => assert!(
                message.contains("viewer-stream (declared user-defined) accepted an empty password in the factory default state"),
                "{message}"
            ),
        }
    }
}

/// A declared port can carry a login nobody declared: with the challenge logins (`snapshot-api`,
/// `viewer-stream`) taken out of the profile, the basic-authentication challenge the unit shows
/// at `/` of its admin port is a second kind of login there; the same profile on a unit without
/// it keeps unit (a) PASS.
#[test]
fn a_second_kind_of_login_on_a_declared_port_is_found() {
    let dir = TempDir::new("secondlogin");
    let mut text = profile_text();
    for id in ["snapshot-api", "viewer-stream"] {
        let start = text.find(&format!("    - id: {id}\n")).unwrap();
        let end = start + 1 + text[start + 1..].find("    - id: ").unwrap();
        text = format!("{}{}", &text[..start], &text[end..]);
    }
    // The settings function names the viewer's account as its lower-privileged one.
    let text: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("lower_privilege: viewer-stream"))
        .collect();
    let text = text.join("\n") + "\n";
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, text).unwrap();
    let rig = write_rig(&dir.0, 121, &[&["basic-auth-at-root"], &[]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &["5.1-1-2"]);
    assert_verdict(
        &run,
        "slot1",
        "5.1-1-2",
        "FAIL",
        "unit (a) TCP 8443 takes a HTTPS authentication login besides the mechanism(s) IXIT 1 declares on it (web-admin, web-ui)",
    );
    let (_, message, out) = run.verdict("slot2", "5.1-1-2");
    assert!(!message.contains("unit (a)"), "{message}");
    assert!(out.contains("unit (a) PASS"), "{out}");
}
