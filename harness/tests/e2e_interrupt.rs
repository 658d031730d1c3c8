//! Interrupted runs end to end: Ctrl-C or SIGTERM leaves a partial bundle that verifies, and a
//! killed run verifies as partial up to its last seal.

mod common;
use common::*;
use std::process::Command;
use std::time::{Duration, Instant};

/// Ctrl-C at a terminal, or SIGTERM from a CI runner cancelling the job.
#[rstest::rstest]
#[case::ctrl_c("-INT", 55)]
#[case::sigterm("-TERM", 58)]
fn an_interrupt_leaves_a_partial_bundle_that_verifies(#[case] signal: &str, #[case] subnet: u8) {
    ensure_simdevice();
    let dir = TempDir::new(&format!("interrupt{subnet}"));
    let rig = write_rig_with(&dir.0, subnet, &[&[], &[]], "--boot-delay, \"4000\"");
    let suite = quick_suite(&dir.0);
    let (child, out_dir) = spawn_hilt(&dir.0, &rig, &suite);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !out_dir.join("latest/samples/slot2/procedures.log").exists() {
        assert!(
            Instant::now() < deadline,
            "run never started its procedures"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let output = child.wait_with_output().unwrap();
    let run = Run { output, out_dir };
    assert_eq!(run.code(), 3, "{}\n{}", run.stdout(), run.stderr());
    let (code, out) = verify(&run.run_dir(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("partial: seal") && out.contains("written when the run was interrupted"),
        "{out}"
    );
    let report = std::fs::read_to_string(run.run_dir().join("report.json")).unwrap();
    assert!(report.contains("\"partial\": true"));
    assert!(report.contains("interrupted by the operator"));
    assert!(report.contains("\"cause\": \"operator\""), "{report}");
    assert!(std::fs::read_to_string(run.run_dir().join("report.html"))
        .unwrap()
        .contains("PARTIAL REPORT"));
}

/// SIGKILL (a crash, the OOM killer, a pulled plug on the bench PC) leaves no last seal, and
/// logs that grew after the one before: that verifies as partial and consistent, and a change
/// to what was sealed still shows.
#[test]
fn a_killed_run_verifies_as_partial_up_to_its_last_seal_and_tampering_still_shows() {
    ensure_simdevice();
    let dir = TempDir::new("killed");
    let rig = write_rig(&dir.0, 133, &[&[]]);
    let suite = quick_suite(&dir.0);
    let (mut child, out_dir) = spawn_hilt(&dir.0, &rig, &suite);
    let seal = out_dir.join("latest/manifest.seal");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !std::fs::read_to_string(&seal).is_ok_and(|t| t.contains("seal 2 running")) {
        assert!(Instant::now() < deadline, "no second seal");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap();
    let _ = child.wait();
    let bundle = out_dir.join("latest");
    let (code, out) = verify(&bundle, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("partial: consistent up to seal"), "{out}");
    assert!(out.contains("hilt never wrote its last seal"), "{out}");
    // The capture and the running case's logs went on after the last seal.
    assert!(out.contains("grew after seal "), "{out}");
    let console = bundle.join("samples/slot1/console.log");
    let mut bytes = std::fs::read(&console).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&console, &bytes).unwrap();
    let (code, out) = verify(&bundle, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("altered: samples/slot1/console.log"), "{out}");
}
