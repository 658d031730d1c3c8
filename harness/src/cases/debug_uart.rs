//! 5.6-4-2's UART part: what each UART the rig wires (the console and any further header)
//! offers from power-on to the booted unit, judged against what the profile declares that UART
//! to offer in production.

use super::ts_5_6_4_2::{LoginPromptRule, Params};
use super::CaseContext;
use crate::config::debug_interface::{DebugInterface, DebugKind, ReachedBy, UartOffers};
use crate::debug::uart_probe::{self, Surface, UartFindings};
use crate::login::prompt::{ChannelTrial, ConsoleTrial};
use crate::login::CredentialTrial;
use crate::model::verdict::{CaseResult, Cause, Verdict};
use std::path::PathBuf;
use std::time::Duration;

/// One UART as wired and as declared.
struct Wired<'a> {
    name: String,
    declared: Option<&'a DebugInterface>,
    reached_by: ReachedBy,
    log: PathBuf,
}

/// One result per UART, each marked declared (unit (a)) or not (unit (b)); empty when the rig
/// wires no UART and the profile declares none.
pub async fn judge(ctx: &CaseContext<'_>, params: &Params) -> Vec<(bool, CaseResult)> {
    let sample = ctx.sample;
    let declared: Vec<&DebugInterface> = ctx.config.profile.debug_interfaces(DebugKind::Uart);
    let on_headers: Vec<&str> = sample
        .drivers
        .uart_headers
        .iter()
        .filter_map(|h| h.interface.as_ref().map(|i| i.value.as_str()))
        .collect();
    // The console is the declared UART no header claims.
    let console_interface = declared
        .iter()
        .find(|d| !on_headers.contains(&d.id.as_str()))
        .copied();
    let mut parts = Vec::new();
    match sample.drivers.console_reached_by() {
        Some(reached_by) => parts.push((
            console_interface.is_some(),
            console_part(ctx, params, console_interface, reached_by).await,
        )),
        None => parts.extend(console_interface.map(|d| {
            (
                true,
                CaseResult::not_performed(
                    Cause::Config,
                    format!(
                    "the profile declares UART `{}` but the rig wires no console to this sample",
                    d.id
                ),
                ),
            )
        })),
    }
    for (i, header) in sample.drivers.uart_headers.iter().enumerate() {
        let interface = header.interface.as_ref().map(|id| id.value.as_str());
        let found = declared
            .iter()
            .find(|d| Some(d.id.as_str()) == interface)
            .copied();
        let log_name = format!("5.6-4-2/uart-header-{i}.log");
        let wired = Wired {
            name: name_of(found, &format!("UART header {}", header.path)),
            declared: found,
            reached_by: header.reached_by,
            log: sample.evidence.dir.join(&log_name),
        };
        let declared = found.is_some();
        let part = header_part(ctx, params, wired, &log_name, &header.path, header.baud).await;
        parts.push((declared, part));
    }
    for d in &declared {
        let is_console = console_interface.is_some_and(|c| c.id == d.id);
        if !is_console && !on_headers.contains(&d.id.as_str()) {
            parts.push((true, CaseResult::not_performed(Cause::Config, format!(
                "the profile declares UART `{}` but the rig wires no `debug.uart` header to it (the console is `{}`)",
                d.id,
                console_interface.map(|c| c.id.as_str()).unwrap_or("-")
            ))));
        }
    }
    parts
}

fn name_of(declared: Option<&DebugInterface>, wired_as: &str) -> String {
    match declared {
        Some(d) => format!("UART `{}` (declared: {})", d.id, d.disabled_by),
        None => format!("{wired_as} (not declared in the profile)"),
    }
}

async fn console_part(
    ctx: &CaseContext<'_>,
    params: &Params,
    declared: Option<&DebugInterface>,
    reached_by: ReachedBy,
) -> CaseResult {
    let sample = ctx.sample;
    let death = ctx.config.profile.death_strings();
    let (keys, window) = boot_keys(declared);
    let seen = {
        let mut console = match sample.console(&death).await {
            Ok(c) => c,
            Err(e) => return CaseResult::not_performed(Cause::Bench, format!("UART: {e}")),
        };
        uart_probe::probe(&mut console, sample.drivers.power.as_deref(), &keys, window).await
    };
    let seen = match seen {
        Ok(f) => f,
        Err(e) => return CaseResult::not_performed(Cause::Bench, format!("UART: {e}")),
    };
    let wired = Wired {
        name: name_of(declared, "UART"),
        declared,
        reached_by,
        log: sample.console_log_path(),
    };
    let spec = super::uart_corpus::dialect(&ctx.config.profile);
    let trial = ConsoleTrial {
        sample,
        spec: &spec,
        death,
    };
    verdict(ctx, params, &wired, &seen, &trial).await
}

async fn header_part(
    ctx: &CaseContext<'_>,
    params: &Params,
    wired: Wired<'_>,
    log_name: &str,
    path: &str,
    baud: Option<u32>,
) -> CaseResult {
    let sample = ctx.sample;
    let log = sample.evidence.log(log_name);
    let death = ctx.config.profile.death_strings();
    let mut channel = match crate::transport::console::open_at(path, baud, log, death).await {
        Ok(c) => c,
        Err(e) => return inconclusive_at(&wired, e.cause(), e.to_string()),
    };
    let (keys, window) = boot_keys(wired.declared);
    let seen = match uart_probe::probe(&mut channel, sample.drivers.power.as_deref(), &keys, window)
        .await
    {
        Ok(f) => f,
        Err(e) => return inconclusive_at(&wired, Cause::Bench, e),
    };
    let spec = super::uart_corpus::dialect(&ctx.config.profile);
    let trial = ChannelTrial {
        channel: tokio::sync::Mutex::new(channel),
        spec: &spec,
    };
    verdict(ctx, params, &wired, &seen, &trial).await
}

fn inconclusive_at(wired: &Wired<'_>, cause: Cause, why: String) -> CaseResult {
    let mut r = CaseResult::not_performed(cause, format!("{}: {why}", wired.name));
    r.evidence = vec![wired.log.clone()];
    r
}

fn boot_keys(declared: Option<&DebugInterface>) -> (Vec<String>, Duration) {
    declared
        .map(|d| (d.interrupt_keys.clone(), d.boot_window.0))
        .unwrap_or((vec![], Duration::from_secs(5)))
}

async fn verdict(
    ctx: &CaseContext<'_>,
    params: &Params,
    wired: &Wired<'_>,
    seen: &UartFindings,
    trial: &dyn CredentialTrial,
) -> CaseResult {
    let name = &wired.name;
    let mut findings = Vec::new();
    let mut details = Vec::new();
    if let Some(menu) = &seen.bootloader {
        findings.push(format!(
            "{name}: an interactive boot-loader prompt answers a key during boot: {menu}"
        ));
    }
    match &seen.after_boot {
        Surface::RootShell(text) => findings.push(format!(
            "{name}: a shell answers without any login once booted: {text}"
        )),
        Surface::LoginPrompt(text) => match wired.declared.map(|d| *d.offers) {
            Some(UartOffers::LoginPrompt) => match params.uart_login_prompt {
                // EN 303 645 5.6-4's example of a disabled UART: no logon prompt, no menu.
                LoginPromptRule::Fail => findings.push(format!(
                    "{name} asks for a login once booted, as declared, but a logon prompt is an interface not disabled (EN 303 645 5.6-4 example; suite rule `uart_login_prompt: fail`): {text}"
                )),
                LoginPromptRule::AcceptUniqueCredentials => details.push(format!(
                    "{name} asks for a login, as declared; accepted under the suite rule `uart_login_prompt: accept_unique_credentials` (its credentials are tested by 5.1-1-2): {text}"
                )),
            },
            offers => {
                let why = match offers {
                    Some(_) => "is declared to offer nothing, but asks for a login",
                    None => "asks for a login, but the profile does not declare this UART (IXIT 15)",
                };
                let corpus = super::uart_corpus::try_corpus(ctx, &params.corpus, trial).await;
                let opened = if corpus.accepted.is_empty() {
                    String::new()
                } else {
                    format!("; the universal corpus logs in: {}", corpus.accepted.join(", "))
                };
                findings.push(format!("{name} {why}: {text}{opened}"));
                details.push(format!(
                    "{name}: {} universal credential(s) tried at the undeclared login prompt, {} accepted ({})",
                    corpus.tried,
                    corpus.accepted.len(),
                    ctx.sample.evidence.cite(&wired.log)
                ));
                details.extend(corpus.note);
            }
        },
        Surface::Interactive(text) => findings.push(format!(
            "{name}: something answers typed input without any login once booted (a console or menu): {text}"
        )),
        Surface::Streaming(text) => {
            let mut r = CaseResult::not_performed(
                Cause::Unit,
                format!("{name}: output never paused for 1.5 s once booted, so what answers typed input cannot be told (a console that streams without end): {text}"),
            );
            // A boot-loader prompt seen before it is still a finding.
            if !findings.is_empty() && wired.reached_by != ReachedBy::TestPad {
                r = CaseResult::new(Verdict::Fail, findings.join("; "));
            }
            r.details = details;
            r.evidence = vec![wired.log.clone()];
            return r;
        }
        Surface::Nothing => details.push(format!(
            "{name}: nothing answers a newline or a typed word once booted"
        )),
    }
    let mut r = if findings.is_empty() {
        if !seen.power_cycled {
            CaseResult::not_performed(
                Cause::Config,
                format!(
                    "{name}: the rig has no power backend, so the boot loader could not be tried"
                ),
            )
        } else {
            CaseResult::new(
                Verdict::Pass,
                format!("{name}: no boot-loader prompt and no shell without login"),
            )
        }
    } else if wired.reached_by == ReachedBy::TestPad {
        details.extend(findings.iter().map(|f| {
            format!("{f} (through a bare test pad: not physically accessible under TS 103 701, reported, not failed)")
        }));
        CaseResult::new(
            Verdict::Pass,
            format!("{name}: open only through a test pad"),
        )
    } else {
        CaseResult::new(Verdict::Fail, findings.join("; "))
    };
    r.details.extend(details);
    r.evidence = vec![wired.log.clone()];
    r
}
