//! Hostile units (the simulator's `--hostile` switches) next to an honest one: the run ends
//! within its budgets, the honest sample's verdicts are untouched, all three reports stay valid
//! and inert, and nothing the hostile unit did is passed.

mod common;
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// Adds `--hostile NAME` for each behaviour to slot `n`'s launch command.
fn hostile(rig: &Path, n: usize, behaviours: &[&str]) {
    let text = std::fs::read_to_string(rig).unwrap();
    let mut slots: Vec<String> = text.split("  - id: slot").map(String::from).collect();
    let end = "--dir, \"{scratch}\"";
    assert!(slots[n].contains(end), "slot{n}: {}", slots[n]);
    let flags: String = behaviours
        .iter()
        .map(|b| format!(", --hostile, {b}"))
        .collect();
    slots[n] = slots[n].replacen(end, &format!("{end}{flags}"), 1);
    std::fs::write(rig, slots.join("  - id: slot")).unwrap();
}

/// The quick suite with a port-probing budget of `budget`.
fn suite_with_port_budget(dir: &Path, budget: &str) -> std::path::PathBuf {
    let path = quick_suite(dir);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("\nbudgets:"),
        "the shipped suite sets budgets now"
    );
    std::fs::write(
        &path,
        format!("{text}\nbudgets: {{ port_probing: {budget} }}\n"),
    )
    .unwrap();
    path
}

const AUTOMATED: [&str; 7] = [
    "5.1-1-2", "5.1-2-2", "5.1-5-2", "5.5-1-2", "5.6-1-2", "5.6-2-2", "5.6-4-2",
];

/// Runs slot 1 honest beside slot 2 with `behaviours` (the update battery left out): the run
/// ends within ten minutes (hours or never without the bounds: a liveness bound, not a
/// benchmark) and the honest unit passes every automated case.
fn beside_an_honest_unit(
    dir: &TempDir,
    subnet: u8,
    behaviours: &[&str],
    suite: &Path,
    rig_edit: impl Fn(&Path),
) -> Run {
    let rig = write_rig(&dir.0, subnet, &[&[], &[]]);
    rig_edit(&rig);
    hostile(&rig, 2, behaviours);
    let began = Instant::now();
    let run = run_files(&dir.0, &rig, &profile(), Some(suite), &["--skip", "5.3-"]);
    let took = began.elapsed();
    let out = format!("{}\n{}", run.stdout(), run.stderr());
    assert!(took < Duration::from_secs(600), "{took:?}\n{out}");
    for case in AUTOMATED {
        let (verdict, message, _) = run.verdict("slot1", case);
        assert_eq!(verdict, "PASS", "honest slot1 {case}: {message}");
    }
    run
}

/// 200 ports that answer a byte every 0.7 s and a port that dribbles a TLS handshake would
/// hold the per-port probes of 5.1-1-2, 5.5-1-2 and 5.6-2-2 for hours: each stops at the
/// suite's port-probing budget and names the ports it left, and the TLS probe of the dribbled
/// handshake ends on its own deadline.
#[test]
fn a_tarpit_and_a_dribbled_handshake_cost_only_their_budgets() {
    let dir = TempDir::new("tarpit");
    let suite = suite_with_port_budget(&dir.0, "20s");
    let run = beside_an_honest_unit(&dir, 131, &["tarpit", "tls-dribble"], &suite, |_| {});
    // Every case that asks the open ports; the password and console cases have nothing of
    // the tarpit to judge.
    for case in ["5.1-1-2", "5.1-5-2", "5.5-1-2", "5.6-1-2", "5.6-2-2"] {
        let (verdict, message, _) = run.verdict("slot2", case);
        assert_ne!(verdict, "PASS", "hostile slot2 {case}: {message}");
    }
    let (verdict, message, _) = run.verdict("slot2", "5.6-1-2");
    assert_eq!(verdict, "FAIL", "{message}");
    assert!(
        message.contains(
            "TCP ports 9100-9299 are open but not declared in the profile's services (200 ports)"
        ),
        "{message}"
    );
    for (case, probing) in [
        ("5.5-1-2", "not probed for TLS and clear-text credentials"),
        ("5.6-2-2", "not probed for what they disclose"),
    ] {
        let (verdict, message, _) = run.verdict("slot2", case);
        assert_eq!(verdict, "INCONCLUSIVE", "{case}: {message}");
        assert!(message.contains(probing), "{case}: {message}");
        assert!(
            message.contains("`budgets.port_probing`"),
            "{case}: {message}"
        );
        assert_eq!(run.cause("slot2", case).as_deref(), Some("unit"), "{case}");
    }
    // The dribbled handshake is the first port 5.5-1-2 asks: its probe gave up on its own.
    let (_, message, _) = run.verdict("slot2", "5.5-1-2");
    assert!(message.contains("TCP 9000: TLS probe:"), "{message}");
    let (_, message, _) = run.verdict("slot2", "5.1-1-2");
    assert!(
        message.contains("not probed for a login surface"),
        "{message}"
    );
    assert_reports_valid(&run.run_dir());
}

/// A unit whose every text field carries ESC sequences, a CR that fakes a line, U+FFFF, a bidi
/// override and bytes that are not UTF-8, and whose console, once booted, streams for ever
/// without a newline: the run ends, and every report stays valid and inert.
#[test]
fn hostile_text_and_an_endless_console_line_leave_the_reports_valid() {
    let dir = TempDir::new("hostiletext");
    let suite = quick_suite(&dir.0);
    let behaviours = ["unsafe-text", "endless-uart-line"];
    let run = beside_an_honest_unit(&dir, 132, &behaviours, &suite, |rig| {
        console_on_header(rig, 2)
    });
    // A console that streams without end is neither locked nor proven open.
    let (verdict, message, _) = run.verdict("slot2", "5.6-4-2");
    assert_eq!(verdict, "INCONCLUSIVE", "{message}");
    assert!(
        message.contains("output never paused for 1.5 s once booted"),
        "{message}"
    );
    assert_reports_valid(&run.run_dir());
    for bad in ["\u{1b}", "\u{ffff}", "\u{202e}"] {
        assert!(
            !run.stdout().contains(bad),
            "the terminal summary holds {bad:?}"
        );
    }
    // The version is kept, made inert: its fake `[ PASS ]` line is not a line of its own.
    let junit = run.junit_text();
    assert!(junit.contains("1.4.2"), "{junit}");
    assert!(junit.contains("[PASS]"), "{junit}");
}

/// The largest resident set of any process this test binary waited for, hilt's children
/// included (Linux reports it in KiB).
fn largest_child_rss_mib() -> u64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss as u64 / 1024
}

/// A telnet port that floods negotiation and never reads, an HTTP answer dribbled a byte every
/// half second, and an SSDP answer whose description is 1 GiB: the run ends, memory stays
/// bounded, and the reports stay valid.
#[test]
fn a_negotiation_flood_a_slow_answer_and_a_huge_description_are_survived() {
    let dir = TempDir::new("floods");
    let suite = quick_suite(&dir.0);
    let behaviours = ["iac-flood", "slow-http", "huge-ssdp-description"];
    let run = beside_an_honest_unit(&dir, 134, &behaviours, &suite, |_| {});
    let (verdict, message, _) = run.verdict("slot2", "5.6-1-2");
    assert_eq!(verdict, "FAIL", "{message}");
    for seen in [
        "service `telnet` (TCP 2323) is declared disabled but is open",
        "TCP port 9081 is open but not declared",
        "TCP port 9082 is open but not declared",
        "UDP port 1900 (SSDP) answers but is not declared",
    ] {
        assert!(message.contains(seen), "{seen:?} not in {message}");
    }
    // The telnet port is a login surface no one declared, reached in clear text. (5.6-2-2 may
    // pass: nothing the unit sends names it, in the first 64 KiB of each answer it reads.)
    for case in ["5.1-1-2", "5.1-5-2", "5.5-1-2"] {
        let (verdict, message, _) = run.verdict("slot2", case);
        assert_ne!(verdict, "PASS", "hostile slot2 {case}: {message}");
    }
    // The 1 GiB port answers 200 to anything, a login included: a catch-all, not a clear-text
    // login.
    let (_, message, out) = run.verdict("slot2", "5.5-1-2");
    assert!(!message.contains("TCP 9081"), "{message}");
    assert!(
        out.contains("TCP 9081: `web-admin`") && out.contains("a catch-all"),
        "{out}"
    );
    // What was read of the 1 GiB description is capped, in memory and in the evidence.
    let rss = largest_child_rss_mib();
    assert!(rss < 512, "a process of this test grew to {rss} MiB");
    let disclosure = std::fs::metadata(run.run_dir().join("samples/slot2/disclosure.log"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(disclosure < 4 << 20, "disclosure.log is {disclosure} bytes");
    assert_reports_valid(&run.run_dir());
    eprintln!("largest process: {rss} MiB");
}

/// Ctrl-C while a TLS probe (blocking work on its own thread) is held by a dribbled handshake:
/// the probe is told to stop and the process does not wait for it, so hilt exits within
/// seconds with a partial report.
#[test]
fn an_interrupt_during_a_held_tls_probe_ends_the_run_within_seconds() {
    ensure_simdevice();
    let dir = TempDir::new("heldprobe");
    let rig = write_rig(&dir.0, 135, &[&[]]);
    hostile(&rig, 1, &["tls-dribble"]);
    let suite = quick_suite(&dir.0);
    let out_dir = dir.0.join("reports");
    let child = std::process::Command::new(hilt())
        .arg("run")
        .args(["--rig", rig.to_str().unwrap()])
        .args(["--suite", suite.to_str().unwrap()])
        .args(["--profile", profile().to_str().unwrap()])
        .args(["--out", out_dir.to_str().unwrap()])
        .arg("5.5-1-2")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The declared TLS port is probed before 9000, whose handshake is dribbled.
    let log = out_dir.join("latest/samples/slot1/crypto.log");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains("TCP 8443")) {
        assert!(Instant::now() < deadline, "the TLS probes never began");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(3));
    let interrupted = Instant::now();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let output = child.wait_with_output().unwrap();
    let took = interrupted.elapsed();
    let run = Run { output, out_dir };
    assert!(
        took < Duration::from_secs(8),
        "{took:?} after Ctrl-C\n{}",
        run.stderr()
    );
    assert_eq!(run.code(), 3, "{}\n{}", run.stdout(), run.stderr());
    let (verdict, message, _) = run.verdict("slot1", "5.5-1-2");
    assert_eq!(verdict, "INCONCLUSIVE", "{message}");
    assert!(message.contains("interrupted by the operator"), "{message}");
}
