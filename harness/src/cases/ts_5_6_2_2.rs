//! TS 103 701 test case 5.6-2-2 (functional), provision 5.6-2: no security-relevant
//! information is disclosed without authentication, beyond what the manufacturer declares.
//!
//! Unit (a): in the initialized state, hilt collects what the unit gives anyone: the banner or
//! unauthenticated HTTP/RTSP answer (headers and page) of every open TCP port, every UDP
//! answer (SSDP, mDNS, SNMP, CoAP, ...), and the UPnP device description an SSDP answer points
//! at on the unit. In all of it, it looks for the unit's own identifiers: the firmware version
//! read back, the serial number and the MAC address (in its usual spellings).

use super::budget::Waits;
use super::disclosed_versions;
use super::disclosure_match::{
    excerpt, locate, mac_placed_by_standard, mac_spellings, occurrences, words_naming,
};
use super::NoParams;
use super::{CaseContext, CaseSpec, TestCase};
use crate::bench::Sample;
use crate::config::profile::Disclosure;
use crate::config::suite::FactSection;
use crate::facts::port_budget::PortBudget;
use crate::facts::{initialized, open_ports, open_udp};
use crate::login::detect::exchange_whole as exchange;
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use std::time::Duration;

/// What the unit said to an unauthenticated peer, and where.
struct Answer {
    source: String,
    bytes: Vec<u8>,
}

pub struct Case;

impl TestCase for Case {
    type Params = NoParams;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.6-2-2",
        provision: "5.6-2",
        title: "nothing security-relevant disclosed without authentication",
        decision_rule: "In the initialized state, without any credential: the banner or HTTP/RTSP answer of every open TCP port (read whole: a banner is waited for up to 3 s, then read until it pauses for a second, up to 64 KiB), every UDP answer of the discovery (the whole datagram), and the UPnP description an SSDP answer points at on the unit are collected (disclosure.log). FAIL if the unit's firmware version, serial number or MAC address, or a software component's version (a product token with a dotted version: an SSH identification string, a Server: header, an FTP greeting, a discovery description; protocol versions such as HTTP/1.1 excepted) appears in any of them and the profile does not declare that item as disclosed without authentication (ixit.disclosed_without_authentication: firmware_version, serial, mac, component_versions). A firmware version or serial number shorter than 4 characters counts only as a whole token right after a word naming it (version, fw, serial, S/N and the like), a `v`, or a product name and `/` (not a protocol's, as in HTTP/1.1). A MAC address that stands only where a standard puts it (the node field of a version-1 UUID, RFC 4122, as in a UPnP UDN) is allowed, as TS 103 701 allows what standard protocols must disclose; link-layer addresses are not examined. INCONCLUSIVE if the scans could not run, the suite's `budgets.port_probing` ran out before every open port was asked (those left are named), or the firmware version is unknown and nothing else was found. PASS otherwise.",
    };
    const FACTS: &'static [FactSection] = &[FactSection::Scan];

    fn declared_waits(_params: &NoParams, config: &crate::config::Config) -> Waits {
        super::declared_waits::port_probing(config)
    }

    async fn run(ctx: &CaseContext<'_>, _params: &NoParams) -> CaseResult {
        let sample = ctx.sample;
        let state = match initialized::required(sample, ctx.config).await {
            Ok(s) => s.clone(),
            Err(reason) => return CaseResult::blocked(reason),
        };
        let version = state.firmware_version.filter(|v| !v.is_empty());
        let ports = match open_ports::get(sample, &ctx.config.suite).await {
            Ok(p) => p,
            Err(e) => return CaseResult::blocked(e.clone().context("TCP scan")),
        };
        let mut budget = PortBudget::start(ctx.config.suite.body.budgets.port_probing.0);
        let open: Vec<u16> = ports.unit_ports().collect();
        let mut answers = tcp_answers(sample, &open, &mut budget).await;
        if !ctx.config.suite.udp_ports.is_empty() {
            match open_udp::get(sample, &ctx.config.suite).await {
                Ok(udp) => answers.extend(udp_answers(sample, udp).await),
                Err(e) => return CaseResult::blocked(e.clone().context("UDP discovery")),
            }
        }
        let log = sample.evidence.log("disclosure.log");
        for a in &answers {
            log.line(
                "<",
                &format!("{}: {}", a.source, crate::evidence::printable(&a.bytes)),
            );
        }
        let declared = &ctx
            .config
            .profile
            .body
            .ixit
            .disclosed_without_authentication;
        let label = &sample.unit.label;
        let mut blockers: Vec<Blocker> = budget.blocker("what they disclose").into_iter().collect();
        if version.is_none() {
            blockers.push(Blocker::new(Cause::Config, "the firmware version is unknown (profile `procedures.read_version`), so its disclosure could not be looked for"));
        }
        let items = [
            (
                Disclosure::FirmwareVersion,
                "firmware version",
                version.iter().cloned().collect::<Vec<_>>(),
            ),
            (
                Disclosure::Serial,
                "serial number",
                vec![label.serial.clone()],
            ),
            (Disclosure::Mac, "MAC address", mac_spellings(&label.mac)),
        ];
        let (findings, details) = disclosures(&items, &answers, declared, version.as_ref());
        let mut r = CaseResult::from_findings(&findings, &blockers, &format!("none of the unit's firmware version, serial number, MAC address or software versions appears in {} unauthenticated answers", answers.len()));
        r.details.extend(details);
        r.measurements = vec![Measurement::new(
            "unauthenticated answers examined",
            answers.len() as f64,
            "answers",
        )];
        r.evidence = vec![log.path.clone()];
        r
    }
}

/// Each item of the unit's identity and each software version found in an answer: a finding
/// unless the profile declares that item as disclosed without authentication.
fn disclosures(
    items: &[(Disclosure, &str, Vec<String>)],
    answers: &[Answer],
    declared: &[Disclosure],
    version: Option<&String>,
) -> (Vec<String>, Vec<String>) {
    let mut findings = Vec::new();
    let mut details = Vec::new();
    for (item, name, spellings) in items {
        let names = words_naming(*item);
        for a in answers {
            let Some((spelling, at)) = spellings
                .iter()
                .find_map(|s| locate(&a.bytes, s, names).map(|at| (s, at)))
            else {
                continue;
            };
            let text = format!(
                "{name} `{spelling}` in {}: {}",
                a.source,
                excerpt(&a.bytes, at, spelling.len())
            );
            let placed = (*item == Disclosure::Mac)
                .then(|| only_where_a_standard_puts_it(&a.bytes, spellings))
                .flatten();
            if let Some(standard) = placed {
                details.push(format!(
                    "allowed, a standard protocol discloses it: {text} ({standard})"
                ));
            } else if declared.contains(item) {
                details.push(format!("declared disclosure: {text}"));
            } else {
                findings.push(format!(
                    "{text} (not declared as disclosed without authentication)"
                ));
            }
        }
    }
    for a in answers {
        let versions: Vec<String> = disclosed_versions::find(&a.bytes, 8)
            .into_iter()
            // The unit's own firmware version in a product token is that item, above.
            .filter(|(_, v)| Some(v) != version)
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        if versions.is_empty() {
            continue;
        }
        let text = format!(
            "software version(s) {} in {}",
            versions.join(", "),
            a.source
        );
        if declared.contains(&Disclosure::ComponentVersions) {
            details.push(format!("declared disclosure: {text}"));
        } else {
            findings.push(format!(
                "{text} (component versions are not declared as disclosed without authentication)"
            ));
        }
    }
    (findings, details)
}

/// The standard that places the MAC, when every place it stands in `bytes` is such a field.
fn only_where_a_standard_puts_it(bytes: &[u8], spellings: &[String]) -> Option<&'static str> {
    let mut placed = None;
    for s in spellings {
        for at in occurrences(bytes, s.as_bytes()) {
            placed = Some(mac_placed_by_standard(bytes, at, s.len())?);
        }
    }
    placed
}

async fn tcp_answers(sample: &Sample, ports: &[u16], budget: &mut PortBudget) -> Vec<Answer> {
    let mut out = Vec::new();
    let address = sample.unit.address;
    let within = Duration::from_secs(3);
    sample
        .activity
        .phase("reading banners", Some(ports.len() as u64));
    for &port in ports {
        if !budget.admits(port) {
            continue;
        }
        sample.activity.step();
        let addr = address.socket(port);
        let banner = exchange(addr, None, within).await;
        if !banner.is_empty() {
            out.push(Answer {
                source: format!("TCP {port} banner"),
                bytes: banner,
            });
            continue;
        }
        let http = exchange(
            addr,
            Some(b"GET / HTTP/1.0\r\nHost: device\r\n\r\n"),
            within,
        )
        .await;
        if http.starts_with(b"HTTP/") {
            out.push(Answer {
                source: format!("TCP {port} HTTP GET / (headers and page)"),
                bytes: http,
            });
            continue;
        }
        let rtsp = exchange(addr, Some(b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"), within).await;
        if !rtsp.is_empty() {
            out.push(Answer {
                source: format!("TCP {port} RTSP OPTIONS"),
                bytes: rtsp,
            });
            continue;
        }
        if let Some(bytes) = https_page(sample, port, within).await {
            out.push(Answer {
                source: format!("TCP {port} HTTPS GET / (headers and page)"),
                bytes,
            });
        }
    }
    out
}

/// A TLS port's unauthenticated answer to `GET /`, headers first as on the wire.
async fn https_page(sample: &Sample, port: u16, within: Duration) -> Option<Vec<u8>> {
    let endpoint = crate::transport::http::Endpoint { port, tls: true };
    let req = crate::transport::http::HttpRequest::get(endpoint, "/", within);
    let answer = sample.drivers.http.send(&req).await.ok()?;
    let mut bytes = format!("HTTP {}\r\n", answer.status).into_bytes();
    for (name, value) in &answer.headers {
        bytes.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(&answer.body);
    Some(bytes)
}

/// UDP answers, plus the UPnP description an SSDP answer locates on the unit itself.
async fn udp_answers(sample: &Sample, udp: &open_udp::OpenUdp) -> Vec<Answer> {
    let mut out = Vec::new();
    for a in udp.unit_answers() {
        // Decoded records say where a disclosure sits (an mDNS TXT record); the raw answer
        // stands in only when there are none.
        for r in &a.records {
            out.push(Answer {
                source: format!("UDP {} {} record", a.port, a.protocol),
                bytes: r.as_bytes().to_vec(),
            });
        }
        if a.records.is_empty() {
            out.push(Answer {
                source: format!("UDP {} {}", a.port, a.protocol),
                bytes: a.bytes.clone(),
            });
        }
        let Some((port, path)) = location_on_unit(&a.answer, sample.unit.address.ip()) else {
            continue;
        };
        let request = format!("GET {path} HTTP/1.0\r\nHost: device\r\n\r\n");
        let description = exchange(
            sample.unit.address.socket(port),
            Some(request.as_bytes()),
            Duration::from_secs(3),
        )
        .await;
        if !description.is_empty() {
            out.push(Answer {
                source: format!(
                    "UPnP description http://{}:{port}{path} (from the SSDP answer)",
                    sample.unit.address
                ),
                bytes: description,
            });
        }
    }
    out
}

/// `LOCATION: http://<unit>:<port>/<path>` of an SSDP answer, only when it names the unit.
pub(crate) fn location_on_unit(answer: &str, unit: std::net::IpAddr) -> Option<(u16, String)> {
    let line = answer
        .split("\\r\\n")
        .find(|l| l.to_ascii_lowercase().starts_with("location:"))?;
    let url = line.split_once(':')?.1.trim().strip_prefix("http://")?;
    let (host, path) = url.split_at(url.find('/').unwrap_or(url.len()));
    let (ip, port) = host
        .rsplit_once(':')
        .map(|(h, p)| (h, p.parse().ok()))
        .unwrap_or((host, Some(80)));
    let ip: std::net::IpAddr = ip.parse().ok()?;
    // Only the unit's own address: an answer may name any host, and hilt reaches no other.
    (ip == unit).then_some(())?;
    Some((
        port?,
        if path.is_empty() {
            "/".into()
        } else {
            path.to_string()
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn answers() -> Vec<Answer> {
        vec![
            Answer {
                source: "TCP 22 banner".into(),
                bytes: b"SSH-2.0-dropbear_2022.83\r\n".to_vec(),
            },
            Answer {
                source: "TCP 80 GET /".into(),
                bytes: b"HTTP/1.1 200 OK\r\n\r\n<p>serial SN00112233 fw 1.4.2</p>".to_vec(),
            },
        ]
    }

    #[rstest]
    #[case::nothing_declared(&[], 3, 0)]
    #[case::the_serial_declared(&[Disclosure::Serial], 2, 1)]
    #[case::everything_declared(&[Disclosure::Serial, Disclosure::FirmwareVersion, Disclosure::ComponentVersions], 0, 3)]
    fn what_an_unauthenticated_answer_tells_is_judged_against_the_declaration(
        #[case] declared: &[Disclosure],
        #[case] want_findings: usize,
        #[case] want_declared: usize,
    ) {
        let version = "1.4.2".to_string();
        let items = [
            (
                Disclosure::FirmwareVersion,
                "firmware version",
                vec![version.clone()],
            ),
            (
                Disclosure::Serial,
                "serial number",
                vec!["SN00112233".to_string()],
            ),
            (
                Disclosure::Mac,
                "MAC address",
                mac_spellings("00:11:22:33:44:55"),
            ),
        ];
        let (findings, details) = disclosures(&items, &answers(), declared, Some(&version));
        assert_eq!(findings.len(), want_findings, "{findings:?}");
        assert_eq!(details.len(), want_declared, "{details:?}");
        if want_findings == 3 {
            assert!(findings[2].contains("dropbear 2022.83"), "{findings:?}");
        }
    }
}
