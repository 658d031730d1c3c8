//! 5.13-1-2: every declared input fed unexpected values, a compliant unit next to one whose
//! login overflows and crashes its web server, one whose ping diagnostic runs the host through
//! a shell and one whose diagnostic answers a bad host with a traceback.

mod common;
use common::*;

const CASE: &str = "5.13-1-2";

#[test]
fn a_crash_and_an_injection_are_found_and_saved_to_replay() {
    let dir = TempDir::new("inputs");
    let units: &[&[&str]] = &[
        &[],
        &["login-overflow-crashes-httpd"],
        &["ping-command-injection"],
        &["ping-error-shows-traceback"],
    ];
    let rig = write_rig(&dir.0, 144, units);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[CASE]);
    assert_verdict(&run, "slot1", CASE, "SKIPPED", "");
    let (_, message, out) = run.verdict("slot1", CASE);
    assert!(
        out.contains("unit (a) PASS")
            && out.contains("unit (b) MANUAL")
            && out.contains("unit (c) PASS"),
        "{message}\n{out}"
    );
    for input in [
        "login web-admin",
        "login web-ui",
        "configuration update-server",
        "input ping-diagnostic",
    ] {
        assert!(out.contains(input), "{input} not in {out}");
    }

    assert_verdict(
        &run,
        "slot2",
        CASE,
        "FAIL",
        "login web-admin, json.username = oversized",
    );
    let (_, message, _) = run.verdict("slot2", CASE);
    assert!(message.contains("segfault at 0"), "{message}");
    // Down for the watchdog's 3 s: the service stops answering, then hilt waits for it.
    assert!(
        message.contains("stopped answering after this value"),
        "{message}"
    );
    assert!(!message.contains("ping-diagnostic"), "{message}");

    assert_verdict(
        &run,
        "slot3",
        CASE,
        "FAIL",
        "input ping-diagnostic, json.host = shell-",
    );
    let (_, message, _) = run.verdict("slot3", CASE);
    assert!(
        message.contains("the output of the injected command"),
        "{message}"
    );
    assert!(!message.contains("login web-admin"), "{message}");

    assert_verdict(
        &run,
        "slot4",
        CASE,
        "FAIL",
        "input ping-diagnostic, json.host = unicode: the answer shows a Python traceback",
    );

    // The finding replays: the request as sent, the seed and the probe that made it.
    let dir = run.run_dir().join("samples/slot3/5.13-1-2");
    let finding = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a finding file");
    let text = std::fs::read_to_string(&finding).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["input"], "input ping-diagnostic");
    assert!(json["seed"].is_u64() && json["probe"].is_u64(), "{text}");
    assert!(json["request"]["url"]
        .as_str()
        .unwrap()
        .ends_with("/api/diagnostics/ping"));
    let replay = json["replay"].as_str().unwrap();
    let body = finding.with_extension("body");
    let body_name = body.file_name().unwrap().to_str().unwrap();
    assert!(
        replay.starts_with("curl ") && replay.ends_with(&format!("@{body_name}")),
        "{text}"
    );
    assert!(std::fs::read_to_string(&body)
        .unwrap()
        .contains("echo hilt$(("));
}

/// A console input: `ping` in the vendor's service menu, a compliant menu next to one that
/// pastes the host into a shell line. The newline form is not sent: at a console it only types
/// a second line.
#[test]
fn a_console_menu_is_fed_the_same_values() {
    let dir = TempDir::new("inputsconsole");
    let text = profile_text().replacen(
        "    - id: ping-diagnostic\n",
        "    - id: service-menu-ping\n      description: \"ping in the vendor's service menu on the UART\"\n      prompt: \"CLI>\\\\x1b\\\\[0m $\"\n      use:\n        - console_send: { text: \"ping 192.0.2.1\\r\\n\" }\n    - id: ping-diagnostic\n",
        1,
    );
    let profile = dir.0.join("menu.yaml");
    std::fs::write(&profile, text).unwrap();
    let units: &[&[&str]] = &[
        &["uart-vendor-cli"],
        &["uart-vendor-cli", "ping-command-injection"],
    ];
    let rig = write_rig(&dir.0, 145, units);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[CASE]);
    let (_, message, out) = run.verdict("slot1", CASE);
    assert!(out.contains("unit (a) PASS"), "{message}\n{out}");
    assert!(out.contains("input service-menu-ping ("), "{out}");
    assert_verdict(
        &run,
        "slot2",
        CASE,
        "FAIL",
        "input service-menu-ping, argument 1 = shell-",
    );
    let (_, message, _) = run.verdict("slot2", CASE);
    assert!(
        message.contains("the output of the injected command"),
        "{message}"
    );
    assert!(
        !message.contains("service-menu-ping, argument 1 = shell-newline"),
        "{message}"
    );
}
