//! TS 103 701 test case 5.1-2-2 (functional), provision 5.1-2: pre-installed unique passwords are
//! generated so as to resist automated attacks on the whole class of devices.
//!
//! Unit (a): the actual pre-installed passwords are plausibly as the generation mechanism is
//! documented — its length and character classes — and show none of what 5.1-2-1 names: no
//! obvious regularity such as a counter across units, no common or known default value, no
//! obvious relation to public information (MAC, serial, model, hostname/SSID). Each finding names
//! the rule and the units; zxcvbn's estimate of the guesses needed is recorded and judged.

use super::derivation;
use super::password_checks::{counter_value, guessability, Guessability};
use super::password_examination::{examine, Against, Examination};
use super::registry::DataFiles;
use super::{CaseContext, CaseSpec, TestCase};
use crate::config::located::Located;
use crate::config::profile::AuthFactor;
use crate::corpus;
use crate::model::unit::UnitResult;
use crate::model::verdict::{CaseResult, Cause, Measurement};
use serde::Deserialize;

/// The suite's `cases."5.1-2-2"` entry.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Default-credential data a pre-installed password must not be in (same CSV format).
    pub corpus: Vec<Located<String>>,
    /// Two pre-installed passwords whose numeric parts differ by at most this are counted as a counter.
    #[serde(default = "default_counter_delta")]
    pub counter_max_delta: u64,
    /// A pre-installed password that zxcvbn estimates takes fewer guesses than 10 to this power
    /// (the unit's identifiers known to the attacker) is guessable by automated attack. Default 8,
    /// zxcvbn's boundary of a "safely unguessable" password (its score 3).
    #[serde(default = "default_min_guesses_log10")]
    pub min_guesses_log10: f64,
}

fn default_min_guesses_log10() -> f64 {
    8.0
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
        decision_rule: "Unit (a). FAIL if a sample's pre-installed password breaks the documented length/character rule, follows from a public identifier of the unit (identity, affix, reversal, last/first characters, hex/decimal conversion, or an unkeyed MD5/SHA-1/SHA-256/CRC32 hash, compared by identity, affix or a shared run of 6 or more characters), is in the shipped default-credential data, or forms a counter with another sample's password (same text around a number differing by at most the suite's delta). Not performed if no pre-installed mechanism documents a generation rule (IXIT 1 `generation_rule`), or the ICS row applies but IXIT 1 declares no pre-installed password. FAIL too if zxcvbn (Dropbox's estimator with its frequency lists of common passwords, words and names; the unit's serial, MAC, model, hostname and SSID given as known to the attacker) estimates fewer guesses than 10 to the suite's `min_guesses_log10` (default 8). PASS otherwise.",
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
        let me = &ctx.sample.unit.label;
        let Some(password) = &me.password else {
            return CaseResult::not_performed(
                Cause::Config,
                "the label gives no pre-installed password; enter it in the rig's label",
            );
        };

        let extra: Vec<(&str, &str)> = [
            ("hostname", me.hostname.as_deref()),
            ("Wi-Fi SSID", me.ssid.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        let ids = derivation::identifiers(&me.serial, &me.mac, &profile.body.product.model, &extra);
        let known = match known_defaults(ctx, params) {
            Ok(k) => k,
            Err(e) => return CaseResult::not_performed(Cause::Config, e),
        };
        let peers = ctx
            .peers
            .iter()
            .filter(|(s, _)| *s != ctx.sample.unit.slot_id)
            .filter_map(|(s, peer)| Some((s.as_str(), peer.password.as_deref()?)))
            .collect();
        let against = Against {
            rules: mechanisms
                .iter()
                .map(|m| (m.id.as_str(), m.generation_rule.as_ref()))
                .collect(),
            identifiers: &ids,
            known: &known,
            peers,
            counter_max_delta: params.counter_max_delta,
        };
        let Examination {
            mut findings,
            blockers,
            details,
        } = examine(password, &against);
        if let Some(note) = counter_follows_serial(ctx) {
            findings.push(note);
        }

        let known_to_attacker: Vec<&str> = [
            me.serial.as_str(),
            me.mac.as_str(),
            profile.body.product.model.as_str(),
        ]
        .into_iter()
        .chain(extra.iter().map(|(_, v)| *v))
        .collect();
        let guesses = guessability(password, &known_to_attacker);
        if guesses.log10 < params.min_guesses_log10 {
            findings.push(format!(
                "is guessable: zxcvbn estimates 10^{:.1} guesses ({}), fewer than the suite's 10^{}",
                guesses.log10,
                guesses.patterns.join(", "),
                params.min_guesses_log10
            ));
        }
        let analysis = analysis(
            &ctx.sample.unit.slot_id,
            password,
            &guesses,
            &details,
            &findings,
        );
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
        r.details.push(format!(
            "guesses estimated by {}",
            super::password_checks::ESTIMATOR
        ));
        r.evidence = evidence;
        r.measurements = measurements(&guesses);
        r
    }
}

/// The password's estimated guesses. Its length is not measured: a report must not narrow the
/// search for a password it redacts.
fn measurements(guesses: &Guessability) -> Vec<Measurement> {
    vec![Measurement::new(
        "password_guesses_log10",
        (guesses.log10 * 10.0).round() / 10.0,
        "log10 guesses",
    )]
}

/// Every entry of the suite's default-credential data.
fn known_defaults(
    ctx: &CaseContext<'_>,
    params: &Params,
) -> Result<Vec<corpus::Credential>, String> {
    let mut known = Vec::new();
    for file in &params.corpus {
        let list = corpus::load(&ctx.config.suite.path_of(&file.value))
            .map_err(|e| format!("credential data: {e}"))?;
        known.extend(list);
    }
    Ok(known)
}

/// `5.1-2-2/analysis.txt`: what the password was compared with and what was found.
fn analysis(
    slot: &str,
    password: &str,
    guesses: &Guessability,
    details: &[String],
    findings: &[String],
) -> String {
    let mut text = format!("5.1-2-2 analysis of the pre-installed password of {slot}\n");
    text.push_str(&format!(
        "estimator: {}\n",
        super::password_checks::ESTIMATOR
    ));
    text.push_str(&format!(
        "length: {} characters; zxcvbn: 10^{:.1} guesses ({})\n",
        password.chars().count(),
        guesses.log10,
        guesses.patterns.join(", ")
    ));
    for d in details {
        text.push_str(&format!("- {d}\n"));
    }
    for f in findings {
        text.push_str(&format!("FINDING: {f}\n"));
    }
    text
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
