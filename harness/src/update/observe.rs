//! What the unit runs: the profile's version read-back, retried while an install reboots the
//! unit, with one power cycle before a silent unit is called unresponsive.

use super::error::Error;
use crate::bench::run_state::Known;
use crate::bench::Sample;
use crate::config::Config;
use crate::evidence::EvidenceLog;
use crate::model::verdict::Blocker;
use std::time::{Duration, Instant};

pub async fn read_version(
    sample: &Sample,
    config: &Config,
    log: &EvidenceLog,
) -> Result<String, Error> {
    let steps = &config.profile.body.procedures.read_version;
    if steps.is_empty() {
        return Err(Error::Config(
            "the profile has no `procedures.read_version`".into(),
        ));
    }
    sample.state.set(Known::FirmwareVersion, String::new());
    crate::procedure::run(sample, &config.profile, "read_version", steps, log).await?;
    match sample.state.get(Known::FirmwareVersion) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Error::Unit(
            "`procedures.read_version` captured no `firmware_version`".into(),
        )),
    }
}

/// The version once the unit answers again, trying for `within`; then a power cycle (when the
/// rig has a power backend) and `within` once more.
pub async fn version_after(
    sample: &Sample,
    config: &Config,
    settle: Duration,
    within: Duration,
    log: &EvidenceLog,
) -> Result<String, Error> {
    crate::transport::device_time::sleep(settle).await;
    let first = retry(sample, config, within, log).await;
    if first.is_ok() || sample.drivers.power.is_none() || sample.broken_reason().is_some() {
        return first;
    }
    log.line(
        "#",
        "the unit does not answer: power cycle, then read the version again",
    );
    crate::procedure::power_cycle(sample, &config.profile, log).await?;
    retry(sample, config, within, log).await.map_err(|e| {
        let cause = e.cause();
        Error::Procedure(Blocker::new(
            cause,
            format!("{e} (also after a power cycle)"),
        ))
    })
}

async fn retry(
    sample: &Sample,
    config: &Config,
    within: Duration,
    log: &EvidenceLog,
) -> Result<String, Error> {
    let deadline = Instant::now() + within;
    loop {
        match read_version(sample, config, log).await {
            Ok(v) => return Ok(v),
            Err(e) if Instant::now() >= deadline || sample.broken_reason().is_some() => {
                return Err(e.context(format_args!(
                    "no version read-back within {:.1}s",
                    within.as_secs_f64()
                )))
            }
            Err(_) => crate::transport::device_time::sleep(Duration::from_millis(250)).await,
        }
    }
}
