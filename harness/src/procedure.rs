//! Runs a profile procedure: each step under its deadline, each step and its outcome logged.

use crate::bench::Sample;
use crate::config::located::Located;
use crate::config::procedure::{PowerAction, Step};
use crate::config::Profile;
use crate::evidence::EvidenceLog;
use crate::transport::http::{HttpRequest, RequestTemplate};
use crate::transport::switch::{Action, Switch};
use std::time::Duration;

pub async fn run(
    sample: &Sample,
    profile: &Profile,
    name: &str,
    steps: &[Located<Step>],
    log: &EvidenceLog,
) -> Result<(), String> {
    log.line("#", &format!("procedure {name}: {} steps", steps.len()));
    for (i, step) in steps.iter().enumerate() {
        if let Some(reason) = sample.broken_reason() {
            return Err(reason);
        }
        let what = format!("procedure {name}, step {} ({})", i + 1, kind(step));
        log.line("#", &format!("{what}: start"));
        match run_step(sample, profile, step).await {
            Ok(()) => log.line("#", &format!("{what}: done")),
            Err(e) => {
                log.line("#", &format!("{what}: {e}"));
                return Err(format!("{what}: {e}"));
            }
        }
    }
    Ok(())
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
) -> Result<(), String> {
    let switch = switch.ok_or_else(|| format!("the rig wires no {which} backend to this slot"))?;
    tokio::time::timeout(within, switch.actuate(action))
        .await
        .map_err(|_| {
            format!(
                "{which} backend gave no answer within {:.1}s",
                within.as_secs_f64()
            )
        })?
}

async fn run_step(sample: &Sample, profile: &Profile, step: &Step) -> Result<(), String> {
    let death = profile.death_strings();
    match step {
        Step::Power(p) => {
            let power = sample.power.as_deref();
            match p.action {
                PowerAction::On => actuate(power, "power", Action::PowerOn, p.within.0).await,
                PowerAction::Off => actuate(power, "power", Action::PowerOff, p.within.0).await,
                PowerAction::Cycle => {
                    actuate(power, "power", Action::PowerOff, p.within.0).await?;
                    tokio::time::sleep(p.off_for.0).await;
                    actuate(power, "power", Action::PowerOn, p.within.0).await
                }
            }
        }
        Step::Button(b) => {
            actuate(
                sample.button.as_deref(),
                "reset button",
                Action::Press(b.hold.0),
                b.hold.0 + b.within.0,
            )
            .await
        }
        Step::Wait(d) => {
            tokio::time::sleep(d.0).await;
            Ok(())
        }
        Step::ConsoleSend(s) => {
            let text = sample.fill(&s.text)?;
            sample
                .console(&death)
                .await?
                .send(&text, s.secret)
                .await
                .map_err(|e| e.to_string())
        }
        Step::ConsoleExpect(e) => {
            let mut console = sample.console(&death).await?;
            console
                .expect(&[&e.pattern], e.within.0)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        Step::ConsoleLogin(l) => {
            let dialect = profile
                .body
                .console
                .as_ref()
                .ok_or("the profile has no `console:` section")?;
            let user = sample
                .var("username")
                .ok_or("no username is known for this unit")?;
            let password = sample
                .var("password")
                .ok_or("no password is known for this unit")?;
            let mut console = sample.console(&death).await?;
            match crate::login::prompt_login(
                &mut console,
                &dialect.login,
                &user,
                &password,
                l.within.0,
            )
            .await
            {
                crate::login::LoginOutcome::Accepted => Ok(()),
                other => Err(format!("console login was not accepted: {other}")),
            }
        }
        Step::Http(h) => {
            let service = profile
                .service(&h.service)
                .ok_or_else(|| format!("no declared service `{}`", h.service))?;
            let template = RequestTemplate {
                method: &h.method,
                path: &h.path,
                json: h.json.as_ref(),
                form: h.form.as_ref(),
            };
            let mut req =
                HttpRequest::from_template(template, service.endpoint(), h.within.0, &|t| {
                    sample.fill(t)
                })?;
            if let Some(b) = &h.basic_auth {
                req.basic_auth = Some((sample.fill(&b.username)?, sample.fill(&b.password)?));
            }
            sample.scope.check(sample.address)?;
            let answer = sample.http.send(&req).await?;
            if !h.expect_status.contains(&answer.status) {
                return Err(format!(
                    "HTTP status {}, expected one of {:?}",
                    answer.status, h.expect_status
                ));
            }
            for (var, pattern) in &h.capture {
                let caps = pattern
                    .regex
                    .captures(&answer.body)
                    .ok_or_else(|| format!("`{}` not found in the answer", pattern.source))?;
                let value = caps
                    .get(1)
                    .or_else(|| caps.get(0))
                    .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
                    .unwrap_or_default();
                sample.set_var(var, value, false);
            }
            Ok(())
        }
        Step::Set(vars) => {
            for (name, value) in vars {
                let v = sample.fill(value)?;
                sample.set_var(name, v, name.contains("password"));
            }
            Ok(())
        }
    }
}
