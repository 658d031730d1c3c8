//! Around each input: the account signed in and its session opened, the setting or password it
//! may disturb put back, and after a finding, the wait for the unit to answer again.

use super::super::configuration_change::{attempt, next_value, read_back, Subject};
use super::target::Target;
use super::CaseContext;
use crate::bench::run_state::Known;
use crate::config::configuration_function::SETTING;
use crate::config::endpoint::Endpoint;
use crate::config::pattern::Pattern;
use crate::evidence::EvidenceLog;
use crate::model::verdict::{Blocker, Cause};
use crate::transport::http::HttpRequest;
use crate::util::token;
use std::time::{Duration, Instant};

/// What must answer again after a finding.
#[derive(Clone, Copy)]
pub enum Surface<'p> {
    Http(Endpoint),
    /// The console, and the prompt that shows it answers.
    Console(Option<&'p Pattern>),
}

/// What an input may change and is put back afterwards.
pub struct Kept {
    password: crate::bench::run_state::Kept,
    setting: Option<String>,
}

/// Read before the first value: the password in force, and a configuration function's setting.
pub async fn before(
    ctx: &CaseContext<'_>,
    t: &Target<'_>,
    log: &EvidenceLog,
) -> Result<Kept, Blocker> {
    let password = ctx.sample.state.keep(&[Known::Password]);
    let setting = match t.restore {
        Some(f) => Some(read_back(ctx, f, log).await?),
        None => None,
    };
    Ok(Kept { password, setting })
}

/// Signs in as the input's account and runs its session steps. A login's password is a wrong
/// one; a configuration change's `{setting}` a valid new value.
pub async fn open(ctx: &CaseContext<'_>, t: &Target<'_>, log: &EvidenceLog) -> Result<(), Blocker> {
    let (sample, profile) = (ctx.sample, &ctx.config.profile);
    if let Some(id) = t.mechanism {
        let config = |why: String| Blocker::new(Cause::Config, why);
        let mech = profile
            .auth_mechanism(id)
            .ok_or_else(|| config(format!("no mechanism `{id}`")))?;
        let user = sample
            .fill(&mech.username)
            .map_err(|e| config(format!("the username of `{id}`: {e}")))?;
        sample.state.set(Known::Username, user);
    }
    if t.login {
        sample.state.set(Known::Password, token::fresh());
    }
    if let Some(f) = t.restore {
        sample.state.set_named(SETTING, next_value(f, &[]));
    }
    let name = format!("{} session", t.name);
    crate::procedure::run(sample, profile, &name, t.authenticate, log).await
}

/// Waits out a login's lockout and puts back the password and the setting.
pub async fn after(ctx: &CaseContext<'_>, t: &Target<'_>, kept: Kept, log: &EvidenceLog) {
    if let Some(d) = t.lockout {
        crate::transport::device_time::sleep(d + d / 10).await;
    }
    ctx.sample.state.put_back(kept.password);
    let (Some(f), Some(original)) = (t.restore, kept.setting) else {
        return;
    };
    if matches!(read_back(ctx, f, log).await, Ok(now) if now == original) {
        return;
    }
    let back = attempt(ctx, f, Subject::Authorised, &original, log).await;
    let now = read_back(ctx, f, log).await;
    let done = back.is_ok() && matches!(now, Ok(v) if v == original);
    log.line(
        "#",
        &format!(
            "{}: set back to `{original}` -> {}",
            t.name,
            if done { "done" } else { "failed" }
        ),
    );
}

/// Whether the service gives any HTTP answer to `GET /` within 5 s.
pub async fn answers(ctx: &CaseContext<'_>, endpoint: Endpoint) -> bool {
    let req = HttpRequest::get(endpoint, "/", Duration::from_secs(5));
    ctx.sample.drivers.http.send(&req).await.is_ok()
}

/// Whether the console shows its prompt again after an empty line; true without a console.
pub async fn console_answers(ctx: &CaseContext<'_>, prompt: Option<&Pattern>) -> bool {
    if ctx.sample.drivers.console_reached_by().is_none() {
        return true;
    }
    match super::probe::send_console(ctx.sample, &ctx.config.profile, prompt, "\r\n").await {
        Ok(super::probe::Reply::Console { prompt, .. }) => prompt,
        _ => false,
    }
}

/// What the console printed since the last look (nothing when the rig wires none).
pub async fn console_since(ctx: &CaseContext<'_>, window: Duration) -> Vec<u8> {
    if ctx.sample.drivers.console_reached_by().is_none() {
        return Vec::new();
    }
    let death = ctx.config.profile.death_strings();
    match ctx.sample.console(&death).await {
        Ok(mut c) => c.gather(window, 64 * 1024).await,
        Err(_) => Vec::new(),
    }
}

/// Drops what the console printed so far: a boot banner from before is no restart now.
pub async fn forget_console(ctx: &CaseContext<'_>) {
    if ctx.sample.drivers.console_reached_by().is_some() {
        let death = ctx.config.profile.death_strings();
        if let Ok(mut c) = ctx.sample.console(&death).await {
            c.clear();
        }
    }
}

/// Waits up to `within` for the surface to answer; then power-cycles the unit, where the rig
/// can, and waits again. The console's output until then is dropped.
pub async fn recover(
    ctx: &CaseContext<'_>,
    surface: Surface<'_>,
    within: Duration,
    log: &EvidenceLog,
) -> bool {
    let back = restart_if_needed(ctx, surface, within, log).await;
    forget_console(ctx).await;
    back
}

async fn restart_if_needed(
    ctx: &CaseContext<'_>,
    surface: Surface<'_>,
    within: Duration,
    log: &EvidenceLog,
) -> bool {
    if back_within(ctx, surface, within).await {
        log.line("#", "the unit answers again");
        return true;
    }
    if ctx.sample.drivers.power.is_none() {
        log.line(
            "#",
            "the unit does not answer, and the rig wires no power backend to restart it",
        );
        return false;
    }
    log.line("#", "the unit does not answer: power cycle");
    let profile = &ctx.config.profile;
    if let Err(e) = crate::procedure::power_cycle(ctx.sample, profile, log).await {
        log.line("#", &format!("power cycle: {}", e.why));
        return false;
    }
    let back = back_within(ctx, surface, within).await;
    log.line(
        "#",
        if back {
            "the unit answers again after the power cycle"
        } else {
            "the unit does not answer after the power cycle"
        },
    );
    back
}

async fn back_within(ctx: &CaseContext<'_>, surface: Surface<'_>, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        let up = match surface {
            Surface::Http(e) => answers(ctx, e).await,
            Surface::Console(prompt) => console_answers(ctx, prompt).await,
        };
        if up {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        crate::transport::device_time::sleep(Duration::from_secs(1)).await;
    }
}
