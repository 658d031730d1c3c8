//! Runs a profile procedure: each step under its deadline, each step and its outcome logged.

use crate::bench::run_state::Known;
use crate::bench::Sample;
use crate::config::located::Located;
use crate::config::procedure::{ConsoleLogin, HttpStep, PowerAction, PowerStep, Step};
use crate::config::Profile;
use crate::evidence::EvidenceLog;
use crate::model::verdict::{Blocker, Cause};
use crate::transport::http::{HttpRequest, RequestTemplate};
use crate::transport::switch::{Action, Switch};
use std::time::Duration;

/// Runs the steps in order; the first failure ends the procedure, named with its step and
/// whose doing it was (a rig without the backend a step needs, a backend that failed, a unit that
/// did not answer as the profile says).
pub async fn run(
    sample: &Sample,
    profile: &Profile,
    name: &str,
    steps: &[Located<Step>],
    log: &EvidenceLog,
) -> Result<(), Blocker> {
    log.line("#", &format!("procedure {name}: {} steps", steps.len()));
    for (i, step) in steps.iter().enumerate() {
        if let Some(reason) = sample.broken_reason() {
            return Err(Blocker::new(Cause::Unit, reason));
        }
        let what = format!("procedure {name}, step {} ({})", i + 1, kind(step));
        log.line("#", &format!("{what}: start"));
        match run_step(sample, profile, step).await {
            Ok(()) => log.line("#", &format!("{what}: done")),
            Err(e) => {
                log.line("#", &format!("{what}: {e}"));
                return Err(e.context(what));
            }
        }
    }
    Ok(())
}

/// Off for a second, then on again, through the rig's power backend.
pub async fn power_cycle(
    sample: &Sample,
    profile: &Profile,
    log: &EvidenceLog,
) -> Result<(), Blocker> {
    let step = Located::unplaced(Step::Power(PowerStep {
        action: PowerAction::Cycle,
        off_for: crate::config::duration::Dur(Duration::from_secs(1)),
        within: crate::config::duration::Dur(Duration::from_secs(10)),
    }));
    run(
        sample,
        profile,
        "power_cycle",
        std::slice::from_ref(&step),
        log,
    )
    .await
}

fn kind(step: &Step) -> &'static str {
    match step {
        Step::Power(_) => "power",
        Step::Button(_) => "button",
        Step::Wait(_) => "wait",
        Step::ConsoleSend(_) => "console_send",
        Step::ConsoleExpect(_) => "console_expect",
        Step::ConsoleLogin(_) => "console_login",
        Step::Http(_) => "http",
        Step::Set(_) => "set",
    }
}

async fn actuate(
    switch: Option<&dyn Switch>,
    which: &str,
    action: Action,
    within: Duration,
) -> Result<(), Blocker> {
    let switch = switch.ok_or_else(|| {
        Blocker::new(
            Cause::Config,
            format!("the rig wires no {which} backend to this slot"),
        )
    })?;
    Ok(crate::transport::switch::actuate_within(switch, which, action, within).await?)
}

async fn run_step(sample: &Sample, profile: &Profile, step: &Step) -> Result<(), Blocker> {
    let death = profile.death_strings();
    let unit = |e: String| Blocker::new(Cause::Unit, e);
    match step {
        Step::Power(_) | Step::Button(_) => {
            console_before_step(sample, &death).await;
            let done = actuator_step(sample, step).await;
            if done.is_ok() {
                forget_console_output(sample, &death).await;
            }
            done
        }
        Step::Wait(d) => {
            crate::transport::device_time::sleep(d.0).await;
            Ok(())
        }
        Step::ConsoleSend(s) => {
            let text = sample.fill(&s.text)?;
            sample
                .console(&death)
                .await?
                .send(&text, s.secret)
                .await
                .map_err(|e| unit(e.to_string()))
        }
        Step::ConsoleExpect(e) => {
            let mut console = sample.console(&death).await?;
            console
                .expect(&[&e.pattern], e.within.0)
                .await
                .map(|_| ())
                .map_err(|e| unit(e.to_string()))
        }
        Step::ConsoleLogin(l) => console_login(sample, profile, l, &death).await,
        Step::Http(h) => http_step(sample, profile, h).await,
        Step::Set(vars) => {
            for (name, value) in vars {
                let v = sample.fill(value)?;
                sample.state.set_named(name, v);
            }
            Ok(())
        }
    }
}

/// The power or button step itself, through the rig's backend.
async fn actuator_step(sample: &Sample, step: &Step) -> Result<(), Blocker> {
    match step {
        Step::Power(p) => {
            let power = sample.drivers.power.as_deref();
            match p.action {
                PowerAction::On => actuate(power, "power", Action::PowerOn, p.within.0).await,
                PowerAction::Off => actuate(power, "power", Action::PowerOff, p.within.0).await,
                PowerAction::Cycle => {
                    actuate(power, "power", Action::PowerOff, p.within.0).await?;
                    crate::transport::device_time::sleep(p.off_for.0).await;
                    actuate(power, "power", Action::PowerOn, p.within.0).await
                }
            }
        }
        Step::Button(b) => {
            let button = sample.drivers.button.as_deref();
            let press = Action::Press(b.hold.0);
            actuate(button, "reset button", press, b.hold.0 + b.within.0).await
        }
        _ => Ok(()),
    }
}

/// What the console printed before a switch or button step has finished cannot be the answer
/// to it: a `console_expect` after the step must not match an earlier boot's lines (a boot still
/// finishing while the reset button is held). The console is opened before the step, so the
/// boot after it is in its log from the first line and what the unit had printed reaches
/// hilt's buffer, and that buffer is emptied once the step is done.
async fn console_before_step(sample: &Sample, death: &[crate::config::pattern::Pattern]) {
    let _ = sample.console(death).await;
}

async fn forget_console_output(sample: &Sample, death: &[crate::config::pattern::Pattern]) {
    if let Ok(mut console) = sample.console(death).await {
        console.clear();
    }
}

/// Logs in on the console with the credential in force, through the profile's console dialect.
async fn console_login(
    sample: &Sample,
    profile: &Profile,
    l: &ConsoleLogin,
    death: &[crate::config::pattern::Pattern],
) -> Result<(), Blocker> {
    let config = |e: String| Blocker::new(Cause::Config, e);
    let dialect = profile
        .body
        .console
        .as_ref()
        .ok_or_else(|| config("the profile has no `console:` section".into()))?;
    let user = sample
        .state
        .get(Known::Username)
        .ok_or_else(|| config("no username is known for this unit".into()))?;
    let password = sample
        .state
        .get(Known::Password)
        .ok_or_else(|| config("no password is known for this unit".into()))?;
    let mut console = sample.console(death).await?;
    match crate::login::prompt_login(&mut console, &dialect.login, &user, &password, l.within.0)
        .await
    {
        crate::login::LoginOutcome::Accepted => Ok(()),
        other => Err(Blocker::new(
            Cause::Unit,
            format!("console login was not accepted: {other}"),
        )),
    }
}

/// The request an HTTP step sends, its placeholders filled.
pub fn http_request(
    sample: &Sample,
    profile: &Profile,
    h: &HttpStep,
) -> Result<HttpRequest, Blocker> {
    let service = profile.service(&h.service).ok_or_else(|| {
        Blocker::new(
            Cause::Config,
            format!("no declared service `{}`", h.service),
        )
    })?;
    let template = RequestTemplate {
        method: &h.method,
        path: &h.path,
        json: h.json.as_ref(),
        form: h.form.as_ref(),
    };
    let mut req = HttpRequest::from_template(template, service.endpoint(), h.within.0, &|t| {
        sample.fill(t)
    })?;
    if let Some(b) = &h.basic_auth {
        let user = sample.fill(&b.username)?;
        req.basic_auth = Some((user, sample.fill(&b.password)?));
    }
    if let Some(a) = &h.authorization {
        req.authorization = Some(sample.fill(a)?);
    }
    Ok(req)
}

/// One HTTP request of a procedure: its status checked, its captures stored.
async fn http_step(sample: &Sample, profile: &Profile, h: &HttpStep) -> Result<(), Blocker> {
    let unit = |e: String| Blocker::new(Cause::Unit, e);
    let req = http_request(sample, profile, h)?;
    let answer = sample.drivers.http.send(&req).await?;
    if !h.expect_status.contains(&answer.status) {
        return Err(unit(format!(
            "HTTP status {}, expected one of {:?}",
            answer.status, h.expect_status
        )));
    }
    for (var, pattern) in &h.capture {
        let caps = pattern
            .regex
            .captures(&answer.body)
            .ok_or_else(|| unit(format!("`{}` not found in the answer", pattern.source)))?;
        let value = caps
            .get(1)
            .or_else(|| caps.get(0))
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
            .unwrap_or_default();
        sample.state.set_named(var, value);
    }
    Ok(())
}
