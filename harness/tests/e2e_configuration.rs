//! 5.5-5-2: the profile's security-relevant configuration function replayed as subjects that
//! must be refused, each fault of the simulated settings API seeded next to a compliant unit,
//! and an undeclared port for unit (b).

mod common;
use common::*;

const CONFIGURATION: &str = "5.5-5-2";

/// One rig, five units: a compliant one, one per broken check of the settings API (each caught
/// by the subject it lets through, and only by that one) and one with an undeclared port.
#[test]
fn each_missing_check_fails_the_subject_it_lets_through() {
    let dir = TempDir::new("configuration");
    let units: &[&[&str]] = &[
        &[],
        &["settings-without-authentication"],
        &["settings-token-not-checked"],
        &["settings-any-account"],
        &["undeclared-port"],
    ];
    let rig = write_rig(&dir.0, 29, units);
    let run = run_files(
        &dir.0,
        &rig,
        &profile(),
        Some(&quick_suite(&dir.0)),
        &[CONFIGURATION],
    );
    assert_verdict(&run, "slot1", CONFIGURATION, "PASS", "");
    let (_, _, out) = run.verdict("slot1", CONFIGURATION);
    assert!(
        out.contains("unit (a) PASS") && out.contains("unit (b) PASS"),
        "{out}"
    );
    let anonymous = "`update-server` was changed without credentials";
    let wrong = "`update-server` was changed with a wrong password";
    let viewer = "`update-server` was changed as the lower-privileged account of `viewer-stream`";
    for (slot, changed_by, not_by) in [
        ("slot2", vec![anonymous, wrong, viewer], vec![]),
        // Any bearer token passes: a forged one, and the viewer's as the owner's.
        ("slot3", vec![wrong, viewer], vec![anonymous]),
        ("slot4", vec![viewer], vec![anonymous, wrong]),
    ] {
        assert_verdict(&run, slot, CONFIGURATION, "FAIL", changed_by[0]);
        let (_, message, out) = run.verdict(slot, CONFIGURATION);
        assert!(
            out.contains("unit (a) FAIL") && out.contains("unit (b) PASS"),
            "{slot}: {out}"
        );
        for seen in changed_by {
            assert!(message.contains(seen), "{slot}: {seen:?} not in {message}");
        }
        for unseen in not_by {
            assert!(!message.contains(unseen), "{slot}: {unseen:?} in {message}");
        }
    }
    assert_verdict(
        &run,
        "slot5",
        CONFIGURATION,
        "FAIL",
        "TCP port 9527 is open but not declared",
    );
    let (_, _, out) = run.verdict("slot5", CONFIGURATION);
    assert!(
        out.contains("unit (a) PASS") && out.contains("unit (b) FAIL"),
        "{out}"
    );
    // Every unit is left with the update server it had.
    for slot in ["slot1", "slot2", "slot3", "slot4"] {
        let log = run
            .run_dir()
            .join(format!("samples/{slot}/5.5-5-2/configuration.log"));
        let log = std::fs::read_to_string(log).unwrap();
        assert!(
            log.contains("update-server: set back to `updates` -> done"),
            "{slot}: {log}"
        );
    }
}

/// ICS 5.5-5 applies, but no function is declared: unit (a) is not performed, so the case is
/// INCONCLUSIVE however clean the scan is; and a change the read-back cannot see (the profile's
/// change writes another host than its read-back looks for) makes a refusal meaningless, so it
/// is not performed either.
#[test]
fn without_a_declared_function_or_a_working_read_back_nothing_is_claimed() {
    let dir = TempDir::new("confignone");
    let text = profile_text();
    let start = text.find("  configuration_functions:").unwrap();
    let end = text.find("  software_components:").unwrap();
    let none = dir.0.join("no-functions.yaml");
    std::fs::write(&none, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let blind = dir.0.join("blind-read-back.yaml");
    std::fs::write(
        &blind,
        text.replacen(".example.com/camera\" }", ".example.org/camera\" }", 1),
    )
    .unwrap();
    let rig = write_rig(&dir.0, 30, &[&[]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &none, Some(&suite), &[CONFIGURATION]);
    assert_verdict(
        &run,
        "slot1",
        CONFIGURATION,
        "INCONCLUSIVE",
        "declares no function that changes security-relevant configuration",
    );
    let (_, _, out) = run.verdict("slot1", CONFIGURATION);
    assert!(out.contains("unit (b) PASS"), "{out}");
    let run = run_files(&dir.0, &rig, &blind, Some(&suite), &[CONFIGURATION]);
    assert_verdict(
        &run,
        "slot1",
        CONFIGURATION,
        "INCONCLUSIVE",
        "unit (a) not performed: update-server: reading the setting back",
    );
}
