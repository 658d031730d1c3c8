//! How long one test case may run on one sample. A unit that stalls (a tarpit, a console that
//! dribbles a byte every few seconds, a server that never finishes a handshake) must not stall
//! the run: past its budget a case is stopped and recorded INCONCLUSIVE, cause `unit`.

use super::duration::Dur;
use super::located::Located;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budgets {
    /// Every case's budget unless it has its own. Absent: each case's budget follows from what
    /// the profile and suite declare it may wait for (procedure steps, login deadlines times
    /// corpus entries, lockouts, update installs, scans), twice over and never under 10 minutes;
    /// the result states the budget and how it was reached.
    #[serde(default)]
    pub per_case: Option<Dur>,
    /// Test case id -> its own budget.
    #[serde(default)]
    pub cases: BTreeMap<String, Located<Dur>>,
    /// The most evidence one sample may write, transcripts, files and packet capture together
    /// (default 1 GiB): a unit that streams forever fills no disk. Reaching it is recorded.
    #[serde(default = "one_gib")]
    pub evidence_per_sample_kib: u64,
    /// How long one case may spend asking a sample's open ports one at a time (5.1-1-2 and
    /// 5.1-5-2 service detection, 5.6-2-2 banners, 5.5-1-2 TLS probes; default 20m). Ports
    /// left when it runs out are named as not probed, and the case is INCONCLUSIVE.
    #[serde(default = "twenty_minutes")]
    pub port_probing: Dur,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            per_case: None,
            cases: BTreeMap::new(),
            evidence_per_sample_kib: one_gib(),
            port_probing: twenty_minutes(),
        }
    }
}

impl Budgets {
    /// The budget the suite sets for this case, and where: `None` when it is to be derived.
    pub fn set_for(&self, case: &str) -> Option<(Duration, String)> {
        match (self.cases.get(case), &self.per_case) {
            (Some(own), _) => Some((own.value.0, format!("`budgets.cases.{case}`"))),
            (None, Some(all)) => Some((all.0, "`budgets.per_case`".to_string())),
            (None, None) => None,
        }
    }
}

fn one_gib() -> u64 {
    1024 * 1024
}

fn twenty_minutes() -> Dur {
    Dur(Duration::from_secs(20 * 60))
}
