//! A run always ends and keeps what it promises: a case past its budget is stopped, evidence
//! past the sample's cap is not kept, and a case that ends with the unit's power cut has it
//! restored. Each time the run goes on and says what happened.

mod common;
use common::*;

/// A case that runs past its budget is stopped and recorded INCONCLUSIVE (cause unit), and the
/// sample's other cases still run: a unit that stalls cannot stall the run. Every result states
/// its budget.
#[test]
fn a_case_past_its_budget_is_stopped_and_the_run_goes_on() {
    let dir = TempDir::new("budget");
    let rig = write_rig(&dir.0, 124, &[&[]]);
    let suite = quick_suite(&dir.0);
    let text = std::fs::read_to_string(&suite).unwrap().replacen(
        "\ncases:\n",
        "\nbudgets:\n  cases: { \"5.1-5-2\": 1s }\ncases:\n",
        1,
    );
    std::fs::write(&suite, text).unwrap();
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &["--skip", "5.3-"]);
    let (verdict, message, _) = run.verdict("slot1", "5.1-5-2");
    assert_eq!(verdict, "INCONCLUSIVE", "{message}");
    assert!(
        message.contains("did not finish within its budget of 1s"),
        "{message}"
    );
    assert_verdict(&run, "slot1", "5.6-1-2", "PASS", "");
    // A case the suite gives no budget states the one derived from its declared waits.
    let (_, _, out) = run.verdict("slot1", "5.6-1-2");
    assert!(
        out.contains("case budget: ") && out.contains("derived: 2x the declared waits of"),
        "{out}"
    );
}

/// A sample's evidence has a cap: past it nothing more is kept (the scan's capture alone passes
/// 64 KiB), the run goes on, and the results say where the evidence stopped.
#[test]
fn evidence_past_the_samples_cap_is_not_kept_and_the_results_say_so() {
    let dir = TempDir::new("evidencecap");
    let rig = write_rig(&dir.0, 129, &[&[]]);
    let suite = quick_suite(&dir.0);
    let text = std::fs::read_to_string(&suite).unwrap().replacen(
        "\ncases:\n",
        "\nbudgets:\n  evidence_per_sample_kib: 64\ncases:\n",
        1,
    );
    std::fs::write(&suite, text).unwrap();
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &["5.6-"]);
    let (_, _, out) = run.verdict("slot1", "5.6-2-2");
    assert!(out.contains("reached its cap of 64 KiB"), "{out}");
    let kept: u64 = std::fs::read_dir(run.run_dir().join("samples/slot1"))
        .unwrap()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    assert!(kept < 128 * 1024, "{kept} bytes kept");
}

/// A step that fails between a power cut and the power coming back leaves the unit off: the
/// run switches it back on when the case ends and the result says so.
#[test]
fn a_case_that_ends_with_the_power_cut_has_it_restored() {
    let dir = TempDir::new("powerleftoff");
    let rig = write_rig(&dir.0, 130, &[&[]]);
    let text = profile_text();
    let at = text.find("  factory_reset:\n").unwrap();
    let end = at + text[at..].find("  initialize:").unwrap();
    let variant = format!(
        "{}  factory_reset:\n    - power: {{ action: \"off\" }}\n    - console_expect: {{ pattern: \"never printed\", within: 1s }}\n{}",
        &text[..at],
        &text[end..]
    );
    let profile = dir.0.join("profile.yaml");
    std::fs::write(&profile, variant).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile, Some(&suite), &["5.1-1-2"]);
    let (verdict, _, out) = run.verdict("slot1", "5.1-1-2");
    assert_eq!(verdict, "INCONCLUSIVE", "{out}");
    assert!(out.contains("so hilt switched it back on"), "{out}");
}
