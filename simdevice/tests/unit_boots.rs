//! The simulated unit comes up on its real interfaces and its label follows the faults.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

struct Unit {
    child: Child,
    dir: PathBuf,
}

impl Drop for Unit {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start(address: &str, unit: &str, faults: &[&str]) -> Unit {
    let dir = std::env::temp_dir().join(format!("simdevice-test-{address}-{}", std::process::id()));
    let firmware = Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware/vc100-1.4.2.yaml");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hilt-simdevice"));
    cmd.args([
        "--firmware",
        firmware.to_str().unwrap(),
        "--address",
        address,
        "--unit",
        unit,
        "--dir",
        dir.to_str().unwrap(),
    ]);
    for f in faults {
        cmd.args(["--fault", f]);
    }
    let child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dir.join("ready").exists() {
        assert!(Instant::now() < deadline, "unit not ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    Unit { child, dir }
}

fn label(unit: &Unit) -> String {
    std::fs::read_to_string(unit.dir.join("label.yaml")).unwrap()
}

#[test]
fn comes_up_with_uart_control_socket_and_label() {
    let unit = start("127.0.50.1", "1", &[]);
    assert!(std::fs::read_link(unit.dir.join("uart"))
        .unwrap()
        .starts_with("/dev/pts"));
    assert!(unit.dir.join("control").exists());
    let l = label(&unit);
    assert!(
        l.contains("serial: VC100-") && l.contains("password: \""),
        "{l}"
    );
}

#[test]
fn unknown_fault_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_hilt-simdevice"))
        .args([
            "--firmware",
            "x",
            "--address",
            "127.0.50.9",
            "--unit",
            "1",
            "--dir",
            "/tmp/x",
            "--fault",
            "no-such-fault",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown fault no-such-fault"));
}

#[test]
fn password_faults_shape_the_label() {
    let mac = start("127.0.50.2", "2", &["mac-derived-password"]);
    let text = label(&mac);
    let mac_line = text
        .lines()
        .find(|l| l.starts_with("mac:"))
        .unwrap()
        .replace([':', '"'], "");
    let tail = mac_line[mac_line.len() - 6..].to_uppercase();
    assert!(
        text.contains(&format!("password: \"Cam{tail}Q7\"")),
        "{text}"
    );
    let seq = start("127.0.50.3", "3", &["sequential-passwords"]);
    assert!(label(&seq).contains("password: \"Vc100pw01003\""));
}
