//! 5.6-4-2's UART part: what the rig's console offers from power-on to the booted unit, judged
//! against what the profile declares the UART to offer in production.

use super::CaseContext;
use crate::config::debug_interface::{DebugInterface, DebugKind, ReachedBy, UartOffers};
use crate::debug::uart_probe::{self, Surface};
use crate::verdict::{CaseResult, Verdict};
use std::time::Duration;

/// None when the rig wires no console and the profile declares no UART.
pub async fn judge(ctx: &CaseContext<'_>) -> Option<CaseResult> {
    let sample = ctx.sample;
    let profile = &ctx.config.profile;
    let declared: Option<&DebugInterface> = profile
        .body
        .ixit
        .debug_interfaces
        .iter()
        .find(|d| d.kind == DebugKind::Uart);
    let Some(reached_by) = sample.console_reached_by() else {
        return declared.map(|d| {
            CaseResult::inconclusive(format!(
                "the profile declares UART `{}` but the rig wires no console to this sample",
                d.id
            ))
        });
    };
    let (keys, window) = declared
        .map(|d| (d.interrupt_keys.clone(), d.boot_window.0))
        .unwrap_or((vec![], Duration::from_secs(5)));
    let seen = match uart_probe::probe(sample, &profile.death_strings(), &keys, window).await {
        Ok(f) => f,
        Err(e) => return Some(CaseResult::inconclusive(format!("UART: {e}"))),
    };
    let name = match declared {
        Some(d) => format!("UART `{}` (declared: {})", d.id, d.disabled_by),
        None => "UART (not declared in the profile)".to_string(),
    };
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
        Surface::LoginPrompt(text) => match declared.map(|d| d.offers) {
            Some(UartOffers::LoginPrompt) => details.push(format!(
                "{name} asks for a login, as declared (its credentials are tested by 5.1-1-2): {text}"
            )),
            offers => {
                let why = match offers {
                    Some(_) => "is declared to offer nothing, but asks for a login",
                    None => "asks for a login, but the profile declares no UART (IXIT 15)",
                };
                let corpus = super::uart_corpus::try_corpus(ctx).await;
                let opened = if corpus.accepted.is_empty() {
                    String::new()
                } else {
                    format!("; the universal corpus logs in: {}", corpus.accepted.join(", "))
                };
                findings.push(format!("{name} {why}: {text}{opened}"));
                details.push(format!(
                    "{name}: {} universal credential(s) tried at the undeclared login prompt, {} accepted (console.log)",
                    corpus.tried,
                    corpus.accepted.len()
                ));
                details.extend(corpus.note);
            }
        },
        Surface::Nothing => details.push(format!("{name}: nothing answers once booted")),
    }
    let mut r = if findings.is_empty() {
        if !seen.power_cycled {
            CaseResult::inconclusive(format!(
                "{name}: the rig has no power backend, so the boot loader could not be tried"
            ))
        } else {
            CaseResult::new(
                Verdict::Pass,
                format!("{name}: no boot-loader prompt and no shell without login"),
            )
        }
    } else if reached_by == ReachedBy::TestPad {
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
    r.evidence = vec![sample.console_log_path()];
    Some(r)
}
