//! The unit's open TCP ports in the initialized state, attributed: a port that is also open on
//! the rig's host baseline address belongs to the bench host, not the unit.

use crate::bench::Sample;
use crate::config::Suite;
use crate::model::verdict::Blocker;
use crate::transport::portscan::{self, TcpScan};
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
    let params = super::scan_settings(suite)?;
    let address = sample.unit.address;
    let scan = portscan::scan(
        address,
        &suite.tcp_ports,
        params.concurrency.value,
        params.connect_timeout.0,
    )
    .await;
    let mut host_ports = Vec::new();
    if let Some(baseline) = sample.unit.host_baseline {
        for &p in &scan.open {
            if portscan::is_open(baseline, p, Duration::from_secs(1)).await {
                host_ports.push(p);
            }
        }
    }
    let mut result = OpenPorts {
        scan,
        host_ports,
        evidence: PathBuf::new(),
    };
    let json = serde_json::to_string_pretty(&result).unwrap_or_default();
    result.evidence = sample.evidence.write("tcp-scan.json", &json);
    Ok(result)
}
