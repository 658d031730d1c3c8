//! Login surfaces the IXIT does not declare: every open TCP port outside the declared mechanisms'
//! services is asked whether it takes a login. Learnt once; 5.1-1-2 unit (a) and 5.1-5-2 unit (a)
//! (the same TS 103 701 question, for all and for network mechanisms) both judge it.

use super::port_budget::PortBudget;
use crate::bench::Sample;
use crate::config::Config;
use crate::login::detect::{self, Surface};
use crate::model::verdict::Blocker;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct LoginSurfaces {
    /// One line per undeclared port that takes a login: port, protocol and what showed it.
    pub undeclared: Vec<String>,
    /// The same surfaces as data, for trying credentials on them.
    pub found: Vec<Found>,
    /// Web services that answer without showing a login at `/` (not a redirect): a login may
    /// sit at a path hilt cannot guess. (port, first line of the answer.)
    pub web_without_login: Vec<(u16, String)>,
    /// Ports that grant access with no credential at all: not a password mechanism, so not
    /// 5.1-1's question, but unauthenticated access worth the lab's eye (5.5-5).
    pub unauthenticated: Vec<String>,
    /// Universal SNMP communities the unit's agent answers (UDP 161): a shared secret every unit
    /// of every such product knows.
    pub snmp_communities: Vec<&'static str>,
    /// How many open ports were asked.
    pub asked: usize,
    /// Open ports the port-probing budget left unasked: unit (a) is then not performed.
    pub unprobed: Option<Blocker>,
    /// The per-port answers and the scan they came from.
    pub evidence: Vec<PathBuf>,
}

/// An undeclared port that takes a login, as `login::detect` named it.
#[derive(Debug, Clone)]
pub struct Found {
    pub port: u16,
    pub protocol: &'static str,
    pub evidence: String,
}

pub async fn get<'a>(sample: &'a Sample, config: &Config) -> &'a Result<LoginSurfaces, Blocker> {
    sample
        .learnt
        .get_or_establish(|| establish(sample, config))
        .await
}

async fn establish(sample: &Sample, config: &Config) -> Result<LoginSurfaces, Blocker> {
    let profile = &config.profile;
    let ports = super::open_ports::get(sample, &config.suite)
        .await
        .as_ref()
        .map_err(|e| e.clone().context("TCP scan"))?;
    let declared: Vec<u16> = profile
        .body
        .ixit
        .auth_mechanisms
        .iter()
        .filter_map(|m| m.service.as_ref())
        .filter_map(|s| profile.service(&s.value))
        .map(|s| s.port.value)
        .collect();
    let mut log = String::from("port\tanswer\n");
    let mut out = LoginSurfaces {
        undeclared: vec![],
        found: vec![],
        web_without_login: vec![],
        unauthenticated: vec![],
        snmp_communities: vec![],
        asked: 0,
        unprobed: None,
        evidence: vec![],
    };
    let mut budget = PortBudget::start(config.suite.body.budgets.port_probing.0);
    let undeclared: Vec<u16> = ports
        .unit_ports()
        .filter(|p| !declared.contains(p))
        .collect();
    let phase = "looking for logins on undeclared ports";
    sample.activity.phase(phase, Some(undeclared.len() as u64));
    for port in undeclared {
        if !budget.admits(port) {
            continue;
        }
        sample.activity.step();
        out.asked += 1;
        let surface =
            detect::detect_with_tls(sample.unit.address.socket(port), Duration::from_secs(4)).await;
        log.push_str(&format!("{port}\t{surface:?}\n"));
        let surface = ftp_anonymous(sample, port, surface, &mut out).await;
        match surface {
            Surface::Login { protocol, evidence } => {
                out.undeclared.push(format!(
                    "TCP {port} takes a {protocol} login that IXIT 1 does not declare ({evidence})"
                ));
                out.found.push(Found {
                    port,
                    protocol,
                    evidence,
                });
            }
            Surface::Unauthenticated { protocol, evidence } => out.unauthenticated.push(format!(
                "TCP {port} grants {protocol} access without any credential ({evidence})"
            )),
            Surface::Other(answer) if is_web_page(&answer) => {
                out.web_without_login.push((port, answer));
            }
            Surface::Other(_) | Surface::Silent => {}
        }
    }
    out.unprobed = budget.blocker("a login surface");
    if let Some(b) = &out.unprobed {
        log.push_str(&format!("{}\n", b.why));
    }
    let open: Vec<u16> = ports.unit_ports().collect();
    super::second_logins::on_declared_ports(sample, profile, &open, &mut out, &mut log).await;
    if config.suite.udp_ports.contains(&SNMP) {
        snmp(sample, &mut out, &mut log).await;
    }
    out.evidence.extend([
        sample.evidence.write("login-surfaces.tsv", &log),
        ports.evidence.clone(),
    ]);
    Ok(out)
}

const SNMP: u16 = 161;

/// An SNMP agent takes a community string, a shared secret: it is asked with the universal
/// ones. One that answers is an authentication mechanism IXIT 1 has no place for; one that
/// stays silent may be absent or may have its own community, which the unit keeps to itself.
async fn snmp(sample: &Sample, out: &mut LoginSurfaces, log: &mut String) {
    let addr = sample.unit.address.socket(SNMP);
    for community in crate::login::snmp::UNIVERSAL {
        let answered = crate::login::snmp::accepts(addr, community, Duration::from_secs(1)).await;
        log.push_str(&format!(
            "udp/{SNMP}	SNMP community `{community}`: {}\n",
            match answered {
                true => "answered",
                false => "no answer",
            }
        ));
        if answered {
            out.snmp_communities.push(community);
        }
    }
    if let Some(first) = out.snmp_communities.first() {
        out.undeclared.push(format!(
            "UDP {SNMP} takes an SNMP community, a shared secret IXIT 1 does not declare (the agent answers `{first}`)"
        ));
    }
}

/// An FTP server is asked whether its anonymous account (RFC 1635) logs in. Unauthenticated
/// access is recorded either way; a server that asks no other user for a password is no
/// password mechanism, so it is no longer a login surface.
async fn ftp_anonymous(
    sample: &Sample,
    port: u16,
    surface: Surface,
    out: &mut LoginSurfaces,
) -> Surface {
    if !matches!(
        &surface,
        Surface::Login {
            protocol: "FTP",
            ..
        }
    ) {
        return surface;
    }
    let trial = crate::login::ftp::FtpTrial {
        addr: sample.unit.address.socket(port),
        within: Duration::from_secs(4),
        transcript: sample
            .evidence
            .log(&format!("login-surfaces/ftp-{port}-anonymous.log")),
    };
    out.evidence.push(trial.transcript.path.clone());
    let Some(anonymous) = trial.anonymous_access().await else {
        return surface;
    };
    if anonymous.only {
        return Surface::Unauthenticated {
            protocol: "FTP",
            evidence: anonymous.evidence,
        };
    }
    out.unauthenticated.push(format!(
        "TCP {port} grants FTP access without any credential ({})",
        anonymous.evidence
    ));
    surface
}

/// An HTTP answer that is neither a redirect nor a challenge: a page or an API is there.
fn is_web_page(first_line: &str) -> bool {
    let status = first_line.trim_start_matches("TLS; ");
    let code = status.split_whitespace().nth(1).unwrap_or_default();
    status.starts_with("HTTP/") && !code.starts_with('3') && code != "401"
}
