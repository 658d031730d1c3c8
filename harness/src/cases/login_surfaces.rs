//! 5.1-1-2 unit (a): authentication mechanisms the IXIT does not declare, found by asking every
//! open port outside the declared mechanisms whether it takes a login.

use super::CaseContext;
use crate::facts::open_ports;
use crate::login::detect::{self, Surface};
use crate::model::verdict::Blocker;
use std::net::SocketAddr;
use std::time::Duration;

/// Unit (a): every open port that is not the service of a declared mechanism is asked whether it
/// takes a login.
pub async fn undeclared(
    ctx: &CaseContext<'_>,
    findings: &mut Vec<String>,
    blockers: &mut Vec<Blocker>,
    details: &mut Vec<String>,
    evidence: &mut Vec<std::path::PathBuf>,
) {
    let sample = ctx.sample;
    let profile = &ctx.config.profile;
    let ports = match open_ports::get(sample, &ctx.config.suite).await {
        Ok(p) => p,
        Err(e) => {
            blockers.push(e.clone().context("unit (a): TCP scan"));
            return;
        }
    };
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
    let mut asked = 0;
    for port in ports.unit_ports().filter(|p| !declared.contains(p)) {
        asked += 1;
        let surface = detect::detect(
            SocketAddr::new(sample.address, port),
            Duration::from_secs(4),
        )
        .await;
        log.push_str(&format!("{port}\t{surface:?}\n"));
        if let Surface::Login { protocol, evidence } = surface {
            findings.push(format!(
                "TCP {port} takes a {protocol} login that IXIT 1 does not declare ({evidence})"
            ));
        }
    }
    details.push(format!(
        "unit (a): {asked} open port(s) outside the declared mechanisms asked for a login surface"
    ));
    evidence.push(sample.evidence.write("5.1-1-2/login-surfaces.tsv", &log));
    evidence.push(ports.evidence.clone());
}
