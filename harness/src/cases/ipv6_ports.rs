//! 5.6-1-2 on IPv6: the scans of the unit's declared IPv6 address judged as the IPv4 ones, and,
//! when the rig declares none, whether the unit took an IPv6 address all the same.

use super::port_judgement::{self, Found};
use super::ts_5_6_1_2::{declared, judge_udp, tcp_details};
use crate::bench::Sample;
use crate::config::profile::Protocol;
use crate::facts::open_on_ipv6::OpenOnIpv6;
use crate::model::verdict::{Blocker, Cause, Measurement};
use crate::transport::ipv6_sightings;

/// The IPv6 scans judged as the IPv4 ones: every open port a declared enabled service. A
/// declared service that listens on IPv4 only is no finding.
pub fn judge(
    v6: &OpenOnIpv6,
    profile: &crate::config::Profile,
    findings: &mut Vec<String>,
    details: &mut Vec<String>,
) -> Vec<Measurement> {
    let open: Vec<u16> = v6.tcp.unit_ports().collect();
    let found: Vec<_> = open
        .iter()
        .map(|&port| Found { port, answer: None })
        .collect();
    let mut found_here =
        port_judgement::findings(Protocol::Tcp, &declared(profile, Protocol::Tcp), &found);
    details.extend(tcp_details(&v6.tcp, &open, &[]));
    let mut measured = vec![
        Measurement::new("tcp_ipv6_ports_open", open.len() as f64, "ports"),
        Measurement::new(
            "tcp_ipv6_ports_filtered",
            v6.tcp.scan.filtered.len() as f64,
            "ports",
        ),
    ];
    if let Some(udp) = &v6.udp {
        let udp_measured = judge_udp(udp, profile, &mut found_here, details);
        measured.extend(udp_measured.into_iter().map(|m| Measurement {
            name: m.name.replacen("udp_", "udp_ipv6_", 1),
            ..m
        }));
    }
    let address = v6.tcp.scan.address;
    findings.extend(
        found_here
            .into_iter()
            .map(|f| format!("on IPv6 {address}: {f}")),
    );
    measured
}

/// An IPv6 address the unit used on its own, seen in the capture, while the rig declares none:
/// its services there were not scanned, so the case cannot conclude.
pub async fn undeclared(sample: &Sample, details: &mut Vec<String>) -> Option<Blocker> {
    if let Some(why) = &sample.drivers.capture_problem {
        return Some(super::capture_checks::not_made(
            why,
            "the IPv6 frames of the unit's MAC (an IPv6 address it uses on its own)",
        ));
    }
    let (Some(mac), Some(pcap)) = (sample.drivers.ipv6_watch, sample.drivers.capture_path()) else {
        details.push("IPv6: the rig declares no IPv6 address for the unit, and no capture kept what its MAC sends (a capture interface and the label's MAC before the unit starts are needed): a unit speaking IPv6 would go unnoticed".into());
        return None;
    };
    let read = tokio::task::spawn_blocking(move || ipv6_sightings::read(&pcap, mac)).await;
    let seen = match read {
        Ok(Ok(seen)) => seen,
        Ok(Err(e)) => {
            return Some(Blocker::new(
                Cause::Bench,
                format!("the capture could not be read back for the unit's IPv6 frames: {e}"),
            ))
        }
        Err(e) => {
            return Some(Blocker::new(
                Cause::Bench,
                format!("reading the capture back: {e}"),
            ))
        }
    };
    if seen.is_empty() {
        details.push("IPv6: the unit's MAC sent nothing over IPv6 in the capture so far, and the rig declares no IPv6 address for it".into());
        return None;
    }
    let list = seen
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Some(Blocker::new(Cause::Config, format!("the unit speaks IPv6 (it used {list}, seen in the capture from its MAC), but the rig declares no IPv6 address for it, so its services on IPv6 were not scanned; declare `network.ipv6` in the rig")))
}
