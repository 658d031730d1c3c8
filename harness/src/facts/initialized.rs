//! The unit brought to a known state: factory reset, then initialization (onboarding) as the
//! profile describes it, then the firmware version read back.

use super::factory_default::{self, UserDefinedProbe};
use crate::bench::run_state::Known;
use crate::bench::Sample;
use crate::config::Config;
use crate::model::verdict::Blocker;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct InitializedState {
    pub firmware_version: Option<String>,
    pub procedure_log: PathBuf,
    /// User-defined mechanisms as found in the factory default state, before initialization.
    pub user_defined: Vec<UserDefinedProbe>,
}

pub async fn get<'a>(sample: &'a Sample, config: &Config) -> &'a Result<InitializedState, Blocker> {
    sample
        .learnt
        .get_or_establish(|| establish(sample, config))
        .await
}

/// The initialized state if a case has already established it; never starts a reset.
pub fn established(sample: &Sample) -> Option<&InitializedState> {
    sample
        .learnt
        .peek::<Result<InitializedState, Blocker>>()?
        .as_ref()
        .ok()
}

/// The initialized state, or why a case that needs it cannot run, worded for its INCONCLUSIVE.
pub async fn required<'a>(
    sample: &'a Sample,
    config: &Config,
) -> Result<&'a InitializedState, Blocker> {
    get(sample, config).await.as_ref().map_err(|e| {
        e.clone()
            .context("could not bring the unit to the initialized state")
    })
}

async fn establish(sample: &Sample, config: &Config) -> Result<InitializedState, Blocker> {
    let profile = &config.profile;
    let log = sample.evidence.log("procedures.log");
    sample
        .activity
        .phase("factory reset and initialization", None);
    // The password hilt sets during onboarding, as a user would: fresh for every run and unit.
    sample
        .state
        .set(Known::NewPassword, crate::util::token::fresh());
    let procs = &profile.body.procedures;
    crate::procedure::run(sample, profile, "factory_reset", &procs.factory_reset, &log).await?;
    log.line(
        "#",
        "factory default state: probing user-defined mechanisms",
    );
    let user_defined = factory_default::probe_user_defined(sample, config).await;
    crate::procedure::run(sample, profile, "initialize", &procs.initialize, &log).await?;
    if !procs.read_version.is_empty() {
        crate::procedure::run(sample, profile, "read_version", &procs.read_version, &log).await?;
    }
    Ok(InitializedState {
        firmware_version: sample.state.get(Known::FirmwareVersion),
        procedure_log: log.path,
        user_defined,
    })
}
