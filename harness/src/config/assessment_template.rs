//! `hilt assess init`: the assessment file for a profile, one entry per test unit the assessor
//! has to decide (the provisions the ICS makes applicable, less the units hilt runs), each with
//! its question and the IXIT pro formas it reads.

use super::profile::{Profile, Support};
use crate::standard::catalogue::{Catalogue, Kind};
use std::fmt::Write;

pub fn template(catalogue: &Catalogue, profile: &Profile, automated: &[&str]) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=../harness/schema/assessment.schema.json\n\
         # The assessor's verdicts on the test units of {} {} that {} leaves to people.\n\
         # Per unit: `verdict: PASS` or `FAIL`, the `rationale`, the `documents` relied on (file\n\
         # relative to this file, and section), and who decided and when (or the defaults below).\n\
         # Units left without a verdict stay MANUAL. `hilt assess check` validates this file.",
        catalogue.standard, catalogue.version, profile.body.profile
    );
    let _ = writeln!(out, "standard: {}", q(&catalogue.version));
    let _ = writeln!(out, "assessor: \"\"\ndate: \"\"\ntest_cases:");
    for p in &catalogue.provisions {
        let applies = profile
            .body
            .ics
            .get(&p.id)
            .is_none_or(|r| r.support == Support::Y);
        if !applies {
            continue;
        }
        for t in &p.test_cases {
            let run = automated.contains(&t.id.as_str());
            if run && t.kind != Kind::Mixed {
                continue;
            }
            let units: Vec<(&String, &String)> = t
                .units
                .iter()
                .filter(|(u, _)| !(run && t.is_functional_unit(u)))
                .collect();
            let _ = writeln!(
                out,
                "  {}:   # {} ({})",
                q(&t.id),
                p.summary,
                t.kind.label()
            );
            if !t.evidence_from.is_empty() {
                let _ = writeln!(
                    out,
                    "    # for reference: hilt runs {} on the device; the report shows its result here",
                    t.evidence_from.join(", ")
                );
            }
            let entries = ixit_entries(profile, &t.ixit);
            if !entries.is_empty() {
                let _ = writeln!(out, "    # the profile's entries: {}", entries.join("; "));
            }
            for (unit, asks) in units {
                let ixit: Vec<String> = t.ixit.iter().map(u8::to_string).collect();
                let _ = writeln!(
                    out,
                    "    {unit}:\n      asks: {}\n      ixit: [{}]\n      verdict: ~\n      rationale: \"\"\n      documents: []",
                    q(asks),
                    ixit.join(", ")
                );
            }
        }
    }
    out
}

/// The profile's own entries of the IXIT pro formas a case reads, so the assessor knows which
/// rows to open: "IXIT 1: web-admin, viewer-stream".
fn ixit_entries(profile: &Profile, pro_formas: &[u8]) -> Vec<String> {
    let ixit = &profile.body.ixit;
    pro_formas
        .iter()
        .filter_map(|n| {
            let ids: Vec<&str> = match n {
                1 => ixit.auth_mechanisms.iter().map(|m| m.id.as_str()).collect(),
                6 => ixit
                    .software_components
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect(),
                7 => ixit
                    .update_mechanisms
                    .iter()
                    .map(|m| m.id.as_str())
                    .collect(),
                13 => ixit.services.iter().map(|s| s.id.as_str()).collect(),
                15 => ixit
                    .services
                    .iter()
                    .map(|s| s.id.as_str())
                    .chain(ixit.debug_interfaces.iter().map(|d| d.id.as_str()))
                    .collect(),
                _ => Vec::new(),
            };
            (!ids.is_empty()).then(|| format!("IXIT {n}: {}", ids.join(", ")))
        })
        .collect()
}
