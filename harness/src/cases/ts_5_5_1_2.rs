//! TS 103 701 test case 5.5-1-2 (functional), provision 5.5-1: the unit communicates with
//! best-practice cryptography, as its IXIT 11 cryptographic details say.
//!
//! In the initialized state, every open TCP port of the unit is probed: a TLS port's versions,
//! suites and certificate key are compared with the service's declared details (EXAMPLE 2) and
//! offered TLS 1.0/1.1 (EXAMPLE 3, a downgrade); a port without TLS is asked whether it takes
//! credentials in clear text (telnet, FTP, MQTT, a plain-text prompt, HTTP basic auth or a login
//! form), and each declared HTTP login is tried on it with a random password. The
//! run's packet capture is the protocol analyser (EXAMPLE 1): every packet in which one of the
//! unit's passwords crossed the wire readable is reported.

use super::budget::Waits;
use super::capture_checks::{client_sessions, passive};
use super::tls_judgement::{judge_tls, log_inventory, Judgement};
use super::NoParams;
use super::{CaseContext, CaseSpec, TestCase};
use crate::config::profile::{LoginSurface, Protocol};
use crate::config::suite::FactSection;
use crate::evidence::EvidenceLog;
use crate::facts::port_budget::PortBudget;
use crate::facts::{initialized, open_ports};
use crate::login::detect::{detect, exchange, Surface};
use crate::login::{http_login::HttpTrial, CredentialTrial, LoginOutcome};
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use crate::transport::http::Endpoint;
use crate::transport::tls_probe;
use std::net::SocketAddr;
use std::time::Duration;

/// Clear-text protocols that carry a credential whenever they are used.
const CLEAR_LOGINS: [&str; 4] = ["telnet", "FTP", "MQTT", "plain-text login prompt"];

pub struct Case;

impl TestCase for Case {
    type Params = NoParams;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.5-1-2",
        provision: "5.5-1",
        title: "best-practice cryptography for communication",
        decision_rule: "In the initialized state, every open TCP port is probed (crypto.log). FAIL if a port takes credentials or configuration in clear text (telnet, FTP, MQTT without TLS, a plain-text login prompt, HTTP basic auth or a password form over plain HTTP, or a declared HTTP login answered over plain HTTP with a random password, unless the same request to a path no device has is answered alike: a catch-all, not a login); if a port accepts SSL 3.0, TLS 1.0 or 1.1, or a weak cipher suite (NULL, export, RC4, DES/3DES, anonymous, MD5), asked both through OpenSSL and, for what OpenSSL can no longer offer (SSL 3.0; RC4, DES, 3DES and export suites), with a ClientHello of hilt's own whose ServerHello names the choice; if a TLS service's versions or suites differ from its declared IXIT 11 details, or a service declared as TLS completes no TLS handshake; if any certificate key the server presents (to the version probes, and to a client offering only RSA, then only ECDSA signature algorithms) is smaller than NIST SP 800-52 Rev. 2's floor (RSA, DSA, DH 2048 bits; EC 256) or than IXIT 11's declared minimum where that is higher; if the run's packet capture holds one of the unit's passwords readable; or if a TLS session the unit opened itself (read back from the capture: the unit's SYN, its ClientHello, the server's ServerHello) settled below TLS 1.2 or on a weak suite, or its hello offered nothing newer than TLS 1.1 (the clear-text conversations it opened are listed); or, where IXIT 11 declares the unit's outbound mechanisms (`ixit.outbound`: server, port, TLS details), if a session or clear-text conversation the unit opened is covered by none of them, is TLS where one is declared clear text or the reverse, offers a newest version other than the newest declared, or settles a version or suite the mechanism does not list. INCONCLUSIVE if the scan or a probe could not run (a port's TLS probe ends after 10 s per handshake and 2 minutes in all), the suite's `budgets.port_probing` ran out before every open port was probed (those left are named), a certificate's key could not be parsed, the capture the rig asks for (`network.capture_interface`) could not be made, or the capture is incomplete: it stopped on its own (an interface gone, a read error) or the kernel dropped packets hilt did not read in time (libpcap's counts), since traffic it does not hold was not looked at. PASS otherwise.",
    };
    const FACTS: &'static [FactSection] = &[FactSection::Scan];

    fn declared_waits(_params: &NoParams, config: &crate::config::Config) -> Waits {
        super::declared_waits::port_probing(config)
    }

    async fn run(ctx: &CaseContext<'_>, _params: &NoParams) -> CaseResult {
        let sample = ctx.sample;
        if let Err(reason) = initialized::required(sample, ctx.config).await {
            return CaseResult::blocked(reason);
        }
        let ports = match open_ports::get(sample, &ctx.config.suite).await {
            Ok(p) => p,
            Err(e) => return CaseResult::blocked(e.clone().context("TCP scan")),
        };
        let address = sample.unit.address;
        let log = sample.evidence.log("crypto.log");
        let mut j = Judgement::default();
        let open: Vec<u16> = ports.unit_ports().collect();
        let mut budget = PortBudget::start(ctx.config.suite.body.budgets.port_probing.0);
        sample.activity.phase("TLS probes", Some(open.len() as u64));
        for &port in &open {
            if !budget.admits(port) {
                continue;
            }
            sample.activity.step();
            let declared = ctx
                .config
                .profile
                .body
                .ixit
                .services
                .iter()
                .find(|s| s.protocol == Protocol::Tcp && s.port.value == port);
            let name = match declared {
                Some(s) => format!("`{}` (TCP {port})", s.id.value),
                None => format!("TCP {port}"),
            };
            let inventory = match tls_probe::probe(address, port).await {
                Ok(i) => i,
                Err(e) => {
                    j.blockers
                        .push(Blocker::new(Cause::Unit, format!("{name}: TLS probe: {e}")));
                    continue;
                }
            };
            log_inventory(&log, &name, &inventory);
            if inventory.speaks_tls() {
                j.tls_ports += 1;
                judge_tls(
                    &name,
                    declared.and_then(|s| s.tls.as_ref()),
                    &inventory,
                    &mut j,
                );
                continue;
            }
            if declared.is_some_and(|s| s.tls.is_some()) {
                let why = inventory
                    .refused
                    .first()
                    .map(|(_, r)| r.as_str())
                    .unwrap_or("");
                j.findings.push(format!(
                    "{name} is declared as TLS (IXIT 11) but completed no TLS handshake ({why})"
                ));
            }
            clear_text(ctx, &name, address.socket(port), &log, &mut j).await;
        }
        j.blockers
            .extend(budget.blocker("TLS and clear-text credentials"));
        // The probes above are in the capture too; let it catch up before reading it (a packet
        // waits 300 ms there for the segments after it, and the file is flushed every 250 ms).
        crate::transport::device_time::sleep(Duration::from_millis(800)).await;
        let sightings = sample.drivers.clear_secrets();
        let gaps = sample.drivers.capture_gaps();
        passive(
            sightings.as_deref(),
            gaps.as_deref(),
            sample.drivers.capture_problem.as_deref(),
            &log,
            &mut j,
        );
        let declared = ctx.config.profile.body.ixit.outbound.as_deref();
        let opened = client_sessions(sample, declared, &log, &mut j).await;
        let pass = format!(
            "{} open TCP port(s): {} over TLS as declared, none takes credentials in clear text{}",
            open.len(),
            j.tls_ports,
            if sightings.is_some() && gaps.is_none() {
                "; no password readable in the capture"
            } else {
                ""
            }
        );
        let mut r = CaseResult::from_findings(&j.findings, &j.blockers, &pass);
        r.details.extend(j.details);
        r.measurements = vec![
            Measurement::new("open TCP ports probed", open.len() as f64, "ports"),
            Measurement::new("ports speaking TLS", j.tls_ports as f64, "ports"),
            Measurement::new(
                "packets with a readable password",
                sightings.map(|s| s.len()).unwrap_or(0) as f64,
                "packets",
            ),
            Measurement::new("TLS sessions the unit opened", opened as f64, "sessions"),
        ];
        r.evidence = vec![log.path.clone()];
        r
    }
}

async fn clear_text(
    ctx: &CaseContext<'_>,
    name: &str,
    addr: SocketAddr,
    log: &EvidenceLog,
    j: &mut Judgement,
) {
    let within = Duration::from_secs(3);
    match detect(addr, within).await {
        Surface::Login { protocol, evidence } if CLEAR_LOGINS.contains(&protocol) => {
            log.line("<", &format!("{name}: {protocol}: {evidence}"));
            j.findings.push(format!(
                "{name} takes a {protocol} login in clear text ({evidence})"
            ));
            return;
        }
        Surface::Login { protocol, evidence } => {
            log.line("<", &format!("{name}: {protocol}: {evidence}"))
        }
        Surface::Unauthenticated { protocol, evidence } => log.line(
            "<",
            &format!("{name}: {protocol} without any credential: {evidence}"),
        ),
        Surface::Other(answer) => log.line("<", &format!("{name}: answers {answer}")),
        Surface::Silent => log.line("<", &format!("{name}: silent")),
    }
    let page = exchange(
        addr,
        Some(b"GET / HTTP/1.0\r\nHost: device\r\n\r\n"),
        within,
    )
    .await;
    if !page.starts_with(b"HTTP/") {
        return;
    }
    let text = String::from_utf8_lossy(&page).to_ascii_lowercase();
    if text
        .lines()
        .any(|l| l.starts_with("www-authenticate:") && l.contains("basic"))
    {
        j.findings.push(format!(
            "{name} asks for HTTP basic authentication over plain HTTP (the password travels readable)"
        ));
    }
    if text.contains("type=\"password\"") || text.contains("type=password") {
        j.findings.push(format!(
            "{name} serves a password form over plain HTTP at `/`"
        ));
    }
    declared_logins_in_clear(ctx, name, addr.port(), log, j).await;
}

/// Each declared HTTP login (except digest, which never sends the password) replayed on a
/// plain-HTTP port with a random password: a judged answer (accepted, rejected, locked) means the
/// port evaluates credentials sent in clear, unless the same request at a path no device has
/// reads the same. Random, so the unit's real password never crosses the wire readable because
/// of hilt; at most two failed attempts per mechanism, below any lockout.
async fn declared_logins_in_clear(
    ctx: &CaseContext<'_>,
    name: &str,
    port: u16,
    log: &EvidenceLog,
    j: &mut Judgement,
) {
    let sample = ctx.sample;
    for mech in &ctx.config.profile.body.ixit.auth_mechanisms {
        let LoginSurface::Http(spec) = &mech.login else {
            continue;
        };
        if spec.digest_auth {
            continue;
        }
        let Ok(username) = sample.fill(&mech.username) else {
            continue;
        };
        if let Some(to) =
            redirect_to_tls(sample.unit.address.socket(port), &spec.method, &spec.path).await
        {
            log.line(
                "<",
                &format!(
                    "{name}: `{}` ({} {}) only redirects to {to}: not replayed",
                    mech.id, spec.method, spec.path
                ),
            );
            continue;
        }
        let trial = HttpTrial {
            sample,
            endpoint: Endpoint::plain(port),
            spec,
        };
        let outcome = trial
            .try_login(&username, &crate::util::token::fresh())
            .await;
        log.line(
            "<",
            &format!(
                "{name}: `{}` ({} {}) replayed over plain HTTP -> {outcome}",
                mech.id, spec.method, spec.path
            ),
        );
        let judged = matches!(
            outcome,
            LoginOutcome::Accepted
                | LoginOutcome::ForcedChange
                | LoginOutcome::Rejected
                | LoginOutcome::LockedOut
        );
        if judged && same_answer_elsewhere(sample, port, spec, &username, &outcome).await {
            j.details.push(format!(
                "{name}: `{}` ({} {}) replayed over plain HTTP was {outcome} with a random password, and so was the same request to a path no device has: a catch-all, not a login that evaluates credentials",
                mech.id, spec.method, spec.path
            ));
            continue;
        }
        if judged {
            j.findings.push(format!(
                "{name}: the `{}` login ({} {}) is evaluated over plain HTTP (a random password was {outcome}): credentials travel readable",
                mech.id, spec.method, spec.path
            ));
        }
    }
}

/// Whether the login's request sent to a path no device serves reads the same: then the
/// port answers alike whatever is asked (a catch-all), and its answer at the login's path says
/// nothing about credentials.
async fn same_answer_elsewhere(
    sample: &crate::bench::Sample,
    port: u16,
    spec: &crate::config::auth_mechanism::HttpLogin,
    username: &str,
    outcome: &LoginOutcome,
) -> bool {
    let mut elsewhere = spec.clone();
    elsewhere.path = format!("/hilt-{}", crate::util::token::fresh());
    let control = HttpTrial {
        sample,
        endpoint: Endpoint::plain(port),
        spec: &elsewhere,
    };
    let seen = control
        .try_login(username, &crate::util::token::fresh())
        .await;
    seen == *outcome
}

/// Where a plain-HTTP port sends the login's request, when all it does is redirect to HTTPS: a
/// redirect carries no credential, whatever status the profile counts as a successful login.
async fn redirect_to_tls(addr: SocketAddr, method: &str, path: &str) -> Option<String> {
    let request = format!("{method} {path} HTTP/1.0\r\nHost: device\r\nContent-Length: 0\r\n\r\n");
    let answer = exchange(addr, Some(request.as_bytes()), Duration::from_secs(3)).await;
    redirect_target(&answer)
}

/// The `Location` of a 3xx answer whose target is https.
fn redirect_target(answer: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(answer);
    let mut lines = text.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?;
    if !status.starts_with('3') {
        return None;
    }
    lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| v.to_ascii_lowercase().starts_with("https://"))
}

#[cfg(test)]
mod tests {
    use super::redirect_target;

    #[test]
    fn only_a_redirect_to_https_is_a_redirect_to_tls() {
        let to_tls =
            b"HTTP/1.1 301 Moved Permanently\r\nlocation: https://10.0.0.2:8443/login\r\n\r\n";
        assert_eq!(
            redirect_target(to_tls).as_deref(),
            Some("https://10.0.0.2:8443/login")
        );
        let to_plain = b"HTTP/1.1 302 Found\r\nLocation: /home\r\n\r\n";
        assert_eq!(redirect_target(to_plain), None);
        assert_eq!(
            redirect_target(b"HTTP/1.1 200 OK\r\n\r\nLocation: https://x/"),
            None
        );
        assert_eq!(redirect_target(b"\xff\xfe garbage"), None);
    }
}
