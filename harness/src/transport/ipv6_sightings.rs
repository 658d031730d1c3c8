//! The IPv6 addresses a unit used on its own, read back from the run's capture: the frames its
//! MAC sent with an IPv6 payload (duplicate address detection, router solicitations, multicast
//! listener reports at boot, mDNS). A unit that speaks IPv6 is noticed this way although the
//! rig declares no IPv6 address for it, and hilt sends it nothing there.

use std::net::Ipv6Addr;
use std::path::Path;

/// More addresses than this are not kept: a unit does not have that many of its own.
const MAX_ADDRESSES: usize = 16;

/// The capture filter that also keeps what `mac` sends over IPv6.
pub fn filter_with(base: &str, mac: [u8; 6]) -> String {
    let m = mac.map(|b| format!("{b:02x}")).join(":");
    format!("({base}) or (ip6 and ether src {m})")
}

/// `02:56:43:0a:bb:cc`, `02-56-…` or `0256430abbcc`, as a label gives it.
pub fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let hex: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b':' | b'-' | b'.'))
        .collect();
    if hex.len() != 12 {
        return None;
    }
    let mut mac = [0u8; 6];
    for (i, pair) in hex.chunks(2).enumerate() {
        mac[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(mac)
}

/// The IPv6 addresses `mac` used in `pcap`, in the order first seen: each packet's source, or
/// for a duplicate address probe (sent from `::`) the address being claimed.
pub fn read(pcap: &Path, mac: [u8; 6]) -> Result<Vec<Ipv6Addr>, String> {
    let mut cap = pcap::Capture::from_file(pcap).map_err(|e| format!("{}: {e}", pcap.display()))?;
    let link = cap.get_datalink().0;
    let mut seen = Vec::new();
    // A capture still being written ends in a partial packet: that is its end, not an error.
    while let Ok(packet) = cap.next_packet() {
        let Some(address) = ipv6_from(link, packet.data, mac) else {
            continue;
        };
        if !seen.contains(&address) {
            seen.push(address);
            if seen.len() == MAX_ADDRESSES {
                break;
            }
        }
    }
    Ok(seen)
}

fn ipv6_from(link: i32, frame: &[u8], mac: [u8; 6]) -> Option<Ipv6Addr> {
    // Ethernet and Linux cooked captures both keep the sender's MAC at bytes 6..12.
    let source = match link {
        1 | 113 => frame.get(6..12)?,
        _ => return None,
    };
    let ip = super::capture::ip_of(link, frame)?;
    if source != mac || ip.first()? >> 4 != 6 {
        return None;
    }
    let src = Ipv6Addr::from(<[u8; 16]>::try_from(ip.get(8..24)?).ok()?);
    if !src.is_unspecified() {
        return Some(src);
    }
    // A neighbour solicitation from `::` probes the address it is about to take.
    let icmp = ip.get(40..)?;
    (ip.get(6) == Some(&58) && icmp.first() == Some(&135))
        .then(|| Some(Ipv6Addr::from(<[u8; 16]>::try_from(icmp.get(8..24)?).ok()?)))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC: [u8; 6] = [0x02, 0x56, 0x43, 0x0a, 0xbb, 0xcc];

    fn frame(src_mac: [u8; 6], src: Ipv6Addr, icmp: &[u8]) -> Vec<u8> {
        let mut f = vec![0x33, 0x33, 0, 0, 0, 1];
        f.extend(src_mac);
        f.extend([0x86, 0xdd, 0x60, 0, 0, 0, 0, icmp.len() as u8, 58, 255]);
        f.extend(src.octets());
        f.extend(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1).octets());
        f.extend(icmp);
        f
    }

    #[test]
    fn a_units_own_ipv6_frames_give_its_addresses() {
        let ll: Ipv6Addr = "fe80::56:43ff:fe0a:bbcc".parse().unwrap();
        let mut dad = vec![135, 0, 0, 0, 0, 0, 0, 0];
        dad.extend(ll.octets());
        let other = [0x02, 0, 0, 0, 0, 9];
        assert_eq!(
            ipv6_from(1, &frame(MAC, ll, &[133, 0, 0, 0]), MAC),
            Some(ll)
        );
        assert_eq!(
            ipv6_from(1, &frame(MAC, Ipv6Addr::UNSPECIFIED, &dad), MAC),
            Some(ll)
        );
        assert_eq!(ipv6_from(1, &frame(other, ll, &[133, 0, 0, 0]), MAC), None);
        assert_eq!(
            ipv6_from(1, &frame(MAC, Ipv6Addr::UNSPECIFIED, &[143, 0]), MAC),
            None
        );
        let noise: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        for n in 0..noise.len() {
            for link in [1, 113] {
                let _ = ipv6_from(link, &noise[..n], MAC);
            }
        }
    }

    #[test]
    fn a_label_mac_is_read_in_its_usual_spellings() {
        for s in ["02:56:43:0a:bb:cc", "02-56-43-0A-BB-CC", "0256430abbcc"] {
            assert_eq!(parse_mac(s), Some(MAC), "{s}");
        }
        assert_eq!(parse_mac("02:56:43"), None);
        assert_eq!(parse_mac("zz:56:43:0a:bb:cc"), None);
        assert_eq!(
            filter_with("host 10.0.0.2", MAC),
            "(host 10.0.0.2) or (ip6 and ether src 02:56:43:0a:bb:cc)"
        );
    }

    /// A unit on a veth link in a namespace of its own: when its interface comes up, its
    /// kernel claims an IPv6 link-local address (duplicate address detection, then router
    /// solicitations and listener reports), which a capture filtered to its IPv4 address and
    /// its MAC keeps. The same unit with IPv6 disabled shows nothing.
    #[test]
    fn a_unit_that_speaks_ipv6_is_seen_in_the_capture_and_one_that_does_not_is_not() {
        if !crate::util::test_dir::is_root() {
            eprintln!("SKIPPED: a network namespace needs root (CI runs this as root)");
            return;
        }
        let tag = std::process::id() % 10_000;
        let ns = format!("hilt-v6-{tag}");
        let ip = |args: &[&str]| {
            let ok = std::process::Command::new("ip").args(args).status();
            assert!(ok.map(|s| s.success()).unwrap_or(false), "ip {args:?}");
        };
        ip(&["netns", "add", &ns]);
        let dir = std::env::temp_dir().join(format!("{ns}-pcap"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut seen = Vec::new();
        for (n, ipv6_on) in [(1, true), (2, false)] {
            let (host, unit) = (format!("hv6{tag}{n}a"), format!("hv6{tag}{n}b"));
            let mac_text = format!("02:56:43:0a:bb:c{n}");
            let mac = parse_mac(&mac_text).unwrap();
            ip(&["link", "add", &host, "type", "veth", "peer", "name", &unit]);
            ip(&["link", "set", &unit, "address", &mac_text, "netns", &ns]);
            ip(&["link", "set", &host, "up"]);
            if !ipv6_on {
                let key = format!("net.ipv6.conf.{unit}.disable_ipv6=1");
                ip(&["netns", "exec", &ns, "sysctl", "-q", "-w", &key]);
            }
            let pcap = dir.join(format!("{n}.pcap"));
            let filter = filter_with("host 10.253.78.2", mac);
            let redactor = std::sync::Arc::new(crate::evidence::Redactor::default());
            let mut capture = crate::transport::capture::Capture::start(
                &host,
                &filter,
                &pcap,
                redactor,
                Default::default(),
            )
            .unwrap();
            ip(&["-n", &ns, "link", "set", &unit, "up"]);
            std::thread::sleep(std::time::Duration::from_secs(3));
            capture.stop();
            seen.push(read(&pcap, mac).unwrap());
            ip(&["link", "del", &host]);
        }
        ip(&["netns", "del", &ns]);
        let _ = std::fs::remove_dir_all(&dir);
        let eui64: Ipv6Addr = "fe80::56:43ff:fe0a:bbc1".parse().unwrap();
        assert!(seen[0].contains(&eui64), "{:?}", seen[0]);
        assert!(
            seen[1].is_empty(),
            "IPv6 disabled: nothing of the unit's: {:?}",
            seen[1]
        );
    }
}
