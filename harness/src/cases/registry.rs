//! Every test case hilt implements, in one table, behind one trait. Adding a case is its module
//! (spec, parameters, run), one line in `ALL` and an entry in the suite.

use super::budget::{CaseBudget, Waits};
use super::{declared_waits, CaseContext};
use crate::config::error::{ConfigError, ConfigErrors};
use crate::config::located::Located;
use crate::config::suite::{check_files, FactSection, Suite};
use crate::config::yaml;
use crate::config::Config;
use crate::model::case::CaseSpec;
use crate::model::verdict::{CaseResult, Cause};
use serde::de::DeserializeOwned;
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

/// One TS 103 701 test case.
pub trait TestCase: Send + Sync + 'static {
    /// What the suite's `cases.<id>` entry holds for this case.
    type Params: DeserializeOwned + serde::Serialize + schemars::JsonSchema + Send + Sync + 'static;
    const SPEC: CaseSpec;
    /// The suite's `facts:` sections this case reads; `hilt check` refuses a suite that lists
    /// the case without them.
    const FACTS: &'static [FactSection] = &[];

    /// Data files the parameters name, relative to the suite: each must exist (`hilt check`)
    /// and is cited in the report as part of the method.
    fn data_files(_params: &Self::Params) -> Vec<DataFiles<'_>> {
        Vec::new()
    }

    /// What the case may wait for, from the profile's, rig's and suite's deadlines, besides the
    /// initialized state's set-up and the facts it reads: its budget follows from it when the
    /// suite sets none.
    fn declared_waits(_params: &Self::Params, _config: &Config) -> Waits {
        Waits::default()
    }

    fn run(ctx: &CaseContext<'_>, params: &Self::Params)
        -> impl Future<Output = CaseResult> + Send;
}

/// A list of files a case's parameters name: its key under `cases.<id>` and what each file is.
pub struct DataFiles<'p> {
    pub key: &'static str,
    pub files: &'p [Located<String>],
    pub what: &'static str,
}

impl<'p> DataFiles<'p> {
    /// The universal default-credential lists a case tries, under its `corpus` key.
    pub fn corpus(files: &'p [Located<String>]) -> Self {
        DataFiles {
            key: "corpus",
            files,
            what: "credential list",
        }
    }
}

/// A case with no parameters of its own: `"5.6-2-2": {}`.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// A case that power-cycles the unit: how long after the power comes back the unit's login may
/// take to answer (`"5.1-4-2": { boot_within: 2m }`).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BootWithin {
    #[serde(default = "default_boot_within")]
    pub boot_within: crate::config::duration::Dur,
}

fn default_boot_within() -> crate::config::duration::Dur {
    crate::config::duration::Dur(std::time::Duration::from_secs(120))
}

/// A case's parameters once read, kept by the plan until the case runs.
pub type Params = Arc<dyn Any + Send + Sync>;

pub type CaseFuture<'a> = Pin<Box<dyn Future<Output = CaseResult> + Send + 'a>>;

/// The object-safe face of a `TestCase`, for the table.
pub trait Registered: Send + Sync {
    fn spec(&self) -> CaseSpec;
    fn facts(&self) -> &'static [FactSection];
    /// Reads and checks the case's entry in the suite; `None` when the suite leaves it out.
    fn params(&self, suite: &Suite) -> Result<Option<Params>, ConfigErrors>;
    fn cited_files(&self, params: &Params) -> Vec<String>;
    /// The decision-rule parameters the case runs with, defaults filled in, and the settings
    /// of the facts it reads: what a result states it applied.
    fn parameters(&self, params: &Params, suite: &Suite) -> Vec<String>;
    /// The JSON Schema of the case's `cases.<id>` entry.
    fn params_schema(&self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema;
    /// How long the case may run on one sample; `setup` is `declared_waits::state_setup`,
    /// the same for every case, so it is read once.
    fn budget(&self, params: &Params, config: &Config, setup: &Waits) -> CaseBudget;
    fn run<'a>(&'a self, ctx: &'a CaseContext<'a>, params: &'a Params) -> CaseFuture<'a>;
}

pub struct Entry<C>(PhantomData<fn() -> C>);

pub const fn entry<C: TestCase>() -> Entry<C> {
    Entry(PhantomData)
}

impl<C: TestCase> Registered for Entry<C> {
    fn spec(&self) -> CaseSpec {
        C::SPEC
    }

    fn facts(&self) -> &'static [FactSection] {
        C::FACTS
    }

    fn params(&self, suite: &Suite) -> Result<Option<Params>, ConfigErrors> {
        let Some(params) = suite.case_params::<C::Params>(C::SPEC.id)? else {
            return Ok(None);
        };
        let mut errors: Vec<ConfigError> = C::data_files(&params)
            .iter()
            .flat_map(|d| {
                let key = format!("cases.{}.{}", C::SPEC.id, d.key);
                check_files(&suite.file, &key, d.files, d.what)
            })
            .collect();
        for fact in C::FACTS {
            if !fact.configured(&suite.body.facts) {
                errors.push(yaml::at_location(
                    &suite.file,
                    &suite.entry_at(C::SPEC.id),
                    format!("cases.{}", C::SPEC.id),
                    format!(
                        "{} reads {}; expected a `facts.{}` section",
                        C::SPEC.id,
                        fact.what(),
                        fact.key()
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(Some(Arc::new(params)))
        } else {
            Err(ConfigErrors(errors))
        }
    }

    fn params_schema(&self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<C::Params>()
    }

    fn budget(&self, params: &Params, config: &Config, setup: &Waits) -> CaseBudget {
        CaseBudget::of(C::SPEC.id, &config.suite.body.budgets, || {
            let mut waits = setup.clone();
            if C::FACTS.contains(&FactSection::Scan) {
                waits.extend(declared_waits::scans(config));
            }
            if let Some(p) = params.downcast_ref::<C::Params>() {
                waits.extend(C::declared_waits(p, config));
            }
            waits
        })
    }

    fn cited_files(&self, params: &Params) -> Vec<String> {
        params
            .downcast_ref::<C::Params>()
            .map(|p| {
                let lists = C::data_files(p);
                lists
                    .iter()
                    .flat_map(|d| d.files.iter().map(|f| f.value.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn parameters(&self, params: &Params, suite: &Suite) -> Vec<String> {
        let own = params
            .downcast_ref::<C::Params>()
            .and_then(|p| serde_json::to_value(p).ok());
        let mut out: Vec<String> = own
            .iter()
            .flat_map(|v| key_values(&format!("cases.{}", C::SPEC.id), v))
            .collect();
        for fact in C::FACTS {
            if let Some(v) = fact.settings(&suite.body.facts) {
                out.extend(key_values(&format!("facts.{}", fact.key()), &v));
            }
        }
        out
    }

    fn run<'a>(&'a self, ctx: &'a CaseContext<'a>, params: &'a Params) -> CaseFuture<'a> {
        match params.downcast_ref::<C::Params>() {
            Some(p) => Box::pin(C::run(ctx, p)),
            None => Box::pin(async {
                CaseResult::not_performed(
                    Cause::Bench,
                    format!(
                        "hilt error: {} was handed another case's parameters; please report it",
                        C::SPEC.id
                    ),
                )
            }),
        }
    }
}

/// `prefix.key=value` for each entry of a JSON object, lists written out.
fn key_values(prefix: &str, value: &serde_json::Value) -> Vec<String> {
    let Some(map) = value.as_object() else {
        return vec![];
    };
    map.iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{prefix}.{k}={s}"),
            other => format!("{prefix}.{k}={other}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::key_values;

    #[test]
    fn parameters_are_written_as_key_paths() {
        let v = serde_json::json!({"pace": "20ms", "max_attempts": 110, "corpus": ["a.csv"]});
        assert_eq!(
            key_values("cases.5.1-5-2", &v),
            [
                "cases.5.1-5-2.corpus=[\"a.csv\"]",
                "cases.5.1-5-2.max_attempts=110",
                "cases.5.1-5-2.pace=20ms"
            ]
        );
        assert!(key_values("x", &serde_json::json!(null)).is_empty());
    }
}
