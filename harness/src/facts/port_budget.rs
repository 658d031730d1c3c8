//! The time one case may spend asking a sample's open ports one by one (service detection,
//! banners, TLS probes). Each port's own wait is bounded, but a tarpit with thousands of open
//! ports that answer slowly multiplies it into days: past the suite's `budgets.port_probing`
//! the remaining ports are not asked, and are named as not probed.

use crate::config::duration::Dur;
use crate::model::verdict::{Blocker, Cause};
use std::time::{Duration, Instant};

/// How many unprobed ports a blocker lists by number.
const NAMED: usize = 20;

pub struct PortBudget {
    limit: Duration,
    until: Instant,
    unprobed: Vec<u16>,
}

impl PortBudget {
    pub fn start(limit: Duration) -> Self {
        PortBudget {
            limit,
            until: Instant::now() + limit,
            unprobed: Vec::new(),
        }
    }

    /// Whether `port` may still be asked; one that may not is remembered as not probed.
    pub fn admits(&mut self, port: u16) -> bool {
        if self.unprobed.is_empty() && Instant::now() < self.until {
            return true;
        }
        self.unprobed.push(port);
        false
    }

    /// Time left, for waits that must not outlast the budget.
    pub fn left(&self) -> Duration {
        self.until.saturating_duration_since(Instant::now())
    }

    /// Why the work on these ports is incomplete, if it is.
    pub fn blocker(&self, what: &str) -> Option<Blocker> {
        let first = self.unprobed.first()?;
        let named: Vec<String> = self
            .unprobed
            .iter()
            .take(NAMED)
            .map(u16::to_string)
            .collect();
        let more = match self.unprobed.len() > NAMED {
            true => format!(" and {} more", self.unprobed.len() - NAMED),
            false => String::new(),
        };
        Some(Blocker::new(
            Cause::Unit,
            format!(
                "{} open TCP port(s) not probed for {what} from port {first} on: the suite's port-probing budget of {} (`budgets.port_probing`) ran out, so a unit that answers slowly on many ports cannot stall the run; not probed: {}{more}",
                self.unprobed.len(),
                Dur(self.limit),
                named.join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_past_the_budget_are_named_as_not_probed() {
        let mut b = PortBudget::start(Duration::from_millis(50));
        assert!(b.admits(22));
        assert!(b.blocker("logins").is_none());
        std::thread::sleep(Duration::from_millis(60));
        let rest: Vec<u16> = (1000..1030).collect();
        for p in &rest {
            assert!(!b.admits(*p));
        }
        let why = b.blocker("logins").unwrap();
        assert_eq!(why.cause, Cause::Unit);
        assert!(
            why.why
                .starts_with("30 open TCP port(s) not probed for logins from port 1000 on"),
            "{}",
            why.why
        );
        assert!(why.why.contains("1019 and 10 more"), "{}", why.why);
    }

    #[test]
    fn once_a_port_is_refused_no_later_one_is_asked() {
        let mut b = PortBudget::start(Duration::ZERO);
        assert!(!b.admits(1));
        assert!(!b.admits(2));
        assert_eq!(b.unprobed, [1, 2]);
    }
}
