//! TS 103 701 test case 5.6-4-2 (functional), provision 5.6-4: a physically accessible debug
//! interface is disabled in software.
//!
//! Unit (a): each declared debug interface the rig wires is tried with a standard probe in the
//! unit's default state: attached, identified, and the profile's memory regions read. Unit (b):
//! an interface the rig wires but the profile does not declare is tried the same way. Only an
//! interface reached through a populated header counts as physically accessible; one reached
//! through a bare test pad is reported, not failed. hilt never erases, writes or unlocks.

use super::budget::Waits;
use super::declared_waits;
use super::registry::DataFiles;
use super::swd_judgement::{self, Probed};
use super::{CaseContext, CaseSpec, TestCase};
use crate::config::debug_interface::{DebugInterface, DebugKind, SwdResource};
use crate::config::located::Located;
use crate::debug::access::Access;
use crate::facts::debug_access;
use crate::model::unit::{Gathered, UnitResult};
use crate::model::verdict::{Blocker, CaseResult, Cause, Verdict};
use serde::Deserialize;

/// The suite's `cases."5.6-4-2"` entry: what to read comes from the profile, how to reach it
/// from the rig.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Universal default-credential lists (as 5.1-1-2's) tried at a UART login prompt the
    /// profile does not declare; absent: the prompt is reported without trying any.
    #[serde(default)]
    pub corpus: Vec<Located<String>>,
    /// What a login prompt on a physically accessible UART is, where the profile declares one.
    #[serde(default)]
    pub uart_login_prompt: LoginPromptRule,
}

/// The decision rule for a UART that asks for a login once booted.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LoginPromptRule {
    /// EN 303 645 5.6-4's example of a disabled UART shows no logon prompt and no interactive
    /// menu: a prompt is an interface not disabled.
    #[default]
    Fail,
    /// The lab accepts a console that asks for the unit's own credentials (per-unit or
    /// user-defined, tested by 5.1-1-2) where the profile declares it (`offers: login_prompt`).
    AcceptUniqueCredentials,
}

impl LoginPromptRule {
    fn stated(self) -> &'static str {
        match self {
            LoginPromptRule::Fail => "decision rule for a UART login prompt: `fail`, EN 303 645 5.6-4's example of a disabled UART (no logon prompt, no interactive menu)",
            LoginPromptRule::AcceptUniqueCredentials => "decision rule for a UART login prompt: `accept_unique_credentials`, the suite's choice: a declared prompt that asks for the unit's own credentials is accepted",
        }
    }
}

pub struct Case;

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.6-4-2",
        provision: "5.6-4",
        title: "debug interfaces disabled in software",
        decision_rule: "Unit (a): the interfaces the profile declares (N/A when it declares none); unit (b): interfaces the rig wires that the profile does not declare, each judged on its own, PASS only when both pass; (b) is not performed when nothing is declared and nothing wired. UART (the rig's console, then each further `debug.uart` header): the unit is power-cycled while the usual boot-loader interrupt keys are sent through the profile's boot window, then a newline, and where that draws no login prompt or shell a word no device knows, is sent to the booted UART (console.log, 5.6-4-2/uart-header-N.log). FAIL if a boot-loader prompt answers, a shell or anything else answers typed input without a login (a vendor menu, whatever its prompt looks like), or a login prompt answers: by default always (EN 303 645 5.6-4's example of a disabled UART has no logon prompt), under the suite rule `uart_login_prompt: accept_unique_credentials` only where the profile declares that UART to offer nothing or does not declare it; at such a prompt the suite's universal credential corpus is tried after a random-password control, and any entry that logs in is named in the finding. INCONCLUSIVE if the rig has no power backend to reach the boot window, a wired header cannot be opened, a declared UART is wired to nothing, or the console never pauses for 1.5 s once booted (60 s after a power cycle, 5 s without one), since output that never stops cannot tell an answer to typed input from what it prints anyway. SWD: the SWD interface the rig wires to the sample is attached with a standard probe in the default state, never erasing, writing or unlocking, and the profile's memory regions are read (5.6-4-2/swd.log). FAIL if memory can be read through an interface reached by a populated header (physically accessible), or the interface answers a probe through a populated header and is not declared in the profile, locked or not. PASS if the port refuses: a session only after a mass erase, reads that fault behind an answering port, or silence where the profile declares readout protection level 2; also when memory is readable only through a bare test pad (not physically accessible), which is reported. INCONCLUSIVE if a declared interface is not wired, no probe or bridge answers, or silence is not declared as level 2 (a cable fault looks the same).",
    };

    fn data_files(params: &Params) -> Vec<DataFiles<'_>> {
        vec![DataFiles::corpus(&params.corpus)]
    }

    fn declared_waits(params: &Params, config: &crate::config::Config) -> Waits {
        let mut w = Waits::default();
        let entries = declared_waits::corpus_entries(config, &params.corpus);
        w.add(
            "UART boot and prompt checks",
            declared_waits::uart_checks(config, entries),
        );
        w
    }

    async fn run(ctx: &CaseContext<'_>, params: &Params) -> CaseResult {
        let mut parts = Vec::new();
        parts.extend(swd_part(ctx).await);
        parts.extend(super::debug_uart::judge(ctx, params).await);
        let (declared, undeclared): (Vec<_>, Vec<_>) = parts.into_iter().partition(|(d, _)| *d);
        let declared: Vec<CaseResult> = declared.into_iter().map(|(_, r)| r).collect();
        let undeclared: Vec<CaseResult> = undeclared.into_iter().map(|(_, r)| r).collect();
        let mut gathered = Gathered::default();
        gathered
            .details
            .push(params.uart_login_prompt.stated().to_string());
        let a = if declared.is_empty() {
            UnitResult::not_applicable(
                "a",
                UNIT_A,
                "the profile declares no debug interface (IXIT 15)",
            )
        } else {
            gathered.unit_from("a", UNIT_A, combine(declared))
        };
        let b = if !undeclared.is_empty() {
            gathered.unit_from("b", UNIT_B, combine(undeclared))
        } else if a.verdict == Verdict::NotApplicable {
            // Unit (b) examines the interfaces a standard cable reaches; with none declared and
            // none wired nothing was examined, which is no evidence that none is open.
            UnitResult::not_performed("b", UNIT_B, Blocker::new(
                Cause::Config,
                "the profile declares no debug interface and the rig wires no console, UART header or SWD to this sample: no interface was examined",
            ))
        } else {
            UnitResult::judge(
                "b",
                UNIT_B,
                &[],
                &[],
                "every debug interface the rig wires to this sample is declared",
            )
        };
        gathered.into_result(vec![a, b])
    }
}

const UNIT_A: &str = "declared debug interfaces disabled";
const UNIT_B: &str = "no debug interface missing from IXIT 15";

/// One verdict from the SWD and UART parts: any FAIL fails, then any INCONCLUSIVE.
fn combine(parts: Vec<CaseResult>) -> CaseResult {
    let verdict = [Verdict::Fail, Verdict::Inconclusive]
        .into_iter()
        .find(|v| parts.iter().any(|p| p.verdict == *v))
        .unwrap_or(Verdict::Pass);
    let message = parts
        .iter()
        .filter(|p| p.verdict == verdict)
        .map(|p| p.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = CaseResult::new(verdict, message);
    if verdict == Verdict::Inconclusive {
        out.cause = parts
            .iter()
            .find(|p| p.verdict == verdict)
            .and_then(|p| p.cause);
    }
    for p in parts {
        if p.verdict != verdict {
            out.details.push(format!("{:?}: {}", p.verdict, p.message));
        }
        out.details.extend(p.details);
        out.measurements.extend(p.measurements);
        out.evidence.extend(p.evidence);
    }
    out
}

/// The SWD wired to the sample, marked declared (unit (a)) or not (unit (b)).
async fn swd_part(ctx: &CaseContext<'_>) -> Option<(bool, CaseResult)> {
    let sample = ctx.sample;
    let declared: Vec<&DebugInterface> = ctx.config.profile.debug_interfaces(DebugKind::Swd);
    let Some(wiring) = sample.drivers.swd.clone() else {
        if declared.is_empty() {
            return None;
        }
        return Some((true, CaseResult::not_performed(Cause::Config, format!(
            "the profile declares SWD interface(s) {} but the rig wires no SWD to this sample (slot `debug.swd`)",
            declared.iter().map(|d| format!("`{}`", d.id)).collect::<Vec<_>>().join(", ")
        ))));
    };
    let fact = debug_access::get(sample, &ctx.config.profile).await?;
    Some(match fact {
        Ok(f) => (
            f.interface.is_some(),
            judge(ctx, &wiring, f.interface.as_ref(), f.access.clone()),
        ),
        Err(e) => (wiring.interface.is_some(), CaseResult::blocked(e.clone())),
    })
}

fn judge(
    ctx: &CaseContext<'_>,
    wiring: &SwdResource,
    interface: Option<&DebugInterface>,
    access: Access,
) -> CaseResult {
    let log = ctx.sample.evidence.log("5.6-4-2/swd.log");
    let name = match interface {
        Some(d) => format!("SWD `{}` (declared disabled by: {})", d.id, d.disabled_by),
        None => "SWD (not declared in the profile)".to_string(),
    };
    let (mut result, lines) = swd_judgement::judge(&Probed {
        name: &name,
        reached: wiring.reached_by,
        declared: interface.is_some(),
        access,
    });
    for (mark, line) in lines {
        log.line(mark, &line);
    }
    result.evidence = vec![log.path.clone()];
    result
}
