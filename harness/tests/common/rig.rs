//! Rigs of simulated units and the quick suite the end-to-end tests run on them.

use super::repo;
use std::path::{Path, PathBuf};

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
