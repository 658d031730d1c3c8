//! The brute-force judgement's table: declared thresholds and lockouts against observed series.

use super::*;
use rstest::rstest;
use LoginOutcome::{LockedOut as L, Rejected as R};

/// A series sent every `pace` ms, each answered in `latency` ms, except where `slow` says
/// (attempt number, latency).
fn series(outcomes: &[LoginOutcome], pace: u64, latency: u64, slow: (usize, u64)) -> Vec<Attempt> {
    let mut sent = 0;
    outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let lat = if i + 1 == slow.0 { slow.1 } else { latency };
            let a = Attempt {
                at: Duration::from_millis(sent + lat),
                outcome: o.clone(),
                latency: Duration::from_millis(lat),
            };
            sent += lat + pace;
            a
        })
        .collect()
}

/// The right password sent as the last answer came.
fn right_at_once(attempts: &[Attempt]) -> Option<Duration> {
    attempts.last().map(|a| a.at)
}

/// A right password accepted too long after the threshold shows nothing: a silent lockout may
/// have ended; in time, it shows there was none.
#[rstest]
#[case::in_time(99, true)]
#[case::too_late(100, false)]
fn the_right_password_must_come_within_the_lockout(
    #[case] after_threshold: u64,
    #[case] fails: bool,
) {
    let attempts = series(&vec![R; 6], 20, 1, (0, 0));
    let sent = attempts[4].at + Duration::from_millis(after_threshold);
    let j = judge("m", &attempts, Ok_, Some(sent), &declared());
    assert_eq!(j.findings.len(), usize::from(fails), "{:?}", j.findings);
    assert_eq!(j.undetermined.is_some(), !fails, "{:?}", j.undetermined);
}

fn declared() -> Declared {
    Declared {
        after_failures: 5,
        lockout: Duration::from_millis(100),
        permanent: false,
        tolerance: 1,
    }
}

use RightPassword::{AcceptedAfter as Ok_, NotAsked as NA, RefusedAfter as Refused};

#[rstest]
#[case::on_time(&[R, R, R, R, R, L], NA, (0, 0), None, None)]
#[case::within_tolerance(&[R, R, R, R, R, R, L], NA, (0, 0), None, None)]
#[case::late(&[R, R, R, R, R, R, R, R, L], NA, (0, 0), Some("locked out only after 8 failures; 5 declared"), None)]
#[case::never(&vec![R; 8], Ok_, (0, 0), Some("8 wrong passwords evaluated with no lockout or delay; declared lockout after 5 failures for 0.100s, and the right password was accepted right after them"), None)]
#[case::silent(&vec![R; 8], Refused, (0, 0), None, None)]
#[case::no_usable_control(&vec![R; 8], RightPassword::Unusable, (0, 0), None, Some("not accepted before the series"))]
#[case::late_after_a_slow_answer_at_the_threshold(&[R, R, R, R, R, R, R, R, R, R, L], NA, (5, 90), None, Some("attempts 5 and 6 were sent 110.0 ms apart"))]
fn a_series_is_judged(
    #[case] outcomes: &[LoginOutcome],
    #[case] right: RightPassword,
    #[case] slow: (usize, u64),
    #[case] finding: Option<&str>,
    #[case] undetermined: Option<&str>,
) {
    let attempts = series(outcomes, 20, 1, slow);
    let j = judge("m", &attempts, right, right_at_once(&attempts), &declared());
    assert_finding(&j, finding);
    assert_eq!(j.silent, right == Refused);
    match undetermined {
        Some(l) => assert!(
            j.undetermined.as_deref().is_some_and(|x| x.contains(l)),
            "{:?}",
            j.undetermined
        ),
        None => assert!(j.undetermined.is_none(), "{:?}", j.undetermined),
    }
}

/// One answer past the threshold that took more than half the lockout is no delay.
#[test]
fn one_slow_answer_is_no_delay() {
    let attempts = series(&vec![R; 8], 20, 1, (7, 110));
    let d = Declared {
        lockout: Duration::from_millis(200),
        ..declared()
    };
    let j = judge("m", &attempts, Ok_, right_at_once(&attempts), &d);
    assert_finding(
        &j,
        Some("8 wrong passwords evaluated with no lockout or delay"),
    );
}

#[test]
fn answers_slowed_past_the_threshold_are_a_delay() {
    let attempts: Vec<Attempt> = (0..8u64)
        .map(|i| Attempt {
            at: Duration::from_millis(i * 200),
            outcome: R,
            latency: Duration::from_millis(if i < 5 { 1 } else { 60 }),
        })
        .collect();
    let j = judge("m", &attempts, Ok_, right_at_once(&attempts), &declared());
    assert!(j.findings.is_empty(), "{:?}", j.findings);
}

#[rstest]
#[case::no_prevention(&vec![R; 11], Ok_, (0, 0), Some("11 consecutive wrong passwords evaluated"))]
#[case::an_undeclared_lockout(&[R, R, R, L], NA, (0, 0), None)]
#[case::an_undeclared_silent_lockout(&vec![R; 11], Refused, (0, 0), None)]
#[case::threshold_not_exceeded(&vec![R; 10], Ok_, (0, 0), None)]
#[case::one_slow_handshake_is_no_throttling(&vec![R; 11], Ok_, (11, 3000), Some("11 consecutive"))]
fn a_series_without_declared_prevention_is_judged(
    #[case] outcomes: &[LoginOutcome],
    #[case] right: RightPassword,
    #[case] slow: (usize, u64),
    #[case] finding: Option<&str>,
) {
    let j = judge_undeclared("m", &series(outcomes, 20, 1, slow), right, 10);
    assert_finding(&j, finding);
}

#[test]
fn without_a_usable_control_an_undeclared_series_is_undetermined() {
    let j = judge_undeclared(
        "m",
        &series(&vec![R; 11], 20, 1, (0, 0)),
        RightPassword::Unusable,
        10,
    );
    assert!(j.findings.is_empty() && j.undetermined.is_some());
}

/// Exactly the one finding expected, or none.
pub(crate) fn assert_finding(j: &Judgement, finding: Option<&str>) {
    match finding {
        Some(f) => assert!(
            j.findings.len() == 1 && j.findings[0].contains(f),
            "{:?}",
            j.findings
        ),
        None => assert!(j.findings.is_empty(), "{:?}", j.findings),
    }
}

#[test]
fn a_growing_delay_is_prevention() {
    let attempts: Vec<Attempt> = (0..11u64)
        .map(|i| Attempt {
            at: Duration::from_millis(i * 2000),
            outcome: R,
            latency: Duration::from_millis(if i < 6 { 5 } else { 1500 }),
        })
        .collect();
    let j = judge_undeclared("m", &attempts, Ok_, 10);
    assert!(j.findings.is_empty(), "{:?}", j.findings);
    assert!(j
        .details
        .iter()
        .any(|d| d.contains("answers slowed from 5.0 ms to 1500.0 ms")));
}
