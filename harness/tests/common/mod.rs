//! End-to-end test helpers: build a virtual rig of simulated units with chosen faults, run the
//! real `hilt` binary against it and read back what it reported.
#![allow(dead_code)]

mod reports;
#[allow(unused_imports)] // not every test binary checks reports
pub use reports::*;

use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Once;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

pub fn hilt() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hilt"))
}

/// The simulator is another workspace package; hilt finds it next to its own binary. When only
/// this package's tests were built, build the simulator once.
pub fn ensure_simdevice() {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let sibling = hilt().with_file_name("hilt-simdevice");
        if !sibling.exists() {
            let status = Command::new(env!("CARGO"))
                .args(["build", "-p", "hilt-simdevice", "--bin", "hilt-simdevice"])
                .current_dir(repo())
                .status()
                .expect("cargo build");
            assert!(status.success(), "building hilt-simdevice failed");
        }
    });
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("hilt-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One unit per entry, each with its faults; unit numbers start at 1 (they seed label data).
/// `subnet` keeps concurrently running tests on different loopback addresses (127.0.<subnet>.x).
pub fn write_rig(dir: &Path, subnet: u8, units: &[&[&str]]) -> PathBuf {
    write_rig_with(dir, subnet, units, "")
}

pub fn write_rig_with(dir: &Path, subnet: u8, units: &[&[&str]], extra_args: &str) -> PathBuf {
    let firmware = repo().join("simdevice/firmware/vc100-1.4.2.yaml");
    let mut yaml = format!("rig: test-rig-{subnet}\nslots:\n");
    for (i, faults) in units.iter().enumerate() {
        let n = i + 1;
        let mut args = format!(
            "[hilt-simdevice, --firmware, \"{}\", --address, 127.0.{subnet}.{n}, --unit, \"{n}\", --dir, \"{{scratch}}\"",
            firmware.display()
        );
        for f in *faults {
            args.push_str(&format!(", --fault, {f}"));
        }
        if !extra_args.is_empty() {
            args.push_str(&format!(", {extra_args}"));
        }
        args.push(']');
        yaml.push_str(&format!(
            r#"  - id: slot{n}
    launch: {{ command: {args}, ready: "{{scratch}}/ready", within: 10s }}
    console: {{ path: "{{scratch}}/uart", baud: 115200, reached_by: test_pad }}
    network: {{ address: 127.0.{subnet}.{n}, host_baseline: 127.0.{subnet}.254, serve_from: 127.0.{subnet}.253, capture_interface: lo }}
    power: {{ line: {{ endpoint: "unix:{{scratch}}/control", on: "power on", off: "power off" }} }}
    reset_button: {{ line: {{ endpoint: "unix:{{scratch}}/control", press: "button press {{ms}}" }} }}
    uplink: {{ line: {{ endpoint: "unix:{{scratch}}/control", on: "uplink up", off: "uplink down" }} }}
    debug: {{ swd: {{ interface: swd, reached_by: header, bridge: "{{scratch}}/swd" }} }}
    label: {{ file: "{{scratch}}/label.yaml" }}
"#
        ));
    }
    yaml.push_str(BATCH);
    let path = dir.join("rig.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

/// The simulated camera's UART is on test pads (as in rigs/virtual.yaml); this puts slot `n`'s
/// on a populated header, where whatever it offers is judged.
/// The rig without its lines that start with `key` (e.g. `power:`): a backend left unwired.
pub fn unwire(rig: &Path, key: &str) {
    let text = std::fs::read_to_string(rig).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with(key))
        .collect();
    std::fs::write(rig, kept.join("\n") + "\n").unwrap();
}

pub fn console_on_header(rig: &Path, n: usize) {
    let text = std::fs::read_to_string(rig).unwrap();
    let mut slots: Vec<String> = text.split("  - id: slot").map(String::from).collect();
    let pad = "baud: 115200, reached_by: test_pad }";
    assert!(slots[n].contains(pad), "slot{n}: {}", slots[n]);
    slots[n] = slots[n].replace(pad, "baud: 115200, reached_by: header }");
    std::fs::write(rig, slots.join("  - id: slot")).unwrap();
}

/// Every test rig knows one more unit of the batch, off the bench, by its label password's
/// digest and its TLS public key's, so 5.1-1-2's and 5.4-3-2's uniqueness checks are judged on a
/// rig of one sample too.
pub const BATCH: &str = "batch:\n  label_password_sha256: [\"0d5a2f62b8e6ea3c31f1b29f8ad2fa1bb2c0a5d6d0f0b3a8c8d2ab8e0f9c7a11\"]\n  tls_public_key_sha256: [\"5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5\"]\n";

/// A copy of the default suite with a shorter TCP range, so fault tests stay quick; the range
/// still covers every port the simulator can open. Wrong passwords go 2 ms apart, not 20: the
/// simulator's lockouts last 100 ms (25 ms with `short-lockout`), and on a loaded bench 20 ms
/// a step left too little of them to be seen.
pub fn quick_suite(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("suites/en303645.yaml")).unwrap();
    let text = text
        .replace(
            "credentials/",
            &format!("{}/suites/credentials/", repo().display()),
        )
        .replace("update/", &format!("{}/suites/update/", repo().display()))
        .replace("\"1-65535\"", "\"1-10000\"")
        .replace("pace: 20ms", "pace: 2ms");
    let path = dir.join("suite.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

pub struct Run {
    pub output: Output,
    pub out_dir: PathBuf,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn run_dir(&self) -> PathBuf {
        self.out_dir.join("latest")
    }
    pub fn junit_text(&self) -> String {
        std::fs::read_to_string(self.run_dir().join("junit.xml"))
            .unwrap_or_else(|e| panic!("no junit.xml: {e}\n{}\n{}", self.stdout(), self.stderr()))
    }
    /// (slot, test case id) -> (verdict label, message, system-out)
    pub fn verdicts(&self) -> BTreeMap<(String, String), (String, String, String)> {
        let report = Report::deserialize_from_str(&self.junit_text()).expect("junit parses");
        let mut out = BTreeMap::new();
        for suite in &report.test_suites {
            let slot = suite
                .name
                .as_str()
                .split_whitespace()
                .next()
                .unwrap()
                .to_string();
            for case in &suite.test_cases {
                let id = case
                    .name
                    .as_str()
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .to_string();
                let (verdict, message) = match &case.status {
                    TestCaseStatus::Success { .. } => ("PASS", String::new()),
                    TestCaseStatus::NonSuccess {
                        kind: NonSuccessKind::Failure,
                        message,
                        ..
                    } => (
                        "FAIL",
                        message.as_ref().map(|m| m.to_string()).unwrap_or_default(),
                    ),
                    TestCaseStatus::NonSuccess { message, .. } => (
                        "INCONCLUSIVE",
                        message.as_ref().map(|m| m.to_string()).unwrap_or_default(),
                    ),
                    TestCaseStatus::Skipped { message, .. } => (
                        "SKIPPED",
                        message.as_ref().map(|m| m.to_string()).unwrap_or_default(),
                    ),
                };
                let system_out = case
                    .system_out
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                out.insert(
                    (slot.clone(), id),
                    (verdict.to_string(), message, system_out),
                );
            }
        }
        out
    }
    pub fn verdict(&self, slot: &str, case: &str) -> (String, String, String) {
        self.verdicts()
            .get(&(slot.to_string(), case.to_string()))
            .cloned()
            .unwrap_or_else(|| panic!("no {slot} {case} in {:?}", self.verdicts().keys()))
    }
    /// report.json's cause of a case's INCONCLUSIVE (bench, unit, config, operator).
    pub fn cause(&self, slot: &str, case: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.run_dir().join("report.json")).unwrap();
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        let results = report["results"].as_array().unwrap();
        let r = results
            .iter()
            .find(|r| r["slot"] == slot && r["test_case"] == case)
            .unwrap_or_else(|| panic!("no {slot} {case} in report.json"));
        r["cause"].as_str().map(String::from)
    }

    /// Evidence paths cited in a case's system-out, checked to exist.
    pub fn evidence(&self, slot: &str, case: &str) -> Vec<PathBuf> {
        let (_, _, out) = self.verdict(slot, case);
        out.lines()
            .filter_map(|l| l.strip_prefix("evidence: "))
            .map(|p| self.run_dir().join(p))
            .collect()
    }
}

/// Starts `hilt run` on a rig and suite without waiting, for tests that act on it mid-run.
pub fn spawn_hilt(dir: &Path, rig: &Path, suite: &Path) -> (std::process::Child, PathBuf) {
    ensure_simdevice();
    let out_dir = dir.join("reports");
    let child = Command::new(hilt())
        .arg("run")
        .arg("--rig")
        .arg(rig)
        .arg("--suite")
        .arg(suite)
        .arg("--profile")
        .arg(profile())
        .arg("--out")
        .arg(&out_dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start hilt");
    (child, out_dir)
}

/// `hilt run` with these files (the default suite when `suite` is None) and more arguments.
pub fn run_files(
    dir: &Path,
    rig: &Path,
    profile: &Path,
    suite: Option<&Path>,
    extra: &[&str],
) -> Run {
    let mut args = vec![
        "--rig",
        rig.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
    ];
    if let Some(s) = suite {
        args.extend(["--suite", s.to_str().unwrap()]);
    }
    args.extend_from_slice(extra);
    run_hilt(dir, &args)
}

pub fn run_hilt(dir: &Path, args: &[&str]) -> Run {
    ensure_simdevice();
    let out_dir = dir.join("reports");
    let mut cmd = Command::new(hilt());
    // From the checkout's root, as the README runs it: the defaults are looked up there.
    cmd.current_dir(repo());
    cmd.arg("run").args(args).arg("--out").arg(&out_dir);
    Run {
        output: cmd.output().expect("run hilt"),
        out_dir,
    }
}

/// The default profile's text, its relative file references made absolute, for tests that write
/// a changed copy elsewhere.
pub fn profile_text() -> String {
    std::fs::read_to_string(profile()).unwrap().replace(
        "file: images/",
        &format!("file: {}/device-profiles/images/", repo().display()),
    )
}

pub fn profile() -> PathBuf {
    repo().join("device-profiles/virtual-camera.yaml")
}

/// A rig of simulated units with the quick suite, every case but the update battery, the
/// password change, the user-data erasure, the outages and the unexpected input (each with its
/// own faults and tests, in e2e_update.rs, e2e_password_change.rs, e2e_erasure.rs,
/// e2e_resilience.rs and e2e_input_validation.rs).
pub fn run_rig(tag: &str, subnet: u8, units: &[&[&str]]) -> (TempDir, Run) {
    let dir = TempDir::new(tag);
    let rig = write_rig(&dir.0, subnet, units);
    let suite = quick_suite(&dir.0);
    let skip = [
        "--skip", "5.3-", "--skip", "5.1-4-2", "--skip", "5.11-", "--skip", "5.9-", "--skip",
        "5.13-",
    ];
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &skip);
    (dir, run)
}

/// The verdict and a piece of its message; a FAIL must cite evidence that exists.
pub fn assert_verdict(run: &Run, slot: &str, case: &str, want: &str, message_has: &str) {
    let (verdict, message, _) = run.verdict(slot, case);
    assert_eq!(
        verdict,
        want,
        "{slot} {case}: {message}\nstdout:\n{}\nstderr:\n{}",
        run.stdout(),
        run.stderr()
    );
    assert!(
        message.contains(message_has),
        "{slot} {case} message {message:?} lacks {message_has:?}"
    );
    if want == "FAIL" {
        let evidence = run.evidence(slot, case);
        assert!(!evidence.is_empty(), "{slot} {case} FAIL cites no evidence");
        for e in evidence {
            assert!(e.exists(), "cited evidence {} is missing", e.display());
        }
    }
}

/// The simulator's maker web site (`hilt-simdevice vendor-site`, PSTI tests) as a child
/// process, killed when dropped.
pub struct Site {
    child: std::process::Child,
    pub dir: PathBuf,
    pub port: u16,
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn site(dir: &Path, faults: &[&str]) -> Site {
    ensure_simdevice();
    let site_dir = dir.join("site");
    std::fs::create_dir_all(&site_dir).unwrap();
    let mut cmd = std::process::Command::new(hilt().with_file_name("hilt-simdevice"));
    cmd.args([
        "vendor-site",
        "--dir",
        site_dir.to_str().unwrap(),
        "--host",
        "vendor.example",
    ]);
    for f in faults {
        cmd.args(["--fault", f]);
    }
    let mut site = Site {
        child: cmd.spawn().unwrap(),
        dir: site_dir,
        port: 0,
    };
    let port_file = site.dir.join("port");
    for _ in 0..100 {
        if let Some(port) = std::fs::read_to_string(&port_file)
            .ok()
            .and_then(|p| p.trim().parse().ok())
        {
            site.port = port;
            return site;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the vendor site did not start");
}
