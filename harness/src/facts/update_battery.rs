//! The update misuse battery run once per sample against every declared update mechanism; 5.3-2-2
//! and 5.3-1-2 both judge it.

use super::initialized;
use crate::bench::Sample;
use crate::config::Config;
use crate::model::verdict::Blocker;
use crate::update::battery::{self, MechanismReport, Options};
use std::time::Duration;

/// Per mechanism: its report, or why the battery could not run against it.
pub type Reports = Vec<(String, Result<MechanismReport, Blocker>)>;

pub async fn get<'a>(sample: &'a Sample, config: &Config) -> &'a Result<Reports, Blocker> {
    sample
        .learnt
        .get_or_establish(|| establish(sample, config))
        .await
}

async fn establish(sample: &Sample, config: &Config) -> Result<Reports, Blocker> {
    let profile = &config.profile.body;
    let Some(material) = &profile.update else {
        return Ok(vec![]);
    };
    initialized::required(sample, config).await?;
    let options = match &config.suite.body.facts.update_battery {
        Some(u) => Options {
            power_cut_at: f64::from(u.power_cut_at_percent.value) / 100.0,
            power_off_for: u.power_off_for.0,
        },
        None => Options {
            power_cut_at: 0.5,
            power_off_for: Duration::from_secs(2),
        },
    };
    let mut reports = Vec::new();
    for (i, m) in profile.ixit.update_mechanisms.iter().enumerate() {
        let report = battery::run(sample, config, m, i, material, &options).await;
        reports.push((m.id.clone(), report));
    }
    Ok(reports)
}
