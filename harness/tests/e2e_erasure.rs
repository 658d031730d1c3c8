//! 5.11-1-2: user data planted, the factory reset run, and every place the data could remain
//! looked at; each way the simulated unit keeps user data seeded next to a compliant unit.

mod common;
use common::*;

const ERASURE: &str = "5.11-1-2";

/// One rig, four units: a compliant one, one whose reset keeps the passwords, one whose reset
/// keeps the settings, and one whose reset erases the settings but lists their backup copy in
/// the boot log. Each fails unit (c) for what it kept, and only for that.
#[test]
fn each_kind_of_kept_user_data_fails_unit_c() {
    let dir = TempDir::new("erasure");
    let units: &[&[&str]] = &[
        &[],
        &["reset-keeps-passwords"],
        &["reset-keeps-settings"],
        &["settings-backup-survives-reset"],
    ];
    let rig = write_rig(&dir.0, 140, units);
    let run = run_files(
        &dir.0,
        &rig,
        &profile(),
        Some(&quick_suite(&dir.0)),
        &[ERASURE],
    );
    assert_verdict(&run, "slot1", ERASURE, "PASS", "");
    let password =
        "after the factory reset `web-admin` still accepts the password set at initialization";
    let setting = "after the factory reset `update-server` still holds the value set before it";
    let console =
        "after the factory reset the console prints the value `update-server` held before it";
    for (slot, kept, not_kept) in [
        ("slot2", password, [setting, console]),
        ("slot3", setting, [password, console]),
        ("slot4", console, [password, setting]),
    ] {
        assert_verdict(&run, slot, ERASURE, "FAIL", kept);
        let (_, message, out) = run.verdict(slot, ERASURE);
        assert!(
            out.contains("unit (a) PASS") && out.contains("unit (b) PASS"),
            "{slot}: {out}"
        );
        for other in not_kept {
            assert!(!message.contains(other), "{slot}: {other:?} in {message}");
        }
    }
    // The console finding cites the line the unit printed.
    let console_log = run.run_dir().join("samples/slot4/console.log");
    let console_log = std::fs::read_to_string(console_log).unwrap();
    assert!(
        console_log.contains("settings: backup partition holds update_server=https://"),
        "{console_log}"
    );
}

/// Without a declared factory reset, user data can be neither created as a user would nor
/// erased: not performed, never a PASS.
#[test]
fn without_a_declared_reset_nothing_is_claimed() {
    let dir = TempDir::new("erasurenone");
    let text = profile_text();
    let start = text.find("  factory_reset:\n").unwrap();
    let end = text.find("  initialize:").unwrap();
    let profile = dir.0.join("no-reset.yaml");
    let text = format!("{}  factory_reset: []\n{}", &text[..start], &text[end..]);
    std::fs::write(&profile, text).unwrap();
    let rig = write_rig(&dir.0, 141, &[&[]]);
    let run = run_files(
        &dir.0,
        &rig,
        &profile,
        Some(&quick_suite(&dir.0)),
        &[ERASURE],
    );
    assert_verdict(
        &run,
        "slot1",
        ERASURE,
        "INCONCLUSIVE",
        "the profile declares no factory reset and initialization",
    );
}
