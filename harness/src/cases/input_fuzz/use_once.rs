//! One planned value sent, and everything that may show the unit processed it unprotected:
//! the answer, the console, the service or console no longer answering.

use super::finding::{self, Finding};
use super::probe::{self, Reply};
use super::session::{self, Surface};
use super::target::Target;
use super::{oracle, Planned, Settings};
use crate::cases::CaseContext;
use crate::evidence::EvidenceLog;
use crate::model::verdict::Blocker;
use std::time::Duration;

/// Sends one value and judges what follows; a finding comes with the surface that must answer
/// again before the run goes on.
pub(super) async fn probe_once<'p>(
    ctx: &CaseContext<'p>,
    t: &Target<'p>,
    p: &Planned,
    settings: &Settings,
    number: usize,
    log: &EvidenceLog,
) -> Result<Option<(Finding, Surface<'p>)>, Blocker> {
    let (sample, profile) = (ctx.sample, &ctx.config.profile);
    let prompt = probe::prompt(profile, t.prompt);
    if p.step > 0 {
        let name = format!("{} (steps before the varied one)", t.name);
        crate::procedure::run(sample, profile, &name, &t.steps[..p.step], log).await?;
    }
    let canary = p.mutation.canary.as_deref();
    let mut finding = Finding {
        case: "5.13-1-2",
        seed: settings.seed,
        probe: number,
        input: t.name.clone(),
        field: p.field.path.to_string(),
        mutation: p.mutation.name.clone(),
        what: String::new(),
        request: None,
        console_line: None,
        answer_status: None,
        answer: String::new(),
        console: String::new(),
        replay: String::new(),
        replay_note: None,
    };
    let (reply, surface) = match &t.steps[p.step].value {
        crate::config::procedure::Step::Http(h) => {
            let (req, sent) = probe::http(sample, profile, h, &p.field, &p.mutation)?;
            finding.replay = finding::curl(&sent, &format!("{}.body", finding::file_name(number)));
            if t.authenticate.iter().any(|s| !s.defines().is_empty()) {
                finding.replay_note = Some("the request carries the session of the input's `authenticate` steps: open a new one and put it in its place".into());
            }
            finding.request = Some(sent);
            let service = profile.service(&h.service).map(|s| s.endpoint());
            (
                probe::send_http(sample, &req).await,
                service.map_or(Surface::Console(prompt), Surface::Http),
            )
        }
        crate::config::procedure::Step::ConsoleSend(c) => {
            let line = probe::console_line(sample, c, &p.field, &p.mutation)?;
            finding.console_line = Some(line.clone());
            finding.replay =
                "log in at the console as `authenticate` does, then type `console_line`".into();
            (
                probe::send_console(sample, profile, prompt, &line).await?,
                Surface::Console(prompt),
            )
        }
        _ => return Ok(None),
    };
    // A unit that did not answer may be printing why: the console gets longer to show it.
    let window = match &reply {
        Reply::Http(Err(_)) | Reply::Console { prompt: false, .. } => Duration::from_secs(1),
        _ => Duration::from_millis(20),
    };
    let console = session::console_since(ctx, window).await;
    finding.console = crate::evidence::printable(&console);
    let seen = match &reply {
        Reply::Http(Ok(answer)) => {
            finding.answer_status = Some(answer.status);
            finding.answer =
                crate::evidence::printable(&answer.body[..answer.body.len().min(2048)]);
            oracle::in_answer(&answer.body, canary)
        }
        Reply::Http(Err(e)) => {
            finding.answer = e.clone();
            match surface {
                Surface::Http(endpoint) if !session::answers(ctx, endpoint).await => Some(format!(
                    "the service on port {} stopped answering after this value ({e})",
                    endpoint.port
                )),
                _ => {
                    log.line(
                        "#",
                        &format!("probe {number}: no answer ({e}); the service still answers"),
                    );
                    None
                }
            }
        }
        Reply::Console {
            output,
            prompt: prompt_back,
        } => {
            finding.answer = crate::evidence::printable(output);
            let found = oracle::in_answer(output, canary).or_else(|| {
                oracle::on_console(
                    output,
                    None,
                    &profile.death_strings(),
                    profile.boot_banner(),
                )
            });
            if found.is_none() && !prompt_back && !session::console_answers(ctx, prompt).await {
                Some("the console stopped answering after this line".into())
            } else {
                found
            }
        }
    };
    let on_console = oracle::on_console(
        &console,
        canary,
        &profile.death_strings(),
        profile.boot_banner(),
    );
    let seen = match (seen, on_console) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    log.line(
        "#",
        &format!(
            "probe {number}: {} {} = {}: {}",
            t.name,
            finding.field,
            finding.mutation,
            seen.as_deref()
                .unwrap_or("no sign of unprotected processing")
        ),
    );
    Ok(seen.map(|what| {
        finding.what = what;
        (finding, surface)
    }))
}
