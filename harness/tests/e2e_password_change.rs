//! 5.1-4-2: the password changed through the profile's declared procedure, each fault of the
//! simulated unit's "change password" seeded next to a compliant unit.

mod common;
use common::*;

const CHANGE: &str = "5.1-4-2";

/// One rig, four units: a compliant one and one per fault, each failing only the unit of the
/// case its fault breaks; every unit is left with the password it had.
#[test]
fn each_broken_password_change_fails_its_unit() {
    let dir = TempDir::new("pwchange");
    let units: &[&[&str]] = &[
        &[],
        &["password-change-keeps-old"],
        &["password-change-lost-at-reboot"],
        &["password-change-without-current"],
    ];
    let rig = write_rig(&dir.0, 25, units);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[CHANGE]);
    assert_verdict(&run, "slot1", CHANGE, "PASS", "");
    let (_, _, out) = run.verdict("slot1", CHANGE);
    assert!(
        out.contains("unit (a) PASS") && out.contains("unit (b) PASS"),
        "{out}"
    );
    for (slot, unit, finding) in [
        (
            "slot2",
            "(a)",
            "after the change, `web-admin` still accepts the old password",
        ),
        (
            "slot3",
            "(a)",
            "after a power cycle, `web-admin` refuses the new password",
        ),
        (
            "slot4",
            "(b)",
            "`web-admin` took a new password from a change made with a wrong current password",
        ),
    ] {
        assert_verdict(&run, slot, CHANGE, "FAIL", finding);
        let (_, _, out) = run.verdict(slot, CHANGE);
        assert!(out.contains(&format!("unit {unit} FAIL")), "{slot}: {out}");
    }
    // The change is lost on every login to the account, the console included.
    let (_, message, _) = run.verdict("slot3", CHANGE);
    assert!(
        message.contains("after a power cycle, `uart-console` still accepts the old password"),
        "{message}"
    );
    for slot in ["slot1", "slot2", "slot4"] {
        let log = run
            .run_dir()
            .join(format!("samples/{slot}/5.1-4-2/changes.log"));
        let log = std::fs::read_to_string(log).unwrap();
        assert!(
            log.contains("web-admin: password set back -> done"),
            "{slot}: {log}"
        );
    }
}

/// A profile that says the password can be changed (ICS 5.1-4) but not how leaves the case not
/// performed, never a PASS.
#[test]
fn without_a_declared_change_the_case_is_not_performed() {
    let dir = TempDir::new("pwnochange");
    let text = profile_text();
    let start = text.find("      change_password:").unwrap();
    let end = start
        + text[start..].find("          within: 5s\n").unwrap()
        + "          within: 5s\n".len();
    let profile = dir.0.join("no-change.yaml");
    std::fs::write(&profile, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let rig = write_rig(&dir.0, 26, &[&[]]);
    let run = run_files(
        &dir.0,
        &rig,
        &profile,
        Some(&quick_suite(&dir.0)),
        &[CHANGE],
    );
    assert_verdict(
        &run,
        "slot1",
        CHANGE,
        "INCONCLUSIVE",
        "no IXIT 1 mechanism declares how its password is changed (`change_password`)",
    );
}

/// Without a power backend the change is not shown to survive a power cycle: unit (a) is not
/// performed, though everything else in it held.
#[test]
fn without_power_control_the_change_is_not_shown_to_last() {
    let dir = TempDir::new("pwnopower");
    let rig = write_rig(&dir.0, 27, &[&[]]);
    unwire(&rig, "power:");
    let run = run_files(
        &dir.0,
        &rig,
        &profile(),
        Some(&quick_suite(&dir.0)),
        &[CHANGE],
    );
    assert_verdict(
        &run,
        "slot1",
        CHANGE,
        "INCONCLUSIVE",
        "the rig wires no power backend",
    );
    let (_, _, out) = run.verdict("slot1", CHANGE);
    assert!(out.contains("unit (b) PASS"), "{out}");
}

/// The change made at the console instead (`passwd` after a console login): the web logins of
/// the same account follow it, and a wrong current password stops it at the login.
#[test]
fn a_change_at_the_console_reaches_the_network_logins() {
    let dir = TempDir::new("pwconsole");
    let passwd = r#"
      change_password:
        - console_login: { within: 10s }
        - console_send: { text: "passwd\n" }
        - console_expect: { pattern: "New password: $", within: 5s }
        - console_send: { text: "{new_password}\n", secret: true }
        - console_expect: { pattern: "password changed", within: 5s }
        - console_send: { text: "exit\n" }
"#;
    let text = profile_text();
    let start = text.find("      change_password:").unwrap();
    let end = start
        + text[start..].find("          within: 5s\n").unwrap()
        + "          within: 5s\n".len();
    let text = format!("{}{}", &text[..start], &text[end..]);
    let anchor = "          logout: \"exit\\r\\n\"\n          within: 5s\n";
    let text = text.replacen(anchor, &format!("{anchor}{}", &passwd[1..]), 1);
    assert!(text.contains("passwd\\n"), "the console procedure went in");
    let profile = dir.0.join("console-change.yaml");
    std::fs::write(&profile, text).unwrap();
    let rig = write_rig(&dir.0, 28, &[&[], &["password-change-lost-at-reboot"]]);
    let run = run_files(
        &dir.0,
        &rig,
        &profile,
        Some(&quick_suite(&dir.0)),
        &[CHANGE],
    );
    // The console's passwd writes flash: the API's fault does not touch it.
    for slot in ["slot1", "slot2"] {
        assert_verdict(&run, slot, CHANGE, "PASS", "");
        let (_, _, out) = run.verdict(slot, CHANGE);
        assert!(
            out.contains("changed through uart-console"),
            "{slot}: {out}"
        );
        let log = run
            .run_dir()
            .join(format!("samples/{slot}/5.1-4-2/changes.log"));
        let log = std::fs::read_to_string(log).unwrap();
        for seen in [
            "after a power cycle: `web-admin` new password -> accepted, old password -> rejected",
            "uart-console: change with a wrong current password -> refused (",
            "console login was not accepted",
        ] {
            assert!(log.contains(seen), "{slot}: {seen:?} not in {log}");
        }
    }
}
