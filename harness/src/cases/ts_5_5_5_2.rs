//! TS 103 701 test case 5.5-5-2 (functional), provision 5.5-5: security-relevant changes to the
//! configuration over a network interface are made only after authentication.
//!
//! Unit (a): each IXIT 13 function that allows a security-relevant change (the profile's
//! `configuration_functions`) is used without credentials, with a wrong password, and as a
//! lower-privileged account where one is declared; the setting, read back with the authorised
//! account after each, must not have changed. An authorised change is made first and must take,
//! so that a refusal means something.
//! Unit (b): no undocumented means of communication: every port that answers the run's scans is
//! a declared enabled service (the scans 5.6-1-2 uses, made once per sample).
//! The run is in the initialized state; each setting is put back as it was.

use super::configuration_change::{attempt, next_value, read_back, Subject};
use super::port_judgement::{self, Found};
use super::ts_5_6_1_2::declared;
use super::{CaseContext, CaseSpec, NoParams, TestCase};
use crate::config::configuration_function::ConfigurationFunction;
use crate::config::profile::Protocol;
use crate::config::suite::FactSection;
use crate::evidence::EvidenceLog;
use crate::facts::{initialized, open_ports, open_udp};
use crate::model::unit::UnitResult;
use crate::model::verdict::{Blocker, CaseResult, Cause};
use std::path::PathBuf;

const UNIT_A: &str = "every security-relevant configuration change needs the authorised account";
const UNIT_B: &str = "no undocumented means of communication";

pub struct Case;

impl TestCase for Case {
    type Params = NoParams;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.5-5-2",
        provision: "5.5-5",
        title: "security-relevant configuration changes need authentication",
        decision_rule: "In the initialized state. (a) Per IXIT 13 configuration function (`configuration_functions`): the setting is read back with the authorised account, changed with it to a new value (which must read back, or the function is not performed), then changed without credentials (no `Authorization`, session steps skipped), with a wrong password (a session that could not be opened is forged) and, where `lower_privilege` names an IXIT 1 mechanism, as that account, each to another new value; FAIL if the read-back after any of these shows its value. Not performed if no function is declared, if a read-back fails, or if the authorised change does not take. The setting is put back at the end. (b) FAIL if a TCP port of the unit, or a UDP port of the suite's list that answers, is not a declared enabled service (the same scans as 5.6-1-2); not performed if the scans could not be made. PASS otherwise.",
    };
    const FACTS: &'static [FactSection] = &[FactSection::Scan];

    async fn run(ctx: &CaseContext<'_>, _params: &NoParams) -> CaseResult {
        if let Err(why) = initialized::required(ctx.sample, ctx.config).await {
            return CaseResult::blocked(why);
        }
        let functions = &ctx.config.profile.body.ixit.configuration_functions;
        let log = ctx.sample.evidence.log("5.5-5-2/configuration.log");
        let (mut findings, mut blockers) = (Vec::new(), Vec::new());
        if functions.is_empty() {
            blockers.push(Blocker::new(
                Cause::Config,
                "ICS 5.5-5 applies, but the profile declares no function that changes security-relevant configuration (`ixit.configuration_functions`, IXIT 13 \"Allows Configuration\")",
            ));
        }
        for f in functions {
            ctx.sample
                .activity
                .phase(format!("configuration change {}", f.id), None);
            one_function(ctx, f, &log, &mut findings, &mut blockers).await;
        }
        let ids: Vec<&str> = functions.iter().map(|f| f.id.as_str()).collect();
        let (b, mut evidence) = undocumented(ctx, "b", UNIT_B).await;
        let mut r = CaseResult::from_units(vec![
            UnitResult::judge(
                "a",
                UNIT_A,
                &findings,
                &blockers,
                format!("{}: refused without credentials, with a wrong password and to a lower-privileged account where declared; the authorised change took", ids.join(", ")),
            ),
            b,
        ]);
        evidence.insert(0, log.path.clone());
        r.evidence = evidence;
        r
    }
}

async fn one_function(
    ctx: &CaseContext<'_>,
    f: &ConfigurationFunction,
    log: &EvidenceLog,
    findings: &mut Vec<String>,
    blockers: &mut Vec<Blocker>,
) {
    let id = &f.id;
    let original = match read_back(ctx, f, log).await {
        Ok(v) => v,
        Err(e) => return blockers.push(e.context(format!("{id}: reading the setting back"))),
    };
    let control = next_value(f, &[&original]);
    if let Err(e) = attempt(ctx, f, Subject::Authorised, &control, log).await {
        return blockers.push(e.context(format!("{id}: the authorised change")));
    }
    let mut current = match read_back(ctx, f, log).await {
        Ok(v) if v == control => v,
        Ok(v) => return blockers.push(Blocker::new(Cause::Config, format!(
            "{id}: an authorised change to `{control}` reads back as `{v}`, so a refused change could not be told from one that never works"
        ))),
        Err(e) => return blockers.push(e.context(format!("{id}: reading the setting back"))),
    };
    let lower = f
        .lower_privilege
        .as_ref()
        .and_then(|l| ctx.config.profile.auth_mechanism(&l.value));
    let subjects = [Subject::Anonymous, Subject::WrongPassword]
        .into_iter()
        .chain(lower.map(Subject::LowerPrivilege));
    for subject in subjects {
        let value = next_value(f, &[&current]);
        let answer = attempt(ctx, f, subject, &value, log).await;
        log.line(
            "#",
            &format!(
                "{id}: change {} -> {}",
                subject.describe(),
                answer
                    .as_ref()
                    .map_or_else(|e| format!("refused ({})", e.why), |_| "completed".into())
            ),
        );
        match read_back(ctx, f, log).await {
            Ok(now) if now == value => {
                findings.push(format!("`{id}` was changed {}", subject.describe()));
                current = now;
            }
            Ok(now) => current = now,
            Err(e) => {
                return blockers.push(e.context(format!(
                    "{id}: reading the setting back after a change {}",
                    subject.describe()
                )))
            }
        }
    }
    if current != original {
        let back = attempt(ctx, f, Subject::Authorised, &original, log).await;
        let now = read_back(ctx, f, log).await;
        let done = matches!((&back, &now), (Ok(()), Ok(v)) if *v == original);
        log.line(
            "#",
            &format!(
                "{id}: set back to `{original}` -> {}",
                if done { "done" } else { "failed" }
            ),
        );
    }
}

/// The TCP scan and the UDP discovery, every answering port judged against the declared
/// services: 5.5-5-2's unit (b), and 5.13-1-2's unit (c).
pub async fn undocumented(
    ctx: &CaseContext<'_>,
    unit: &'static str,
    title: &'static str,
) -> (UnitResult, Vec<PathBuf>) {
    let (sample, profile, suite) = (ctx.sample, &ctx.config.profile, &ctx.config.suite);
    let not_performed = |b: Blocker| UnitResult::not_performed(unit, title, b);
    let tcp = match open_ports::get(sample, suite).await {
        Ok(p) => p,
        Err(e) => return (not_performed(e.clone().context("TCP scan")), vec![]),
    };
    let mut evidence = vec![tcp.evidence.clone()];
    if !tcp.scan.filtered.is_empty() {
        let why = format!(
            "{} TCP ports neither accepted nor refused a connection",
            tcp.scan.filtered.len()
        );
        return (not_performed(Blocker::new(Cause::Unit, why)), evidence);
    }
    let open: Vec<Found> = tcp
        .unit_ports()
        .map(|port| Found { port, answer: None })
        .collect();
    let mut findings =
        port_judgement::findings(Protocol::Tcp, &declared(profile, Protocol::Tcp), &open);
    let mut udp_ports = Vec::new();
    if !suite.udp_ports.is_empty() {
        match open_udp::get(sample, suite).await {
            Ok(udp) => {
                let found: Vec<_> = udp
                    .unit_answers()
                    .map(|a| Found {
                        port: a.port,
                        answer: Some((a.protocol, &a.answer)),
                    })
                    .collect();
                udp_ports = found.iter().map(|f| f.port).collect();
                findings.extend(port_judgement::findings(
                    Protocol::Udp,
                    &declared(profile, Protocol::Udp),
                    &found,
                ));
                evidence.push(udp.evidence.clone());
            }
            Err(e) => return (not_performed(e.clone().context("UDP discovery")), evidence),
        }
    }
    let tcp_ports: Vec<u16> = open.iter().map(|f| f.port).collect();
    let pass = format!(
        "every answering port is a declared enabled service (TCP {tcp_ports:?}, UDP {udp_ports:?})"
    );
    (
        UnitResult::judge(unit, title, &findings, &[], pass),
        evidence,
    )
}
