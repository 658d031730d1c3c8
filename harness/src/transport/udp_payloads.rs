//! The first datagram of each UDP protocol IoT devices commonly speak, built from its RFC, so a
//! service that ignores empty datagrams still answers. Ports without one get an empty datagram.

/// (port, protocol name, request).
pub fn for_port(port: u16) -> (&'static str, Vec<u8>) {
    match port {
        53 => ("DNS", dns_query()),
        67 => ("DHCP", dhcp_discover()),
        69 => ("TFTP", tftp_read_request()),
        123 => ("NTP", ntp_client_request()),
        161 => ("SNMP", snmp_get_sys_descr("public")),
        1900 => ("SSDP", ssdp_search()),
        5353 => ("mDNS", mdns_services_query()),
        5683 => ("CoAP", coap_well_known_core()),
        _ => ("", Vec::new()),
    }
}

/// RFC 1035 4.1: one question, recursion desired: the root's NS records.
fn dns_query() -> Vec<u8> {
    let mut q = vec![0x68, 0x69, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    q.push(0); // the root name
    q.extend_from_slice(&[0, 2, 0, 1]); // NS, IN
    q
}

/// RFC 6763 9: the service-type enumeration, asked unicast on 5353 (RFC 6762 6.7 answers it
/// unicast to a source port other than 5353).
fn mdns_services_query() -> Vec<u8> {
    let mut q = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in ["_services", "_dns-sd", "_udp", "local"] {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&[0, 12, 0, 1]); // PTR, IN
    q
}

/// UPnP Device Architecture 1.1, 1.3.2: a search for all devices, sent to the unit itself.
fn ssdp_search() -> Vec<u8> {
    b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n".to_vec()
}

/// RFC 7252 3 and 5.10.1: confirmable GET of /.well-known/core (RFC 6690), no token.
fn coap_well_known_core() -> Vec<u8> {
    let mut m = vec![0x40, 0x01, 0x68, 0x69];
    m.push(0xb0 | 11); // Uri-Path (option 11), 11 bytes
    m.extend_from_slice(b".well-known");
    m.push(4); // Uri-Path again (delta 0), 4 bytes
    m.extend_from_slice(b"core");
    m
}

/// RFC 5905 7.3: a version 4 client request (mode 3), everything else zero.
fn ntp_client_request() -> Vec<u8> {
    let mut m = vec![0u8; 48];
    m[0] = 0x23;
    m
}

/// RFC 2131 2 and RFC 2132 9.6: a DHCPDISCOVER, for units that serve DHCP (a hub or a camera
/// in set-up mode). A server normally answers to port 68, not to the probe's port, so a silent
/// port 67 stays open|filtered; an ICMP refusal still shows it closed.
fn dhcp_discover() -> Vec<u8> {
    let mut m = vec![0u8; 236];
    m[..4].copy_from_slice(&[1, 1, 6, 0]); // BOOTREQUEST, Ethernet, 6-byte address, no hops
    m[4..8].copy_from_slice(b"hilt"); // transaction id
    m[28..34].copy_from_slice(&[0x02, 0x68, 0x69, 0x6c, 0x74, 0x01]); // a locally administered MAC
    m.extend_from_slice(&[99, 130, 83, 99]); // magic cookie
    m.extend_from_slice(&[53, 1, 1]); // DHCP message type: DISCOVER
    m.push(255);
    m
}

/// RFC 1350 5: a read request; an error answer shows the server as well as a file would.
fn tftp_read_request() -> Vec<u8> {
    let mut m = vec![0, 1];
    m.extend_from_slice(b"hilt-probe\0octet\0");
    m
}

/// RFC 1157 4.1.2 (SNMPv1 GetRequest) with `community` (at most 64 bytes), for sysDescr.0
/// (1.3.6.1.2.1.1.1.0), in BER.
pub fn snmp_get_sys_descr(community: &str) -> Vec<u8> {
    let community = &community.as_bytes()[..community.len().min(64)];
    let oid = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00];
    let varbind = tlv(0x30, &[&oid[..], &[0x05, 0x00]].concat());
    let varbinds = tlv(0x30, &varbind);
    let pdu_body = [
        &[0x02, 0x01, 0x01][..],
        &[0x02, 0x01, 0x00],
        &[0x02, 0x01, 0x00],
        &varbinds,
    ]
    .concat();
    let pdu = tlv(0xa0, &pdu_body);
    let message = [&[0x02, 0x01, 0x00][..], &tlv(0x04, community), &pdu].concat();
    tlv(0x30, &message)
}

fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag, value.len() as u8];
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snmp_get_is_well_formed_ber() {
        let m = snmp_get_sys_descr("public");
        assert_eq!(m[0], 0x30);
        assert_eq!(
            m[1] as usize,
            m.len() - 2,
            "outer length covers the message"
        );
        assert!(m.windows(6).any(|w| w == b"public"));
    }

    #[test]
    fn coap_request_names_well_known_core() {
        let m = coap_well_known_core();
        assert_eq!(&m[..2], &[0x40, 0x01], "CON GET");
        assert_eq!(&m[5..16], b".well-known");
        assert_eq!(&m[17..], b"core");
    }

    #[test]
    fn dhcp_discover_is_a_bootp_request_with_the_cookie() {
        let m = dhcp_discover();
        assert_eq!(m.len(), 244);
        assert_eq!(m[0], 1, "BOOTREQUEST");
        assert_eq!(&m[236..240], &[99, 130, 83, 99]);
        assert_eq!(&m[240..], &[53, 1, 1, 255]);
    }

    #[test]
    fn dns_and_mdns_ask_one_question() {
        for q in [dns_query(), mdns_services_query()] {
            assert_eq!(&q[4..6], &[0, 1]);
        }
    }
}
