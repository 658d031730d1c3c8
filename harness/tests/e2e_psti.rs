//! The PSTI view end to end: the manufacturer's site is the simulator's vendor site (real HTTPS
//! under a test CA made for the test, reached through the profile's `resolve`, never the
//! internet), and each site or statement fault gives "not met" on its own requirement while the
//! compliant site and units get "met" on all four.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIRMED: &[&str] = &[
    "reporting_issues.in_english",
    "reporting_issues.free_of_charge",
    "reporting_issues.without_personal_data",
    "reporting_issues.clear",
    "support_period.in_english",
    "support_period.free_of_charge",
    "support_period.without_personal_data",
    "support_period.clear",
];

/// The default profile with a `psti` section naming the site's pages; `statement_until` is the
/// support period the statement of compliance gives.
fn profile(dir: &Path, site: &Site, statement_until: &str, policy_page: bool) -> PathBuf {
    let base = format!("https://vendor.example:{}", site.port);
    let confirmations: String = CONFIRMED
        .iter()
        .map(|id| format!("    {id}: {{answer: true, note: \"read on the stored page\"}}\n"))
        .collect();
    let policy = if policy_page {
        format!("[\"{base}/security/disclosure\"]")
    } else {
        "[]".into()
    };
    let text = format!(
        "{}\npsti:\n  as_sold: {{batch: B7, obtained_from: \"a retail shop\", obtained_on: 2026-11-02}}\n  published:\n    security_txt: {base}\n    disclosure_policy: {policy}\n    support_period: [\"{base}/support/period\"]\n    resolve: {{vendor.example: 127.0.0.1}}\n    trust: [\"{}\"]\n  statement_of_compliance:\n    product_type: VC-100 camera\n    batch: B7\n    manufacturer_name: Hilt Example Devices\n    manufacturer_address: 1 Test Street, Leeds\n    prepared_by_or_for_manufacturer: true\n    declares_compliance: true\n    support_period: {{until: {statement_until}}}\n    signatory_name: A. Person\n    signatory_function: Head of product security\n    signed: true\n    place_of_issue: Leeds\n    date_of_issue: 2026-01-10\n  confirmations:\n{confirmations}",
        profile_text(),
        site.dir.join("ca.pem").display()
    );
    let path = dir.join("profile.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn report(run: &Run) -> Value {
    let text = std::fs::read_to_string(run.run_dir().join("report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// requirement id -> (outcome, every check as "id outcome: observed").
fn outcomes(report: &Value) -> std::collections::BTreeMap<String, (String, String)> {
    report["psti"]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let checks: Vec<String> = r["checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    format!(
                        "{} {}: {}",
                        c["id"].as_str().unwrap(),
                        c["outcome"].as_str().unwrap(),
                        c["observed"].as_str().unwrap()
                    )
                })
                .collect();
            (
                r["id"].as_str().unwrap().to_string(),
                (
                    r["outcome"].as_str().unwrap().to_string(),
                    checks.join("\n"),
                ),
            )
        })
        .collect()
}

/// Only the published pages: a filter that selects no case brings up no unit.
fn pages_only(
    tag: &str,
    faults: &[&str],
    statement_until: &str,
    policy_page: bool,
) -> (TempDir, Run) {
    let dir = TempDir::new(tag);
    let s = site(&dir.0, faults);
    let rig = write_rig(&dir.0, 106, &[&[]]);
    let p = profile(&dir.0, &s, statement_until, policy_page);
    let run = run_files(&dir.0, &rig, &p, None, &["--exact", "no-such-case"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    (dir, run)
}

#[test]
fn a_compliant_product_meets_all_four_and_its_pages_verify() {
    let dir = TempDir::new("psti-compliant");
    let s = site(&dir.0, &[]);
    let rig = write_rig(&dir.0, 107, &[&[], &[]]);
    let p = profile(&dir.0, &s, "2030-12-31", true);
    let run = run_files(&dir.0, &rig, &p, Some(&quick_suite(&dir.0)), &["5.1-"]);
    let r = report(&run);
    for (id, (outcome, checks)) in outcomes(&r) {
        assert_eq!(outcome, "met", "{id}:\n{checks}\nstderr: {}", run.stderr());
    }
    assert!(
        run.stdout()
            .contains("PSTI: passwords met, reporting_issues met"),
        "{}",
        run.stdout()
    );
    // Every stored page is the bytes whose digest the report recorded, and the bundle verifies.
    let sources = r["psti"]["gathered"]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 3);
    for src in sources {
        let body = run.run_dir().join(src["files"][0].as_str().unwrap());
        let digest = hilt::util::hash::sha256_hex(&std::fs::read(&body).unwrap());
        assert_eq!(
            digest,
            src["sha256"].as_str().unwrap(),
            "{}",
            body.display()
        );
        let chain =
            std::fs::read_to_string(run.run_dir().join(src["files"][2].as_str().unwrap())).unwrap();
        assert_eq!(
            chain.matches("BEGIN CERTIFICATE").count(),
            2,
            "leaf and test CA"
        );
    }
    let verify = Command::new(hilt())
        .arg("verify")
        .arg(run.run_dir())
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json");
    let check = "import json, sys, jsonschema\njsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])), cls=jsonschema.Draft202012Validator)";
    let out = Command::new("python3")
        .args(["-c", check])
        .arg(&schema)
        .arg(run.run_dir().join("report.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(run.run_dir().join("psti.html")).unwrap();
    assert!(page.contains("PSTI evidence summary") && page.contains("a retail shop"));
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit-10.xsd");
    let valid = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(run.run_dir().join("junit.xml"))
        .output()
        .unwrap();
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );
    let junit = run.junit_text();
    assert!(
        junit.contains("name=\"UK PSTI (SI 2023/1007)\" tests=\"4\""),
        "{junit}"
    );
}

#[test]
fn a_universal_password_after_reset_fails_the_password_requirement_only() {
    let dir = TempDir::new("psti-universal");
    let s = site(&dir.0, &[]);
    let rig = write_rig(&dir.0, 108, &[&["universal-password-after-reset"], &[]]);
    let p = profile(&dir.0, &s, "2030-12-31", true);
    let run = run_files(&dir.0, &rig, &p, Some(&quick_suite(&dir.0)), &["5.1-1-2"]);
    let o = outcomes(&report(&run));
    let (outcome, checks) = &o["passwords"];
    assert_eq!(outcome, "not_met", "{checks}");
    assert!(checks.contains("5.1-1-2(c) not_met: slot1:"), "{checks}");
    assert!(
        !checks.contains("slot2:"),
        "the compliant sample is not blamed: {checks}"
    );
    assert_eq!(o["reporting_issues"].0, "met");
    assert_eq!(o["support_period"].0, "met");
    let junit = run.junit_text();
    assert!(junit.contains("type=\"NOT MET\""), "{junit}");
}

#[test]
fn site_faults_each_fail_their_own_requirement() {
    struct Want {
        faults: &'static [&'static str],
        policy_page: bool,
        statement_until: &'static str,
        requirement: &'static str,
        check: &'static str,
    }
    let cases = [
        Want { faults: &["security-txt-missing"], policy_page: false, statement_until: "2030-12-31", requirement: "reporting_issues", check: "reporting_issues.security_txt not_met: no security.txt" },
        Want { faults: &["security-txt-expired"], policy_page: true, statement_until: "2030-12-31", requirement: "reporting_issues", check: "reporting_issues.security_txt not_met: expired" },
        Want { faults: &["security-txt-no-contact"], policy_page: true, statement_until: "2030-12-31", requirement: "reporting_issues", check: "reporting_issues.security_txt not_met: no `Contact` field" },
        Want { faults: &["support-page-login"], policy_page: true, statement_until: "2030-12-31", requirement: "support_period", check: "support_period.page1.available not_met: redirects to a sign-in page" },
        Want { faults: &[], policy_page: true, statement_until: "2029-06-30", requirement: "support_period", check: "support_period.matches_statement not_met: the statement says until 2029-06-30, the published page end date 2030-12-31" },
    ];
    for (i, want) in cases.iter().enumerate() {
        let (_dir, run) = pages_only(
            &format!("psti-site-{i}"),
            want.faults,
            want.statement_until,
            want.policy_page,
        );
        let o = outcomes(&report(&run));
        for (id, (outcome, checks)) in &o {
            if id == want.requirement {
                assert_eq!(outcome, "not_met", "{:?}: {checks}", want.faults);
                assert!(checks.contains(want.check), "{:?}: {checks}", want.faults);
            } else if id != "passwords" {
                assert_eq!(
                    outcome, "met",
                    "{:?} also broke {id}: {checks}",
                    want.faults
                );
            }
        }
    }
}

#[test]
fn a_missing_security_txt_beside_a_policy_page_only_asks_for_a_look() {
    let (_dir, run) = pages_only(
        "psti-txt-missing-page",
        &["security-txt-missing"],
        "2030-12-31",
        true,
    );
    let (outcome, checks) = outcomes(&report(&run))["reporting_issues"].clone();
    assert_eq!(outcome, "needs_confirmation", "{checks}");
    assert!(
        checks.contains("reporting_issues.security_txt needs_confirmation: no security.txt"),
        "{checks}"
    );
    assert!(
        checks.contains("reporting_issues.contact met: e-mail address psirt@vendor.example"),
        "{checks}"
    );
}

/// `hilt psti` with the example evidence profile, its psti section pointed at the test site;
/// `logins: false` leaves out the login the officer described by hand.
fn psti_run(dir: &Path, subnet: u8, units: &[&[&str]], logins: bool) -> Run {
    let s = site(dir, &[]);
    let rig = write_rig(dir, subnet, units);
    let example =
        std::fs::read_to_string(repo().join("device-profiles/evidence/virtual-camera.yaml"))
            .unwrap();
    let mut head = example.split("\npsti:").next().unwrap().to_string();
    if !logins {
        let start = head.find("\nlogins:").unwrap();
        let end = head.find("\nprocedures:").unwrap();
        head.replace_range(start..end, "");
    }
    let with_site = std::fs::read_to_string(profile(dir, &s, "2030-12-31", true)).unwrap();
    let psti = with_site.split("\npsti:").nth(1).unwrap();
    let evidence = dir.join("evidence.yaml");
    std::fs::write(&evidence, format!("{head}\npsti:{psti}")).unwrap();
    let out_dir = dir.join("reports");
    let output = Command::new(hilt())
        .args([
            "psti",
            "--rig",
            rig.to_str().unwrap(),
            "--evidence",
            evidence.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    Run { output, out_dir }
}

#[test]
fn without_the_manufacturer_every_login_found_gets_the_corpus() {
    let dir = TempDir::new("psti-evidence");
    let run = psti_run(
        &dir.0,
        110,
        &[&["universal-password-after-reset", "telnet-enabled"], &[]],
        true,
    );
    assert_verdict(
        &run,
        "slot1",
        "5.1-1-2",
        "FAIL",
        "tcp-2323-telnet accepted the universal credential mirai-2016.csv entry 6",
    );
    let (_, message, _) = run.verdict("slot1", "5.1-1-2");
    assert!(
        message.contains("app-api-login accepted the universal credential"),
        "{message}"
    );
    assert_verdict(&run, "slot2", "5.1-1-2", "PASS", "");
    let (_, _, slot2) = run.verdict("slot2", "5.1-1-2");
    assert!(slot2.contains("after a second factory reset the password set at initialization no longer opens app-api-login"), "{slot2}");
    let r = report(&run);
    let unit_a = &r["results"][0]["units"][0];
    assert_eq!(
        unit_a["verdict"], "N/A",
        "no IXIT to hold surfaces against: {unit_a}"
    );
    let o = outcomes(&r);
    assert_eq!(o["passwords"].0, "not_met", "{}", o["passwords"].1);
    assert_eq!(
        o["reporting_issues"].0, "met",
        "{}",
        o["reporting_issues"].1
    );
    assert_eq!(
        o["statement_of_compliance"].0, "met",
        "{}",
        o["statement_of_compliance"].1
    );
}

#[test]
fn a_web_service_whose_login_nobody_described_is_not_passed() {
    let dir = TempDir::new("psti-undescribed");
    let run = psti_run(&dir.0, 111, &[&[]], false);
    let (verdict, message, _) = run.verdict("slot1", "5.1-1-2");
    assert_eq!(verdict, "INCONCLUSIVE", "{message}");
    assert!(message.contains("TCP 8443 answers"), "{message}");
    assert_eq!(outcomes(&report(&run))["passwords"].0, "needs_confirmation");
}

#[test]
fn a_reset_that_keeps_the_password_proves_nothing_about_the_state_after_one() {
    let dir = TempDir::new("psti-reset-keeps");
    let run = psti_run(&dir.0, 112, &[&["reset-keeps-passwords"]], true);
    let (verdict, message, _) = run.verdict("slot1", "5.1-1-2");
    assert_eq!(verdict, "INCONCLUSIVE", "{message}");
    assert!(message.contains("app-api-login: the password set at initialization still opens it after a factory reset"), "{message}");
    assert_eq!(outcomes(&report(&run))["passwords"].0, "needs_confirmation");
}
