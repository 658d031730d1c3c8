//! The unit's open TCP ports in the initialized state, attributed: a port that is also open on
//! the rig's host baseline address belongs to the bench host, not the unit.

use crate::bench::Sample;
use crate::config::Suite;
use crate::model::verdict::Blocker;
use crate::transport::portscan::{self, FastPass, TcpScan};
use crate::transport::target::Target;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, serde::Serialize)]
pub struct OpenPorts {
    pub scan: TcpScan,
    /// Open on the unit's address and on the host baseline too: excluded as the host's.
    pub host_ports: Vec<u16>,
    #[serde(skip)]
    pub evidence: PathBuf,
}

impl OpenPorts {
    pub fn unit_ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.scan
            .open
            .iter()
            .copied()
            .filter(|p| !self.host_ports.contains(p))
    }
}

pub async fn get<'a>(sample: &'a Sample, suite: &Suite) -> &'a Result<OpenPorts, Blocker> {
    sample
        .learnt
        .get_or_establish(|| establish(sample, suite))
        .await
}

async fn establish(sample: &Sample, suite: &Suite) -> Result<OpenPorts, Blocker> {
    let unit = &sample.unit;
    sample.activity.phase("TCP scan", None);
    let result = scan(unit.address, unit.host_baseline, suite, fast_pass(sample)).await;
    sample.activity.clear();
    Ok(result?.kept_in(sample, "tcp-scan.json"))
}

/// Half-open where the host allows it, unless the sample's traffic is captured: that capture
/// must keep every packet, and SYNs at full speed outrun it.
pub(super) fn fast_pass(sample: &Sample) -> FastPass {
    match sample.drivers.capture_path() {
        Some(_) => FastPass::Connect,
        None => FastPass::HalfOpenIfAllowed,
    }
}

/// The suite's TCP ports on `target`, those also open on `baseline` set apart.
pub(super) async fn scan(
    target: Target,
    baseline: Option<Target>,
    suite: &Suite,
    how: FastPass,
) -> Result<OpenPorts, Blocker> {
    let params = super::scan_settings(suite)?;
    let scan = portscan::scan(
        target,
        &suite.tcp_ports,
        params.concurrency.value,
        params.connect_timeout.0,
        how,
    )
    .await;
    let mut host_ports = Vec::new();
    if let Some(baseline) = baseline {
        for &p in &scan.open {
            if portscan::is_open(baseline, p, Duration::from_secs(1)).await {
                host_ports.push(p);
            }
        }
    }
    Ok(OpenPorts {
        scan,
        host_ports,
        evidence: PathBuf::new(),
    })
}

impl OpenPorts {
    pub(super) fn kept_in(mut self, sample: &Sample, name: &str) -> OpenPorts {
        let json = serde_json::to_string_pretty(&self).unwrap_or_default();
        self.evidence = sample.evidence.write(name, &json);
        self
    }
}
