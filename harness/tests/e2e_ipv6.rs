//! 5.6-1-2 on IPv6: a unit's IPv6 address declared in the rig is scanned like its IPv4 one, and
//! a unit that takes an IPv6 address where the rig declares none is noticed in the capture.

mod common;
use common::*;
use rstest::rstest;

const PORTS: &str = "5.6-1-2";

/// A service on the unit's IPv6 address alone is out of sight of an IPv4 scan. With the unit's
/// IPv6 address in the rig it is found and judged like any port; the compliant unit's web page,
/// which listens on both, is a declared service on IPv6 too.
#[test]
fn a_port_open_on_ipv6_alone_fails_when_the_rig_declares_ipv6() {
    let dir = TempDir::new("ipv6");
    let net = "fd68:696c:74:7d::";
    for host in ["1", "2", "fe"] {
        add_loopback_ipv6(&format!("{net}{host}"));
    }
    let rig = write_rig(&dir.0, 125, &[&[], &["undeclared-port-ipv6"]]);
    let text = std::fs::read_to_string(&rig).unwrap();
    let mut slots: Vec<String> = text.split("  - id: slot").map(String::from).collect();
    for (n, slot) in slots.iter_mut().enumerate().skip(1) {
        let v4 = format!("--address, 127.0.125.{n},");
        *slot = slot
            .replace(&v4, &format!("{v4} --address6, \"{net}{n}\","))
            .replace(
                "capture_interface: lo }",
                &format!("capture_interface: lo, ipv6: {{ address: \"{net}{n}\", host_baseline: \"{net}fe\" }} }}"),
            );
    }
    std::fs::write(&rig, slots.join("  - id: slot")).unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[PORTS]);
    assert_verdict(&run, "slot1", PORTS, "PASS", "");
    assert_verdict(&run, "slot2", PORTS, "FAIL", &format!("on IPv6 {net}2: "));
    let (_, message, _) = run.verdict("slot2", PORTS);
    assert!(message.contains("9527"), "{message}");
    assert!(run.run_dir().join("samples/slot1/tcp6-scan.json").exists());
}

/// A unique local address on loopback, as a unit's IPv6 address (the tests run as root, as
/// their captures need).
fn add_loopback_ipv6(address: &str) {
    let out = std::process::Command::new("ip")
        .args([
            "-6",
            "addr",
            "add",
            &format!("{address}/128"),
            "dev",
            "lo",
            "nodad",
        ])
        .output()
        .expect("run ip");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || err.contains("exists") || err.contains("already assigned"),
        "ip addr add {address}: {err}"
    );
}

/// A unit behind a veth pair, in a network namespace of its own: its kernel claims an IPv6
/// link-local address when the launch brings its interface up, and the capture, which keeps
/// what the label's MAC sends over IPv6, shows it. The rig declares no IPv6 address, so the
/// case cannot conclude; the same unit with IPv6 disabled PASSes.
#[rstest]
#[case::speaks_ipv6(
    "v6seen",
    1,
    true,
    "INCONCLUSIVE",
    "the unit speaks IPv6 (it used fe80::"
)]
#[case::ipv6_disabled("v6off", 2, false, "PASS", "")]
fn a_unit_that_speaks_ipv6_where_the_rig_declares_none_is_reported(
    #[case] tag: &str,
    #[case] n: u8,
    #[case] ipv6: bool,
    #[case] verdict: &str,
    #[case] message: &str,
) {
    if !is_root() {
        eprintln!("SKIPPED: a network namespace needs root (CI runs this as root)");
        return;
    }
    let dir = TempDir::new(tag);
    let id = std::process::id() % 10_000;
    let ns = Netns::new(&format!("hilt-e2e6-{id}-{n}"));
    let (host, unit) = (format!("h6e{id}{n}a"), format!("h6e{id}{n}b"));
    let (host_ip, unit_ip) = (
        format!("10.253.79.{}", 4 * n - 3),
        format!("10.253.79.{}", 4 * n - 2),
    );
    let mac = format!("02:68:69:6c:74:0{n}");
    ip(&["link", "add", &host, "type", "veth", "peer", "name", &unit]);
    ip(&["link", "set", &unit, "address", &mac, "netns", &ns.0]);
    ip(&["addr", "add", &format!("{host_ip}/30"), "dev", &host]);
    ip(&["link", "set", &host, "up"]);
    ip(&[
        "-n",
        &ns.0,
        "addr",
        "add",
        &format!("{unit_ip}/30"),
        "dev",
        &unit,
    ]);
    if !ipv6 {
        let key = format!("net.ipv6.conf.{unit}.disable_ipv6=1");
        ip(&["netns", "exec", &ns.0, "sysctl", "-q", "-w", &key]);
    }
    // The label the lab holds, there before the unit starts: its MAC is the interface's.
    let slot = dir.0.join("slot1");
    std::fs::create_dir_all(&slot).unwrap();
    std::fs::write(
        slot.join("label.yaml"),
        format!("serial: SN-V6\nmac: \"{mac}\"\n"),
    )
    .unwrap();
    let sim = hilt().with_file_name("hilt-simdevice");
    ensure_simdevice();
    let firmware = repo().join("simdevice/firmware/vc100-1.4.2.yaml");
    let d = slot.display();
    let start = format!(
        "ip -n {ns} link set {unit} up && exec ip netns exec {ns} {sim} --firmware {fw} --address {unit_ip} --unit 1 --dir {d}",
        ns = ns.0,
        sim = sim.display(),
        fw = firmware.display(),
    );
    let rig = dir.0.join("rig.yaml");
    std::fs::write(
        &rig,
        format!(
            r#"rig: ipv6-{tag}
slots:
  - id: slot1
    launch: {{ command: [sh, -c, "{start}"], ready: "{d}/ready", within: 10s }}
    console: {{ path: "{d}/uart", baud: 115200, reached_by: test_pad }}
    network: {{ address: {unit_ip}, capture_interface: {host} }}
    power: {{ line: {{ endpoint: "unix:{d}/control", on: "power on", off: "power off" }} }}
    reset_button: {{ line: {{ endpoint: "unix:{d}/control", press: "button press {{ms}}" }} }}
    label: {{ file: "{d}/label.yaml" }}
"#
        ),
    )
    .unwrap();
    let suite = quick_suite(&dir.0);
    let text = std::fs::read_to_string(&suite)
        .unwrap()
        .replace("udp_ports: \"1-65535\"", "udp_ports: \"1-1024\"")
        .replace("udp_retry_budget: 60s", "udp_retry_budget: 0s");
    std::fs::write(&suite, text).unwrap();
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[PORTS]);
    assert_verdict(&run, "slot1", PORTS, verdict, message);
    ip(&["link", "del", &host]);
}
