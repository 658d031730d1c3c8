//! The assessor's part: `hilt assess init` writes the questions, `hilt assess check` validates
//! the answers, and `hilt report` reissues a finished bundle with them, changing only MANUAL
//! rows; the reissued bundle verifies and names what it replaced. The assessment's rejections
//! (a verdict the run decides among them) are golden files in `config-rejections/`.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn hilt_out(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(hilt())
        .current_dir(common::repo())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The template for the virtual camera, every unit decided with `verdict`, citing one document.
fn filled(dir: &Path, verdict: &str) -> std::path::PathBuf {
    let profile = profile();
    let (code, template, err) =
        hilt_out(&["assess", "init", "--profile", profile.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = template
        .replace(
            "assessor: \"\"\ndate: \"\"",
            "assessor: \"A. Assessor\"\ndate: \"2026-12-01\"",
        )
        .replace("verdict: ~", &format!("verdict: {verdict}"))
        .replace(
            "rationale: \"\"",
            "rationale: \"the IXIT entry answers it\"",
        )
        .replace(
            "documents: []",
            "documents: [{ file: ixit.txt, section: \"2.1\" }]",
        );
    std::fs::write(
        dir.join("ixit.txt"),
        "the manufacturer's IXIT, as delivered",
    )
    .unwrap();
    let file = dir.join("assessment.yaml");
    std::fs::write(&file, text).unwrap();
    file
}

fn report_json(bundle: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(bundle.join("report.json")).unwrap()).unwrap()
}

#[test]
fn init_asks_only_what_the_run_cannot_answer_and_check_accepts_it() {
    let profile = profile();
    let (code, template, err) =
        hilt_out(&["assess", "init", "--profile", profile.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    // Conceptual cases of applicable provisions are asked; the cases hilt runs are not, but the
    // conceptual units (a) and (b) of the mixed 5.3-10-1 are.
    assert!(template.contains("\"5.1-1-1\":") && template.contains("\"6-3-2\":"));
    assert!(!template.contains("\"5.1-1-2\":") && !template.contains("\"5.6-1-2\":"));
    let mixed = &template[template.find("\"5.3-10-1\":").unwrap()..];
    let mixed = &mixed[..mixed[1..].find("\n  \"").map_or(mixed.len(), |i| i + 1)];
    assert!(
        mixed.contains("    a:") && mixed.contains("    b:") && !mixed.contains("    c:"),
        "{mixed}"
    );
    // Each case names the profile's entries of the IXIT pro formas it reads.
    let first = &template[template.find("\"5.1-1-1\":").unwrap()..];
    assert!(
        first.contains("# the profile's entries: IXIT 1: web-admin, "),
        "{first}"
    );
    // N/A by the ICS (5.10-1, no telemetry) and recommendations not implemented (5.7-2) are not asked.
    assert!(!template.contains("\"5.10-1-1\":") && !template.contains("\"5.7-2-1\":"));
    let dir = TempDir::new("assess-init");
    let file = dir.0.join("assessment.yaml");
    std::fs::write(&file, &template).unwrap();
    let (code, out, err) = hilt_out(&["assess", "check", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(0 unit(s) decided)"), "{out}");
}

#[test]
fn a_reissue_decides_the_manual_rows_and_verifies() {
    let dir = TempDir::new("assess-reissue");
    let rig = write_rig(&dir.0, 104, &[&[]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[]);
    assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
    let bundle = std::fs::canonicalize(run.run_dir()).unwrap();
    let assessment = filled(&dir.0, "PASS");
    let (code, _, err) = hilt_out(&["assess", "check", assessment.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = hilt_out(&[
        "report",
        bundle.to_str().unwrap(),
        "--assessment",
        assessment.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("reissue 1:"), "{out}");
    let (code, out, _) = hilt_out(&["verify", bundle.to_str().unwrap()]);
    assert_eq!(code, 0, "the reissued bundle does not verify: {out}");
    meets_the_report_schema(&bundle.join("report.json"));
    let report = report_json(&bundle);
    let table = &report["provisions"][0];
    // Every applicable provision decided: the run's cases passed, the assessor passed the rest.
    assert_eq!(table["counts"]["manual"], 0, "{}", table["summary"]);
    assert_eq!(table["counts"]["pass"], 56, "{}", table["summary"]);
    let rows = table["provisions"].as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["provision"] == id).unwrap();
    let case = &row("5.1-1")["test_cases"][0];
    assert_eq!(case["source"], "assessment");
    assert_eq!(case["answers"][0]["documents"][0]["section"], "2.1");
    let copy = case["answers"][0]["documents"][0]["path"].as_str().unwrap();
    assert!(bundle.join(copy).is_file(), "{copy} not in the bundle");
    // 5.3-10-1: the run's unit (c) and the assessor's (a), (b) together.
    let mixed = &row("5.3-10")["test_cases"][0];
    assert_eq!(mixed["verdict"], "PASS", "{mixed}");
    let reissue = &report["reissue"];
    assert_eq!(reissue["sequence"], 1);
    assert!(reissue["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c[1] == "5.1-1-1" && c[2] == "MANUAL" && c[3] == "PASS"));
    assert!(
        bundle.join("previous/1/report.json").is_file()
            && bundle.join("previous/1/manifest.sha256").is_file()
    );
    let junit = std::fs::read_to_string(bundle.join("junit.xml")).unwrap();
    let parsed = quick_junit::Report::deserialize_from_str(&junit).unwrap();
    assert_eq!((parsed.tests, parsed.failures, parsed.errors), (109, 0, 0));

    // A FAIL from the assessor fails its provision in a second reissue.
    let failing = filled(&dir.0, "FAIL");
    let (code, out, err) = hilt_out(&[
        "report",
        bundle.to_str().unwrap(),
        "--assessment",
        failing.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let report = report_json(&bundle);
    assert_eq!(report["reissue"]["sequence"], 2);
    let rows = report["provisions"][0]["provisions"].as_array().unwrap();
    assert_eq!(
        rows.iter().find(|r| r["provision"] == "5.1-1").unwrap()["verdict"],
        "FAIL"
    );
    assert_eq!(hilt_out(&["verify", bundle.to_str().unwrap()]).0, 0);
}

#[test]
fn a_run_applies_the_assessment_and_keeps_its_documents() {
    let dir = TempDir::new("assess-run");
    let rig = write_rig(&dir.0, 105, &[&[]]);
    let suite = quick_suite(&dir.0);
    let assessment = filled(&dir.0, "PASS");
    let run = run_files(
        &dir.0,
        &rig,
        &profile(),
        Some(&suite),
        &["--assessment", assessment.to_str().unwrap(), "5.6-1-2"],
    );
    assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
    let bundle = run.run_dir();
    assert_eq!(hilt_out(&["verify", bundle.to_str().unwrap()]).0, 0);
    meets_the_report_schema(&bundle.join("report.json"));
    let report = report_json(&bundle);
    assert_eq!(report["assessment"]["path"], "assessment/assessment.yaml");
    assert!(bundle.join("assessment/assessment.yaml").is_file());
    let rows = report["provisions"][0]["provisions"].as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["provision"] == id).unwrap();
    assert_eq!(row("5.6-1")["verdict"], "PASS", "{}", row("5.6-1"));
    // Only 5.6-1-2 ran: 5.1-1's functional case was not made, so the provision stays open.
    assert_eq!(row("5.1-1")["test_cases"][0]["verdict"], "PASS");
    assert_eq!(row("5.1-1")["verdict"], "MANUAL", "{}", row("5.1-1"));
}
