//! One module per TS 103 701 functional test case, each reading like the test case.

pub mod across_units;
pub mod brute_force_attack;
pub mod brute_force_judgement;
pub mod brute_force_series;
pub mod budget;
pub mod capture_checks;
mod client_judgement;
mod configuration_change;
mod corpus_controls;
pub mod corpus_on_found;
pub mod corpus_on_mechanisms;
pub mod corpus_trial;
pub mod debug_uart;
pub mod declared_waits;
pub mod derivation;
pub mod disclosed_versions;
pub(crate) mod disclosure_match;
pub mod input_fuzz;
mod ipv6_ports;
pub mod lockout_judgement;
pub mod login_surfaces;
mod password_change;
pub mod password_checks;
pub mod password_examination;
pub mod port_judgement;
pub mod pre_installed;
mod presented_keys;
pub mod provisioning_judgement;
pub mod registry;
pub mod reset_control;
pub mod swd_judgement;
pub mod tls_judgement;
pub mod ts_5_11_1_2;
pub mod ts_5_13_1_2;
pub mod ts_5_1_1_2;
pub mod ts_5_1_2_2;
pub mod ts_5_1_4_2;
pub mod ts_5_1_5_2;
pub mod ts_5_3_10_1;
pub mod ts_5_3_1_2;
pub mod ts_5_3_2_2;
pub mod ts_5_4_3_2;
pub mod ts_5_5_1_2;
pub mod ts_5_5_5_2;
pub mod ts_5_6_1_2;
pub mod ts_5_6_2_2;
pub mod ts_5_6_4_2;
pub mod ts_5_9_2_2;
pub mod uart_corpus;
pub mod update_judgement;

use crate::bench::label::UnitLabel;
use crate::bench::Sample;
use crate::config::Config;
pub use crate::model::case::CaseSpec;
pub use registry::{entry, NoParams, Registered, TestCase};

/// Every test case, in the order a sample runs them.
pub static ALL: [&dyn Registered; 16] = [
    &entry::<ts_5_1_1_2::Case>(),
    &entry::<ts_5_1_2_2::Case>(),
    &entry::<ts_5_1_5_2::Case>(),
    &entry::<ts_5_6_1_2::Case>(),
    &entry::<ts_5_6_2_2::Case>(),
    &entry::<ts_5_6_4_2::Case>(),
    &entry::<ts_5_4_3_2::Case>(),
    // After the logins above, so the capture it reads holds them.
    &entry::<ts_5_5_1_2::Case>(),
    &entry::<ts_5_5_5_2::Case>(),
    &entry::<ts_5_3_10_1::Case>(),
    &entry::<ts_5_3_2_2::Case>(),
    &entry::<ts_5_3_1_2::Case>(),
    &entry::<ts_5_9_2_2::Case>(),
    &entry::<ts_5_11_1_2::Case>(),
    &entry::<ts_5_1_4_2::Case>(),
    // Last: a value that crashes the unit must not spoil the other cases.
    &entry::<ts_5_13_1_2::Case>(),
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
