//! The TLS sessions a unit opened itself, read back from the run's capture: to whom (address,
//! port, server name), what it offered and what the server chose. Listening ports are probed
//! by 5.5-1-2; this is the other half, the device as a client (cloud, update, time servers).

use super::capture::tcp_segment;
use super::tls_hello;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSession {
    pub server: SocketAddr,
    pub server_name: Option<String>,
    /// The highest version the unit offered.
    pub offered: u16,
    /// What the server chose, when its answer is in the capture.
    pub chosen: Option<(u16, u16)>,
}

/// A conversation the unit opened in clear text, named by its first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearClient {
    pub server: SocketAddr,
    pub protocol: &'static str,
}

#[derive(Debug, Default)]
pub struct ClientTraffic {
    pub tls: Vec<ClientSession>,
    pub clear: Vec<ClearClient>,
    pub packets: u64,
}

/// At most this many sessions are kept: a device that phones home in a loop is shown, not
/// stored in full.
const MAX_SESSIONS: usize = 1000;

/// Reads `pcap` and keeps the connections `unit` opened: those whose SYN it sent, or whose
/// ClientHello it sent when the capture began mid-connection.
pub fn read(pcap: &Path, unit: IpAddr) -> Result<ClientTraffic, String> {
    let mut cap = pcap::Capture::from_file(pcap).map_err(|e| format!("{}: {e}", pcap.display()))?;
    let link = cap.get_datalink().0;
    let mut out = ClientTraffic::default();
    // (unit's end, server's end) -> index into out.tls, or a clear conversation not yet named.
    let mut sessions: BTreeMap<(SocketAddr, SocketAddr), usize> = BTreeMap::new();
    let mut opened: BTreeMap<(SocketAddr, SocketAddr), bool> = BTreeMap::new();
    // A capture still being written ends in a partial packet: that is its end, not an error.
    while let Ok(packet) = cap.next_packet() {
        out.packets += 1;
        let Some(seg) = tcp_segment(link, packet.data) else {
            continue;
        };
        if seg.opening && seg.src.ip() == unit && opened.len() < MAX_SESSIONS * 4 {
            opened.insert((seg.src, seg.dst), false);
            continue;
        }
        if seg.payload.is_empty() {
            continue;
        }
        // The server's side of a session the unit opened (checked first: on one host both
        // ends have the unit's address).
        if let Some(&i) = sessions.get(&(seg.dst, seg.src)) {
            if out.tls[i].chosen.is_none() {
                out.tls[i].chosen = tls_hello::chosen(seg.payload);
            }
            continue;
        }
        if seg.src.ip() == unit {
            let key = (seg.src, seg.dst);
            if let Some(offer) = tls_hello::offered(seg.payload) {
                if out.tls.len() < MAX_SESSIONS && !sessions.contains_key(&key) {
                    sessions.insert(key, out.tls.len());
                    out.tls.push(ClientSession {
                        server: seg.dst,
                        server_name: offer.server_name,
                        offered: offer.max_version,
                        chosen: None,
                    });
                }
            } else if let Some(named) = opened.get_mut(&key) {
                if !*named {
                    *named = true;
                    if let Some(protocol) = clear_protocol(seg.payload) {
                        if out.clear.len() < MAX_SESSIONS {
                            out.clear.push(ClearClient {
                                server: seg.dst,
                                protocol,
                            });
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Clear-text client protocols by their first bytes.
fn clear_protocol(first: &[u8]) -> Option<&'static str> {
    const HTTP: [&[u8]; 6] = [
        b"GET ",
        b"POST ",
        b"PUT ",
        b"HEAD ",
        b"DELETE ",
        b"OPTIONS ",
    ];
    if HTTP.iter().any(|m| first.starts_with(m)) {
        return Some("HTTP");
    }
    // MQTT CONNECT: fixed header 0x10, then the protocol name "MQTT" (3.1.1/5) or "MQIsdp".
    if first.first() == Some(&0x10)
        && first
            .windows(4)
            .take(8)
            .any(|w| w == b"MQTT" || w == b"MQIs")
    {
        return Some("MQTT");
    }
    if first.starts_with(b"USER ") {
        return Some("FTP");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_protocols_are_named_by_their_first_bytes() {
        assert_eq!(clear_protocol(b"GET /fw.bin HTTP/1.1\r\n"), Some("HTTP"));
        let connect = [0x10, 0x16, 0, 4, b'M', b'Q', b'T', b'T', 4, 2];
        assert_eq!(clear_protocol(&connect), Some("MQTT"));
        assert_eq!(clear_protocol(b"\x16\x03\x01"), None);
        assert_eq!(clear_protocol(b""), None);
    }
}
