//! 5.13-1-2's means: each input used with one field replaced by an unexpected value, within a
//! budget of requests and time, each answer and the console judged, each finding saved so it
//! can be sent again.

pub mod finding;
pub mod mutation;
pub mod oracle;
pub mod probe;
mod session;
pub mod target;
mod use_once;

use super::CaseContext;
use crate::bench::run_state::Known;
use crate::evidence::EvidenceLog;
use crate::model::verdict::Blocker;
use mutation::{Mutation, Rng};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use target::{Field, Target};

/// Findings after which the run stops: the verdict is FAIL long before, and each may cost a
/// restart.
const MAX_FINDINGS: usize = 20;

pub struct Settings {
    pub max_requests: usize,
    pub max_time: Duration,
    pub recover_within: Duration,
    pub seed: u64,
}

#[derive(Default)]
pub struct Outcome {
    pub findings: Vec<String>,
    pub blockers: Vec<Blocker>,
    pub sent: usize,
    pub inputs: Vec<String>,
    pub evidence: Vec<PathBuf>,
}

/// One planned use: the step whose field is replaced, the field, the value.
pub(super) struct Planned {
    pub(super) step: usize,
    pub(super) field: Field,
    pub(super) mutation: Mutation,
}

pub async fn run(ctx: &CaseContext<'_>, settings: &Settings, log: &EvidenceLog) -> Outcome {
    let profile = &ctx.config.profile;
    let (targets, left_out) = target::targets(profile);
    left_out
        .iter()
        .for_each(|l| log.line("#", &format!("left out: {l}")));
    let mut out = Outcome::default();
    let state = &ctx.sample.state;
    let kept = state.keep(&[Known::Username, Known::Password]);
    let run = Fuzzing {
        ctx,
        settings,
        started: Instant::now(),
        log,
    };
    session::forget_console(ctx).await;
    for (i, t) in targets.iter().enumerate() {
        let share = (settings.max_requests - out.sent) / (targets.len() - i);
        if run.spent(&out) {
            log.line("#", &format!("{}: not used, the budget is spent", t.name));
            continue;
        }
        ctx.sample
            .activity
            .phase(format!("unexpected input {}", t.name), None);
        run.one_target(t, share, &mut out).await;
    }
    state.put_back(kept);
    out
}

/// What every input's values share: the case, the budget and its start, the log.
struct Fuzzing<'r, 'p> {
    ctx: &'r CaseContext<'p>,
    settings: &'r Settings,
    started: Instant,
    log: &'r EvidenceLog,
}

impl Fuzzing<'_, '_> {
    fn spent(&self, out: &Outcome) -> bool {
        out.findings.len() >= MAX_FINDINGS || self.started.elapsed() >= self.settings.max_time
    }

    async fn one_target(&self, t: &Target<'_>, share: usize, out: &mut Outcome) {
        let kept = match session::before(self.ctx, t, self.log).await {
            Ok(k) => k,
            Err(e) => return out.blockers.push(e.context(&t.name)),
        };
        if let Err(e) = self.send_values(t, share, out).await {
            out.blockers.push(e);
        }
        session::after(self.ctx, t, kept, self.log).await;
    }

    /// The target's planned values, each judged; a finding is saved and the unit waited for.
    async fn send_values(
        &self,
        t: &Target<'_>,
        share: usize,
        out: &mut Outcome,
    ) -> Result<(), Blocker> {
        let (ctx, settings, log) = (self.ctx, self.settings, self.log);
        session::open(ctx, t, log)
            .await
            .map_err(|e| e.context(&t.name))?;
        let plan = plan(ctx, t, settings.seed, share);
        log.line("#", &format!("{}: {} values", t.name, plan.len()));
        out.inputs
            .push(format!("{} ({} values)", t.name, plan.len()));
        for p in &plan {
            if self.spent(out) {
                log.line("#", &format!("{}: stopped, the budget is spent", t.name));
                break;
            }
            out.sent += 1;
            let Some((finding, surface)) = use_once::probe_once(ctx, t, p, settings, out.sent, log)
                .await
                .map_err(|e| e.context(&t.name))?
            else {
                continue;
            };
            out.findings.push(format!(
                "{}, {} = {}: {}",
                t.name, finding.field, finding.mutation, finding.what
            ));
            out.evidence.extend(finding.save(ctx.sample));
            if !session::recover(ctx, surface, settings.recover_within, log).await {
                return Err(Blocker::new(
                    crate::model::verdict::Cause::Unit,
                    format!(
                        "{}: the unit did not answer again after a finding (waited {:.0}s, and as long again after a power cycle where the rig has a power backend); its other values were not sent",
                        t.name,
                        settings.recover_within.as_secs_f64()
                    ),
                ));
            }
            session::open(ctx, t, log)
                .await
                .map_err(|e| e.context(format!("{}: after the unit came back", t.name)))?;
        }
        Ok(())
    }
}

/// The target's values: per field a seeded order, the fields taken in turn, at most `share`.
fn plan(ctx: &CaseContext<'_>, t: &Target<'_>, seed: u64, share: usize) -> Vec<Planned> {
    let mut rng = Rng::new(seed ^ name_hash(&t.name));
    let mut lists: Vec<Vec<Planned>> = Vec::new();
    for (step, s) in t.steps.iter().enumerate() {
        for field in target::fields_of(&s.value) {
            let mut values = values_for(ctx, &field, &mut rng);
            rng.shuffle(&mut values);
            lists.push(
                values
                    .into_iter()
                    .map(|mutation| Planned {
                        step,
                        field: field.clone(),
                        mutation,
                    })
                    .collect(),
            );
        }
    }
    let mut plan = Vec::new();
    let mut iters: Vec<_> = lists.into_iter().map(Vec::into_iter).collect();
    while plan.len() < share {
        let before = plan.len();
        for it in iters.iter_mut() {
            if plan.len() < share {
                plan.extend(it.next());
            }
        }
        if plan.len() == before {
            break;
        }
    }
    plan
}

/// The unexpected values for one field, by where it sits.
fn values_for(ctx: &CaseContext<'_>, field: &Field, rng: &mut Rng) -> Vec<Mutation> {
    use target::FieldPath;
    let valid = match &field.written {
        serde_json::Value::String(text) => {
            serde_json::Value::String(ctx.sample.fill(text).unwrap_or_else(|_| text.clone()))
        }
        other => other.clone(),
    };
    match field.path {
        FieldPath::Body => {
            let fill = |t: &str| ctx.sample.fill(t);
            let filled = crate::util::template::fill_json(&field.written, &fill);
            mutation::for_body(filled.as_ref().unwrap_or(&field.written))
        }
        FieldPath::Json(_) => mutation::for_field(&valid, true, rng),
        FieldPath::Form(_) | FieldPath::Query(_) => mutation::for_field(&valid, false, rng),
        FieldPath::Argument(_) => {
            let mut values = mutation::for_field(&valid, false, rng);
            // A newline ends a console line: what follows is a second line the user may type.
            values.retain(|m| m.name != "shell-newline");
            values
        }
    }
}

/// FNV-1a: each input's values depend on the seed and its name, not on the inputs before it.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
