//! `hilt draft-profile` against a simulated unit with a telnet console and a basic-auth web
//! login switched on: the draft passes `hilt check`, and a run with it unchanged declares every
//! open port (5.6-1-2 PASS) and tries the drafted telnet and HTTP logins with both controls
//! holding (5.1-1-2 PASS).

mod common;
use common::*;
use std::path::Path;
use std::process::{Child, Command};

struct Unit(Child);

impl Drop for Unit {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_unit(dir: &Path, subnet: u8, faults: &[&str]) -> Unit {
    ensure_simdevice();
    let firmware = repo().join("simdevice/firmware/vc100-1.4.2.yaml");
    let mut cmd = Command::new(hilt().with_file_name("hilt-simdevice"));
    cmd.arg("--firmware")
        .arg(firmware)
        .args([
            "--address",
            &format!("127.0.{subnet}.1"),
            "--unit",
            "1",
            "--dir",
        ])
        .arg(dir);
    for f in faults {
        cmd.args(["--fault", f]);
    }
    let unit = Unit(cmd.spawn().unwrap());
    // Booted once its web server answers (the ready file comes before the boot).
    let web: std::net::SocketAddr = format!("127.0.{subnet}.1:8080").parse().unwrap();
    for _ in 0..200 {
        let timeout = std::time::Duration::from_millis(200);
        if std::net::TcpStream::connect_timeout(&web, timeout).is_ok() {
            return unit;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the simulated unit did not boot");
}

#[test]
fn a_draft_of_a_simulated_unit_checks_and_runs_without_a_fail_of_its_own() {
    let dir = TempDir::new("draft");
    let faults = ["telnet-enabled", "basic-auth-at-root"];
    let unit_dir = dir.0.join("unit");
    std::fs::create_dir_all(&unit_dir).unwrap();
    // One unit, already booted as on a bench: drafted, then tested with the draft.
    let _unit = start_unit(&unit_dir, 137, &faults);
    let suite = quick_suite(&dir.0);
    let draft = dir.0.join("draft.yaml");
    let out = Command::new(hilt())
        .args([
            "draft-profile",
            "--address",
            "127.0.137.1",
            "--host-baseline",
            "127.0.137.254",
        ])
        .arg("--console")
        .arg(unit_dir.join("uart"))
        .args(["--baud", "115200", "--suite"])
        .arg(&suite)
        .arg("--out")
        .arg(&draft)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&draft).unwrap();
    for part in [
        "{ id: tcp-8080, protocol: tcp, port: 8080,",
        "  - id: https   # observed, confirm with the manufacturer's IXIT",
        "versions: [\"1.2\", \"1.3\"]",
        "min_certificate_key_bits: 256",
        "  - id: telnet   # observed",
        "login_prompt: \"login:\\\\s*$\"",
        "basic_auth: true",
        "  - id: uart-console   # observed",
        "offers: login_prompt",
    ] {
        assert!(text.contains(part), "the draft lacks {part:?}:\n{text}");
    }

    // The draft was observed with no probe, power or reset button, and declares no procedure
    // that uses them (those need a person), so the rig wires none of them either.
    let rig = dir.0.join("rig.yaml");
    std::fs::write(
        &rig,
        format!(
            "rig: draft-bench\nslots:\n  - id: slot1\n    console: {{ path: \"{uart}\", baud: 115200, reached_by: test_pad }}\n    network: {{ address: 127.0.137.1, host_baseline: 127.0.137.254, capture_interface: lo }}\n    label: {{ file: \"{label}\" }}\n{BATCH}",
            uart = unit_dir.join("uart").display(),
            label = unit_dir.join("label.yaml").display(),
        ),
    )
    .unwrap();
    let check = Command::new(hilt())
        .arg("check")
        .arg("--rig")
        .arg(&rig)
        .arg("--profile")
        .arg(&draft)
        .arg("--suite")
        .arg(&suite)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    let run = run_files(&dir.0, &rig, &draft, Some(&suite), &["--skip", "5.1-5-2"]);
    assert_verdict(&run, "slot1", "5.6-1-2", "PASS", "");
    assert_verdict(&run, "slot1", "5.1-1-2", "PASS", "");
    let attempts = run.run_dir().join("samples/slot1/5.1-1-2");
    for mechanism in ["telnet", "https"] {
        let log = std::fs::read_to_string(attempts.join(format!("{mechanism}-attempts.log")))
            .unwrap_or_else(|e| panic!("{mechanism}: {e}"));
        for control in [
            "# control: current credential for `admin` -> accepted",
            "# control: random password for `admin` -> rejected",
        ] {
            assert!(
                log.contains(control),
                "{mechanism}: {control} missing:\n{log}"
            );
        }
    }
}

/// Drafted from a rig slot, hilt launches the unit as a run would, cycles its power through the
/// rig and reads the boot: the boot loader's lines and a boot window past them are drafted.
#[test]
fn a_draft_from_a_rig_slot_watches_the_boot() {
    let dir = TempDir::new("draft-slot");
    let rig = write_rig(&dir.0, 138, &[&[]]);
    let suite = quick_suite(&dir.0);
    let draft = dir.0.join("draft.yaml");
    let out = Command::new(hilt())
        .args(["draft-profile", "--slot", "slot1", "--rig"])
        .arg(&rig)
        .arg("--suite")
        .arg(&suite)
        .arg("--out")
        .arg(&draft)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("the boot watched (1 boot-loader line(s), login prompt after"),
        "{said}"
    );
    let text = std::fs::read_to_string(&draft).unwrap();
    for part in [
        "s after power-on: U-Boot 2023.04 (VC SoC)",
        "s   # observed, confirm with the manufacturer's IXIT: the boot loader talks until then",
        "      boot_window: ",
        "offers: login_prompt",
        "  - id: https   # observed",
    ] {
        assert!(text.contains(part), "the draft lacks {part:?}:\n{text}");
    }
    assert!(
        !text.contains("the boot loader's prompt and boot window (drafted from"),
        "{text}"
    );
}
