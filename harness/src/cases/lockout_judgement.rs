//! 5.1-5-2's judgement of how long a lockout lasted, as the right password found it, against
//! IXIT 1's declaration: a time, a permanent lock, or nothing. Pure, tested on made-up spans.

use super::brute_force_judgement::Judgement;
use crate::model::verdict::Measurement;
use std::time::Duration;

/// How long a lockout lasted, as the right password found: refused at least this long after
/// the lockout began, accepted again by `accepted_by` (None: not within the wait).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub refused_for: Duration,
    pub accepted_by: Option<Duration>,
}

/// How the lockout's measured length compares with the declared one: shorter than half of it,
/// or not over within twice it, is an indication that the prevention differs from IXIT 1.
pub fn judge_span(id: &str, span: &Span, declared: Duration, waited: Duration) -> Judgement {
    let mut j = Judgement {
        measurements: span_measurements(id, span),
        ..Judgement::default()
    };
    let secs = |d: Duration| d.as_secs_f64();
    match span.accepted_by {
        None => j.findings.push(format!(
            "the right password is still refused {:.3}s after the lockout began, more than twice the declared {:.3}s: the lockout is permanent or far longer than declared",
            secs(waited),
            secs(declared)
        )),
        Some(by) if by <= declared / 2 => j.findings.push(format!(
            "the lockout lasted at most {:.3}s, less than half the declared {:.3}s",
            secs(by),
            secs(declared)
        )),
        Some(by) => j.details.push(format!(
            "{id}: the lockout lasted {}; {:.3}s declared",
            span_words(span.refused_for, by),
            secs(declared)
        )),
    }
    j
}

/// A lock IXIT 1 declares permanent: the right password working again at any time is a
/// difference from the declaration.
pub fn judge_permanent(id: &str, span: &Span, waited: Duration) -> Judgement {
    let mut j = Judgement {
        measurements: span_measurements(id, span),
        ..Judgement::default()
    };
    match span.accepted_by {
        Some(by) => j.findings.push(format!(
            "the lock ended: the right password worked again at most {:.3}s after it began, though IXIT 1 declares it permanent",
            by.as_secs_f64()
        )),
        None => j.details.push(format!(
            "{id}: the right password is still refused {:.3}s after the lock began: permanent, as declared",
            waited.as_secs_f64()
        )),
    }
    j
}

/// The same measurement where IXIT 1 declares no prevention: only described. A lock that does
/// not pass is one of the preventions TS 103 701 5.1-5-1 lists (limited attempts, then lock).
pub fn describe_span(id: &str, span: &Span, waited: Duration) -> Judgement {
    let mut j = Judgement {
        measurements: span_measurements(id, span),
        ..Judgement::default()
    };
    j.details.push(match span.accepted_by {
        Some(by) => format!(
            "{id}: the lockout lasted {}",
            span_words(span.refused_for, by)
        ),
        None => format!(
            "{id}: the right password is still refused {:.3}s after the lockout began: a lock that does not pass by itself",
            waited.as_secs_f64()
        ),
    });
    j
}

fn span_words(refused_for: Duration, accepted_by: Duration) -> String {
    match refused_for.is_zero() {
        true => format!("at most {:.3}s", accepted_by.as_secs_f64()),
        false => format!(
            "between {:.3}s and {:.3}s",
            refused_for.as_secs_f64(),
            accepted_by.as_secs_f64()
        ),
    }
}

fn span_measurements(id: &str, span: &Span) -> Vec<Measurement> {
    let mut m = vec![Measurement::new(
        &format!("{id}_lockout_refused_for"),
        span.refused_for.as_secs_f64(),
        "s",
    )];
    if let Some(by) = span.accepted_by {
        m.push(Measurement::new(
            &format!("{id}_lockout_over_by"),
            by.as_secs_f64(),
            "s",
        ));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::super::brute_force_judgement::tests::assert_finding;
    use super::*;
    use rstest::rstest;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[rstest]
    #[case::as_declared(MS(55), Some(MS(110)), None, "lasted between 0.055s and 0.110s")]
    #[case::too_short(
        MS(0),
        Some(MS(28)),
        Some("lasted at most 0.028s, less than half the declared 0.100s"),
        ""
    )]
    #[case::never_over(
        MS(130),
        None,
        Some("still refused 0.300s after the lockout began, more than twice the declared 0.100s"),
        ""
    )]
    fn a_lockout_span_is_judged(
        #[case] refused_for: Duration,
        #[case] accepted_by: Option<Duration>,
        #[case] finding: Option<&str>,
        #[case] detail: &str,
    ) {
        let span = Span {
            refused_for,
            accepted_by,
        };
        let j = judge_span("m", &span, MS(100), MS(300));
        assert_finding(&j, finding);
        assert!(
            detail.is_empty() || j.details.iter().any(|d| d.contains(detail)),
            "{:?}",
            j.details
        );
        let d = describe_span("m", &span, MS(300));
        assert!(
            d.findings.is_empty(),
            "an undeclared lockout is only described"
        );
        let p = judge_permanent("m", &span, MS(300));
        assert_eq!(
            p.findings.is_empty(),
            accepted_by.is_none(),
            "a lock declared permanent must not end: {:?}",
            p.findings
        );
    }
}
