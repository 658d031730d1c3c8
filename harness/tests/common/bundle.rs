//! Runs that leave a bundle, and the commands that check one.

use super::{hilt, profile, quick_suite, run_files, write_rig, Run, TempDir};
use std::path::Path;
use std::process::Command;

/// A run of the quick suite on simulated units with `units`' faults; it must leave a manifest.
pub fn quick_run(dir: &TempDir, subnet: u8, units: &[&[&str]], extra: &[&str]) -> Run {
    let rig = write_rig(&dir.0, subnet, units);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), extra);
    assert!(
        run.run_dir().join("manifest.sha256").exists(),
        "{}\n{}",
        run.stdout(),
        run.stderr()
    );
    run
}

/// `hilt ARGS` from the repository: its exit status and all it printed.
pub fn hilt_cmd(args: &[&str]) -> (i32, String) {
    let out = Command::new(hilt())
        .current_dir(super::repo())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// `hilt verify DIR EXTRA...`.
pub fn verify(dir: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["verify", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    hilt_cmd(&args)
}
