//! The PSTI view of a run: the three security requirements of SI 2023/1007 Schedule 1 and the
//! statement of compliance, each a list of checks. A check is met, not met (with the reason a
//! program or the assessor established), or waits for the assessor's confirmation. A requirement
//! is not met when any check is not met, needs confirmation while any check waits, and is met
//! only when every check is met.

use super::record::CaseRecord;
use super::verdict::Verdict;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Met,
    NotMet,
    NeedsConfirmation,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::NotMet => "not met",
            Outcome::NeedsConfirmation => "needs officer's confirmation",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Check {
    /// Stable id; the assessor answers a waiting check by it (`psti.confirmations`).
    pub id: String,
    pub question: String,
    pub outcome: Outcome,
    /// What was seen: the reason for the outcome.
    pub observed: String,
    /// Bundle paths of the evidence behind it.
    pub evidence: Vec<String>,
}

impl Check {
    pub fn new(id: &str, question: &str, outcome: Outcome, observed: impl Into<String>) -> Check {
        Check {
            id: id.to_string(),
            question: question.to_string(),
            outcome,
            observed: observed.into(),
            evidence: vec![],
        }
    }

    pub fn with_evidence(mut self, evidence: impl IntoIterator<Item = String>) -> Check {
        self.evidence.extend(evidence);
        self
    }
}

/// One published source as fetched, for the report's list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceRecord {
    /// security_txt, disclosure_policy or support_period.
    pub role: String,
    pub url: String,
    pub final_url: String,
    pub status: Option<u16>,
    pub fetched_at: String,
    /// SHA-256 of the bytes as served (the stored body file).
    pub sha256: String,
    pub error: Option<String>,
    /// The stored body, headers and certificate chain, as bundle paths.
    pub files: Vec<String>,
}

/// What was gathered before the tests: requirements 2 and 3 and the statement are judged from
/// published pages and the profile alone; requirement 1 waits for the run's records.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Gathered {
    pub sources: Vec<SourceRecord>,
    pub reporting_issues: Vec<Check>,
    pub support_period: Vec<Check>,
    pub statement: Vec<Check>,
    /// The product as obtained, one line per field the profile gave.
    pub as_sold: Vec<(String, String)>,
    /// The firmware version the statement names, compared with what the units reported.
    pub statement_firmware: Option<String>,
    /// The assessor's answers by check id: (answer, note).
    pub confirmations: std::collections::BTreeMap<String, (bool, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Requirement {
    /// `passwords`, `reporting_issues`, `support_period` or `statement_of_compliance`.
    pub id: &'static str,
    pub title: &'static str,
    /// Where the requirement is written.
    pub source: &'static str,
    /// The EN 303 645 provisions deemed to meet it or corresponding to it.
    pub provisions: &'static str,
    pub outcome: Outcome,
    pub checks: Vec<Check>,
}

impl Requirement {
    fn new(
        id: &'static str,
        title: &'static str,
        source: &'static str,
        provisions: &'static str,
        mut checks: Vec<Check>,
        gathered: &Gathered,
    ) -> Requirement {
        confirm(&mut checks, &gathered.confirmations);
        Requirement {
            id,
            title,
            source,
            provisions,
            outcome: combine(&checks),
            checks,
        }
    }
}

/// The assessor's answers settle the checks that wait for them, and only those.
fn confirm(checks: &mut [Check], answers: &std::collections::BTreeMap<String, (bool, String)>) {
    for c in checks.iter_mut() {
        if c.outcome != Outcome::NeedsConfirmation {
            continue;
        }
        let Some((answer, note)) = answers.get(&c.id) else {
            continue;
        };
        let (outcome, who) = match answer {
            true => (Outcome::Met, "confirmed by the assessor"),
            false => (Outcome::NotMet, "refuted by the assessor"),
        };
        c.outcome = outcome;
        c.observed = match note.as_str() {
            "" => format!("{who} (hilt saw: {})", c.observed),
            n => format!("{who}: {n} (hilt saw: {})", c.observed),
        };
    }
}

/// Any not met wins; then any waiting; met only when every check is (and there is one).
pub fn combine(checks: &[Check]) -> Outcome {
    if checks.iter().any(|c| c.outcome == Outcome::NotMet) {
        Outcome::NotMet
    } else if checks.is_empty()
        || checks
            .iter()
            .any(|c| c.outcome == Outcome::NeedsConfirmation)
    {
        Outcome::NeedsConfirmation
    } else {
        Outcome::Met
    }
}

/// The four rows: passwords from the run's 5.1-1-2 and 5.1-2-2 records (every sample counted),
/// the rest from what was gathered.
pub fn view(gathered: &Gathered, records: &[CaseRecord]) -> Vec<Requirement> {
    vec![
        Requirement::new(
            "passwords",
            "No universal default passwords",
            "SI 2023/1007 Schedule 1 paragraph 1",
            "5.1-1, 5.1-2",
            password_checks(records),
            gathered,
        ),
        Requirement::new(
            "reporting_issues",
            "Information on how to report security issues",
            "SI 2023/1007 Schedule 1 paragraph 2",
            "5.2-1",
            gathered.reporting_issues.clone(),
            gathered,
        ),
        Requirement::new(
            "support_period",
            "Information on the minimum security update period",
            "SI 2023/1007 Schedule 1 paragraph 3",
            "5.3-13",
            gathered.support_period.clone(),
            gathered,
        ),
        Requirement::new(
            "statement_of_compliance",
            "Statement of compliance accompanies the product",
            "SI 2023/1007 regulation 6 and Schedule 3 (minimum content)",
            "—",
            statement_checks(gathered, records),
            gathered,
        ),
    ]
}

fn statement_checks(gathered: &Gathered, records: &[CaseRecord]) -> Vec<Check> {
    let mut checks = gathered.statement.clone();
    let Some(named) = &gathered.statement_firmware else {
        return checks;
    };
    let mut reported: Vec<&str> = records
        .iter()
        .filter_map(|r| r.result.firmware_version.as_deref())
        .collect();
    reported.sort();
    reported.dedup();
    let q = "the firmware it names is the units'";
    checks.push(match reported.as_slice() {
        [] => Check::new(
            "statement.firmware",
            q,
            Outcome::NeedsConfirmation,
            format!("it names {named}; no unit reported its version"),
        ),
        r if r.contains(&named.as_str()) => Check::new(
            "statement.firmware",
            q,
            Outcome::Met,
            format!("it names {named}, as the units report"),
        ),
        r => Check::new(
            "statement.firmware",
            q,
            Outcome::NotMet,
            format!("it names {named}; the units report {}", r.join(", ")),
        ),
    });
    checks
}

/// Which test units speak to which part of paragraph 1. 5.1-1-2 unit (a) (a login surface the
/// IXIT does not declare) is the manufacturer's paperwork, not a password: it only asks for a
/// look, since its passwords were judged by unit (c) only when declared.
const PASSWORD_UNITS: &[(&str, &str, &str)] = &[
    (
        "5.1-1-2",
        "b",
        "user-defined passwords are defined before use",
    ),
    (
        "5.1-1-2",
        "c",
        "no universal password, none shared between units, none after a factory reset",
    ),
    (
        "5.1-2-2",
        "",
        "unique passwords not from counters, public identifiers or guessable rules",
    ),
];

fn password_checks(records: &[CaseRecord]) -> Vec<Check> {
    let mut checks = Vec::new();
    for (case, unit, question) in PASSWORD_UNITS {
        let id = if unit.is_empty() {
            case.to_string()
        } else {
            format!("{case}({unit})")
        };
        let mut seen = Vec::new();
        let mut evidence: Vec<String> = Vec::new();
        for r in records.iter().filter(|r| r.spec.id == *case) {
            evidence.extend(
                r.evidence
                    .iter()
                    .filter(|e| !evidence.contains(e))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            let (verdict, message) = match r.result.units.iter().find(|u| u.id == *unit) {
                Some(u) => (u.verdict, u.message.clone()),
                None => (r.result.verdict, r.result.message.clone()),
            };
            seen.push((r.slot.clone(), verdict, message));
        }
        checks.push(password_check(&id, question, &seen).with_evidence(evidence));
    }
    let undeclared: Vec<String> = records
        .iter()
        .filter(|r| r.spec.id == "5.1-1-2")
        .filter_map(|r| {
            let a = r.result.units.iter().find(|u| u.id == "a")?;
            (a.verdict == Verdict::Fail).then(|| format!("{}: {}", r.slot, a.message))
        })
        .collect();
    if !undeclared.is_empty() {
        checks.push(Check::new(
            "5.1-1-2(a)",
            "every login surface is one the manufacturer declares",
            Outcome::NeedsConfirmation,
            format!(
                "login surfaces the profile does not declare: {}; confirm how their passwords are set",
                undeclared.join("; ")
            ),
        ));
    }
    checks
}

fn password_check(id: &str, question: &str, seen: &[(String, Verdict, String)]) -> Check {
    let lines = |v: &[Verdict]| -> String {
        let picked: Vec<String> = seen
            .iter()
            .filter(|(_, verdict, _)| v.contains(verdict))
            .map(|(slot, _, m)| format!("{slot}: {m}"))
            .collect();
        picked.join("; ")
    };
    if seen.is_empty() {
        return Check::new(
            id,
            question,
            Outcome::NeedsConfirmation,
            "not run on any sample",
        );
    }
    if seen.iter().any(|(_, v, _)| *v == Verdict::Fail) {
        return Check::new(id, question, Outcome::NotMet, lines(&[Verdict::Fail]));
    }
    if seen
        .iter()
        .any(|(_, v, _)| matches!(v, Verdict::Inconclusive | Verdict::Manual))
    {
        return Check::new(
            id,
            question,
            Outcome::NeedsConfirmation,
            format!(
                "not established by the tests: {}",
                lines(&[Verdict::Inconclusive, Verdict::Manual])
            ),
        );
    }
    let applicable = seen.iter().filter(|(_, v, _)| *v == Verdict::Pass).count();
    if applicable == 0 {
        return Check::new(
            id,
            question,
            Outcome::Met,
            format!("not applicable: {}", lines(&[Verdict::NotApplicable])),
        );
    }
    Check::new(
        id,
        question,
        Outcome::Met,
        format!("passed on {applicable} sample(s)"),
    )
}

#[cfg(test)]
mod tests;
