//! The rig and profile examples in the README are valid configuration.

mod common;
use std::process::Command;

#[test]
fn readme_rig_and_profile_examples_pass_hilt_check() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 2, "expected a rig and a profile example");
    let dir = common::TempDir::new("readme");
    let rig = dir.0.join("rig.yaml");
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&rig, blocks[0]).unwrap();
    std::fs::write(&profile, blocks[1]).unwrap();
    let out = Command::new(common::hilt())
        .args([
            "check",
            "--rig",
            rig.to_str().unwrap(),
            "--profile",
            profile.to_str().unwrap(),
        ])
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
