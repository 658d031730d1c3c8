//! What the profile, rig and suite let a case wait for, read from their deadlines: each part an
//! upper bound of an honest unit's time, summed into the case's budget (`budget.rs`).

use super::budget::Waits;
use crate::config::auth_mechanism::{AuthMechanism, LoginSurface};
use crate::config::located::Located;
use crate::config::procedure::Step;
use crate::config::Config;
use std::time::Duration;

/// Login surfaces found on undeclared ports are not known before the run; this many are
/// budgeted for, each at the longest deadline hilt gives a discovered surface.
const UNDECLARED_SURFACES: u32 = 4;
const DISCOVERED_LOGIN: Duration = Duration::from_secs(20);
/// How long 5.6-4-2 lets a booted console settle before typing (see debug_uart).
const CONSOLE_SETTLE: Duration = Duration::from_secs(60);

/// Factory reset, initialization and version read-back, and the factory-default probe between
/// the first two: the first case to need the initialized state pays for them.
pub fn state_setup(config: &Config) -> Waits {
    let procedures = &config.profile.body.procedures;
    let mut w = Waits::default();
    w.add("factory reset", steps(&procedures.factory_reset));
    w.add("initialization", steps(&procedures.initialize));
    w.add("version read-back", steps(&procedures.read_version));
    let suite = &config.suite.body.facts.factory_default;
    let tries = corpus_entries(config, &suite.corpus) + 3;
    let user_defined = config
        .profile
        .body
        .ixit
        .auth_mechanisms
        .iter()
        .filter(|m| m.factor == crate::config::auth_mechanism::AuthFactor::UserDefined);
    let probe: Duration = user_defined.map(|m| login_deadline(m) * tries).sum();
    w.add("factory-default logins", probe);
    w
}

/// A procedure's steps, each at its deadline.
pub fn steps(steps: &[Located<Step>]) -> Duration {
    steps.iter().map(|s| step(&s.value)).sum()
}

fn step(step: &Step) -> Duration {
    match step {
        Step::Power(p) => p.off_for.0 + p.within.0,
        Step::Button(b) => b.hold.0 + b.within.0,
        Step::Wait(d) => d.0,
        Step::ConsoleExpect(e) => e.within.0,
        Step::ConsoleLogin(l) => l.within.0,
        Step::Http(h) => h.within.0,
        // A write to the console or a variable: no wait of its own.
        Step::ConsoleSend(_) | Step::Set(_) => Duration::ZERO,
    }
}

pub fn login_deadline(mechanism: &AuthMechanism) -> Duration {
    match &mechanism.login {
        LoginSurface::Http(l) => l.within.0,
        LoginSurface::Telnet(l) | LoginSurface::Console(l) => l.within.0,
        LoginSurface::Ftp(l) | LoginSurface::Mqtt(l) => l.within.0,
        LoginSurface::Ssh(l) => l.within.0,
        LoginSurface::Rtsp(l) => l.within.0,
    }
}

/// Entries in the suite's credential lists; a list that cannot be read counts none (`hilt
/// check` has refused it already).
pub fn corpus_entries(config: &Config, files: &[Located<String>]) -> u32 {
    let paths = files.iter().map(|f| config.suite.path_of(&f.value));
    crate::corpus::load_all(paths).map_or(0, |c| c.len() as u32)
}

/// Every list entry plus the positive and negative controls, on every declared login, one
/// attempt at a time (concurrent sessions only make it shorter), `pause` between attempts.
pub fn corpus_on_logins(config: &Config, entries: u32, pause: Duration) -> Duration {
    config
        .profile
        .body
        .ixit
        .auth_mechanisms
        .iter()
        .map(|m| (login_deadline(m) + pause) * (entries + 2))
        .sum()
}

pub fn corpus_on_undeclared(entries: u32, pause: Duration) -> Duration {
    (DISCOVERED_LOGIN + pause) * (entries + 1) * UNDECLARED_SURFACES
}

/// The TCP and UDP scans of the suite (`facts.scan`), on IPv6 too when the rig gives an address.
pub fn scans(config: &Config) -> Waits {
    let mut w = Waits::default();
    let Some(scan) = &config.suite.body.facts.scan else {
        return w;
    };
    let suite = &config.suite;
    let rounds = |ports: usize| ports.div_ceil(scan.concurrency.value.max(1)) as u32;
    // Ports that neither accept nor refuse are asked again, 16 at a time, twice as long.
    let retried = suite.tcp_ports.len().min(1024).div_ceil(16) as u32;
    let tcp = scan.connect_timeout.0 * (rounds(suite.tcp_ports.len()) + 2 * retried);
    let udp = scan.udp_wait.0 * rounds(suite.udp_ports.len())
        + match suite.udp_ports.is_empty() {
            true => Duration::ZERO,
            false => scan.udp_retry_budget.0,
        };
    let families = match config.rig.slots.iter().any(|s| s.network.ipv6.is_some()) {
        true => 2,
        false => 1,
    };
    w.add("TCP scan", tcp * families);
    w.add("UDP scan", udp * families);
    w
}

pub fn port_probing(config: &Config) -> Waits {
    let mut w = Waits::default();
    w.add("port probing", config.suite.body.budgets.port_probing.0);
    w
}

/// Each UART the rig wires (its console and further headers): a power cycle, the boot window,
/// the settle before typing, and the credential list at a login prompt when one is given.
pub fn uart_checks(config: &Config, corpus_entries: u32) -> Duration {
    let headers = config
        .rig
        .slots
        .iter()
        .map(|s| usize::from(s.console.is_some()) + s.debug.as_ref().map_or(0, |d| d.uart.len()))
        .max()
        .unwrap_or(0) as u32;
    let boot_window = config
        .profile
        .body
        .ixit
        .debug_interfaces
        .iter()
        .map(|d| d.value.boot_window.0)
        .max()
        .unwrap_or(Duration::from_secs(5));
    let login = super::uart_corpus::dialect(&config.profile).within.0;
    let power_cycle = Duration::from_secs(12);
    (power_cycle + boot_window + CONSOLE_SETTLE + login * (corpus_entries + 1)) * headers
}

/// The update battery through every declared mechanism: each attack, the valid image and the
/// power cut, each delivered, settled, installed and read back within its deadlines.
pub fn update_battery(config: &Config) -> Waits {
    use crate::config::update::Delivery;
    let mut w = Waits::default();
    let profile = &config.profile.body;
    let read_back = steps(&profile.procedures.read_version);
    let images = crate::update::tamper::Attack::ALL.len() as u32 + 2;
    let power_off = config
        .suite
        .body
        .facts
        .update_battery
        .as_ref()
        .map_or(Duration::from_secs(2), |b| b.power_off_for.0);
    for (index, m) in profile.ixit.update_mechanisms.value.iter().enumerate() {
        let m = &m.value;
        let delivery = match &m.delivery {
            Delivery::PushHttp(p) => p.within.0,
            Delivery::PullHttp(p) => steps(&p.trigger),
            Delivery::ConsoleXmodem(x) => steps(&x.start) + x.within.0 + xmodem(config, index),
        };
        let each = delivery + m.settle.0 + m.installed_within.0 + read_back;
        w.add(
            format!("update battery ({})", m.id),
            each * images + power_off,
        );
    }
    w
}

/// Sending the valid image over the console at its baud rate (115200 when the rig leaves it to
/// the search), ten bits a byte, with a quarter more for block overhead and acknowledgements.
fn xmodem(config: &Config, mechanism: usize) -> Duration {
    let Some(material) = &config.profile.body.update else {
        return Duration::ZERO;
    };
    let Some(image) = material.images.valid.value.for_mechanism(mechanism) else {
        return Duration::ZERO;
    };
    let bytes = std::fs::metadata(config.profile.resolve(&image.file.value)).map_or(0, |m| m.len());
    let baud = config
        .rig
        .slots
        .iter()
        .filter_map(|s| s.console.as_ref()?.baud.as_ref().map(|b| b.value))
        .min()
        .unwrap_or(115_200)
        .max(1);
    Duration::from_secs_f64(bytes as f64 * 10.0 * 1.25 / f64::from(baud))
}

#[cfg(test)]
mod tests {
    use crate::config::auth_mechanism::LoginSurface;
    use crate::config::duration::Dur;
    use crate::config::{Config, ConfigPaths};
    use std::time::Duration;

    fn stock_linux() -> Config {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        Config::load(&ConfigPaths {
            rig: root.join("rigs/stock-linux.yaml"),
            profile: root.join("device-profiles/stock-linux.yaml"),
            suite: root.join("suites/en303645.yaml"),
        })
        .expect("the shipped stock-linux bench loads")
    }

    fn budget_of(config: &Config, case: &str) -> Duration {
        let entry = crate::cases::ALL
            .iter()
            .find(|c| c.spec().id == case)
            .unwrap();
        let params = entry
            .params(&config.suite)
            .unwrap()
            .expect("the suite lists it");
        entry
            .budget(&params, config, &super::state_setup(config))
            .limit
    }

    #[test]
    fn a_slower_declared_login_gives_the_corpus_trial_a_longer_budget() {
        let mut config = stock_linux();
        let entries = super::corpus_entries(
            &config,
            &[crate::config::located::Located::unplaced(
                "credentials/mirai-2016.csv".to_string(),
            )],
        );
        assert!(
            entries > 50,
            "the Mirai list has its 60-odd entries: {entries}"
        );
        let before = budget_of(&config, "5.1-1-2");
        let LoginSurface::Ssh(ssh) = &mut config.profile.body.ixit.auth_mechanisms[0].value.login
        else {
            panic!("stock-linux's first login is SSH");
        };
        let was = ssh.within.0;
        ssh.within = Dur(was + Duration::from_secs(60));
        let after = budget_of(&config, "5.1-1-2");
        let all = super::corpus_entries(
            &config,
            &[
                crate::config::located::Located::unplaced("credentials/mirai-2016.csv".into()),
                crate::config::located::Located::unplaced("credentials/vendor-defaults.csv".into()),
            ],
        );
        // Every entry and both controls may each take the extra minute, and the margin doubles it.
        assert_eq!(after - before, Duration::from_secs(60) * (all + 2) * 2);
    }

    #[test]
    fn a_long_reset_procedure_raises_every_case_s_budget() {
        let mut config = stock_linux();
        let before = budget_of(&config, "5.6-1-2");
        let wait = crate::config::procedure::Step::Wait(Dur(Duration::from_secs(3600)));
        config
            .profile
            .body
            .procedures
            .factory_reset
            .push(crate::config::located::Located::unplaced(wait));
        assert_eq!(
            budget_of(&config, "5.6-1-2"),
            before + Duration::from_secs(2 * 3600)
        );
    }

    #[test]
    fn the_suite_s_budget_overrides_the_derived_one() {
        let mut config = stock_linux();
        assert!(budget_of(&config, "5.1-5-2") > Duration::from_secs(3600));
        config.suite.body.budgets.per_case = Some(Dur(Duration::from_secs(60)));
        assert_eq!(budget_of(&config, "5.1-5-2"), Duration::from_secs(60));
    }

    #[test]
    fn lockouts_and_update_installs_are_counted() {
        let mut config = stock_linux();
        for m in &mut config.profile.body.ixit.auth_mechanisms {
            m.value.brute_force = None;
        }
        let brute = budget_of(&config, "5.1-5-2");
        // Without a declared lockout each round waits up to `permanent_after` (10m in the suite).
        assert!(brute >= Duration::from_secs(2 * 5 * 10 * 60), "{brute:?}");
        let virtual_camera = {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            Config::load(&ConfigPaths {
                rig: root.join("rigs/virtual.yaml"),
                profile: root.join("device-profiles/virtual-camera.yaml"),
                suite: root.join("suites/en303645.yaml"),
            })
            .unwrap()
        };
        let waits = super::update_battery(&virtual_camera);
        let installs: Duration = virtual_camera
            .profile
            .body
            .ixit
            .update_mechanisms
            .iter()
            .map(|m| m.value.installed_within.0 * 10)
            .sum();
        assert!(waits.total() > installs, "{waits:?}");
    }
}
