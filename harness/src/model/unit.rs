//! TS 103 701 test units: each lettered step of a test case (a, b, c…) is judged and reported on
//! its own, and the case verdict follows from them (TS 103 701 clause 4: a case passes only when
//! every applicable unit passes).

use super::verdict::{Blocker, CaseResult, Cause, Measurement, Verdict};
use std::path::PathBuf;

/// One test unit's outcome. `Inconclusive` here reads "not performed": hilt could not do it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitResult {
    /// The unit's letter in TS 103 701, e.g. "a".
    pub id: &'static str,
    /// What the unit checks, in a few words.
    pub title: &'static str,
    pub verdict: Verdict,
    /// Set when the unit was not performed: whose doing that was.
    pub cause: Option<Cause>,
    /// The findings of a FAIL, the reason it was not performed, or what was seen.
    pub message: String,
}

impl UnitResult {
    /// FAIL on any finding, else not performed if anything blocked it, else PASS.
    pub fn judge(
        id: &'static str,
        title: &'static str,
        findings: &[String],
        blockers: &[Blocker],
        pass: impl Into<String>,
    ) -> UnitResult {
        let (verdict, cause, message) = if !findings.is_empty() {
            (Verdict::Fail, None, findings.join("; "))
        } else if let Some(first) = blockers.first() {
            let why: Vec<&str> = blockers.iter().map(|b| b.why.as_str()).collect();
            (Verdict::Inconclusive, Some(first.cause), why.join("; "))
        } else {
            (Verdict::Pass, None, pass.into())
        };
        UnitResult {
            id,
            title,
            verdict,
            cause,
            message,
        }
    }

    pub fn not_performed(id: &'static str, title: &'static str, why: Blocker) -> UnitResult {
        UnitResult::judge(id, title, &[], &[why], "")
    }

    /// Nothing the unit examines exists on this product (e.g. no user-defined password).
    pub fn not_applicable(
        id: &'static str,
        title: &'static str,
        why: impl Into<String>,
    ) -> UnitResult {
        UnitResult {
            id,
            title,
            verdict: Verdict::NotApplicable,
            cause: None,
            message: why.into(),
        }
    }

    /// A documentation check left to the lab engineer.
    pub fn manual(id: &'static str, title: &'static str, why: impl Into<String>) -> UnitResult {
        UnitResult {
            id,
            title,
            verdict: Verdict::Manual,
            cause: None,
            message: why.into(),
        }
    }

    /// The unit's verdict as reports print it.
    pub fn verdict_text(&self) -> String {
        match (self.verdict, self.cause) {
            (Verdict::Inconclusive, Some(c)) => format!("NOT PERFORMED ({})", c.label()),
            (Verdict::Inconclusive, None) => "NOT PERFORMED".into(),
            (v, _) => v.label().into(),
        }
    }

    /// One line: `(a) PASS: what was seen`.
    pub fn line(&self) -> String {
        format!("({}) {}: {}", self.id, self.verdict_text(), self.message)
    }
}

/// What a case's units saw besides their verdicts; it goes onto the case result whole.
#[derive(Debug, Default)]
pub struct Gathered {
    pub details: Vec<String>,
    pub evidence: Vec<PathBuf>,
    pub measurements: Vec<Measurement>,
    pub figures: Vec<super::figure::Figure>,
}

impl Gathered {
    /// The case result from its units, carrying what they gathered.
    pub fn into_result(self, units: Vec<UnitResult>) -> CaseResult {
        let mut r = CaseResult::from_units(units);
        r.details.extend(self.details);
        r.evidence.extend(self.evidence);
        r.measurements.extend(self.measurements);
        r.figures.extend(self.figures);
        r
    }

    /// Another part's details, evidence, measurements and figures, after this one's.
    pub fn absorb(&mut self, other: Gathered) {
        self.details.extend(other.details);
        self.evidence.extend(other.evidence);
        self.measurements.extend(other.measurements);
        self.figures.extend(other.figures);
    }

    /// A part judged as a whole case (a sub-procedure's result) becomes one unit; its details,
    /// evidence and measurements are gathered.
    pub fn unit_from(
        &mut self,
        id: &'static str,
        title: &'static str,
        r: CaseResult,
    ) -> UnitResult {
        self.details.extend(r.details);
        self.evidence.extend(r.evidence);
        self.measurements.extend(r.measurements);
        self.figures.extend(r.figures);
        UnitResult {
            id,
            title,
            verdict: r.verdict,
            cause: r.cause,
            message: r.message,
        }
    }
}

impl CaseResult {
    /// The case verdict from its units: FAIL if any unit failed (an indication of
    /// non-conformity outweighs an unfinished unit), else INCONCLUSIVE if any was not performed,
    /// else MANUAL if any is left to the engineer, else N/A if none applied, else PASS. The
    /// message names the units that decided it.
    pub fn from_units(units: Vec<UnitResult>) -> CaseResult {
        let with = |v: Verdict| units.iter().filter(move |u| u.verdict == v);
        let decided_by = |v: Verdict| {
            with(v)
                .map(|u| format!("unit ({}) {}", u.id, u.message))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let mut result = if units.is_empty() {
            CaseResult::not_performed(Cause::Bench, "no test unit was judged")
        } else if with(Verdict::Fail).next().is_some() {
            CaseResult::new(Verdict::Fail, decided_by(Verdict::Fail))
        } else if let Some(first) = with(Verdict::Inconclusive).next() {
            let mut r = CaseResult::new(
                Verdict::Inconclusive,
                with(Verdict::Inconclusive)
                    .map(|u| format!("unit ({}) not performed: {}", u.id, u.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            r.cause = Some(first.cause.unwrap_or(Cause::Bench));
            r
        } else if with(Verdict::Manual).next().is_some() {
            CaseResult::new(Verdict::Manual, decided_by(Verdict::Manual))
        } else if units.iter().all(|u| u.verdict == Verdict::NotApplicable) {
            CaseResult::new(Verdict::NotApplicable, decided_by(Verdict::NotApplicable))
        } else {
            let passed: Vec<String> = units
                .iter()
                .filter(|u| u.verdict == Verdict::Pass)
                .map(|u| format!("({}) {}", u.id, u.message))
                .collect();
            CaseResult::new(Verdict::Pass, passed.join("; "))
        };
        result.units = units;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn unit(id: &'static str, verdict: Verdict) -> UnitResult {
        UnitResult {
            id,
            title: "t",
            verdict,
            cause: (verdict == Verdict::Inconclusive).then_some(Cause::Config),
            message: format!("{id} said {}", verdict.label()),
        }
    }

    #[rstest]
    #[case::all_pass(&[Verdict::Pass, Verdict::Pass], Verdict::Pass)]
    #[case::one_not_performed(&[Verdict::Pass, Verdict::Inconclusive], Verdict::Inconclusive)]
    #[case::a_fail_outweighs(&[Verdict::Inconclusive, Verdict::Fail], Verdict::Fail)]
    #[case::manual_is_not_pass(&[Verdict::Pass, Verdict::Manual], Verdict::Manual)]
    #[case::not_performed_before_manual(&[Verdict::Manual, Verdict::Inconclusive], Verdict::Inconclusive)]
    #[case::na_units_do_not_count(&[Verdict::NotApplicable, Verdict::Pass], Verdict::Pass)]
    #[case::all_na(&[Verdict::NotApplicable], Verdict::NotApplicable)]
    #[case::no_units_is_not_a_pass(&[], Verdict::Inconclusive)]
    fn case_verdict_follows_units(#[case] units: &[Verdict], #[case] expected: Verdict) {
        let ids = ["a", "b", "c"];
        let units = units.iter().zip(ids).map(|(v, id)| unit(id, *v)).collect();
        assert_eq!(CaseResult::from_units(units).verdict, expected);
    }

    #[test]
    fn the_message_names_the_deciding_units() {
        let r = CaseResult::from_units(vec![
            unit("a", Verdict::Pass),
            unit("b", Verdict::Inconclusive),
            unit("c", Verdict::Inconclusive),
        ]);
        assert_eq!(r.cause, Some(Cause::Config));
        assert_eq!(
            r.message,
            "unit (b) not performed: b said INCONCLUSIVE; unit (c) not performed: c said INCONCLUSIVE"
        );
        assert_eq!(r.units.len(), 3);
    }

    #[test]
    fn a_blocked_unit_reads_not_performed() {
        let u = UnitResult::not_performed("c", "t", Blocker::new(Cause::Config, "one sample"));
        assert_eq!(u.line(), "(c) NOT PERFORMED (config): one sample");
    }
}
