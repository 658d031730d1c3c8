//! 5.1-5-2 where IXIT 1 declares no brute-force prevention: the mechanisms are attacked all the
//! same, and judged against the suite's threshold.

mod common;
use common::*;

const BRUTE_FORCE: &str = "5.1-5-2";

/// The default profile with every mechanism's `brute_force` declaration taken out.
fn profile_declaring_no_prevention(dir: &std::path::Path) -> std::path::PathBuf {
    let text: Vec<String> = profile_text()
        .lines()
        .filter(|l| !l.trim_start().starts_with("brute_force:"))
        .map(String::from)
        .collect();
    let path = dir.join("profile.yaml");
    std::fs::write(&path, text.join("\n")).unwrap();
    path
}

#[test]
fn no_declared_prevention_is_measured_not_skipped() {
    let dir = TempDir::new("undeclared-bf");
    let profile = profile_declaring_no_prevention(&dir.0);
    let rig = write_rig(&dir.0, 48, &[&[], &["no-lockout"]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[BRUTE_FORCE]);
    assert_verdict(
        &run,
        "slot2",
        BRUTE_FORCE,
        "FAIL",
        "web-admin: 101 consecutive wrong passwords evaluated at ",
    );
    let (_, message, out) = run.verdict("slot2", BRUTE_FORCE);
    assert!(
        message.contains(
            "IXIT 1 declares no brute-force prevention and the decision rule allows at most 100"
        ),
        "{message}"
    );
    assert!(
        out.contains("web-admin: no prevention declared; 101 wrong passwords evaluated at"),
        "{out}"
    );
    // The compliant unit locks out though nothing is declared: no indication of a weakness.
    assert_verdict(&run, "slot1", BRUTE_FORCE, "PASS", "");
    let (_, _, out) = run.verdict("slot1", BRUTE_FORCE);
    assert!(
        out.contains("web-admin: locked out after 5 failures, though IXIT 1 declares no brute-force prevention"),
        "{out}"
    );
}

#[test]
fn a_budget_below_the_threshold_cannot_tell() {
    let dir = TempDir::new("undeclared-bf-cap");
    let profile = profile_declaring_no_prevention(&dir.0);
    let rig = write_rig(&dir.0, 49, &[&["no-lockout"]]);
    let suite = quick_suite(&dir.0);
    let text = std::fs::read_to_string(&suite).unwrap();
    assert!(text.contains("max_attempts: 110"));
    std::fs::write(
        &suite,
        text.replace("max_attempts: 110", "max_attempts: 20"),
    )
    .unwrap();
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[BRUTE_FORCE]);
    assert_verdict(
        &run,
        "slot1",
        BRUTE_FORCE,
        "INCONCLUSIVE",
        "the suite allows 20 attempts per mechanism: 101 are needed to exceed the decision rule's threshold of 100",
    );
    assert_eq!(run.cause("slot1", BRUTE_FORCE).as_deref(), Some("config"));
}

/// IXIT 1 may declare a permanent lock (TS 103 701 5.1-5-1 lists a lock after limited attempts):
/// a unit that stays locked is as declared, one whose lock ends after 100 ms differs from it.
#[test]
fn a_declared_permanent_lock_must_not_end() {
    let dir = TempDir::new("permanent-bf");
    let text = profile_text().replace("lockout: 100ms", "lockout: permanent");
    assert!(text.contains("lockout: permanent"));
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, text).unwrap();
    let rig = write_rig(&dir.0, 120, &[&["permanent-lockout"], &[]]);
    let suite = quick_suite(&dir.0);
    let text = std::fs::read_to_string(&suite).unwrap();
    let shorter = text.replace("permanent_after: 10m", "permanent_after: 2s");
    assert_ne!(text, shorter);
    std::fs::write(&suite, shorter).unwrap();
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &[BRUTE_FORCE]);
    assert_verdict(&run, "slot1", BRUTE_FORCE, "PASS", "");
    let (_, _, out) = run.verdict("slot1", BRUTE_FORCE);
    assert!(
        out.contains("web-admin: the right password is still refused 2.000s after the lock began: permanent, as declared"),
        "{out}"
    );
    assert_verdict(
        &run,
        "slot2",
        BRUTE_FORCE,
        "FAIL",
        "web-admin: the lock ended: the right password worked again at most ",
    );
}
