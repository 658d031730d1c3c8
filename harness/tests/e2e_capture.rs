//! The packet capture end to end (needs CAP_NET_RAW; CI runs as root): each sample's capture is
//! a pcap that standard tools read, holding only that unit's traffic; and a second capture of the
//! whole test subnet proves hilt sent nothing to an address the rig does not declare.

mod common;
use common::*;
use std::net::Ipv4Addr;
use std::path::Path;

/// (source, destination) of every IPv4 packet in a pcap file.
fn endpoints(file: &Path) -> Vec<(Ipv4Addr, Ipv4Addr)> {
    let mut reader = pcap_file::pcap::PcapReader::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut out = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet.unwrap();
        let sliced = etherparse::SlicedPacket::from_ethernet(&packet.data).unwrap();
        if let Some(etherparse::NetSlice::Ipv4(ip)) = sliced.net {
            out.push((ip.header().source_addr(), ip.header().destination_addr()));
        }
    }
    out
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

#[test]
fn captures_hold_only_the_units_traffic_and_nothing_leaves_the_declared_scope() {
    if !is_root() {
        eprintln!("SKIPPED: capturing needs CAP_NET_RAW (CI runs this as root)");
        return;
    }
    let dir = TempDir::new("capture");
    ensure_simdevice();
    // A device on the same subnet that the rig does not declare: hilt must never reach it.
    let decoy_dir = dir.0.join("decoy");
    let mut decoy = std::process::Command::new(hilt().with_file_name("hilt-simdevice"))
        .args([
            "--firmware",
            repo()
                .join("simdevice/firmware/vc100-1.4.2.yaml")
                .to_str()
                .unwrap(),
        ])
        .args([
            "--address",
            "127.0.78.9",
            "--unit",
            "9",
            "--dir",
            decoy_dir.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let watch_file = dir.0.join("subnet.pcap");
    let mut watch = hilt::transport::capture::Capture::start(
        "lo",
        "net 127.0.78.0/24",
        &watch_file,
        Default::default(),
        Default::default(),
    )
    .unwrap();
    let rig = write_rig(&dir.0, 78, &[&[]]);
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    watch.stop();
    let _ = decoy.kill();
    let _ = decoy.wait();
    assert_eq!(run.code(), 0, "{}", run.stdout());

    let unit: Ipv4Addr = "127.0.78.1".parse().unwrap();
    let sample = run.run_dir().join("samples/slot1/capture.pcap");
    assert!(
        run.evidence("slot1", "5.6-1-2").contains(&sample),
        "the capture is cited as evidence"
    );
    let packets = endpoints(&sample);
    assert!(
        packets.len() > 2 * 10000,
        "the scan of 10000 ports (a SYN and an answer each) is in the capture: {} packets",
        packets.len()
    );
    assert!(
        packets.iter().all(|(s, d)| *s == unit || *d == unit),
        "only the unit's traffic"
    );
    let tcpdump = std::process::Command::new("tcpdump")
        .args(["-nr", sample.to_str().unwrap(), "-c", "5"])
        .output()
        .expect("tcpdump (Debian package tcpdump, installed by scripts/setup)");
    assert!(
        tcpdump.status.success(),
        "{}",
        String::from_utf8_lossy(&tcpdump.stderr)
    );

    // Declared for slot1: the unit, the host baseline and hilt's own serving address.
    let declared: Vec<Ipv4Addr> = ["127.0.78.1", "127.0.78.254", "127.0.78.253"]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    let seen = endpoints(&watch_file);
    assert!(
        seen.iter().any(|(_, d)| *d == unit),
        "the subnet capture saw the run"
    );
    let decoy: Ipv4Addr = "127.0.78.9".parse().unwrap();
    for (s, d) in &seen {
        assert!(
            *s != decoy && *d != decoy,
            "the undeclared device was reached: {s} -> {d}"
        );
        if d.octets()[..3] == [127, 0, 78] {
            assert!(
                declared.contains(d),
                "traffic to an undeclared address: {s} -> {d}"
            );
        }
    }
}

/// A rig whose capture cannot be made (its interface does not exist) is a broken bench: what
/// reads the capture is not performed, so 5.5-1-2 and 5.6-1-2 are INCONCLUSIVE with cause
/// `bench`, never PASS, and the cases that do not read it still conclude. The control is every
/// run on `lo`, where both PASS.
#[test]
fn a_capture_the_rig_asks_for_and_cannot_have_leaves_its_readers_inconclusive() {
    let dir = TempDir::new("capture-missing");
    let rig = write_rig(&dir.0, 20, &[&[]]);
    let text = std::fs::read_to_string(&rig).unwrap();
    std::fs::write(
        &rig,
        text.replace("capture_interface: lo", "capture_interface: hiltnone0"),
    )
    .unwrap();
    let suite = quick_suite(&dir.0);
    let run = run_files(&dir.0, &rig, &profile(), Some(&suite), &[]);
    for case in ["5.5-1-2", "5.6-1-2"] {
        assert_verdict(
            &run,
            "slot1",
            case,
            "INCONCLUSIVE",
            "the packet capture the rig asks for could not be made",
        );
        assert_eq!(run.cause("slot1", case).as_deref(), Some("bench"), "{case}");
    }
    assert_verdict(&run, "slot1", "5.1-2-2", "PASS", "");
}
