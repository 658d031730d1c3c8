//! One module per TS 103 701 functional test case, each reading like the test case.

pub mod across_units;
pub mod debug_uart;
pub mod derivation;
pub mod password_checks;
pub mod ts_5_1_1_2;
pub mod ts_5_1_2_2;
pub mod ts_5_1_5_2;
pub mod ts_5_3_10_1;
pub mod ts_5_3_1_2;
pub mod ts_5_3_2_2;
pub mod ts_5_4_3_2;
pub mod ts_5_5_1_2;
pub mod ts_5_6_1_2;
pub mod ts_5_6_2_2;
pub mod ts_5_6_4_2;
pub mod uart_corpus;
pub mod update_judgement;

use crate::bench::label::UnitLabel;
use crate::bench::Sample;
use crate::config::Config;
pub use crate::model::case::CaseSpec;
use crate::model::verdict::CaseResult;

pub const ALL: [CaseSpec; 11] = [
    ts_5_1_1_2::SPEC,
    ts_5_1_2_2::SPEC,
    ts_5_1_5_2::SPEC,
    ts_5_6_1_2::SPEC,
    ts_5_6_2_2::SPEC,
    ts_5_6_4_2::SPEC,
    ts_5_4_3_2::SPEC,
    // After the logins above, so the capture it reads holds them.
    ts_5_5_1_2::SPEC,
    ts_5_3_10_1::SPEC,
    ts_5_3_2_2::SPEC,
    ts_5_3_1_2::SPEC,
];

/// What a case may look at: its sample, the other samples' labels (for cross-sample checks) and
/// the configuration.
pub struct CaseContext<'a> {
    pub sample: &'a Sample,
    pub peers: &'a [(String, UnitLabel)],
    /// Secrets' fingerprints the samples of the run publish for cross-unit comparison.
    pub pool: &'a across_units::SecretPool,
    pub config: &'a Config,
}

pub async fn run(spec: &CaseSpec, ctx: &CaseContext<'_>) -> CaseResult {
    match spec.id {
        "5.1-1-2" => ts_5_1_1_2::run(ctx).await,
        "5.1-2-2" => ts_5_1_2_2::run(ctx).await,
        "5.1-5-2" => ts_5_1_5_2::run(ctx).await,
        "5.6-1-2" => ts_5_6_1_2::run(ctx).await,
        "5.6-2-2" => ts_5_6_2_2::run(ctx).await,
        "5.5-1-2" => ts_5_5_1_2::run(ctx).await,
        "5.6-4-2" => ts_5_6_4_2::run(ctx).await,
        "5.4-3-2" => ts_5_4_3_2::run(ctx).await,
        "5.3-10-1" => ts_5_3_10_1::run(ctx).await,
        "5.3-2-2" => ts_5_3_2_2::run(ctx).await,
        "5.3-1-2" => ts_5_3_1_2::run(ctx).await,
        other => {
            CaseResult::inconclusive(format!("hilt has no implementation of test case {other}"))
        }
    }
}

/// Is the case selected by the suite?
pub fn in_suite(spec: &CaseSpec, config: &Config) -> bool {
    let c = &config.suite.body.cases;
    match spec.id {
        "5.1-1-2" => c.passwords_unique.is_some(),
        "5.1-2-2" => c.password_generation.is_some(),
        "5.1-5-2" => c.brute_force.is_some(),
        "5.6-1-2" => c.interfaces_declared.is_some(),
        "5.6-2-2" => c.no_unauthenticated_disclosure.is_some(),
        "5.5-1-2" => c.secure_communication.is_some(),
        "5.6-4-2" => c.debug_interfaces_disabled.is_some(),
        "5.4-3-2" => c.no_hard_coded_secrets.is_some(),
        "5.3-10-1" => c.update_paths_declared.is_some(),
        "5.3-2-2" => c.update_misuse.is_some(),
        "5.3-1-2" => c.every_update_mechanism.is_some(),
        _ => false,
    }
}
