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
    assert_eq!(
        blocks.len(),
        3,
        "expected a rig, a profile and a profile's update section"
    );
    let dir = common::TempDir::new("readme");
    let rig = dir.0.join("rig.yaml");
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&rig, blocks[0]).unwrap();
    std::fs::write(
        &profile,
        format!("{}{}", with_full_ics(blocks[1]), blocks[2]),
    )
    .unwrap();
    // The update example names the lab's image files; stand-ins make them exist.
    for name in blocks[2].split("file: ").skip(1) {
        let name = name.split([' ', ',', '}']).next().unwrap();
        std::fs::write(dir.0.join(name), b"image").unwrap();
    }
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

/// The README shows three ICS rows of the 68 a profile needs; the rest come from the shipped
/// virtual camera's ICS, so the example's own rows are what is checked.
fn with_full_ics(profile: &str) -> String {
    let shipped =
        std::fs::read_to_string(common::repo().join("device-profiles/virtual-camera.yaml"))
            .unwrap();
    let id = |line: &str| line.trim_start().split('"').nth(1).map(str::to_string);
    let shown: Vec<String> = profile.lines().filter_map(id).collect();
    let extra: String = shipped
        .lines()
        .skip_while(|l| *l != "ics:")
        .skip(1)
        .take_while(|l| l.starts_with("  \""))
        .filter(|l| id(l).is_some_and(|i| !shown.contains(&i)))
        .map(|l| format!("{l}\n"))
        .collect();
    let at = profile
        .find("ixit:")
        .expect("the example has an ixit section");
    format!("{}{extra}{}", &profile[..at], &profile[at..])
}
