//! TS 103 701 test case 5.1-1-2 (functional), provision 5.1-1: in any state other than the
//! factory default, every password of the device is unique per device or defined by the user.
//!
//! Each unit is judged on its own; the case passes only when all three pass.
//! Unit (a): no login surface on the unit's open ports is missing from IXIT 1.
//! Unit (b): a mechanism whose password the user defines refuses every login until it is defined.
//! Unit (c): passwords that are not user-defined do not break the documented mechanism, which
//! promises one password per device: the label password differs from every other unit's (a
//! second sample or batch data is needed to tell) and is in no list of universal defaults; and,
//! because a universal value must not survive into the initialized state, after factory reset and
//! initialization as the manual describes it every declared login mechanism is tried with the
//! current credential (it must work), a random one (it must not) and the universal
//! default-credential corpus (none may work).

use super::budget::Waits;
use super::corpus_on_mechanisms::corpus_on_all;
use super::declared_waits;
use super::pre_installed::{self, PreInstalled};
use super::registry::DataFiles;
use super::{CaseContext, CaseSpec, TestCase};
use crate::bench::run_state::Known;
use crate::config::duration::Dur;
use crate::config::located::Located;
use crate::config::profile::{AuthFactor, AuthMechanism, LoginSurface};
use crate::config::suite::FactSection;
use crate::corpus::{self, Credential};
use crate::facts::{initialized, open_ports};
use crate::model::unit::{Gathered, UnitResult};
use crate::model::verdict::{Blocker, CaseResult, Cause};
use serde::Deserialize;

/// The suite's `cases."5.1-1-2"` entry.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Universal default-credential lists (CSV: entry,username,password[,...]) relative to the suite.
    pub corpus: Vec<Located<String>>,
    /// Pause between two login attempts, so a lockout is not provoked by the harness itself.
    #[serde(default = "no_pause")]
    pub pause_between_attempts: Dur,
    /// Also try the corpus on the login surfaces unit (a) finds on undeclared ports (without a
    /// positive control: no credential is known for them). On for an evidence profile's run,
    /// where nothing is declared.
    #[serde(default)]
    pub on_undeclared_surfaces: bool,
    /// After the corpus, reset the unit again and check the password set at initialization no
    /// longer opens a declared login, which proves the reset procedure restores factory
    /// defaults; then initialize again. Needs both procedures.
    #[serde(default)]
    pub prove_factory_reset: bool,
}

fn no_pause() -> Dur {
    Dur(std::time::Duration::ZERO)
}

pub struct Case;

const UNIT_B: &str = "user-defined passwords defined before use";
const UNIT_C: &str = "other passwords unique per device, none universal";

impl TestCase for Case {
    type Params = Params;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.1-1-2",
        provision: "5.1-1",
        title: "passwords unique per device or user-defined",
        decision_rule: "Units (a), (b), (c) judged each on its own; PASS only when all pass. (a) FAIL if an open TCP port of the unit outside the declared mechanisms' services takes a login (SSH, telnet, FTP, HTTP authentication or login form, RTSP, MQTT, a plain login prompt), or an SNMP agent on UDP 161 answers a universal community (`public`, `private`: a shared secret IXIT 1 has no place for); access without any credential (an MQTT broker taking an anonymous CONNECT, an FTP server taking only its anonymous account) is recorded as unauthenticated access, not as a login; not performed if the suite's `budgets.port_probing` ran out before every such port was asked (those left are named). (b) FAIL if a mechanism declared user-defined accepts a login in the factory default state (an empty password, the account name, the label password or a corpus entry for that account), unless its answer is the login's declared forced-change answer (accepted only to set a new password: recorded, not a finding); N/A when none is declared. (c) FAIL if the label password equals another sample's or a batch unit's, or is in the universal corpus, if the SNMP agent answers a universal community, or if after factory reset and initialization any declared login mechanism (or one declared disabled but found open) accepts a credential from the universal corpus, the current credential included; not performed with a single unit and no batch data, if the unit cannot be initialized, a mechanism rejects the current credential or accepts a random one, or locks out before the corpus is complete.",
    };
    const FACTS: &'static [FactSection] = &[FactSection::Scan];

    fn data_files(params: &Params) -> Vec<DataFiles<'_>> {
        vec![DataFiles::corpus(&params.corpus)]
    }

    fn declared_waits(params: &Params, config: &crate::config::Config) -> Waits {
        let mut w = declared_waits::port_probing(config);
        let entries = declared_waits::corpus_entries(config, &params.corpus);
        let pause = params.pause_between_attempts.0;
        w.add(
            "corpus on the declared logins",
            declared_waits::corpus_on_logins(config, entries, pause),
        );
        if params.on_undeclared_surfaces {
            w.add(
                "corpus on undeclared login surfaces",
                declared_waits::corpus_on_undeclared(entries, pause),
            );
        }
        if params.prove_factory_reset {
            w.extend(declared_waits::state_setup(config));
        }
        w
    }

    async fn run(ctx: &CaseContext<'_>, params: &Params) -> CaseResult {
        let sample = ctx.sample;
        let paths = params
            .corpus
            .iter()
            .map(|f| ctx.config.suite.path_of(&f.value));
        let corpus = match corpus::load_all(paths) {
            Ok(c) => c,
            Err(e) => {
                return CaseResult::not_performed(Cause::Config, format!("credential corpus: {e}"))
            }
        };
        let mut out = Gathered::default();
        let init = initialized::required(sample, ctx.config).await;
        out.details.push(state_line(ctx, &init));
        match &init {
            Ok(state) => out.evidence.push(state.procedure_log.clone()),
            Err(_) => out.evidence.extend([
                sample.evidence.dir.join("procedures.log"),
                sample.console_log_path(),
            ]),
        }
        let a = super::login_surfaces::unit_a(ctx, &mut out.details, &mut out.evidence).await;
        let b = match &init {
            Ok(state) => unit_b(ctx, state, &mut out),
            Err(why) => UnitResult::not_performed("b", UNIT_B, why.clone()),
        };
        let c = unit_c(ctx, params, &corpus, init.as_ref().map(|s| *s), &mut out).await;
        if mech_uses_console(ctx) {
            out.evidence.push(sample.console_log_path());
        }
        out.into_result(vec![a, b, c])
    }
}

/// The state the unit was in, as the profile's procedures made it: no claim of a reset that
/// was never asked for.
fn state_line(
    ctx: &CaseContext<'_>,
    init: &Result<&initialized::InitializedState, Blocker>,
) -> String {
    let procs = &ctx.config.profile.body.procedures;
    let how = match (procs.factory_reset.is_empty(), procs.initialize.is_empty()) {
        (false, false) => "factory reset, then initialization, per the profile's procedures",
        (false, true) => "factory reset per the profile; the profile declares no initialization",
        (true, false) => "initialization per the profile; the profile declares no factory reset",
        (true, true) => {
            "as found: the profile declares neither a factory reset nor an initialization"
        }
    };
    match init {
        Ok(state) => format!(
            "state: {how}; firmware {}",
            state.firmware_version.as_deref().unwrap_or("not read back")
        ),
        Err(why) => format!("state: {how}; not reached: {why}"),
    }
}

/// Unit (b): a password the user defines must be defined before the mechanism works.
fn unit_b(
    ctx: &CaseContext<'_>,
    state: &initialized::InitializedState,
    out: &mut Gathered,
) -> UnitResult {
    if state.user_defined.is_empty() {
        return UnitResult::not_applicable(
            "b",
            UNIT_B,
            "IXIT 1 declares no reachable user-defined password",
        );
    }
    let (mut findings, mut blockers) = (Vec::new(), Vec::new());
    if ctx.config.profile.body.procedures.factory_reset.is_empty() {
        blockers.push(Blocker::new(
            Cause::Config,
            "the profile declares no factory_reset procedure, so the factory default state was not reached",
        ));
    }
    for p in &state.user_defined {
        out.evidence.push(p.log.clone());
        out.details.push(format!("unit (b): {}: {} login(s) tried in the factory default state, before a password was set", p.mechanism, p.attempts));
        for what in &p.forced_change {
            out.details.push(format!("unit (b): {} accepted {what} in the factory default state only to force a password change, its declared forced-change flow: the user defines the password before any other use", p.mechanism));
        }
        for what in &p.accepted {
            findings.push(format!("{} (declared user-defined) accepted {what} in the factory default state, before the user set a password", p.mechanism));
        }
        if let Some(why) = &p.blocked {
            blockers.push(Blocker::new(Cause::Unit, format!("{}: {why}", p.mechanism)));
        }
    }
    UnitResult::judge(
        "b",
        UNIT_B,
        &findings,
        &blockers,
        format!(
            "{} user-defined mechanism(s) refused every login before a password was set",
            state.user_defined.len()
        ),
    )
}

async fn unit_c(
    ctx: &CaseContext<'_>,
    params: &Params,
    corpus: &[Credential],
    state: Result<&initialized::InitializedState, &Blocker>,
    out: &mut Gathered,
) -> UnitResult {
    let sample = ctx.sample;
    let label = sample.unit.label.password.as_deref();
    let (mut findings, mut blockers) = label_password(ctx, corpus, out);
    if let Err(why) = state {
        blockers.push(
            why.clone()
                .context("the universal corpus needs the initialized state"),
        );
        return UnitResult::judge("c", UNIT_C, &findings, &blockers, "");
    }
    if let Some(current) = sample
        .state
        .get(Known::Password)
        .filter(|p| Some(p.as_str()) != label)
    {
        if let Some(hit) = corpus.iter().find(|c| c.password == current) {
            findings.push(format!(
                "the credential in force after initialization is a universal default password ({})",
                hit.citation
            ));
        }
    }
    out.details.push(format!(
        "unit (c): universal credential corpus: {} entries",
        corpus.len()
    ));
    if let Ok(surfaces) = crate::facts::login_surfaces::get(sample, ctx.config).await {
        findings.extend(surfaces.snmp_communities.iter().map(|c| format!(
            "the SNMP agent on UDP 161 answers the universal default community `{c}` in the initialized state"
        )));
    }
    let open = open_ports::get(sample, &ctx.config.suite).await;
    let tried = mechanisms_to_try(ctx, open.as_ref().ok(), out);
    let pause = params.pause_between_attempts.0;
    for m in corpus_on_all(ctx, pause, &tried, corpus, true).await {
        out.absorb(m.gathered);
        findings.extend(m.findings);
        blockers.extend(m.blockers);
    }
    if params.on_undeclared_surfaces {
        let m = super::corpus_on_found::corpus_on_found(ctx, pause, corpus).await;
        out.absorb(m.gathered);
        findings.extend(m.findings);
        blockers.extend(m.blockers);
    }
    if params.prove_factory_reset {
        if let Err(b) = super::reset_control::password_gone_after_reset(ctx, out).await {
            blockers.push(b);
        }
    }
    UnitResult::judge(
        "c",
        UNIT_C,
        &findings,
        &blockers,
        "the label password is unique and not universal; no universal credential was accepted after initialization",
    )
}

/// The label's password against the other samples', the batch's and the corpus; without one,
/// why uniqueness was not judged.
fn label_password(
    ctx: &CaseContext<'_>,
    corpus: &[Credential],
    out: &mut Gathered,
) -> (Vec<String>, Vec<Blocker>) {
    let sample = ctx.sample;
    let (mut findings, mut blockers) = (Vec::new(), Vec::new());
    match sample.unit.label.password.as_deref() {
        Some(password) => {
            let j = pre_installed::judge(&PreInstalled {
                password,
                other_samples: ctx
                    .peers
                    .iter()
                    .filter(|(slot, _)| *slot != sample.unit.slot_id)
                    .filter_map(|(slot, l)| Some((slot.as_str(), l.password.as_deref()?)))
                    .collect(),
                batch_sha256: &ctx
                    .config
                    .rig
                    .batch
                    .label_password_sha256
                    .iter()
                    .map(|h| h.value.clone())
                    .collect::<Vec<_>>(),
                corpus,
            });
            findings.extend(j.findings);
            blockers.extend(j.blockers);
            out.details.extend(j.details);
        }
        None => {
            let pre_installed: Vec<&str> = ctx
                .config
                .profile
                .body
                .ixit
                .auth_mechanisms
                .iter()
                .filter(|m| m.factor == AuthFactor::PreInstalledUnique)
                .map(|m| m.id.as_str())
                .collect();
            if pre_installed.is_empty() {
                out.details
                    .push("unit (c): the label carries no pre-installed password".into());
            } else {
                blockers.push(Blocker::new(Cause::Config, format!(
                    "IXIT 1 declares pre-installed passwords ({}) but the rig gives this unit's label no password (`label.password` or its label file): whether it is unique and not universal was not judged",
                    pre_installed.join(", ")
                )));
            }
        }
    }
    (findings, blockers)
}

/// The mechanisms the corpus is tried on: every declared one whose service is enabled or, though
/// declared disabled, found open.
fn mechanisms_to_try<'c>(
    ctx: &CaseContext<'c>,
    open: Option<&open_ports::OpenPorts>,
    out: &mut Gathered,
) -> Vec<&'c AuthMechanism> {
    let mut tried = Vec::new();
    for mech in &ctx.config.profile.body.ixit.auth_mechanisms {
        match reachable(ctx, mech, open) {
            Reach::Declared => {}
            Reach::DisabledButOpen(port) => out.details.push(format!(
                "unit (c): {}: its service is declared disabled but TCP {port} is open; the corpus is tried anyway",
                mech.id
            )),
            Reach::Disabled => {
                out.details.push(format!(
                    "unit (c): {}: its service is declared disabled and was not found open",
                    mech.id
                ));
                continue;
            }
        }
        tried.push(&mech.value);
    }
    tried
}

enum Reach {
    Declared,
    DisabledButOpen(u16),
    Disabled,
}

/// A mechanism on a service declared disabled is still tried when its port was found open.
fn reachable(
    ctx: &CaseContext<'_>,
    mech: &AuthMechanism,
    open: Option<&open_ports::OpenPorts>,
) -> Reach {
    let Some(id) = &mech.service else {
        return Reach::Declared;
    };
    match ctx.config.profile.service(&id.value) {
        Some(s) if s.enabled => Reach::Declared,
        Some(s) if open.is_some_and(|o| o.unit_ports().any(|p| p == s.port.value)) => {
            Reach::DisabledButOpen(s.port.value)
        }
        _ => Reach::Disabled,
    }
}

fn mech_uses_console(ctx: &CaseContext<'_>) -> bool {
    ctx.config
        .profile
        .body
        .ixit
        .auth_mechanisms
        .iter()
        .any(|m| matches!(m.login, LoginSurface::Console(_)))
}
