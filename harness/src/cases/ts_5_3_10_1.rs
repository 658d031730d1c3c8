//! TS 103 701 test case 5.3-10-1, provision 5.3-10: updates over the network rely on a trust
//! relationship. Units (a) and (b) are conceptual (the IXIT's description): MANUAL, saying what
//! the assessor checks. hilt performs the functional unit (c): find update mechanisms reachable
//! over the network that IXIT 7 omits.
//!
//! Every HTTP service the profile talks to is asked, with a harmless GET, for the paths where
//! devices commonly take firmware uploads. A path that answers otherwise than a random sibling
//! under the same prefix, and is not a declared mechanism, is an undeclared update path.

use super::budget::Waits;
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
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Lists of HTTP paths where update uploads are commonly found, one per line, relative to the suite.
    pub http_paths: Vec<Located<String>>,
}

/// Each probe of an update path gets this long.
const PATH_DEADLINE: Duration = Duration::from_secs(5);

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

    fn declared_waits(params: &Params, config: &crate::config::Config) -> Waits {
        let paths = listed_paths(config, params).map_or(0, |p| p.len() as u32);
        let services = config.profile.body.ixit.services.len().max(1) as u32;
        let mut w = Waits::default();
        w.add(
            "update paths on each service",
            PATH_DEADLINE * paths * services,
        );
        w
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
    if let Err(reason) = initialized::required(sample, ctx.config).await {
        return UnitResult::not_performed("c", UNIT_C, reason.clone());
    }
    let paths = match listed_paths(ctx.config, params) {
        Ok(p) => p,
        Err(why) => return UnitResult::not_performed("c", UNIT_C, why),
    };
    let log = sample.evidence.log("update-paths.log");
    out.evidence
        .extend([sample.evidence.dir.join("http.log"), log.path.clone()]);
    let mut probe = Probe {
        paths: &paths,
        declared: declared_paths(ctx),
        log,
        findings: vec![],
        blockers: vec![],
        probed: 0,
    };
    for service_id in http_services(ctx) {
        probe.service(ctx, &service_id, out).await;
    }
    let Probe {
        findings,
        mut blockers,
        probed,
        ..
    } = probe;
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

/// The suite's lists of common firmware-upload paths, one path a line.
fn listed_paths(config: &crate::config::Config, params: &Params) -> Result<Vec<String>, Blocker> {
    let mut paths = Vec::new();
    for list in &params.http_paths {
        let file = config.suite.path_of(&list.value);
        let text = std::fs::read_to_string(&file)
            .map_err(|e| Blocker::new(Cause::Config, format!("{}: {e}", file.display())))?;
        paths.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| l.starts_with('/'))
                .map(String::from),
        );
    }
    Ok(paths)
}

/// What a listed path's answer says, next to a random path's under the same prefix.
#[derive(Debug, PartialEq, Eq)]
enum PathAnswer {
    /// 404 or 410: nothing there.
    Absent,
    /// The same status as a random sibling: a rule over the prefix (basic auth over `/admin/`,
    /// a catch-all), nothing about this path.
    LikeItsSibling,
    /// Something answers here that does not answer elsewhere under the prefix.
    StandsOut,
}

fn path_answer(status: u16, sibling: u16) -> PathAnswer {
    match status {
        404 | 410 => PathAnswer::Absent,
        s if s == sibling => PathAnswer::LikeItsSibling,
        _ => PathAnswer::StandsOut,
    }
}

/// `/admin/upgrade` → `/admin/`: where a random sibling is asked.
fn prefix(path: &str) -> &str {
    &path[..path.rfind('/').unwrap_or(0) + 1]
}

struct Probe<'a> {
    paths: &'a [String],
    declared: BTreeSet<(String, String)>,
    log: crate::evidence::EvidenceLog,
    findings: Vec<String>,
    blockers: Vec<Blocker>,
    probed: u32,
}

impl Probe<'_> {
    /// Every listed path the profile does not declare, on one HTTP service, once a random path
    /// shows the service answers 404 for what it does not have.
    async fn service(&mut self, ctx: &CaseContext<'_>, service_id: &str, out: &mut Gathered) {
        let sample = ctx.sample;
        let Some(service) = ctx.config.profile.service(service_id).filter(|s| s.enabled) else {
            return;
        };
        let (port, endpoint) = (service.port.value, service.endpoint());
        let control = format!("/hilt-no-such-path-{}", crate::util::token::fresh());
        match get(sample, endpoint, &control).await {
            Ok((404 | 410, _)) => {}
            Ok((status, _)) => {
                out.details.push(format!(
                    "`{service_id}` (TCP {port}) answers {status} for a random path: not probed"
                ));
                return;
            }
            Err(e) => {
                let why = format!("`{service_id}` (TCP {port}): {e}");
                self.blockers.push(Blocker::new(Cause::Unit, why));
                return;
            }
        }
        // A random sibling under the same prefix, asked once per prefix.
        let mut siblings: BTreeMap<String, u16> = BTreeMap::new();
        for path in self.paths {
            if self
                .declared
                .contains(&(service_id.to_string(), path.clone()))
            {
                continue;
            }
            self.probed += 1;
            let (status, body) = match get(sample, endpoint, path).await {
                Ok(answer) => answer,
                Err(e) => {
                    let why = format!("`{service_id}` {path}: {e}");
                    self.blockers.push(Blocker::new(Cause::Unit, why));
                    continue;
                }
            };
            if path_answer(status, 0) == PathAnswer::Absent {
                continue;
            }
            let prefix = prefix(path);
            let sibling = match siblings.get(prefix) {
                Some(s) => *s,
                None => {
                    let random = format!("{prefix}hilt-{}", crate::util::token::fresh());
                    match get(sample, endpoint, &random).await {
                        Ok((s, _)) => {
                            let line = format!("`{service_id}` control {random} -> {s}");
                            self.log.line("#", &line);
                            siblings.insert(prefix.to_string(), s);
                            s
                        }
                        Err(e) => {
                            let why = format!("`{service_id}` {random}: {e}");
                            self.blockers.push(Blocker::new(Cause::Unit, why));
                            continue;
                        }
                    }
                }
            };
            match path_answer(status, sibling) {
                PathAnswer::Absent => {}
                PathAnswer::LikeItsSibling => out.details.push(format!("`{service_id}` {path} answers {sibling}, as a random path under {prefix} does: nothing particular there")),
                PathAnswer::StandsOut => self.findings.push(format!(
                    "`{service_id}` (TCP {port}) answers {status} at {path}, a common firmware-upload path, where a random path under {prefix} answers {sibling}, and IXIT 7 declares no update mechanism there; answer: {}",
                    crate::evidence::printable(&body[..body.len().min(160)])
                )),
            }
        }
        let line = format!(
            "`{service_id}` (TCP {port}): {} paths probed",
            self.paths.len()
        );
        self.log.line("#", &line);
    }
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
    let req = HttpRequest::get(endpoint, path, PATH_DEADLINE);
    sample
        .drivers
        .http
        .send(&req)
        .await
        .map(|a| (a.status, a.body))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::not_there(404, 404, PathAnswer::Absent)]
    #[case::gone(410, 200, PathAnswer::Absent)]
    #[case::basic_auth_over_the_whole_prefix(401, 401, PathAnswer::LikeItsSibling)]
    #[case::a_catch_all_page(200, 200, PathAnswer::LikeItsSibling)]
    #[case::an_upload_form_where_siblings_are_404(200, 404, PathAnswer::StandsOut)]
    #[case::a_method_refused_only_here(405, 404, PathAnswer::StandsOut)]
    fn a_path_is_judged_against_a_random_sibling(
        #[case] status: u16,
        #[case] sibling: u16,
        #[case] want: PathAnswer,
    ) {
        assert_eq!(path_answer(status, sibling), want);
    }

    #[rstest]
    #[case("/admin/upgrade", "/admin/")]
    #[case("/upgrade.cgi", "/")]
    #[case("/cgi-bin/a/b.cgi", "/cgi-bin/a/")]
    fn the_sibling_is_asked_under_the_paths_own_prefix(#[case] path: &str, #[case] want: &str) {
        assert_eq!(prefix(path), want);
    }
}
