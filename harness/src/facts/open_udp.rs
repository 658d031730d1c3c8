//! The unit's answering UDP ports in the initialized state, with their answers; a port that
//! also answers on the rig's host baseline address is the bench host's.

use crate::bench::Sample;
use crate::config::Suite;
use crate::model::verdict::Blocker;
use crate::transport::target::Target;
use crate::transport::udp_probe::{self, UdpScan};
use crate::transport::udp_reprobe::{self, Reprobe};
use std::path::PathBuf;

#[derive(Debug, Clone, serde::Serialize)]
pub struct OpenUdp {
    pub scan: UdpScan,
    pub host_ports: Vec<u16>,
    /// The slow second pass over the silent ports, when the suite gives it time.
    pub reprobe: Option<Reprobe>,
    #[serde(skip)]
    pub evidence: PathBuf,
}

impl OpenUdp {
    pub fn unit_answers(&self) -> impl Iterator<Item = &udp_probe::UdpAnswer> + '_ {
        self.scan
            .open
            .iter()
            .filter(|a| !self.host_ports.contains(&a.port))
    }
}

pub async fn get<'a>(sample: &'a Sample, suite: &Suite) -> &'a Result<OpenUdp, Blocker> {
    sample
        .learnt
        .get_or_establish(|| establish(sample, suite))
        .await
}

async fn establish(sample: &Sample, suite: &Suite) -> Result<OpenUdp, Blocker> {
    let unit = &sample.unit;
    sample.activity.phase("UDP scan", None);
    let result = scan(unit.address, unit.host_baseline, suite).await;
    sample.activity.clear();
    Ok(result?.kept_in(sample, "udp-scan.json"))
}

/// The suite's UDP ports on `target`, with the slow second pass the suite gives time for; those
/// also answering on `baseline` set apart.
pub(super) async fn scan(
    target: Target,
    baseline: Option<Target>,
    suite: &Suite,
) -> Result<OpenUdp, Blocker> {
    let params = super::scan_settings(suite)?;
    let mut scan = udp_probe::scan(
        target,
        &suite.udp_ports,
        params.concurrency.value,
        params.udp_wait.0,
    )
    .await;
    let budget = params.udp_retry_budget.0;
    let reprobe = match scan.open_or_filtered.is_empty() || budget.is_zero() {
        true => None,
        false => Some(udp_reprobe::reprobe(&mut scan, params.udp_wait.0, budget).await),
    };
    let mut host_ports = Vec::new();
    if let Some(baseline) = baseline {
        let answering: Vec<u16> = scan.open.iter().map(|a| a.port).collect();
        let on_host = udp_probe::scan(baseline, &answering, 64, params.udp_wait.0).await;
        host_ports = on_host.open.iter().map(|a| a.port).collect();
    }
    Ok(OpenUdp {
        scan,
        host_ports,
        reprobe,
        evidence: PathBuf::new(),
    })
}

impl OpenUdp {
    pub(super) fn kept_in(mut self, sample: &Sample, name: &str) -> OpenUdp {
        let json = serde_json::to_string_pretty(&self).unwrap_or_default();
        self.evidence = sample.evidence.write(name, &json);
        self
    }
}
