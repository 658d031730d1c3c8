//! The plan: suite x profile ICS x samples -> the test cases of this run, decided without
//! touching hardware (so `--list` never starts a unit). N/A is decided here from the ICS, and
//! each case's suite entry is read and checked here, so `hilt check` refuses what a run would.

use crate::cases::budget::CaseBudget;
use crate::cases::{self, registry::Params, CaseSpec, Registered};
use crate::config::error::{ConfigError, ConfigErrors};
use crate::config::profile::Support;
use crate::config::{yaml, Config};
use crate::model::verdict::{CaseResult, Cause, Verdict};

/// A case the suite lists, with its parameters read.
#[derive(Clone)]
pub struct Selected {
    pub case: &'static dyn Registered,
    pub params: Params,
}

#[derive(Clone)]
pub struct PlannedCase {
    pub slot: String,
    pub spec: CaseSpec,
    pub case: &'static dyn Registered,
    pub params: Params,
    /// How long it may run on this sample before it is stopped (INCONCLUSIVE, cause unit).
    pub budget: CaseBudget,
    /// The result the ICS decides without running the case: N/A from its row, or INCONCLUSIVE
    /// when the profile's ICS has no row for the provision (hilt does not guess one).
    pub decided: Option<CaseResult>,
}

impl PlannedCase {
    /// libtest-style name: filters and `--exact` match against it.
    pub fn name(&self) -> String {
        format!("{}::{} {}", self.slot, self.spec.id, self.spec.title)
    }
}

/// The suite's cases in run order, each with its parameters; every unknown case id, bad
/// parameter and missing fact section is reported at once.
pub fn select(config: &Config) -> Result<Vec<Selected>, ConfigErrors> {
    let suite = &config.suite;
    let mut errors: Vec<ConfigError> = Vec::new();
    let known: Vec<&str> = cases::ALL.iter().map(|c| c.spec().id).collect();
    for id in suite.body.cases.keys() {
        if !known.contains(&id.as_str()) {
            errors.push(yaml::at_location(
                &suite.file,
                &suite.entry_at(id),
                format!("cases.{id}"),
                format!(
                    "hilt has no test case `{id}`; expected one of {}",
                    known.join(", ")
                ),
            ));
        }
    }
    let mut selected = Vec::new();
    for case in cases::ALL.iter().copied() {
        match case.params(suite) {
            Ok(Some(params)) => selected.push(Selected { case, params }),
            Ok(None) => {}
            Err(e) => errors.extend(e.0),
        }
    }
    if errors.is_empty() {
        Ok(selected)
    } else {
        Err(ConfigErrors(errors))
    }
}

pub fn plan(config: &Config, selected: &[Selected]) -> Vec<PlannedCase> {
    let mut planned = Vec::new();
    let setup = cases::declared_waits::state_setup(config);
    let budgets: Vec<CaseBudget> = selected
        .iter()
        .map(|s| s.case.budget(&s.params, config, &setup))
        .collect();
    for slot in &config.rig.slots {
        for (s, budget) in selected.iter().zip(&budgets) {
            let spec = s.case.spec();
            let decided = match config.profile.ics(spec.provision) {
                Some(row) if row.support == Support::NotApplicable => Some(CaseResult::new(
                    Verdict::NotApplicable,
                    format!("ICS {} is N/A: {}", spec.provision, row.detail),
                )),
                Some(_) => None,
                None => Some(CaseResult::not_performed(
                    Cause::Config,
                    format!(
                        "ICS row missing: the profile's `ics` says nothing of provision {}, so whether it applies is not known",
                        spec.provision
                    ),
                )),
            };
            planned.push(PlannedCase {
                slot: slot.id.value.clone(),
                spec,
                case: s.case,
                params: s.params.clone(),
                budget: budget.clone(),
                decided,
            });
        }
    }
    planned
}
