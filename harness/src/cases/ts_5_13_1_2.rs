//! TS 103 701 test case 5.13-1-2 (functional), provision 5.13-1: the unit validates data input
//! through its user interfaces, its APIs and between networks.
//!
//! Unit (a): every input the profile declares (the HTTP logins with a body, the IXIT 13
//! configuration functions, and `ixit.inputs`, IXIT 27/28) is used with one field at a time
//! (a JSON value, a form value, a query parameter, a console argument) replaced by an
//! unexpected value: oversized, malformed encodings, control characters, format
//! strings, traversal, SQL and markup, shell injections carrying a canary and, in JSON, values of
//! the wrong type. The lab holds every credential, so authenticated inputs are used signed in.
//! A value was processed unprotected when the canary's output comes back, the answer shows a
//! stack trace or an interpreter error, the console prints a crash or the boot banner, or the
//! service or console stops answering.
//! Unit (b): the user manual's interfaces against IXIT 27 is the assessor's.
//! Unit (c): every API found on the unit is listed: every port that answers the run's scans is
//! a declared service (the scans 5.6-1-2 uses).

use super::budget::Waits;
use super::input_fuzz::{self, Settings};
use super::ts_5_5_5_2::undocumented;
use super::{CaseContext, CaseSpec, TestCase};
use crate::config::duration::Dur;
use crate::config::suite::FactSection;
use crate::model::unit::UnitResult;
use crate::model::verdict::{Blocker, CaseResult, Cause};
use std::time::Duration;

const UNIT_A: &str = "each input refuses to process unexpected values";
const UNIT_B: &str = "every user interface of the user manual is in IXIT 27";
const UNIT_C: &str = "every remotely reachable API found is in IXIT 28";

/// The budget of the values sent (`"5.13-1-2": { max_requests: 600, max_time: 3m }`).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Values sent in all, shared evenly among the inputs.
    #[serde(default = "default_max_requests")]
    pub max_requests: u32,
    /// Longest the sending may take.
    #[serde(default = "default_max_time")]
    pub max_time: Dur,
    /// How long the unit may take to answer again after a finding before hilt power-cycles it,
    /// and again after the power cycle.
    #[serde(default = "default_recover_within")]
    pub recover_within: Dur,
    /// The seed of the values' sizes, canaries and order. Absent: a new one each run, stated in
    /// the result; set it to send the same values again.
    #[serde(default)]
    pub seed: Option<u64>,
}

fn default_max_requests() -> u32 {
    600
}
fn default_max_time() -> Dur {
    Dur(Duration::from_secs(180))
}
fn default_recover_within() -> Dur {
    Dur(Duration::from_secs(60))
}

pub struct Case;

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.13-1-2",
        provision: "5.13-1",
        title: "input is validated",
        decision_rule: "In the initialized state. (a) Each input with fields (HTTP logins with a JSON or form body, with a wrong password; the IXIT 13 `configuration_functions`' change steps, signed in; `ixit.inputs`, IXIT 27/28, as their `mechanism`'s account) is used with one field at a time (a JSON value, a form value, a query parameter, a console argument) replaced by an unexpected value: oversized text, empty, NUL, CR LF, control and unusual Unicode characters, overlong UTF-8 encodings, format strings, path traversal, SQL, markup, six forms of shell injection each carrying a canary (`hilt` and a product the value does not show), and in JSON a missing field and values of the wrong type; a JSON body is also sent whole as bytes that are not JSON. `max_requests` values in all, shared among the inputs, within `max_time`; the seed is stated. FAIL if an answer or the console shows a canary's output, an answer shows a stack trace or an interpreter or database error, the console prints a crash report (the profile's death strings, or a common kernel or runtime one) or the profile's `boot_banner`, or the service (no HTTP answer to `GET /`) or the console (no prompt) stops answering; after each, hilt waits `recover_within` for the unit, power-cycles it if it must, and goes on. Not performed if no input has fields, or a session cannot be opened. Settings and passwords are put back. (b) MANUAL: the user manual's interfaces against IXIT 27. (c) FAIL if a TCP port of the unit, or a UDP port of the suite's list that answers, is not a declared service (the scans of 5.6-1-2); not performed if the scans could not be made. PASS when (a) and (c) pass and the assessor passes (b).",
    };
    const FACTS: &'static [FactSection] = &[FactSection::Scan];

    fn declared_waits(params: &Params, _config: &crate::config::Config) -> Waits {
        let mut w = Waits::default();
        w.add("sending the values", params.max_time.0);
        w.add(
            "the unit back after a finding, twice",
            params.recover_within.0 * 2,
        );
        w
    }

    async fn run(ctx: &CaseContext<'_>, params: &Params) -> CaseResult {
        if let Err(why) = crate::facts::initialized::required(ctx.sample, ctx.config).await {
            return CaseResult::blocked(why);
        }
        let seed = params.seed.unwrap_or_else(fresh_seed);
        let settings = Settings {
            max_requests: params.max_requests as usize,
            max_time: params.max_time.0,
            recover_within: params.recover_within.0,
            seed,
        };
        let log = ctx.sample.evidence.log("5.13-1-2/values.log");
        log.line("#", &format!("seed {seed}"));
        let out = input_fuzz::run(ctx, &settings, &log).await;
        let mut blockers = out.blockers;
        if out.inputs.is_empty() && blockers.is_empty() {
            blockers.push(Blocker::new(
                Cause::Config,
                "the profile declares no input with a value to vary: no HTTP login with a body, no `configuration_functions`, no `ixit.inputs` (IXIT 27/28)",
            ));
        }
        let a = UnitResult::judge(
            "a",
            UNIT_A,
            &out.findings,
            &blockers,
            format!(
                "{} unexpected values (seed {seed}) to {}: none was processed unprotected",
                out.sent,
                out.inputs.join(", ")
            ),
        );
        let b = UnitResult::manual("b", UNIT_B, "check that every user interface the user manual describes is listed in IXIT 27 (`ixit.inputs`, the logins and the configuration functions)");
        let (c, scans) = undocumented(ctx, "c", UNIT_C).await;
        let mut r = CaseResult::from_units(vec![a, b, c]);
        r.evidence = std::iter::once(log.path.clone())
            .chain(out.evidence)
            .chain(scans)
            .collect();
        r
    }
}

/// A seed from the OS generator, for a run that names none.
fn fresh_seed() -> u64 {
    let mut bytes = [0u8; 8];
    crate::util::random::fill(&mut bytes);
    u64::from_le_bytes(bytes) % 1_000_000_000
}
