//! The unit's open TCP ports and answering UDP ports on its IPv6 address, when the rig declares
//! one: a service may listen on IPv6 alone, out of sight of an IPv4 scan.

use super::open_ports::{self, OpenPorts};
use super::open_udp::{self, OpenUdp};
use crate::bench::Sample;
use crate::config::Suite;
use crate::model::verdict::Blocker;
use crate::transport::target::Target;

#[derive(Debug)]
pub struct OpenOnIpv6 {
    pub tcp: OpenPorts,
    /// None when the suite lists no UDP ports.
    pub udp: Option<OpenUdp>,
}

/// None when the rig declares no IPv6 address for the unit.
pub async fn get<'a>(sample: &'a Sample, suite: &Suite) -> Option<&'a Result<OpenOnIpv6, Blocker>> {
    let target = sample.unit.ipv6?;
    Some(
        sample
            .learnt
            .get_or_establish(|| establish(sample, target, suite))
            .await,
    )
}

async fn establish(sample: &Sample, target: Target, suite: &Suite) -> Result<OpenOnIpv6, Blocker> {
    let baseline = sample.unit.host_baseline_ipv6;
    let how = open_ports::fast_pass(sample);
    let tcp = open_ports::scan(target, baseline, suite, how).await?;
    let udp = match suite.udp_ports.is_empty() {
        true => None,
        false => Some(open_udp::scan(target, baseline, suite).await?),
    };
    Ok(OpenOnIpv6 {
        tcp: tcp.kept_in(sample, "tcp6-scan.json"),
        udp: udp.map(|u| u.kept_in(sample, "udp6-scan.json")),
    })
}
