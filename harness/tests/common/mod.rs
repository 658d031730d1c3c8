//! End-to-end test helpers: build a virtual rig of simulated units with chosen faults, run the
//! real `hilt` binary against it and read back what it reported.
#![allow(dead_code)]

mod bundle;
mod netns;
mod reports;
mod rig;
#[allow(unused_imports)] // for the tests of bundles only
pub use bundle::*;
#[allow(unused_imports)] // for the tests that need network namespaces only
pub use netns::*;
#[allow(unused_imports)] // not every test binary checks reports
pub use reports::*;
pub use rig::*;

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
