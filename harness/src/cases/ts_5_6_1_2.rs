//! TS 103 701 test case 5.6-1-2 (functional), provision 5.6-1: all unused network and logical
//! interfaces are disabled.
//!
//! Unit (a): each declared service's real state matches its declared state; unit (b): no open
//! interface is missing from the declaration. In the initialized state, a full TCP scan of the
//! unit's address is diffed against the declared services.

use super::ipv6_ports;
use super::port_judgement::{self, Declared, Found};
use super::NoParams;
use super::{CaseContext, CaseSpec, TestCase};
use crate::config::profile::Protocol;
use crate::config::suite::FactSection;
use crate::facts::{initialized, open_on_ipv6, open_ports, open_udp};
use crate::model::figure::{Figure, PortMark};
use crate::model::verdict::{CaseResult, Cause, Measurement, Verdict};
use crate::transport::udp_reprobe::Reprobe;

pub struct Case;

impl TestCase for Case {
    type Params = NoParams;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.6-1-2",
        provision: "5.6-1",
        title: "unused interfaces disabled, open ports declared",
        decision_rule: "FAIL if, in the initialized state, a TCP port of the unit accepts a connection and is not a declared service, or is a service declared disabled; or if a UDP port of the suite's UDP list answers a protocol probe (SSDP, mDNS, SNMP, CoAP, DNS, NTP and others) or an empty datagram and is not a declared enabled UDP service. A silent UDP port is open|filtered and proves nothing either way; since units rate-limit their ICMP refusals, the silent ports get a slow second pass within the suite's `udp_retry_budget` (protocol ports first, then those below 1024), a silence followed by silence from a port proven closed slowing the pass, and the closed and open|filtered counts are measured. A TCP port that neither accepts nor refuses in the fast scan is asked again after a pause, 16 at a time with twice the timeout (up to 1024 such ports), before it is taken as filtered. INCONCLUSIVE if no declared enabled service answers or any port could not be probed. Ports also open on the rig's host baseline address are excluded as the bench host's. When the rig declares the unit's IPv6 address, the same TCP and UDP scans are made on it, and a port open on IPv6 alone is judged the same way. When it declares none, the run's capture keeps what the unit's MAC (from its label) sends over IPv6: an IPv6 address the unit took there makes the case INCONCLUSIVE (config), since its services on IPv6 went unscanned, and so does a capture the rig asks for that could not be made (bench). PASS otherwise.",
    };
    const FACTS: &'static [FactSection] = &[FactSection::Scan];

    async fn run(ctx: &CaseContext<'_>, _params: &NoParams) -> CaseResult {
        let sample = ctx.sample;
        let profile = &ctx.config.profile;
        if let Err(reason) = initialized::required(sample, ctx.config).await {
            let mut r = CaseResult::blocked(reason);
            r.evidence = vec![
                sample.evidence.dir.join("procedures.log"),
                sample.console_log_path(),
            ];
            return r;
        }
        let ports = match open_ports::get(sample, &ctx.config.suite).await {
            Ok(p) => p,
            Err(e) => return CaseResult::blocked(e.clone().context("TCP scan")),
        };
        if let Some(reason) = sample.broken_reason() {
            return CaseResult::not_performed(Cause::Unit, reason);
        }
        if let Some(blocked) = unprobed(ports, "") {
            return blocked;
        }
        let declared = declared(profile, Protocol::Tcp);
        let open: Vec<u16> = ports.unit_ports().collect();
        if let Some(enabled) = port_judgement::none_enabled_answered(&declared, &open) {
            let mut r = CaseResult::not_performed(Cause::Unit, format!(
                "none of the declared enabled TCP services ({}) answered: the unit is unreachable or not in its initialized state",
                enabled.iter().map(|s| format!("{}/{}", s.id, s.port)).collect::<Vec<_>>().join(", ")
            ));
            r.evidence = vec![ports.evidence.clone()];
            return r;
        }

        let found: Vec<_> = open
            .iter()
            .map(|&port| Found { port, answer: None })
            .collect();
        let mut findings = port_judgement::findings(Protocol::Tcp, &declared, &found);
        let mut details = tcp_details(ports, &open, &declared);
        let mut evidence = vec![ports.evidence.clone()];
        let mut answering_udp = Vec::new();
        let mut udp_measurements = Vec::new();
        if !ctx.config.suite.udp_ports.is_empty() {
            match open_udp::get(sample, &ctx.config.suite).await {
                Ok(udp) => {
                    udp_measurements = judge_udp(udp, profile, &mut findings, &mut details);
                    evidence.push(udp.evidence.clone());
                    answering_udp = udp.unit_answers().map(|a| a.port).collect();
                }
                Err(e) => return CaseResult::blocked(e.clone().context("UDP discovery")),
            }
        }
        let mut ipv6_measurements = Vec::new();
        if let Some(scanned) = open_on_ipv6::get(sample, &ctx.config.suite).await {
            let v6 = match scanned {
                Ok(v6) => v6,
                Err(e) => return CaseResult::blocked(e.clone().context("IPv6 scan")),
            };
            if let Some(blocked) = unprobed(&v6.tcp, "IPv6 ") {
                return blocked;
            }
            ipv6_measurements = ipv6_ports::judge(v6, profile, &mut findings, &mut details);
            evidence.push(v6.tcp.evidence.clone());
            evidence.extend(v6.udp.iter().map(|u| u.evidence.clone()));
        }
        let undeclared_ipv6 = match sample.unit.ipv6 {
            Some(_) => None,
            None => ipv6_ports::undeclared(sample, &mut details).await,
        };
        if let Some(b) = undeclared_ipv6.as_ref().filter(|_| !findings.is_empty()) {
            details.push(format!("not completed ({}): {}", b.cause.label(), b.why));
        }
        let mut r = if !findings.is_empty() {
            CaseResult::new(Verdict::Fail, findings.join("; "))
        } else if let Some(b) = undeclared_ipv6 {
            CaseResult::not_performed(b.cause, b.why)
        } else {
            CaseResult::new(
                Verdict::Pass,
                format!("every open port is a declared enabled service (TCP {open:?})"),
            )
        };
        r.details = details;
        r.evidence = evidence;
        r.figures = vec![Figure::Ports {
            tcp: port_marks(profile, Protocol::Tcp, &open),
            udp: port_marks(profile, Protocol::Udp, &answering_udp),
        }];
        r.measurements = vec![
            Measurement::new("tcp_ports_probed", ports.scan.ports_probed as f64, "ports"),
            Measurement::new("tcp_ports_open", open.len() as f64, "ports"),
            Measurement::new(
                "tcp_ports_filtered",
                ports.scan.filtered.len() as f64,
                "ports",
            ),
            Measurement::new("tcp_scan_duration", ports.scan.seconds, "s"),
        ];
        r.measurements.extend(udp_measurements);
        r.measurements.extend(ipv6_measurements);
        r
    }
}

/// A scan with ports it could not probe may have missed an open one.
fn unprobed(ports: &open_ports::OpenPorts, family: &str) -> Option<CaseResult> {
    (ports.scan.errors > 0).then(|| {
        let mut r = CaseResult::not_performed(Cause::Bench, format!(
            "{} of {} {family}ports could not be probed (local socket errors, e.g. too many open files, or no route to the address); an open port may have been missed",
            ports.scan.errors, ports.scan.ports_probed
        ));
        r.evidence = vec![ports.evidence.clone()];
        r
    })
}

/// What the TCP scan found besides the findings: its figures, the bench host's ports left out,
/// declared services not found open, ports that answered nothing.
pub(super) fn tcp_details(
    ports: &open_ports::OpenPorts,
    open: &[u16],
    declared: &[Declared<'_>],
) -> Vec<String> {
    let mut details = vec![format!(
        "TCP scan of {}: {} ports in {:.2}s, open {:?}, filtered {}, errors {}",
        ports.scan.address,
        ports.scan.ports_probed,
        ports.scan.seconds,
        open,
        ports.scan.filtered.len(),
        ports.scan.errors
    )];
    if !ports.host_ports.is_empty() {
        details.push(format!(
            "excluded as the bench host's (also open on the host baseline address): {:?}",
            ports.host_ports
        ));
    }
    for s in declared
        .iter()
        .filter(|s| s.enabled && !open.contains(&s.port))
    {
        details.push(format!(
            "declared enabled service `{}` (TCP {}) was not found open",
            s.id, s.port
        ));
    }
    if let Some(p) = &ports.scan.second_pass {
        details.push(format!(
            "TCP second pass over the ports the fast scan found filtered, 16 at a time with twice the timeout ({:.1}s): {} asked, {} open, {} closed{}",
            p.seconds,
            p.asked,
            p.opened,
            p.closed,
            match p.not_asked {
                0 => String::new(),
                n => format!(", {n} more not asked (too many for a gentle pass: a dropping firewall)"),
            }
        ));
    }
    if !ports.scan.filtered.is_empty() {
        details.push(format!("{} ports neither accepted nor refused in time (filtered); they are not counted as closed", ports.scan.filtered.len()));
    }
    details
}

/// Every declared port of the protocol and every port found, each marked with both.
fn port_marks(
    profile: &crate::config::Profile,
    protocol: Protocol,
    found: &[u16],
) -> Vec<PortMark> {
    let services: Vec<_> = profile
        .body
        .ixit
        .services
        .iter()
        .filter(|s| s.protocol == protocol)
        .collect();
    let mut ports: Vec<u16> = services
        .iter()
        .map(|s| s.port.value)
        .chain(found.iter().copied())
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
        .into_iter()
        .map(|port| {
            let service = services.iter().find(|s| s.port.value == port);
            PortMark {
                port,
                declared: service.is_some_and(|s| s.enabled),
                declared_disabled: service.is_some_and(|s| !s.enabled),
                found: found.contains(&port),
            }
        })
        .collect()
}

/// An answering UDP port must be a declared enabled UDP service; silence proves nothing either
/// way. What the discovery proved closed and left open|filtered is measured.
pub(super) fn judge_udp(
    udp: &open_udp::OpenUdp,
    profile: &crate::config::Profile,
    findings: &mut Vec<String>,
    details: &mut Vec<String>,
) -> Vec<Measurement> {
    let scan = &udp.scan;
    details.push(format!(
        "UDP discovery of {}: {} ports in {:.2}s, answering {:?}, closed (ICMP refusal) {}, open|filtered (no answer, no ICMP refusal) {}, errors {}",
        scan.address,
        scan.ports_probed,
        scan.seconds,
        scan.open.iter().map(|a| a.port).collect::<Vec<_>>(),
        scan.closed,
        scan.open_or_filtered.len(),
        scan.errors
    ));
    if let Some(pass) = &udp.reprobe {
        details.push(describe_reprobe(pass, scan.closed_example.is_some()));
    }
    if !udp.host_ports.is_empty() {
        details.push(format!(
            "UDP excluded as the bench host's: {:?}",
            udp.host_ports
        ));
    }
    let found: Vec<_> = udp
        .unit_answers()
        .map(|a| Found {
            port: a.port,
            answer: Some((a.protocol, &a.answer)),
        })
        .collect();
    findings.extend(port_judgement::findings(
        Protocol::Udp,
        &declared(profile, Protocol::Udp),
        &found,
    ));
    let mut measured = vec![
        Measurement::new("udp_ports_probed", scan.ports_probed as f64, "ports"),
        Measurement::new("udp_ports_answering", scan.open.len() as f64, "ports"),
        Measurement::new("udp_ports_closed", scan.closed as f64, "ports"),
        Measurement::new(
            "udp_ports_open_or_filtered",
            scan.open_or_filtered.len() as f64,
            "ports",
        ),
    ];
    if let Some(pass) = &udp.reprobe {
        measured.push(Measurement::new(
            "udp_second_pass_duration",
            pass.seconds,
            "s",
        ));
    }
    measured
}

/// The slow second pass in a sentence: whether ICMP refusals were rate-limited and what it proved.
fn describe_reprobe(pass: &Reprobe, refused_any: bool) -> String {
    if !refused_any {
        return "UDP second pass: not made, the unit refused no port with ICMP (a firewall that drops leaves silence unresolvable)".into();
    }
    format!(
        "UDP second pass ({:.1}s): {} silent ports asked again one at a time, {} proven closed, {} answered, {} silent again while a closed port refused just after (still open|filtered); ICMP refusals {} (pace at the end {} ms)",
        pass.seconds,
        pass.asked,
        pass.proven_closed,
        pass.answered,
        pass.stayed_silent,
        match pass.rate_limited {
            true => "rate-limited by the unit",
            false => "not rate-limited",
        },
        pass.pace_ms
    )
}

pub(super) fn declared(profile: &crate::config::Profile, protocol: Protocol) -> Vec<Declared<'_>> {
    profile
        .body
        .ixit
        .services
        .iter()
        .filter(|s| s.protocol == protocol)
        .map(|s| Declared {
            id: &s.id.value,
            port: s.port.value,
            enabled: s.enabled,
        })
        .collect()
}
