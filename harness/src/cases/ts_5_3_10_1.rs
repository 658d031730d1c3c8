//! TS 103 701 test case 5.3-10-1, provision 5.3-10: updates over the network rely on a trust
//! relationship. Units (a) and (b) are conceptual (the IXIT's description): MANUAL, saying what
//! the assessor checks. hilt performs the functional unit (c): find update mechanisms reachable
//! over the network that IXIT 7 omits.
//!
//! Every HTTP service the profile talks to is asked, with a harmless GET, for the paths where
//! devices commonly take firmware uploads. A path that answers otherwise than a random sibling
//! under the same prefix, and is not a declared mechanism, is an undeclared update path.

use super::registry::DataFiles;
use super::{CaseContext, CaseSpec, TestCase};
use crate::config::located::Located;
use crate::config::procedure::Step;
use crate::config::profile::LoginSurface;
use crate::config::update::Delivery;
use crate::facts::initialized;
use crate::model::unit::{Gathered, UnitResult};
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use crate::transport::http::HttpRequest;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// The suite's `cases."5.3-10-1"` entry.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Lists of HTTP paths where update uploads are commonly found, one per line, relative to the suite.
    pub http_paths: Vec<Located<String>>,
}

pub struct Case;

const UNIT_A: &str = "the device verifies authenticity and integrity (as 5.3-9-1)";
const UNIT_B: &str = "network update mechanisms rely on a trust relationship";
const UNIT_C: &str = "no network update mechanism missing from IXIT 7";

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.3-10-1",
        provision: "5.3-10",
        title: "network updates rely on a trust relationship",
        decision_rule: "Units (a) and (b) are conceptual: MANUAL, with what the assessor checks in IXIT 7. Unit (c): on every HTTP service the profile names, hilt sends a GET to each path of the suite's update-path lists that is not a declared update mechanism's (an upload path or a pull trigger's path), and to a random sibling of it under the same prefix. FAIL if a path answers anything but 404 or 410 and differs from its sibling's answer (so basic authentication over a whole area, answering 401 everywhere, is not a finding). A service that does not answer 404 for a random top-level path cannot be probed this way and is listed; not performed if no service could be probed or a request failed.",
    };

    fn data_files(params: &Params) -> Vec<DataFiles<'_>> {
        vec![DataFiles {
            key: "http_paths",
            files: &params.http_paths,
            what: "path list",
        }]
    }

    async fn run(ctx: &CaseContext<'_>, params: &Params) -> CaseResult {
        let mechanisms: Vec<String> = ctx
            .config
            .profile
            .body
            .ixit
            .update_mechanisms
            .iter()
            .map(|m| format!("`{}`", m.id))
            .collect();
        let listed = match mechanisms.is_empty() {
            true => "IXIT 7 declares no update mechanism".to_string(),
            false => format!("IXIT 7 declares {}", mechanisms.join(", ")),
        };
        let a = UnitResult::manual("a", UNIT_A, format!("{listed}: check that each description says how the unit itself verifies an image's authenticity and integrity before installing it (as 5.3-9-1 a and b)"));
        let b = UnitResult::manual("b", UNIT_B, "check that each network mechanism relies on a trust relationship: an authenticated channel, network membership behind a secret, signature verification or user confirmation");
        let mut out = Gathered::default();
        let c = unit_c(ctx, params, &mut out).await;
        out.into_result(vec![a, b, c])
    }
}

async fn unit_c(ctx: &CaseContext<'_>, params: &Params, out: &mut Gathered) -> UnitResult {
    let sample = ctx.sample;
    let profile = &ctx.config.profile;
    if let Err(reason) = initialized::required(sample, ctx.config).await {
        return UnitResult::not_performed("c", UNIT_C, reason.clone());
    }
    let mut paths = Vec::new();
    for list in &params.http_paths {
        let file = ctx.config.suite.path_of(&list.value);
        match std::fs::read_to_string(&file) {
            Ok(text) => paths.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| l.starts_with('/'))
                    .map(String::from),
            ),
            Err(e) => {
                let why = Blocker::new(Cause::Config, format!("{}: {e}", file.display()));
                return UnitResult::not_performed("c", UNIT_C, why);
            }
        }
    }
    let declared = declared_paths(ctx);
    let log = sample.evidence.log("update-paths.log");
    out.evidence
        .extend([sample.evidence.dir.join("http.log"), log.path.clone()]);
    let (mut findings, mut blockers) = (vec![], vec![]);
    let mut probed = 0u32;
    for service_id in http_services(ctx) {
        let Some(service) = profile.service(&service_id).filter(|s| s.enabled) else {
            continue;
        };
        let (port, endpoint) = (service.port.value, service.endpoint());
        let control = format!("/hilt-no-such-path-{}", crate::util::token::fresh());
        match get(sample, endpoint, &control).await {
            Ok((404 | 410, _)) => {}
            Ok((status, _)) => {
                out.details.push(format!(
                    "`{service_id}` (TCP {port}) answers {status} for a random path: not probed"
                ));
                continue;
            }
            Err(e) => {
                blockers.push(Blocker::new(
                    Cause::Unit,
                    format!("`{service_id}` (TCP {port}): {e}"),
                ));
                continue;
            }
        }
        // A random sibling under the same prefix, asked once per prefix.
        let mut siblings: BTreeMap<String, u16> = BTreeMap::new();
        for path in &paths {
            if declared.contains(&(service_id.clone(), path.clone())) {
                continue;
            }
            probed += 1;
            let status = match get(sample, endpoint, path).await {
                Ok((404 | 410, _)) => continue,
                Ok(answer) => answer,
                Err(e) => {
                    blockers.push(Blocker::new(
                        Cause::Unit,
                        format!("`{service_id}` {path}: {e}"),
                    ));
                    continue;
                }
            };
            let prefix = &path[..path.rfind('/').unwrap_or(0) + 1];
            let sibling = match siblings.get(prefix) {
                Some(s) => *s,
                None => {
                    let random = format!("{prefix}hilt-{}", crate::util::token::fresh());
                    match get(sample, endpoint, &random).await {
                        Ok((s, _)) => {
                            log.line("#", &format!("`{service_id}` control {random} -> {s}"));
                            siblings.insert(prefix.to_string(), s);
                            s
                        }
                        Err(e) => {
                            blockers.push(Blocker::new(
                                Cause::Unit,
                                format!("`{service_id}` {random}: {e}"),
                            ));
                            continue;
                        }
                    }
                }
            };
            if status.0 == sibling {
                out.details.push(format!("`{service_id}` {path} answers {sibling}, as a random path under {prefix} does: nothing particular there"));
                continue;
            }
            findings.push(format!(
                "`{service_id}` (TCP {port}) answers {} at {path}, a common firmware-upload path, where a random path under {prefix} answers {sibling}, and IXIT 7 declares no update mechanism there; answer: {}",
                status.0,
                crate::evidence::printable(&status.1[..status.1.len().min(160)])
            ));
        }
        log.line(
            "#",
            &format!("`{service_id}` (TCP {port}): {} paths probed", paths.len()),
        );
    }
    if probed == 0 && findings.is_empty() {
        blockers.push(Blocker::new(
            Cause::Unit,
            "no HTTP service of the profile could be probed for update paths",
        ));
    }
    out.measurements.push(Measurement::new(
        "update paths probed",
        f64::from(probed),
        "requests",
    ));
    UnitResult::judge(
        "c",
        UNIT_C,
        &findings,
        &blockers,
        format!("none of {probed} common update paths exists undeclared"),
    )
}

/// (service, path) of every declared HTTP update mechanism: upload paths and pull triggers.
fn declared_paths(ctx: &CaseContext<'_>) -> BTreeSet<(String, String)> {
    let mut declared = BTreeSet::new();
    for m in ctx.config.profile.body.ixit.update_mechanisms.iter() {
        match &m.delivery {
            Delivery::PushHttp(p) => {
                declared.insert((p.service.value.clone(), p.path.clone()));
            }
            Delivery::PullHttp(pull) => {
                for step in &pull.trigger {
                    if let Step::Http(h) = &**step {
                        declared.insert((h.service.clone(), h.path.clone()));
                    }
                }
            }
            Delivery::ConsoleXmodem(_) => {}
        }
    }
    declared
}

/// Services the profile reaches over HTTP: logins, update uploads, procedure requests.
fn http_services(ctx: &CaseContext<'_>) -> BTreeSet<String> {
    let body = &ctx.config.profile.body;
    let mut ids = BTreeSet::new();
    for m in &body.ixit.auth_mechanisms {
        if let (LoginSurface::Http(_), Some(s)) = (&m.login, &m.service) {
            ids.insert(s.value.clone());
        }
    }
    for m in body.ixit.update_mechanisms.iter() {
        if let Delivery::PushHttp(p) = &m.delivery {
            ids.insert(p.service.value.clone());
        }
    }
    let p = &body.procedures;
    for step in p
        .factory_reset
        .iter()
        .chain(&p.initialize)
        .chain(&p.read_version)
    {
        if let Step::Http(h) = &**step {
            ids.insert(h.service.clone());
        }
    }
    ids
}

async fn get(
    sample: &crate::bench::Sample,
    endpoint: crate::transport::http::Endpoint,
    path: &str,
) -> Result<(u16, Vec<u8>), String> {
    let req = HttpRequest {
        method: "GET".into(),
        endpoint,
        path: path.into(),
        json: None,
        form: None,
        basic_auth: None,
        authorization: None,
        raw_body: None,
        within: Duration::from_secs(5),
    };
    sample.scope.check(sample.address)?;
    sample.http.send(&req).await.map(|a| (a.status, a.body))
}
