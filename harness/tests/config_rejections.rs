//! Golden files for every rejection: each `config-rejections/<kind>-*.yaml` must make
//! `hilt check` (`hilt assess check` for an assessment, `hilt psti --list` for an evidence
//! profile) exit 2 with exactly the message in the `.stderr` file next to it (file, line,
//! column, key path, what was expected). `UPDATE_GOLDEN=1` rewrites the golden files.

mod common;
use std::path::Path;
use std::process::Command;

#[test]
fn every_bad_config_is_rejected_with_its_location() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/config-rejections");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "golden cases went missing");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for case in cases {
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        let kind = name.split('-').next().unwrap();
        let mut command = Command::new(common::hilt());
        match kind {
            "assessment" => command.args(["assess", "check"]),
            "evidence" => command.args(["psti", "--list", "--evidence"]),
            _ => command.arg("check").arg(format!("--{kind}")),
        };
        let output = command
            .arg(&case)
            .current_dir(common::repo())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr)
            .replace(&dir.display().to_string(), "config-rejections");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{name}: expected exit 2, stderr:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
        let golden = case.with_extension("stderr");
        if update {
            std::fs::write(&golden, &stderr).unwrap();
        } else {
            let want = std::fs::read_to_string(&golden).unwrap_or_default();
            if want != stderr {
                mismatches.push(format!("{name}:\n--- expected\n{want}--- got\n{stderr}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
