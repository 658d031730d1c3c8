//! Debug interfaces (5.6-4-2) end to end: each seeded in a simulated unit or a profile variant,
//! next to a compliant unit that must stay PASS. Secrets (5.4-3-2) are in e2e_secrets.rs.

mod common;
use common::*;
use rstest::rstest;

const DEBUG: &str = "5.6-4-2";

/// A debug port hilt cannot reach gives no verdict, and one reached only through a bare test
/// pad is reported but not failed: TS 103 701 counts interfaces usable with a standard cable.
/// An open SWD header the profile does not declare fails like a declared one.
#[test]
fn an_unreachable_debug_port_is_inconclusive_and_a_test_pad_is_not_physically_accessible() {
    let dir = TempDir::new("swd-wiring");
    let readable: &[&str] = &["swd-readable"];
    let rig = write_rig(&dir.0, 70, &[readable, readable, readable, readable]);
    let text = std::fs::read_to_string(&rig).unwrap();
    let mut slots = text.split("  - id: slot");
    let head = slots.next().unwrap();
    let (first, second, third, fourth) = (
        slots.next().unwrap(),
        slots.next().unwrap(),
        slots.next().unwrap(),
        slots.next().unwrap(),
    );
    assert!(third.contains("interface: swd, "));
    assert!(fourth.contains("bridge: \"{scratch}/swd\""));
    // This machine has no USB debug probe, so probe-rs finds none for the selector.
    let text = format!(
        "{head}  - id: slot{}  - id: slot{}  - id: slot{}  - id: slot{}",
        first.replace("{scratch}/swd", "{scratch}/no-probe-here"),
        second.replace("reached_by: header", "reached_by: test_pad"),
        third.replace("interface: swd, ", ""),
        fourth.replace(
            "bridge: \"{scratch}/swd\"",
            "probe: { selector: \"1366:1051\", chip: nRF52840_xxAA }"
        )
    );
    std::fs::write(&rig, text).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[DEBUG]);
    assert_verdict(
        &run,
        "slot1",
        DEBUG,
        "INCONCLUSIVE",
        "no debug probe: debug bridge",
    );
    assert_verdict(&run, "slot2", DEBUG, "PASS", "");
    let (_, _, out) = run.verdict("slot2", DEBUG);
    assert!(
        out.contains("no physically accessible debug interface is open"),
        "{out}"
    );
    assert!(
        out.contains("a test pad is not physically accessible under TS 103 701"),
        "{out}"
    );
    assert_verdict(
        &run,
        "slot3",
        DEBUG,
        "FAIL",
        "SWD (not declared in the profile) is open through a populated header: the probe attached and read",
    );
    assert_verdict(&run, "slot4", DEBUG, "INCONCLUSIVE", "no debug probe: ");
    // A probe that is not there is the bench's doing, and every report says so.
    for slot in ["slot1", "slot4"] {
        assert_eq!(run.cause(slot, DEBUG).as_deref(), Some("bench"));
    }
    assert!(run.junit_text().contains("type=\"INCONCLUSIVE (bench)\""));
    assert_eq!(run.cause("slot2", DEBUG), None);
    let (_, _, out) = run.verdict("slot4", DEBUG);
    assert!(out.contains("1366:1051"), "{out}");
}

/// The UART as a debug interface, each finding on its own unit: a root shell without login, a
/// boot-loader prompt a key reaches during boot (left with `boot`, so the unit carries on).
#[rstest]
#[case::root_shell(
    "rootshell",
    74,
    "uart-root-shell",
    "a shell answers without any login once booted"
)]
#[case::bootloader_menu(
    "bootmenu",
    75,
    "bootloader-menu",
    "an interactive boot-loader prompt answers a key during boot: `=>` prompt; help: "
)]
#[case::vendor_cli(
    "vendorcli",
    99,
    "uart-vendor-cli",
    "something answers typed input without any login once booted (a console or menu)"
)]
fn a_uart_that_offers_a_debug_surface_fails(
    #[case] tag: &str,
    #[case] subnet: u8,
    #[case] fault: &str,
    #[case] finding: &str,
) {
    let dir = TempDir::new(tag);
    let rig = write_rig(&dir.0, subnet, &[&[], &[fault]]);
    console_on_header(&rig, 2);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[DEBUG]);
    assert_verdict(&run, "slot1", DEBUG, "PASS", "");
    assert_verdict(&run, "slot2", DEBUG, "FAIL", finding);
}

/// A console login the profile does not declare (or declares absent) is an accessible debug
/// interface too. The corpus is tried there: a unit whose factory reset adds a Mirai account
/// shows it logging in; the others show the prompt alone.
#[rstest]
#[case::declared_silent(
    "uartsilent",
    76,
    &[],
    "      offers: login_prompt ",
    "      offers: nothing ",
    "is declared to offer nothing, but asks for a login",
    "65 universal credential(s) tried at the undeclared login prompt, 0 accepted"
)]
#[case::undeclared(
    "uartundeclared",
    77,
    &[],
    "    - id: uart\n      kind: uart\n",
    "    - id: uart-unused\n      kind: swd\n",
    "asks for a login, but the profile does not declare this UART (IXIT 15)",
    "65 universal credential(s) tried at the undeclared login prompt, 0 accepted"
)]
#[case::undeclared_with_universal_password(
    "uartcorpus",
    91,
    &["universal-password-after-reset"],
    "    - id: uart\n      kind: uart\n",
    "    - id: uart-unused\n      kind: swd\n",
    "the universal corpus logs in: mirai-2016.csv entry 6 (user `root`)",
    "tried at the undeclared login prompt, 1 accepted"
)]
fn an_undeclared_uart_login_fails(
    #[case] tag: &str,
    #[case] subnet: u8,
    #[case] faults: &[&str],
    #[case] from: &str,
    #[case] to: &str,
    #[case] finding: &str,
    #[case] detail: &str,
) {
    let dir = TempDir::new(tag);
    let text = profile_text();
    assert!(text.contains(from), "{from:?}");
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, text.replace(from, to)).unwrap();
    let rig = write_rig(&dir.0, subnet, &[faults]);
    console_on_header(&rig, 1);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[DEBUG]);
    assert_verdict(&run, "slot1", DEBUG, "FAIL", finding);
    let (_, message, system_out) = run.verdict("slot1", DEBUG);
    assert!(
        system_out.contains(detail),
        "{detail:?} not in {system_out}"
    );
    if faults.is_empty() {
        assert!(!message.contains("the universal corpus logs in"));
    }
}

/// A second UART header is judged like the console: silent passes, an undeclared login console
/// there fails (the corpus tried on that header), and through a test pad it is reported only.
/// The faulty units' header has no baud rate in the rig, so it is found by search; a silent
/// header needs its rate, since silence at every rate proves nothing.
#[test]
fn a_second_uart_header_is_judged_like_the_console() {
    let dir = TempDir::new("uartheader");
    let rig = write_rig(
        &dir.0,
        92,
        &[&[], &["second-uart-console"], &["second-uart-console"]],
    );
    let text = std::fs::read_to_string(&rig).unwrap();
    let swd = "debug: { swd: { interface: swd, reached_by: header, bridge: \"{scratch}/swd\" } }";
    assert!(text.contains(swd));
    let header = |more: &str| {
        format!(
            "debug: {{ swd: {{ interface: swd, reached_by: header, bridge: \"{{scratch}}/swd\" }}, uart: [ {{ path: \"{{scratch}}/uart-debug\", {more} }} ] }}"
        )
    };
    let mut slots: Vec<String> = text.split("  - id: slot").map(String::from).collect();
    slots[1] = slots[1].replace(swd, &header("baud: 115200, reached_by: header"));
    slots[2] = slots[2].replace(swd, &header("reached_by: header"));
    slots[3] = slots[3].replace(swd, &header("reached_by: test_pad"));
    std::fs::write(&rig, slots.join("  - id: slot")).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[DEBUG]);

    assert_verdict(&run, "slot1", DEBUG, "PASS", "");
    let (_, _, out) = run.verdict("slot1", DEBUG);
    assert!(
        out.contains("uart-debug (not declared in the profile): nothing answers a newline or a typed word once booted"),
        "{out}"
    );
    assert_verdict(
        &run,
        "slot2",
        DEBUG,
        "FAIL",
        "uart-debug (not declared in the profile) asks for a login, but the profile does not declare this UART (IXIT 15)",
    );
    let (_, message, out) = run.verdict("slot2", DEBUG);
    assert!(
        !message.contains("UART `uart`"),
        "the console is compliant: {message}"
    );
    assert!(
        out.contains("65 universal credential(s) tried at the undeclared login prompt, 0 accepted (samples/slot2/5.6-4-2/uart-header-0.log)"),
        "{out}"
    );
    let log = std::fs::read_to_string(
        run.run_dir()
            .join("samples/slot2/5.6-4-2/uart-header-0.log"),
    )
    .unwrap();
    assert!(log.contains("baud search: 115200"), "{log}");
    assert!(log.contains("VC-100 login: "), "{log}");
    assert_verdict(&run, "slot3", DEBUG, "PASS", "");
    let (_, _, out) = run.verdict("slot3", DEBUG);
    assert!(out.contains("open only through a test pad"), "{out}");
}

/// A profile declaring a second UART silent: the header wired to it with a login console fails
/// against that declaration; a slot that leaves it unwired cannot be judged.
#[test]
fn a_declared_second_uart_is_held_to_its_declaration() {
    let dir = TempDir::new("uartdeclared");
    let text = profile_text();
    let anchor = "  security_parameters:";
    assert!(text.contains(anchor));
    let declared = "    - id: uart-service\n      kind: uart\n      disabled_by: \"the factory console is compiled out\"\n      offers: nothing\n      boot_window: 2s\n";
    let profile = dir.0.join("profile.yaml");
    std::fs::write(
        &profile,
        text.replacen(anchor, &format!("{declared}{anchor}"), 1),
    )
    .unwrap();
    let rig = write_rig(&dir.0, 93, &[&["second-uart-console"], &[]]);
    let text = std::fs::read_to_string(&rig).unwrap();
    let swd = "bridge: \"{scratch}/swd\" }";
    let mut slots: Vec<String> = text.split("  - id: slot").map(String::from).collect();
    slots[1] = slots[1].replace(
        swd,
        &format!("{swd}, uart: [ {{ interface: uart-service, path: \"{{scratch}}/uart-debug\", baud: 115200, reached_by: header }} ]"),
    );
    std::fs::write(&rig, slots.join("  - id: slot")).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[DEBUG]);
    assert_verdict(
        &run,
        "slot1",
        DEBUG,
        "FAIL",
        "UART `uart-service` (declared: the factory console is compiled out) is declared to offer nothing, but asks for a login",
    );
    assert_verdict(
        &run,
        "slot2",
        DEBUG,
        "INCONCLUSIVE",
        "the profile declares UART `uart-service` but the rig wires no `debug.uart` header to it (the console is `uart`)",
    );
    // The rig lacks what the profile declares: a configuration gap, not a broken bench.
    assert_eq!(run.cause("slot2", DEBUG).as_deref(), Some("config"));
}

/// A rig that does not know the UART's rate: hilt finds it (logged in the transcript) and the
/// console works as if it had been given.
#[test]
fn a_console_without_a_baud_rate_is_found_by_search() {
    let dir = TempDir::new("baudsearch");
    let rig = write_rig(&dir.0, 90, &[&[]]);
    let text = std::fs::read_to_string(&rig).unwrap();
    assert!(text.contains(", baud: 115200"));
    std::fs::write(&rig, text.replace(", baud: 115200", "")).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[DEBUG]);
    assert_verdict(&run, "slot1", DEBUG, "PASS", "");
    let log = std::fs::read_to_string(run.run_dir().join("samples/slot1/console.log")).unwrap();
    assert!(log.contains("baud search: 115200:"), "{log}");
    assert!(
        log.contains("opened ") && log.contains(" at 115200 baud"),
        "{log}"
    );
    assert!(log.contains("[serial BREAK]"), "{log}");
}

/// Nothing declared and nothing wired: no interface was examined, so no PASS.
#[test]
fn a_sample_with_no_debug_interface_examined_is_not_performed() {
    let dir = TempDir::new("nodebug");
    let rig = write_rig(&dir.0, 92, &[&[]]);
    let text = std::fs::read_to_string(&rig).unwrap();
    let console = "    console: { path: \"{scratch}/uart\", baud: 115200, reached_by: test_pad }\n";
    let swd =
        "    debug: { swd: { interface: swd, reached_by: header, bridge: \"{scratch}/swd\" } }\n";
    assert!(text.contains(console) && text.contains(swd));
    std::fs::write(&rig, text.replace(console, "").replace(swd, "")).unwrap();
    let text = profile_text();
    let start = text.find("  debug_interfaces:").unwrap();
    let end = text.find("  software_components:").unwrap();
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[DEBUG]);
    assert_verdict(
        &run,
        "slot1",
        DEBUG,
        "INCONCLUSIVE",
        "no interface was examined",
    );
    assert_eq!(run.cause("slot1", DEBUG).as_deref(), Some("config"));
}

/// A locked SWD on a populated header that the profile does not list is still an interface
/// missing from IXIT 15: unit (b) fails, while unit (a) passes on what is declared.
#[test]
fn a_locked_swd_the_profile_does_not_declare_fails_unit_b() {
    let dir = TempDir::new("swd-undeclared");
    let rig = write_rig(&dir.0, 59, &[&[], &[]]);
    let text = std::fs::read_to_string(&rig).unwrap();
    let slots: Vec<&str> = text.split("  - id: slot").collect();
    assert!(slots[2].contains("interface: swd, "));
    let text = format!(
        "{}  - id: slot{}  - id: slot{}",
        slots[0],
        slots[1],
        slots[2].replace("interface: swd, ", "")
    );
    std::fs::write(&rig, text).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[DEBUG]);
    assert_verdict(
        &run,
        "slot2",
        DEBUG,
        "FAIL",
        "unit (b) SWD (not declared in the profile) answers a probe through a populated header, though it is locked",
    );
    assert_verdict(&run, "slot1", DEBUG, "PASS", "");
    let (_, _, out) = run.verdict("slot1", DEBUG);
    assert!(
        out.contains(
            "unit (b) PASS: every debug interface the rig wires to this sample is declared"
        ),
        "{out}"
    );
}
