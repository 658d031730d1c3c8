//! TS 103 701 test case 5.1-2-2 (functional), provision 5.1-2: pre-installed unique passwords are
//! generated so as to resist automated attacks on the whole class of devices.
//!
//! Unit (a): the actual pre-installed passwords are plausibly as the generation mechanism is
//! documented — its length and character classes — and show none of what 5.1-2-1 names: no
//! obvious regularity such as a counter across units, no common or known default value, no
//! obvious relation to public information (MAC, serial, model, hostname/SSID). Each finding names
//! the rule and the units; the entropy estimate is recorded as a measurement.

use super::derivation;
use super::password_checks::{against_rule, counter_between, counter_value, entropy_bits};
use super::registry::DataFiles;
use super::{CaseContext, CaseSpec, TestCase};
use crate::config::located::Located;
use crate::config::profile::AuthFactor;
use crate::corpus;
use crate::model::unit::UnitResult;
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use serde::Deserialize;

/// The suite's `cases."5.1-2-2"` entry.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Default-credential data a pre-installed password must not be in (same CSV format).
    pub corpus: Vec<Located<String>>,
    /// Two pre-installed passwords whose numeric parts differ by at most this are counted as a counter.
    #[serde(default = "default_counter_delta")]
    pub counter_max_delta: u64,
}

fn default_counter_delta() -> u64 {
    16
}

pub struct Case;

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.1-2-2",
        provision: "5.1-2",
        title: "pre-installed passwords resist automated attacks",
        decision_rule: "Unit (a). FAIL if a sample's pre-installed password breaks the documented length/character rule, follows from a public identifier of the unit (identity, affix, reversal, last/first characters, hex/decimal conversion, or an unkeyed MD5/SHA-1/SHA-256/CRC32 hash, compared by identity, affix or a shared run of 6 or more characters), is in the shipped default-credential data, or forms a counter with another sample's password (same text around a number differing by at most the suite's delta). Not performed if no pre-installed mechanism documents a generation rule (IXIT 1 `generation_rule`), or the ICS row applies but IXIT 1 declares no pre-installed password. PASS otherwise. The entropy estimate is a measurement, not a criterion.",
    };

    fn data_files(params: &Params) -> Vec<DataFiles<'_>> {
        vec![DataFiles::corpus(&params.corpus)]
    }

    async fn run(ctx: &CaseContext<'_>, params: &Params) -> CaseResult {
        let profile = &ctx.config.profile;
        let mechanisms: Vec<_> = profile
            .body
            .ixit
            .auth_mechanisms
            .iter()
            .filter(|m| m.factor == AuthFactor::PreInstalledUnique)
            .collect();
        // Whether 5.1-2 applies is the ICS's to say (the plan skips an N/A row); an IXIT with
        // nothing to examine under an applicable row is a gap in the profile.
        if mechanisms.is_empty() {
            return CaseResult::not_performed(
                Cause::Config,
                "ICS 5.1-2 applies, but no authentication mechanism declares pre-installed passwords (IXIT 1)",
            );
        }
        let me = &ctx.sample.label;
        let Some(password) = &me.password else {
            return CaseResult::not_performed(
                Cause::Config,
                "the label gives no pre-installed password; enter it in the rig's label",
            );
        };

        let mut findings = Vec::new();
        let mut blockers = Vec::new();
        let mut details = Vec::new();
        // One label password serves every pre-installed mechanism; one documented rule is needed.
        if mechanisms.iter().all(|m| m.generation_rule.is_none()) {
            blockers.push(Blocker::new(
                Cause::Config,
                format!(
                    "no documented generation rule to check the password against: IXIT 1 gives no `generation_rule` for {}",
                    mechanisms.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        for m in &mechanisms {
            if let Some(rule) = &m.generation_rule {
                for f in against_rule(password, rule) {
                    findings.push(format!(
                        "breaks the documented generation rule of {}: {f}",
                        m.id
                    ));
                }
            }
        }

        let extra: Vec<(&str, &str)> = [
            ("hostname", me.hostname.as_deref()),
            ("Wi-Fi SSID", me.ssid.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        let ids = derivation::identifiers(&me.serial, &me.mac, &profile.body.product.model, &extra);
        findings.extend(derivation::findings(password, &ids));
        details.push(format!(
            "compared with {} public identifiers: {}",
            ids.len(),
            ids.iter()
                .map(|i| i.what.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));

        let mut known = 0;
        for file in &params.corpus {
            match corpus::load(&ctx.config.suite.path_of(&file.value)) {
                Ok(list) => {
                    known += list.len();
                    if let Some(hit) = list.iter().find(|c| c.password == *password) {
                        findings.push(format!("is a known default password ({})", hit.citation));
                    }
                }
                Err(e) => {
                    return CaseResult::not_performed(
                        Cause::Config,
                        format!("credential data: {e}"),
                    )
                }
            }
        }
        details.push(format!(
            "checked against {known} entries of shipped default-credential data"
        ));

        let others: Vec<_> = ctx
            .peers
            .iter()
            .filter(|(s, _)| *s != ctx.sample.slot_id)
            .collect();
        for (slot, peer) in &others {
            if let Some(c) = peer
                .password
                .as_deref()
                .and_then(|o| counter_between(password, o, params.counter_max_delta))
            {
                findings.push(format!("counter across units: this unit and {slot}: {c}"));
            }
        }
        if let Some(note) = counter_follows_serial(ctx) {
            findings.push(note);
        }
        details.push(format!("compared with {} other sample(s)", others.len()));

        let bits = entropy_bits(password);
        let mut analysis = format!(
            "5.1-2-2 analysis of the pre-installed password of {}\n",
            ctx.sample.slot_id
        );
        analysis.push_str(&format!(
            "length: {} characters, entropy estimate {bits:.1} bit\n",
            password.chars().count()
        ));
        for d in &details {
            analysis.push_str(&format!("- {d}\n"));
        }
        for f in &findings {
            analysis.push_str(&format!("FINDING: {f}\n"));
        }
        let evidence = vec![
            ctx.sample.evidence.write("5.1-2-2/analysis.txt", &analysis),
            ctx.sample.evidence.dir.join("label.yaml"),
        ];
        let findings: Vec<String> = findings
            .into_iter()
            .map(|f| format!("pre-installed password {f}"))
            .collect();
        let mut r = CaseResult::from_units(vec![UnitResult::judge(
            "a",
            "pre-installed passwords as their generation is documented",
            &findings,
            &blockers,
            "no indication that the pre-installed password differs from its documented generation",
        )]);
        r.details = details;
        r.evidence = evidence;
        r.measurements = vec![
            Measurement::new(
                "password_length",
                password.chars().count() as f64,
                "characters",
            ),
            Measurement::new(
                "password_entropy_estimate",
                (bits * 10.0).round() / 10.0,
                "bit",
            ),
        ];
        r
    }
}

/// With three or more samples whose passwords carry numbers, the numbers rising with the serial
/// numbers is a production counter even when the deltas are large.
fn counter_follows_serial(ctx: &CaseContext<'_>) -> Option<String> {
    let mut units: Vec<(&str, &str, u64)> = ctx
        .peers
        .iter()
        .filter_map(|(slot, l)| {
            Some((
                slot.as_str(),
                l.serial.as_str(),
                counter_value(l.password.as_deref()?)?,
            ))
        })
        .collect();
    if units.len() < 3 {
        return None;
    }
    let shapes: Vec<String> = ctx
        .peers
        .iter()
        .filter_map(|(_, l)| l.password.as_deref())
        .map(|p| p.chars().filter(|c| !c.is_ascii_digit()).collect())
        .collect();
    if shapes.windows(2).any(|w| w[0] != w[1]) {
        return None;
    }
    units.sort_by(|a, b| a.1.cmp(b.1));
    let rising = units.windows(2).all(|w| w[0].2 < w[1].2);
    let falling = units.windows(2).all(|w| w[0].2 > w[1].2);
    (rising || falling).then(|| {
        format!(
            "carries a number that follows the serial-number order across {} ({})",
            units.iter().map(|u| u.0).collect::<Vec<_>>().join(", "),
            "a production counter"
        )
    })
}
