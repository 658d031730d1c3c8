//! How long one case may run on one sample. The suite may say (`budgets`); where it does not,
//! the budget follows from what the profile and suite declare the case may wait for, so a slow
//! but honest device (PAM's delay on every wrong password, a 90 s reboot after an update) is
//! never cut short, while a unit that stalls forever is.

use crate::config::budgets::Budgets;
use std::time::Duration;

/// Declared waits are upper bounds already; twice them leaves room for a bench host under load.
const MARGIN: u32 = 2;
/// No case gets less: the fixed waits in hilt (banner reads, TLS handshakes, settle times) are
/// not declared anywhere, and a budget is a guard against stalls, not a performance target.
const FLOOR: Duration = Duration::from_secs(10 * 60);

/// What a case may wait for, each part named so the budget can be explained.
#[derive(Debug, Default, Clone)]
pub struct Waits(Vec<(String, Duration)>);

impl Waits {
    pub fn add(&mut self, what: impl Into<String>, takes: Duration) {
        if !takes.is_zero() {
            self.0.push((what.into(), takes));
        }
    }

    pub fn extend(&mut self, other: Waits) {
        self.0.extend(other.0);
    }

    pub fn total(&self) -> Duration {
        self.0
            .iter()
            .fold(Duration::ZERO, |sum, (_, d)| sum.saturating_add(*d))
    }
}

#[derive(Debug, Clone)]
pub struct CaseBudget {
    pub limit: Duration,
    /// How the limit was reached, for the result and the INCONCLUSIVE it gives.
    pub basis: String,
}

impl CaseBudget {
    pub fn of(case: &str, budgets: &Budgets, waits: impl FnOnce() -> Waits) -> CaseBudget {
        if let Some((limit, key)) = budgets.set_for(case) {
            return CaseBudget {
                limit,
                basis: format!("{} (the suite's {key})", readable(limit)),
            };
        }
        let waits = waits();
        let declared = waits.total();
        let limit = declared.saturating_mul(MARGIN).max(FLOOR);
        let parts: Vec<String> = waits
            .0
            .iter()
            .map(|(what, d)| format!("{what} {}", readable(*d)))
            .collect();
        let parts = match parts.is_empty() {
            true => "none".to_string(),
            false => parts.join(", "),
        };
        CaseBudget {
            limit,
            basis: format!(
                "{} derived: {MARGIN}x the declared waits of {} ({parts}), at least {}; set `budgets.cases.{case}` to change it",
                readable(limit),
                readable(declared),
                readable(FLOOR)
            ),
        }
    }
}

/// Whole seconds as `1h 2m 5s`; a budget is read by people.
pub fn readable(d: Duration) -> String {
    let s = d
        .as_secs()
        .saturating_add(u64::from(d.subsec_nanos() >= 500_000_000));
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    let mut out = Vec::new();
    if h > 0 {
        out.push(format!("{h}h"));
    }
    if m > 0 {
        out.push(format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push(format!("{s}s"));
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::duration::Dur;

    fn waits(parts: &[(&str, u64)]) -> impl FnOnce() -> Waits {
        let mut w = Waits::default();
        for (what, secs) in parts {
            w.add(*what, Duration::from_secs(*secs));
        }
        move || w
    }

    #[test]
    fn a_case_with_little_to_wait_for_gets_the_floor() {
        let b = CaseBudget::of("5.6-1-2", &Budgets::default(), waits(&[("scan", 70)]));
        assert_eq!(b.limit, FLOOR);
        assert!(
            b.basis.contains("declared waits of 1m 10s (scan 1m 10s)"),
            "{}",
            b.basis
        );
        assert!(b.basis.contains("`budgets.cases.5.6-1-2`"), "{}", b.basis);
    }

    #[test]
    fn long_declared_waits_get_twice_their_sum() {
        // 65 corpus entries on 8 logins, each allowed 10 s: a slow device's corpus trial.
        let b = CaseBudget::of(
            "5.1-1-2",
            &Budgets::default(),
            waits(&[("corpus", 65 * 8 * 10), ("reset", 300)]),
        );
        assert_eq!(b.limit, Duration::from_secs(2 * (5200 + 300)));
        assert!(b.basis.starts_with("3h 3m 20s derived"), "{}", b.basis);
    }

    #[test]
    fn the_suite_s_own_budget_wins() {
        let mut budgets = Budgets {
            per_case: Some(Dur(Duration::from_secs(3600))),
            ..Budgets::default()
        };
        let all = CaseBudget::of("5.1-1-2", &budgets, waits(&[("corpus", 99_999)]));
        assert_eq!(all.limit, Duration::from_secs(3600));
        assert_eq!(all.basis, "1h (the suite's `budgets.per_case`)");
        budgets.cases.insert(
            "5.1-1-2".into(),
            crate::config::located::Located::unplaced(Dur(Duration::from_secs(60))),
        );
        let own = CaseBudget::of("5.1-1-2", &budgets, waits(&[]));
        assert_eq!(own.limit, Duration::from_secs(60));
        assert!(
            own.basis.contains("`budgets.cases.5.1-1-2`"),
            "{}",
            own.basis
        );
    }

    #[test]
    fn waits_past_any_clock_saturate_instead_of_panicking() {
        let b = CaseBudget::of(
            "5.1-5-2",
            &Budgets::default(),
            waits(&[("brute force", u64::MAX), ("scan", 60)]),
        );
        assert_eq!(b.limit, Duration::MAX);
        assert!(b.basis.contains("h "), "{}", b.basis);
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(readable(Duration::ZERO), "0s");
        assert_eq!(readable(Duration::from_millis(1500)), "2s");
        assert_eq!(readable(Duration::from_secs(3600)), "1h");
        assert_eq!(readable(Duration::from_secs(3725)), "1h 2m 5s");
    }
}
