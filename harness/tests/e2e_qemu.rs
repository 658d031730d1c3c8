//! A machine of real, unmodified parts: Debian's QEMU booting Debian's U-Boot for x86, its
//! serial port a raw TCP console and its power the QMP monitor. Debian's U-Boot counts down
//! to autoboot and takes any key, so the debug case must find and show its `=>` prompt.

mod common;
use common::*;

const DEBUG: &str = "5.6-4-2";

#[test]
fn an_interruptible_u_boot_under_qemu_fails_the_debug_case_with_its_prompt_in_evidence() {
    let dir = TempDir::new("qemuboot");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let board = repo()
        .join("harness/tests/fixtures/qemu-board")
        .display()
        .to_string();
    let rig = format!(
        r#"rig: qemu-u-boot
slots:
  - id: board1
    launch:
      command: ["{board}", "{{scratch}}", "{port}", /usr/lib/u-boot/qemu-x86/u-boot.rom]
      ready: "{{scratch}}/served"
      within: 10s
    console: {{ path: "tcp://127.0.0.1:{port}", baud: 115200, reached_by: header }}
    network: {{ address: 127.0.149.1 }}
    power: {{ qmp: {{ socket: "unix:{{scratch}}/qmp.sock" }} }}
    label: {{ serial: "QEMU-0001", mac: "52:54:00:12:34:56" }}
"#
    );
    let rig_path = dir.0.join("rig.yaml");
    std::fs::write(&rig_path, rig).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig_path, &profile(), Some(&suite), &[DEBUG]);
    assert_verdict(
        &run,
        "board1",
        DEBUG,
        "FAIL",
        "an interactive boot-loader prompt answers a key during boot: `=>` prompt",
    );
    let log = std::fs::read_to_string(run.run_dir().join("samples/board1/console.log")).unwrap();
    let said = device_text(&log);
    assert!(said.contains("U-Boot 2023.0"), "{said}");
    assert!(said.contains("=> "), "{said}");
}
