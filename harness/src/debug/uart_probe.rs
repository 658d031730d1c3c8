//! The UART as a debug interface: power-cycle the unit, send a serial BREAK, keep sending the
//! usual boot-loader interrupt keys through the boot window, and look at what the port offers — a boot-loader
//! prompt, then, once booted, a root shell without login, a login prompt, or nothing. A
//! boot-loader prompt is left with `boot`, so the unit carries on as it would have.

use crate::transport::expect::Channel;
use crate::transport::switch::{Action, Switch};
use std::time::Duration;

/// Ctrl-C, Enter, space, Esc and the few letters boot loaders wait for (U-Boot's any key,
/// RedBoot's ^C, CFE's and Broadcom's ^C, "q" for some vendor menus, "t" for TP-Link's "tpl").
const INTERRUPT_KEYS: [&str; 6] = ["\x03", "\r", " ", "\x1b", "q", "t"];
const MAX_LOG: usize = 256 * 1024;
/// Prompts of boot loaders in the field, as they end a line.
const BOOTLOADER_PROMPTS: [&str; 7] = [
    "=> ",
    "U-Boot> ",
    "CFE> ",
    "RedBoot> ",
    "ath> ",
    "ar7240> ",
    "Boot> ",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UartFindings {
    /// The boot-loader prompt and what `help` showed there.
    pub bootloader: Option<String>,
    pub after_boot: Surface,
    /// Whether the boot window could be reached (the rig has a power backend).
    pub power_cycled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Surface {
    RootShell(String),
    LoginPrompt(String),
    /// Answers typed input without a login, whatever its prompt looks like (a vendor menu).
    Interactive(String),
    /// Never went quiet after boot: output that does not stop cannot tell an answer to typed
    /// input from what it would have printed anyway.
    Streaming(String),
    Nothing,
}

/// How long a console that was not power-cycled may take to fall quiet.
const SETTLE_WITHOUT_POWER: Duration = Duration::from_secs(5);
/// How long a booting one may.
const SETTLE_AFTER_BOOT: Duration = Duration::from_secs(60);

/// `console` is any UART of the unit: the rig's console or a further header.
pub async fn probe(
    console: &mut Channel,
    power: Option<&dyn Switch>,
    extra_keys: &[String],
    boot_window: Duration,
) -> Result<UartFindings, String> {
    let mut power_cycled = false;
    let mut bootloader = None;
    if let Some(power) = power {
        let act = |a| async move {
            crate::transport::switch::actuate_within(power, "power", a, Duration::from_secs(10))
                .await
                .map_err(|e| e.to_string())
        };
        act(Action::PowerOff).await?;
        crate::transport::device_time::sleep(Duration::from_millis(500)).await;
        console.clear();
        act(Action::PowerOn).await?;
        power_cycled = true;
        console.send_break().await.map_err(|e| e.to_string())?;
        let mut seen = Vec::new();
        let keys: Vec<String> = INTERRUPT_KEYS
            .iter()
            .map(|k| k.to_string())
            .chain(extra_keys.iter().cloned())
            .collect();
        let started = std::time::Instant::now();
        let mut next = 0;
        while started.elapsed() < boot_window && seen.len() < MAX_LOG {
            let key = &keys[next % keys.len()];
            next += 1;
            console
                .send_bytes(key.as_bytes(), "boot-loader interrupt key")
                .await
                .map_err(|e| e.to_string())?;
            seen.extend(console.gather(Duration::from_millis(100), MAX_LOG).await);
            if let Some(prompt) = bootloader_prompt(&seen) {
                // Stop pressing keys; record what the prompt offers, then let it boot.
                seen.extend(console.gather(Duration::from_millis(300), MAX_LOG).await);
                console
                    .send_bytes(b"help\r", "boot-loader help")
                    .await
                    .map_err(|e| e.to_string())?;
                let help = console.gather(Duration::from_millis(700), 8192).await;
                bootloader = Some(format!(
                    "`{}` prompt; help: {}",
                    prompt.trim(),
                    excerpt(&help, 240)
                ));
                console
                    .send_bytes(b"boot\r", "continue booting")
                    .await
                    .map_err(|e| e.to_string())?;
                break;
            }
        }
    }
    // Let the boot finish: output goes quiet for a while.
    let settle = match power_cycled {
        true => SETTLE_AFTER_BOOT,
        false => SETTLE_WITHOUT_POWER,
    };
    if let Some(stream) = never_quiet(console, settle).await {
        return Ok(UartFindings {
            bootloader,
            after_boot: Surface::Streaming(excerpt(&stream, 120)),
            power_cycled,
        });
    }
    console
        .send_bytes(b"\r", "a newline at the booted console")
        .await
        .map_err(|e| e.to_string())?;
    let answer = console.gather(Duration::from_millis(1500), 8192).await;
    let mut after_boot = classify(&answer);
    if after_boot == Surface::Nothing {
        // Prompts take any form; what answers a word no device knows is interactive.
        let mut r = [0u8; 4];
        crate::util::random::fill(&mut r);
        let word = format!("hilt{}\r", u32::from_le_bytes(r));
        console
            .send_bytes(word.as_bytes(), "a word no device knows")
            .await
            .map_err(|e| e.to_string())?;
        let reply = console.gather(Duration::from_millis(1500), 8192).await;
        after_boot = answered(&answer, &reply);
    }
    Ok(UartFindings {
        bootloader,
        after_boot,
        power_cycled,
    })
}

/// The last output, if the console printed without a 1.5 s pause for all of `settle`.
async fn never_quiet(console: &mut Channel, settle: Duration) -> Option<Vec<u8>> {
    let until = std::time::Instant::now() + settle;
    let mut last = Vec::new();
    while std::time::Instant::now() < until {
        last = console.gather(Duration::from_millis(1500), MAX_LOG).await;
        if last.is_empty() {
            return None;
        }
    }
    Some(last)
}

/// Silence, or an answer to typed input: anything printed besides whitespace and terminal
/// control sequences counts, the echo of the word included (a disabled UART reads nothing).
pub fn answered(to_newline: &[u8], to_word: &[u8]) -> Surface {
    let both = [to_newline, to_word].concat();
    let text = strip_ansi(&String::from_utf8_lossy(&both));
    if text.trim().is_empty() {
        Surface::Nothing
    } else {
        Surface::Interactive(excerpt(&both, 120))
    }
}

/// Text without ANSI escape sequences (colours, cursor moves), which prompts often end with.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            // Parameters and intermediates, then one final byte in @..~.
            for d in chars.by_ref() {
                if ('@'..='~').contains(&d) {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}

fn bootloader_prompt(seen: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(seen);
    BOOTLOADER_PROMPTS.into_iter().find(|p| {
        text.lines()
            .any(|l| l == *p || l.ends_with(&format!("\r{p}")))
            || text.ends_with(p)
    })
}

/// What answers a newline once the unit has booted.
pub fn classify(answer: &[u8]) -> Surface {
    let text = strip_ansi(&String::from_utf8_lossy(answer));
    let last = text
        .trim_end_matches([' ', '\r', '\n'])
        .rsplit(['\r', '\n'])
        .next()
        .unwrap_or("")
        .to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("login:") || lower.contains("password:") {
        return Surface::LoginPrompt(excerpt(answer, 120));
    }
    if last.ends_with('#') || last.ends_with('$') || last.ends_with('>') && last.contains('@') {
        return Surface::RootShell(excerpt(answer, 120));
    }
    Surface::Nothing
}

fn excerpt(bytes: &[u8], max: usize) -> String {
    let text = crate::evidence::printable(bytes);
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatever_answers_input_is_interactive() {
        assert!(matches!(
            classify(b"\r\nroot@cam:~# \x1b[0m"),
            Surface::RootShell(_)
        ));
        let cli = b"\r\n\x1b[1;32mCLI>\x1b[0m ";
        assert_eq!(classify(cli), Surface::Nothing);
        assert!(matches!(
            answered(cli, b"hilt1\r\n% Unknown command"),
            Surface::Interactive(_)
        ));
        assert!(matches!(answered(b"", b"hilt1"), Surface::Interactive(_)));
        assert_eq!(answered(b"\r\n", b"\x1b[0m \r\n"), Surface::Nothing);
        assert_eq!(answered(b"", b""), Surface::Nothing);
    }

    #[test]
    fn prompts_shells_and_silence_are_told_apart() {
        assert!(matches!(
            classify(b"\r\nVC-100 login: "),
            Surface::LoginPrompt(_)
        ));
        assert!(matches!(classify(b"\r\nvc-100# "), Surface::RootShell(_)));
        assert!(matches!(classify(b"\r\n~ $ "), Surface::RootShell(_)));
        assert_eq!(classify(b""), Surface::Nothing);
        assert_eq!(classify(b"[  3.1] eth0: link up\r\n"), Surface::Nothing);
        assert_eq!(classify(&[0xff, 0x00, 0x9c]), Surface::Nothing);
    }

    #[test]
    fn boot_loader_prompts_are_recognised_at_a_line_end_only() {
        assert_eq!(
            bootloader_prompt(b"Hit any key to stop autoboot:  1 \r\n\r\n=> "),
            Some("=> ")
        );
        assert_eq!(bootloader_prompt(b"CFE> "), Some("CFE> "));
        assert_eq!(
            bootloader_prompt(b"a => b\r\nStarting kernel ...\r\n"),
            None
        );
    }
}
