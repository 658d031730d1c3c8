//! TS 103 701 test case 5.3-10-1, provision 5.3-10: updates over the network rely on a trust
//! relationship. Units (a) and (b) are conceptual (the IXIT's description); hilt automates the
//! functional unit (c): find update mechanisms reachable over the network that IXIT 7 omits.
//!
//! Every HTTP service the profile talks to is asked, with a harmless GET, for the paths where
//! devices commonly take firmware uploads. A path that exists and is not a declared mechanism is
//! an undeclared update path. A service that answers every path alike cannot be probed this way.

use super::registry::DataFiles;
use super::{CaseContext, CaseSpec, TestCase};
use crate::config::located::Located;
use crate::config::procedure::Step;
use crate::config::profile::LoginSurface;
use crate::config::update::Delivery;
use crate::facts::initialized;
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use crate::transport::http::HttpRequest;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::time::Duration;

/// The suite's `cases."5.3-10-1"` entry.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Lists of HTTP paths where update uploads are commonly found, one per line, relative to the suite.
    pub http_paths: Vec<Located<String>>,
}

pub struct Case;

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.3-10-1",
        provision: "5.3-10",
        title: "no undeclared network update path (unit c)",
        decision_rule: "Unit c only (a and b are conceptual). On every HTTP service the profile names, hilt sends a GET to each path of the suite's update-path lists. FAIL if a path answers anything but 404 or 410 and is not the path of a declared update mechanism on that service. A service that does not answer 404 for a random path cannot be probed this way and is listed; INCONCLUSIVE if no service could be probed or a request failed. PASS otherwise.",
    };

    fn data_files(params: &Params) -> Vec<DataFiles<'_>> {
        vec![DataFiles {
            key: "http_paths",
            files: &params.http_paths,
            what: "path list",
        }]
    }

    async fn run(ctx: &CaseContext<'_>, params: &Params) -> CaseResult {
        let sample = ctx.sample;
        let profile = &ctx.config.profile;
        if let Err(reason) = initialized::required(sample, ctx.config).await {
            return CaseResult::blocked(reason);
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
                    return CaseResult::not_performed(
                        Cause::Config,
                        format!("{}: {e}", file.display()),
                    )
                }
            }
        }
        let declared: BTreeSet<(String, String)> = profile
            .body
            .ixit
            .update_mechanisms
            .iter()
            .filter_map(|m| match &m.delivery {
                Delivery::PushHttp(p) => Some((p.service.value.clone(), p.path.clone())),
                Delivery::PullHttp(_) | Delivery::ConsoleXmodem(_) => None,
            })
            .collect();
        let log = sample.evidence.log("update-paths.log");
        let (mut findings, mut blockers, mut details) = (vec![], vec![], vec![]);
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
                    details.push(format!(
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
            for path in &paths {
                if declared.contains(&(service_id.clone(), path.clone())) {
                    continue;
                }
                probed += 1;
                match get(sample, endpoint, path).await {
                    Ok((404 | 410, _)) => {}
                    Ok((status, body)) => findings.push(format!(
                        "`{service_id}` (TCP {port}) answers {status} at {path}, a common firmware-upload path, and IXIT 7 declares no update mechanism there; answer: {}",
                        crate::evidence::printable(&body[..body.len().min(160)])
                    )),
                    Err(e) => blockers.push(Blocker::new(Cause::Unit, format!("`{service_id}` {path}: {e}"))),
                }
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
        let mut r = CaseResult::from_findings(
            &findings,
            &blockers,
            &format!("none of {probed} common update paths exists undeclared"),
        );
        r.details.extend(details);
        r.measurements = vec![Measurement::new(
            "update paths probed",
            f64::from(probed),
            "requests",
        )];
        r.evidence = vec![sample.evidence.dir.join("http.log"), log.path];
        r
    }
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
