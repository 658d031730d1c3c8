//! The boot as the console shows it: the unit's power is cycled through the rig and the console
//! read from power-on until its login prompt, so the draft can say how long the boot loader
//! talks and what it says (5.6-4-2 sends its interrupt keys through that window).

use crate::bench::Sample;
use crate::transport::switch::Action;
use std::time::{Duration, Instant};

/// What the console said while the unit booted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Boot {
    /// Lines that read as a boot loader's (U-Boot, barebox, "press any key"), each with the
    /// seconds after power-on it came.
    pub loader_lines: Vec<(f64, String)>,
    /// Seconds from power-on to a login prompt, if one came within the wait.
    pub login_after: Option<f64>,
    /// Why the boot could not be watched, if it could not.
    pub problem: Option<String>,
}

/// Longest boot watched; a unit still silent then is drafted without boot timings.
pub const WAIT: Duration = Duration::from_secs(90);
/// The most console output kept from one boot.
const LIMIT: usize = 256 * 1024;

pub async fn watch(sample: &Sample) -> Boot {
    let Some(power) = sample.drivers.power.as_ref() else {
        return problem("the rig wires no power to this slot");
    };
    let mut console = match sample.console(&[]).await {
        Ok(c) => c,
        Err(e) => return problem(&format!("console: {e}")),
    };
    if let Err(e) = power.actuate(Action::PowerOff).await {
        return problem(&format!("power off: {e}"));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    console.clear();
    if let Err(e) = power.actuate(Action::PowerOn).await {
        return problem(&format!("power on: {e}"));
    }
    let on = Instant::now();
    let mut boot = Boot::default();
    let mut read = 0;
    let mut partial = String::new();
    while on.elapsed() < WAIT && read < LIMIT {
        let chunk = console.gather(Duration::from_millis(250), 4096).await;
        let at = on.elapsed().as_secs_f64();
        let text = super::dialogue::text(&chunk);
        read += text.len();
        partial.push_str(&text);
        while let Some(end) = partial.find('\n') {
            let line: String = partial.drain(..=end).collect();
            if is_loader_line(&line) {
                boot.loader_lines.push((at, line.trim().to_string()));
            }
        }
        if is_loader_line(&partial)
            && boot.loader_lines.last().map(|(_, l)| l.as_str()) != Some(partial.trim())
        {
            boot.loader_lines.push((at, partial.trim().to_string()));
        }
        if partial.trim_end().to_ascii_lowercase().ends_with("login:") {
            boot.login_after = Some(at);
            break;
        }
    }
    boot
}

fn problem(why: &str) -> Boot {
    Boot {
        problem: Some(why.to_string()),
        ..Boot::default()
    }
}

/// A boot loader's banner or its offer to stop the boot.
pub fn is_loader_line(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    [
        "u-boot",
        "barebox",
        "autoboot",
        "any key",
        "to stop boot",
        "to abort",
        "to interrupt",
        "bootloader",
        "boot loader",
    ]
    .iter()
    .any(|m| l.contains(m))
}

/// The boot window to declare: past the boot loader's last line with a margin, whole seconds.
pub fn window(boot: &Boot) -> Option<u64> {
    let last = boot.loader_lines.last()?.0;
    Some((last * 1.5).max(last + 1.0).ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_loader_lines_are_told_from_the_kernel_and_the_login() {
        assert!(is_loader_line("U-Boot 2023.01 (Jan 10 2023)"));
        assert!(is_loader_line("Hit any key to stop autoboot:  2"));
        assert!(is_loader_line("Press Ctrl-C to abort"));
        assert!(!is_loader_line("[    0.000000] Linux version 6.1.0"));
        assert!(!is_loader_line("box login: "));
    }

    #[test]
    fn the_window_reaches_past_the_loaders_last_line() {
        let boot = Boot {
            loader_lines: vec![
                (0.2, "U-Boot".into()),
                (1.4, "Hit any key to stop autoboot: 1".into()),
            ],
            ..Boot::default()
        };
        assert_eq!(window(&boot), Some(3));
        assert_eq!(window(&Boot::default()), None);
    }
}
