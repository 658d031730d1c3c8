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
