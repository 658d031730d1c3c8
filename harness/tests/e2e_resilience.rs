//! 5.9-2-2: the rig cuts the simulated unit's uplink, then its power; each way the unit fails
//! to stay useful or to come back cleanly seeded next to a compliant unit.

mod common;
use common::*;

const RESILIENCE: &str = "5.9-2-2";

/// One rig, four units: a compliant one, one whose local API needs the cloud, one that never
/// reconnects after an outage and one that keeps its settings in RAM only. Each fails the unit
/// of the case it breaks, and the other unit passes.
#[test]
fn each_broken_recovery_fails_its_unit() {
    let dir = TempDir::new("resilience");
    let units: &[&[&str]] = &[
        &[],
        &["local-control-needs-cloud"],
        &["never-reconnects"],
        &["settings-lost-at-power-cut"],
    ];
    let rig = write_rig(&dir.0, 142, units);
    let run = run_files(
        &dir.0,
        &rig,
        &profile(),
        Some(&quick_suite(&dir.0)),
        &[RESILIENCE],
    );
    assert_verdict(&run, "slot1", RESILIENCE, "PASS", "");
    for (slot, unit, finding) in [
        ("slot2", "(a)", "while the network is cut, `settings-on-the-lan` does not complete (procedure local function settings-on-the-lan, step 1 (http): HTTP status 503"),
        ("slot3", "(a)", "the unit was not connected again within the declared 10s of the network returning"),
        ("slot4", "(b)", "after the power cut `update-server` reads `updates`, not the value set before it"),
    ] {
        assert_verdict(&run, slot, RESILIENCE, "FAIL", finding);
        let (_, _, out) = run.verdict(slot, RESILIENCE);
        let other = if unit == "(a)" { "(b)" } else { "(a)" };
        assert!(
            out.contains(&format!("unit {unit} FAIL")) && out.contains(&format!("unit {other} PASS")),
            "{slot}: {out}"
        );
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.run_dir().join("report.json")).unwrap())
            .unwrap();
    let measured: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["measurements"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m["name"].as_str().map(String::from))
        .collect();
    for name in ["reconnect_time", "power_recovery_time"] {
        assert!(
            measured.iter().any(|m| m == name),
            "{name} not in {measured:?}"
        );
    }
}

/// A rig that cannot cut the uplink leaves unit (a) not performed, never a PASS; the power cut
/// is still made.
#[test]
fn without_uplink_control_the_outage_is_not_performed() {
    let dir = TempDir::new("resiliencenolink");
    let rig = write_rig(&dir.0, 143, &[&[]]);
    unwire(&rig, "uplink:");
    let run = run_files(
        &dir.0,
        &rig,
        &profile(),
        Some(&quick_suite(&dir.0)),
        &[RESILIENCE],
    );
    assert_verdict(
        &run,
        "slot1",
        RESILIENCE,
        "INCONCLUSIVE",
        "the rig wires no network link control to this slot (`uplink`)",
    );
    let (_, _, out) = run.verdict("slot1", RESILIENCE);
    assert!(out.contains("unit (b) PASS"), "{out}");
}
