//! A unit on a shared lab: a real labgrid coordinator, and an exporter in its own network
//! namespace as a remote bench host, publishing a simulated unit's UART (through ser2net), its
//! power (a relay speaking labgrid's `simplerest` API) and its address; the unit is in a third
//! namespace. A rig whose slot is only `labgrid: { place }` gives the verdicts the same wiring
//! gives on a local rig; the place is held during the run and free after it, and a second run
//! on the place is refused.

mod common;
#[path = "e2e_labgrid/lab.rs"]
mod lab;
use common::*;
use lab::{Lab, COORDINATOR, UNIT};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What `run_rig` leaves out, as it does.
const SKIP: [&str; 10] = [
    "--skip", "5.3-", "--skip", "5.1-4-2", "--skip", "5.11-", "--skip", "5.9-", "--skip", "5.13-",
];

#[test]
fn a_slot_that_is_a_labgrid_place_is_held_for_the_run_and_judged_as_on_a_local_rig() {
    if !is_root() {
        eprintln!("skipped: network namespaces need root");
        return;
    }
    let dir = TempDir::new("labgrid");
    let lab = Lab::start(&dir.0);
    let suite = quick_suite(&dir.0);

    let rig = dir.0.join("lab-rig.yaml");
    std::fs::write(
        &rig,
        format!("rig: shared-lab\nslots:\n  - id: slot1\n    labgrid: {{ place: cam-1, coordinator: \"{COORDINATOR}\" }}\n{BATCH}"),
    )
    .unwrap();
    // Checking the rig reads the place without holding it.
    let checked = Command::new(hilt())
        .current_dir(repo())
        .args([
            "check",
            "--rig",
            rig.to_str().unwrap(),
            "--suite",
            suite.to_str().unwrap(),
        ])
        .args(["--profile", profile().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(wait_for_holder(false).contains("cam-1  free"));

    let started = Instant::now();
    let first = start_run(&dir.0.join("first"), &rig, &suite);
    let held = wait_for_holder(true);
    assert!(held.contains("cam-1  acquired by"), "{held}");
    let second = run_files(&dir.0.join("second"), &rig, &profile(), Some(&suite), &SKIP);
    assert_eq!(second.code(), 2, "{}", second.stderr());
    assert!(
        second
            .stderr()
            .contains("another hilt run on this host (pid"),
        "{}",
        second.stderr()
    );
    let on_lab = finish(first, &dir.0.join("first"));
    eprintln!("through the lab: {:.1}s", started.elapsed().as_secs_f64());
    let free = wait_for_holder(false);
    assert!(
        free.contains("cam-1  free"),
        "released after the run: {free}"
    );
    assert!(on_lab.stderr().contains("labgrid place `cam-1` released"));

    let record = std::fs::read_to_string(on_lab.run_dir().join("labgrid-places.txt")).unwrap();
    assert!(record.contains("console rfc2217://10.150.0.2:"), "{record}");
    assert!(record.contains(&format!("network {UNIT}")), "{record}");
    assert!(record.contains("power through labgrid"), "{record}");

    let local = dir.0.join("local-rig.yaml");
    let s = lab.scratch.display();
    std::fs::write(
        &local,
        format!("rig: local\nslots:\n  - id: slot1\n    console: {{ path: \"{s}/uart\", baud: 115200 }}\n    network: {{ address: {UNIT} }}\n    power: {{ line: {{ endpoint: \"unix:{s}/control\", on: \"power on\", off: \"power off\" }} }}\n    reset_button: {{ line: {{ endpoint: \"unix:{s}/control\", press: \"button press {{ms}}\" }} }}\n    label: {{ file: \"{s}/label.yaml\" }}\n{BATCH}"),
    )
    .unwrap();
    let started = Instant::now();
    let on_bench = run_files(
        &dir.0.join("local"),
        &local,
        &profile(),
        Some(&suite),
        &SKIP,
    );
    eprintln!("on a local rig: {:.1}s", started.elapsed().as_secs_f64());
    let verdicts = |run: &Run| -> Vec<(String, String)> {
        run.verdicts()
            .into_iter()
            .map(|((_, case), (verdict, _, _))| (case, verdict))
            .filter(|(_, verdict)| verdict != "SKIPPED")
            .collect()
    };
    let (through_lab, wired) = (verdicts(&on_lab), verdicts(&on_bench));
    assert_eq!(
        through_lab,
        wired,
        "lab:\n{}\nlocal:\n{}",
        on_lab.stdout(),
        on_bench.stdout()
    );
    assert!(through_lab.len() >= 8, "{through_lab:?}");
    assert!(
        through_lab.iter().all(|(_, v)| v != "INCONCLUSIVE"),
        "{}",
        on_lab.stdout()
    );
    // The UART case used the console through the place, and the power cycle its relay.
    let log = std::fs::read_to_string(on_lab.run_dir().join("samples/slot1/console.log")).unwrap();
    assert!(log.contains("as the server confirmed"), "{log}");
    assert!(device_text(&log).contains("U-Boot"), "{log}");

    let drafted = Command::new(hilt())
        .args([
            "rig",
            "from-labgrid",
            "--place",
            "cam-1",
            "--coordinator",
            COORDINATOR,
        ])
        .output()
        .unwrap();
    let yaml = String::from_utf8_lossy(&drafted.stdout);
    assert!(drafted.status.success(), "{yaml}");
    assert!(
        yaml.contains(&format!("network: {{ address: {UNIT} }}")),
        "{yaml}"
    );
    assert!(yaml.contains("power: { labgrid: {} }"), "{yaml}");
    assert!(
        yaml.contains("# console: { path: \"rfc2217://10.150.0.2:"),
        "{yaml}"
    );
    assert!(!yaml.contains(&lab.password), "{yaml}");

    // Interrupted: the run stops its sample, writes what it has and lets the place go.
    let interrupted = start_run(&dir.0.join("interrupted"), &rig, &suite);
    assert!(wait_for_holder(true).contains("cam-1  acquired by"));
    let pid = interrupted.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let stopped = finish(interrupted, &dir.0.join("interrupted"));
    assert!(
        stopped.stderr().contains("released"),
        "{}",
        stopped.stderr()
    );
    assert!(wait_for_holder(false).contains("cam-1  free"));
}

fn start_run(dir: &Path, rig: &Path, suite: &Path) -> Child {
    ensure_simdevice();
    Command::new(hilt())
        .current_dir(repo())
        .arg("run")
        .args(["--rig", rig.to_str().unwrap()])
        .args(["--profile", profile().to_str().unwrap()])
        .args(["--suite", suite.to_str().unwrap()])
        .args(SKIP)
        .arg("--out")
        .arg(dir.join("reports"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child, dir: &Path) -> Run {
    Run {
        output: child.wait_with_output().unwrap(),
        out_dir: dir.join("reports"),
    }
}

/// `hilt hardware --labgrid` once it shows cam-1 held (or free), within 60 s.
fn wait_for_holder(held: bool) -> String {
    let started = Instant::now();
    loop {
        let out = Command::new(hilt())
            .args(["hardware", "--labgrid", "--coordinator", COORDINATOR])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if text.contains("cam-1  acquired by") == held
            || started.elapsed() > Duration::from_secs(60)
        {
            return text;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}
