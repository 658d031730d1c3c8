//! How an unexpected value shows it was processed unprotected: an executed injection's canary, a
//! stack trace or interpreter error in the answer, a crash on the console, a restart the lab did
//! not cause. A refusal, whatever its status, is what the input should do.

use crate::config::pattern::Pattern;
use regex::bytes::Regex;
use std::sync::LazyLock;

/// Errors that interpreters, runtimes and databases print when unchecked input reached them.
static PROCESSING_ERRORS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"Traceback \(most recent call last\)", "a Python traceback"),
        (
            r"\bat [\w$.]+\([\w$]+\.(java|kt|scala):\d+\)",
            "a JVM stack trace",
        ),
        (r"panicked at ", "a Rust panic"),
        (r"goroutine \d+ \[", "a Go stack dump"),
        (r"(?m)^#\d+\s+0x[0-9a-fA-F]+ in ", "a native backtrace"),
        (
            r"(Fatal error|Warning): .{1,200} in .{1,200} on line \d+",
            "a PHP error",
        ),
        (r"Exception in thread ", "an uncaught exception"),
        (r"\bSystem\.\w+Exception\b", "a .NET exception"),
        (r"(?i)\bstack ?trace\b", "a stack trace"),
        (r"You have an error in your SQL syntax", "a MySQL error"),
        (r"SQLSTATE\[", "an SQL error"),
        (r"\bORA-\d{5}\b", "an Oracle error"),
        (r"sqlite3?\.\w*Error|SQLITE_ERROR", "an SQLite error"),
        (r"unterminated quoted string", "a PostgreSQL error"),
    ]
    .into_iter()
    .map(|(re, what)| (Regex::new(re).expect("a valid pattern"), what))
    .collect()
});

/// Crash reports of common runtimes and kernels, besides the profile's own death strings.
static CRASHES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"Kernel panic",
        r"Oops: ",
        r"Unable to handle kernel",
        r"segfault at ",
        r"Segmentation fault",
        r"stack smashing detected",
        r"double free or corruption",
        r"Aborted \(core dumped\)",
        r"watchdog: BUG",
        r"Guru Meditation Error",
        r"HardFault",
    ]
    .into_iter()
    .map(|re| Regex::new(re).expect("a valid pattern"))
    .collect()
});

/// What a body shows of unprotected processing: the executed canary, or a processing error.
pub fn in_answer(body: &[u8], canary: Option<&str>) -> Option<String> {
    if let Some(c) = canary.filter(|c| contains(body, c)) {
        return Some(format!(
            "the answer holds `{c}`, the output of the injected command"
        ));
    }
    PROCESSING_ERRORS
        .iter()
        .find(|(re, _)| re.is_match(body))
        .map(|(re, what)| {
            let m = re.find(body).map(|m| m.as_bytes()).unwrap_or_default();
            format!(
                "the answer shows {what}: `{}`",
                crate::evidence::printable(m)
            )
        })
}

/// What console output shows: the canary, a crash report, the boot banner of a restart; each
/// that is there.
pub fn on_console(
    output: &[u8],
    canary: Option<&str>,
    death: &[Pattern],
    boot_banner: Option<&Pattern>,
) -> Option<String> {
    let mut seen = Vec::new();
    if let Some(c) = canary.filter(|c| contains(output, c)) {
        seen.push(format!(
            "the console printed `{c}`, the output of the injected command"
        ));
    }
    let crash = death
        .iter()
        .map(|p| &p.regex)
        .chain(CRASHES.iter())
        .find_map(|re| re.find(output));
    if let Some(m) = crash {
        seen.push(format!(
            "the console printed a crash report: `{}`",
            crate::evidence::printable(line_around(output, m.start(), m.end()))
        ));
    }
    if let Some(m) = boot_banner.and_then(|b| b.regex.find(output)) {
        seen.push(format!(
            "the unit restarted: the console printed its boot banner `{}`",
            crate::evidence::printable(m.as_bytes())
        ));
    }
    (!seen.is_empty()).then(|| seen.join("; "))
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len().max(1))
        .any(|w| w == needle.as_bytes())
}

/// The line a match sits on, at most 160 bytes of it.
fn line_around(output: &[u8], start: usize, end: usize) -> &[u8] {
    let from = output[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let to = output[end..]
        .iter()
        .position(|b| *b == b'\r' || *b == b'\n')
        .map_or(output.len(), |i| end + i);
    &output[from..to.min(from + 160)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_no_finding_and_an_executed_canary_or_trace_is() {
        assert_eq!(
            in_answer(br#"{"error":"invalid host"}"#, Some("hilt123")),
            None
        );
        assert_eq!(
            in_answer(b"PING 1.2.3.4;echo hilt$((3*41))", Some("hilt123")),
            None
        );
        assert!(in_answer(b"PING 1.2.3.4\nhilt123\n", Some("hilt123")).is_some());
        let trace = b"Traceback (most recent call last):\n  File \"x.py\"";
        assert!(in_answer(trace, None).unwrap().contains("Python"));
        assert!(in_answer(b"", Some("hilt1")).is_none());
    }

    #[test]
    fn the_console_tells_a_crash_and_a_restart() {
        let crash = b"ok\r\nhttpd[311]: segfault at 0 ip 00004012 sp 7ffd error 4\r\n# ";
        let seen = on_console(crash, None, &[], None).unwrap();
        assert!(seen.contains("httpd[311]: segfault at 0"), "{seen}");
        let banner = Pattern::new("U-Boot 20").unwrap();
        let boot = b"\r\nU-Boot 2023.04 (VC SoC)\r\n";
        assert!(on_console(boot, None, &[], Some(&banner))
            .unwrap()
            .contains("restarted"));
        assert_eq!(on_console(b"# ", None, &[], Some(&banner)), None);
        let both = [&crash[..], &boot[..]].concat();
        let seen = on_console(&both, None, &[], Some(&banner)).unwrap();
        assert!(
            seen.contains("crash report") && seen.contains("restarted"),
            "{seen}"
        );
    }
}
