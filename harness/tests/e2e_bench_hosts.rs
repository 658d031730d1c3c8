//! Units wired through the network as a lab's bench hosts wire them. Consoles on a console
//! server (ser2net, Debian's, unmodified) instead of a local tty: the UART debug case gives the
//! same verdicts as on a local tty, with the line set and BREAK sent through RFC 2217, and
//! through a raw TCP server what it cannot carry is said. Power through a relay speaking
//! Tasmota's API: the case's power cycle goes through it, and a relay that refuses the rig's
//! login leaves the case INCONCLUSIVE, the bench's fault.

mod common;
use common::*;

const DEBUG: &str = "5.6-4-2";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The rig with slot i launched through `fixture` (which starts the simulator with its own
/// arguments after the fixture's `fixture_args(port)`, and says `served` once ready) and
/// rewired by `rewire(i, port, slot)`, for each of `count` slots, each with a fresh port.
fn through_fixture(
    rig: &std::path::Path,
    fixture: &str,
    count: usize,
    fixture_args: impl Fn(usize, u16) -> String,
    rewire: impl Fn(usize, u16, String) -> String,
) {
    let fixture = repo().join("harness/tests/fixtures").join(fixture);
    let sim = hilt().parent().unwrap().join("hilt-simdevice");
    let text = std::fs::read_to_string(rig).unwrap();
    let mut slots: Vec<String> = text.split("  - id: slot").map(String::from).collect();
    for i in 0..count {
        let port = free_port();
        let launch = format!(
            "[\"{}\", \"{{scratch}}\", \"{port}\", {}, \"{}\", ",
            fixture.display(),
            fixture_args(i, port),
            sim.display()
        );
        let slot = slots[i + 1]
            .replace("[hilt-simdevice, ", &launch)
            .replace("ready: \"{scratch}/ready\"", "ready: \"{scratch}/served\"");
        slots[i + 1] = rewire(i, port, slot);
    }
    std::fs::write(rig, slots.join("  - id: slot")).unwrap();
}

/// Each slot's UART served by its own ser2net with `accepters[i]`.
fn rig_on_console_servers(
    dir: &std::path::Path,
    subnet: u8,
    units: &[&[&str]],
    accepters: &[&str],
) -> std::path::PathBuf {
    let rig = write_rig(dir, subnet, units);
    let scheme = |i: usize| match accepters[i] {
        "rfc2217" => "rfc2217",
        _ => "tcp",
    };
    through_fixture(
        &rig,
        "console-server-unit",
        accepters.len(),
        |i, _| accepters[i].to_string(),
        |i, port, slot| {
            let console = format!("path: \"{}://127.0.0.1:{port}\", ", scheme(i));
            let slot = slot.replace("path: \"{scratch}/uart\", ", &console);
            assert!(slot.contains(&console), "{slot}");
            slot
        },
    );
    rig
}

/// A unit whose boot loader can be interrupted fails through RFC 2217 as through a local tty,
/// and a compliant one passes; each console log shows the line the server confirmed and the
/// BREAK it was asked for. A raw TCP console gives the compliant unit's verdict too.
#[test]
fn the_uart_case_judges_units_on_a_console_server_as_on_a_local_tty() {
    let dir = TempDir::new("consoleserver");
    let rig = rig_on_console_servers(
        &dir.0,
        147,
        &[&[], &["bootloader-menu"], &[]],
        &["rfc2217", "rfc2217", "raw"],
    );
    console_on_header(&rig, 2);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[DEBUG]);
    assert_verdict(&run, "slot1", DEBUG, "PASS", "");
    assert_verdict(
        &run,
        "slot2",
        DEBUG,
        "FAIL",
        "an interactive boot-loader prompt answers a key during boot: `=>` prompt",
    );
    assert_verdict(&run, "slot3", DEBUG, "PASS", "");
    let log = |slot: &str| {
        std::fs::read_to_string(run.run_dir().join(format!("samples/{slot}/console.log"))).unwrap()
    };
    for slot in ["slot1", "slot2"] {
        let log = log(slot);
        assert!(
            log.contains("line at 115200 baud 8N1, as the server confirmed"),
            "{log}"
        );
        assert!(log.contains("[serial BREAK through RFC 2217]"), "{log}");
        assert!(log.contains("to BREAK on and"), "{log}");
    }
    let raw = log("slot3");
    assert!(
        raw.contains("the rig's 115200 baud is the server's to set"),
        "{raw}"
    );
    assert!(raw.contains("[no serial BREAK: a raw TCP console"), "{raw}");
}

/// Slot i's power through its own Tasmota-API relay whose web password is `passwords[i]`; the
/// rig gives each relay the password `benchpw`.
fn rig_on_relays(
    dir: &std::path::Path,
    subnet: u8,
    units: &[&[&str]],
    passwords: &[&str],
) -> std::path::PathBuf {
    let rig = write_rig(dir, subnet, units);
    let line = "power: { line: { endpoint: \"unix:{scratch}/control\", on: \"power on\", off: \"power off\" } }";
    through_fixture(
        &rig,
        "tasmota-unit",
        passwords.len(),
        |i, _| format!("\"{}\"", passwords[i]),
        |_, port, slot| {
            let relay = format!("power: {{ tasmota: {{ host: \"127.0.0.1:{port}\", login: {{ username: admin, password: benchpw }} }} }}");
            let slot = slot.replace(line, &relay);
            assert!(slot.contains(&relay), "{slot}");
            slot
        },
    );
    rig
}

/// The debug case power-cycles each unit through its relay, read back (the console shows a fresh
/// boot); a relay that refuses the rig's web password is the bench's fault, said as such and
/// without the password.
#[test]
fn power_through_a_tasmota_relay_is_switched_read_back_and_its_refusal_is_the_benchs() {
    let dir = TempDir::new("tasmotapower");
    let rig = rig_on_relays(&dir.0, 148, &[&[], &[]], &["benchpw", "other"]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[DEBUG]);
    assert_verdict(&run, "slot1", DEBUG, "PASS", "");
    assert_verdict(
        &run,
        "slot2",
        DEBUG,
        "INCONCLUSIVE",
        "refused the rig's login (HTTP 401",
    );
    assert_eq!(run.cause("slot2", DEBUG).as_deref(), Some("bench"));
    let (_, message, _) = run.verdict("slot2", DEBUG);
    assert!(!message.contains("benchpw"), "{message}");
    let log = std::fs::read_to_string(run.run_dir().join("samples/slot1/console.log")).unwrap();
    let said = device_text(&log);
    assert!(
        said.contains("U-Boot 2023.04"),
        "the power cycle boots the unit afresh: {said}"
    );
}
