//! A unit on a shared lab: a real labgrid coordinator, and an exporter in its own network
//! namespace as a remote bench host, publishing a simulated unit's UART (through ser2net), its
//! power (a relay speaking labgrid's `simplerest` API) and its address; the unit is in a third
//! namespace. A rig whose slot is only `labgrid: { place }` gives the verdicts the same wiring
//! gives on a local rig; the place is held during the run and free after it, and a second run
//! on the place is refused.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const COORDINATOR: &str = "10.150.0.1:20408";
const BENCH_HOST: &str = "10.150.0.2";
const UNIT: &str = "10.150.1.2";
const RELAY_PORT: u16 = 8080;

/// What `run_rig` leaves out, as it does.
const SKIP: [&str; 10] = [
    "--skip", "5.3-", "--skip", "5.1-4-2", "--skip", "5.11-", "--skip", "5.9-", "--skip", "5.13-",
];

#[test]
fn a_slot_that_is_a_labgrid_place_is_held_for_the_run_and_judged_as_on_a_local_rig() {
    if !is_root() {
        eprintln!("skipped: network namespaces need root");
        return;
    }
    let dir = TempDir::new("labgrid");
    let lab = Lab::start(&dir.0);
    let suite = quick_suite(&dir.0);

    let rig = dir.0.join("lab-rig.yaml");
    std::fs::write(
        &rig,
        format!("rig: shared-lab\nslots:\n  - id: slot1\n    labgrid: {{ place: cam-1, coordinator: \"{COORDINATOR}\" }}\n{BATCH}"),
    )
    .unwrap();
    // Checking the rig reads the place without holding it.
    let checked = Command::new(hilt())
        .current_dir(repo())
        .args([
            "check",
            "--rig",
            rig.to_str().unwrap(),
            "--suite",
            suite.to_str().unwrap(),
        ])
        .args(["--profile", profile().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(wait_for_holder(false).contains("cam-1  free"));

    let started = Instant::now();
    let first = start_run(&dir.0.join("first"), &rig, &suite);
    let held = wait_for_holder(true);
    assert!(held.contains("cam-1  acquired by"), "{held}");
    let second = run_files(&dir.0.join("second"), &rig, &profile(), Some(&suite), &SKIP);
    assert_eq!(second.code(), 2, "{}", second.stderr());
    assert!(
        second
            .stderr()
            .contains("another hilt run on this host (pid"),
        "{}",
        second.stderr()
    );
    let on_lab = finish(first, &dir.0.join("first"));
    eprintln!("through the lab: {:.1}s", started.elapsed().as_secs_f64());
    let free = wait_for_holder(false);
    assert!(
        free.contains("cam-1  free"),
        "released after the run: {free}"
    );
    assert!(on_lab.stderr().contains("labgrid place `cam-1` released"));

    let record = std::fs::read_to_string(on_lab.run_dir().join("labgrid-places.txt")).unwrap();
    assert!(record.contains("console rfc2217://10.150.0.2:"), "{record}");
    assert!(record.contains(&format!("network {UNIT}")), "{record}");
    assert!(record.contains("power through labgrid"), "{record}");

    let local = dir.0.join("local-rig.yaml");
    let s = lab.scratch.display();
    std::fs::write(
        &local,
        format!("rig: local\nslots:\n  - id: slot1\n    console: {{ path: \"{s}/uart\", baud: 115200 }}\n    network: {{ address: {UNIT} }}\n    power: {{ line: {{ endpoint: \"unix:{s}/control\", on: \"power on\", off: \"power off\" }} }}\n    reset_button: {{ line: {{ endpoint: \"unix:{s}/control\", press: \"button press {{ms}}\" }} }}\n    label: {{ file: \"{s}/label.yaml\" }}\n{BATCH}"),
    )
    .unwrap();
    let started = Instant::now();
    let on_bench = run_files(
        &dir.0.join("local"),
        &local,
        &profile(),
        Some(&suite),
        &SKIP,
    );
    eprintln!("on a local rig: {:.1}s", started.elapsed().as_secs_f64());
    let verdicts = |run: &Run| -> Vec<(String, String)> {
        run.verdicts()
            .into_iter()
            .map(|((_, case), (verdict, _, _))| (case, verdict))
            .filter(|(_, verdict)| verdict != "SKIPPED")
            .collect()
    };
    let (through_lab, wired) = (verdicts(&on_lab), verdicts(&on_bench));
    assert_eq!(
        through_lab,
        wired,
        "lab:\n{}\nlocal:\n{}",
        on_lab.stdout(),
        on_bench.stdout()
    );
    assert!(through_lab.len() >= 8, "{through_lab:?}");
    assert!(
        through_lab.iter().all(|(_, v)| v != "INCONCLUSIVE"),
        "{}",
        on_lab.stdout()
    );
    // The UART case used the console through the place, and the power cycle its relay.
    let log = std::fs::read_to_string(on_lab.run_dir().join("samples/slot1/console.log")).unwrap();
    assert!(log.contains("as the server confirmed"), "{log}");
    assert!(device_text(&log).contains("U-Boot"), "{log}");

    let drafted = Command::new(hilt())
        .args([
            "rig",
            "from-labgrid",
            "--place",
            "cam-1",
            "--coordinator",
            COORDINATOR,
        ])
        .output()
        .unwrap();
    let yaml = String::from_utf8_lossy(&drafted.stdout);
    assert!(drafted.status.success(), "{yaml}");
    assert!(
        yaml.contains(&format!("network: {{ address: {UNIT} }}")),
        "{yaml}"
    );
    assert!(yaml.contains("power: { labgrid: {} }"), "{yaml}");
    assert!(
        yaml.contains("# console: { path: \"rfc2217://10.150.0.2:"),
        "{yaml}"
    );
    assert!(!yaml.contains(&lab.password), "{yaml}");

    // Interrupted: the run stops its sample, writes what it has and lets the place go.
    let interrupted = start_run(&dir.0.join("interrupted"), &rig, &suite);
    assert!(wait_for_holder(true).contains("cam-1  acquired by"));
    let pid = interrupted.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let stopped = finish(interrupted, &dir.0.join("interrupted"));
    assert!(
        stopped.stderr().contains("released"),
        "{}",
        stopped.stderr()
    );
    assert!(wait_for_holder(false).contains("cam-1  free"));
}

fn start_run(dir: &Path, rig: &Path, suite: &Path) -> Child {
    ensure_simdevice();
    Command::new(hilt())
        .current_dir(repo())
        .arg("run")
        .args(["--rig", rig.to_str().unwrap()])
        .args(["--profile", profile().to_str().unwrap()])
        .args(["--suite", suite.to_str().unwrap()])
        .args(SKIP)
        .arg("--out")
        .arg(dir.join("reports"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child, dir: &Path) -> Run {
    Run {
        output: child.wait_with_output().unwrap(),
        out_dir: dir.join("reports"),
    }
}

/// `hilt hardware --labgrid` once it shows cam-1 held (or free), within 60 s.
fn wait_for_holder(held: bool) -> String {
    let started = Instant::now();
    loop {
        let out = Command::new(hilt())
            .args(["hardware", "--labgrid", "--coordinator", COORDINATOR])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if text.contains("cam-1  acquired by") == held
            || started.elapsed() > Duration::from_secs(60)
        {
            return text;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The coordinator on this host; the exporter and the unit's relay in namespace `bench`, the
/// simulated unit in namespace `unit`, each joined to this host by a veth pair.
struct Lab {
    scratch: PathBuf,
    password: String,
    children: Vec<Child>,
    _namespaces: [Netns; 2],
}

impl Lab {
    fn start(dir: &Path) -> Lab {
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
                .replace("{password}", &yaml_text(&field("password")))
                .replace("{{", "{")
                .replace("}}", "}");
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

fn client(args: &[&str]) -> std::process::Output {
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
