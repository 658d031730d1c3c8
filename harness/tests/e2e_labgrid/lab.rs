//! The shared lab e2e_labgrid.rs runs on: a labgrid coordinator here, an exporter and the
//! unit's relays in one network namespace (the "remote" bench host), the simulated unit in
//! another.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const COORDINATOR: &str = "10.150.0.1:20408";
pub const BENCH_HOST: &str = "10.150.0.2";
pub const UNIT: &str = "10.150.1.2";
const RELAY_PORT: u16 = 8080;

/// The coordinator on this host; the exporter and the unit's relay in namespace `bench`, the
/// simulated unit in namespace `unit`, each joined to this host by a veth pair.
pub struct Lab {
    pub scratch: PathBuf,
    pub password: String,
    children: Vec<Child>,
    _namespaces: [Netns; 2],
}

impl Lab {
    pub fn start(dir: &Path) -> Lab {
        let id = std::process::id() % 10_000;
        let bench = Netns::new(&format!("hilt-lgb-{id}"));
        let unit = Netns::new(&format!("hilt-lgu-{id}"));
        link(&bench, &format!("lgb{id}"), "10.150.0.1", BENCH_HOST);
        link(&unit, &format!("lgu{id}"), "10.150.1.1", UNIT);
        let scratch = dir.join("unit1");
        std::fs::create_dir_all(&scratch).unwrap();
        // Built first, so whatever is started is stopped even if a step below fails.
        let mut lab = Lab {
            scratch: scratch.clone(),
            password: String::new(),
            children: Vec::new(),
            _namespaces: [bench, unit],
        };
        let [bench, unit] = &lab._namespaces;
        let children = &mut lab.children;
        let firmware = repo().join("simdevice/firmware/vc100-1.4.2.yaml");
        ensure_simdevice();
        children.push(spawn(
            Some(unit),
            &[
                hilt().with_file_name("hilt-simdevice").to_str().unwrap(),
                "--firmware",
                firmware.to_str().unwrap(),
                "--address",
                UNIT,
                "--unit",
                "1",
                "--dir",
                scratch.to_str().unwrap(),
            ],
            dir,
        ));
        wait_for(|| scratch.join("ready").exists(), "the simulated unit");
        let label = std::fs::read_to_string(scratch.join("label.yaml")).unwrap();
        let field = |k: &str| {
            label
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: ")))
                .unwrap()
                .trim_matches('"')
                .to_string()
        };
        let uart = std::fs::read_link(scratch.join("uart")).unwrap();
        let relay = repo().join("harness/tests/fixtures/simplerest-relay");
        let control = scratch.join("control");
        let port = RELAY_PORT.to_string();
        children.push(spawn(
            Some(bench),
            &[
                relay.to_str().unwrap(),
                BENCH_HOST,
                &port,
                control.to_str().unwrap(),
            ],
            dir,
        ));
        children.push(spawn(
            None,
            &["labgrid-coordinator", "-l", COORDINATOR],
            dir,
        ));
        wait_for(|| client(&["places"]).status.success(), "the coordinator");
        let exporter =
            std::fs::read_to_string(repo().join("harness/tests/fixtures/labgrid-exporter.yaml"))
                .unwrap()
                .replace("{uart}", uart.to_str().unwrap())
                .replace("{relay}", &format!("{BENCH_HOST}:{RELAY_PORT}"))
                .replace("{address}", UNIT)
                .replace("{username}", &field("username"))
                .replace("{password}", &yaml_text(&field("password")));
        std::fs::write(dir.join("exporter.yaml"), exporter).unwrap();
        children.push(spawn(
            Some(bench),
            &[
                "labgrid-exporter",
                "-c",
                COORDINATOR,
                "--hostname",
                BENCH_HOST,
                "exporter.yaml",
            ],
            dir,
        ));
        let tags = [
            format!("serial={}", field("serial")),
            format!("mac={}", field("mac")),
            format!("hostname={}", field("hostname")),
        ];
        for args in [
            vec!["-p", "cam-1", "create"],
            vec!["-p", "cam-1", "add-match", "*/unit1/*"],
            vec!["-p", "cam-1", "set-tags", &tags[0], &tags[1], &tags[2]],
        ] {
            let out = client(&args);
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let log = dir.join("labgrid-exporter.log");
        wait_for(
            || {
                String::from_utf8_lossy(&client(&["resources"]).stdout)
                    .contains("unit1/NetworkSerialPort")
            },
            "the exporter's resources",
        );
        if !String::from_utf8_lossy(&client(&["resources"]).stdout).contains("unit1/") {
            panic!("{}", std::fs::read_to_string(&log).unwrap_or_default());
        }
        lab.password = field("password");
        lab
    }
}

impl Drop for Lab {
    /// Each child's whole process group: the exporter's ser2net goes with it.
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let group = format!("-{}", c.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).output();
            let _ = c.wait();
        }
    }
}

pub fn client(args: &[&str]) -> std::process::Output {
    Command::new("labgrid-client")
        .args(["-x", COORDINATOR])
        .args(args)
        .output()
        .expect("labgrid-client (scripts/setup installs labgrid)")
}

fn spawn(ns: Option<&Netns>, argv: &[&str], cwd: &Path) -> Child {
    let mut c = match ns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", &ns.0]).args(argv);
            c
        }
        None => {
            let mut c = Command::new(argv[0]);
            c.args(&argv[1..]);
            c
        }
    };
    let log =
        std::fs::File::create(cwd.join(format!("{}.log", argv[0].rsplit('/').next().unwrap())))
            .unwrap();
    use std::os::unix::process::CommandExt;
    c.current_dir(cwd)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"))
}

fn wait_for(ready: impl Fn() -> bool, what: &str) {
    let started = Instant::now();
    while !ready() {
        if what.starts_with("the exporter") && started.elapsed() > Duration::from_secs(30) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what} did not come up"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A veth pair `{name}a` (here, `here`/30) and `{name}b` (in `ns`, `there`/30), both up.
fn link(ns: &Netns, name: &str, here: &str, there: &str) {
    let (a, b) = (format!("{name}a"), format!("{name}b"));
    let _ = Command::new("ip").args(["link", "del", &a]).output();
    ip(&["link", "add", &a, "type", "veth", "peer", "name", &b]);
    ip(&["link", "set", &b, "netns", &ns.0]);
    ip(&["addr", "add", &format!("{here}/30"), "dev", &a]);
    ip(&["link", "set", &a, "up"]);
    ip(&[
        "-n",
        &ns.0,
        "addr",
        "add",
        &format!("{there}/30"),
        "dev",
        &b,
    ]);
    ip(&["-n", &ns.0, "link", "set", &b, "up"]);
    ip(&["-n", &ns.0, "link", "set", "lo", "up"]);
}

/// For inside the exporter config's double quotes: the file is a Jinja template before it is
/// YAML, and a unit's password may hold either's syntax.
fn yaml_text(text: &str) -> String {
    let quoted = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{{% raw %}}{quoted}{{% endraw %}}")
}
