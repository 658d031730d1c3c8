//! Software and component versions in what a unit tells anyone: SSH identification strings,
//! `Server:` headers, FTP greetings, UPnP and SNMP descriptions. TS 103 701 counts them as
//! security-relevant information (they say which published vulnerabilities apply) unless the
//! manufacturer declares their disclosure.

use regex::Regex;
use std::sync::LazyLock;

/// `name/1.2`, `name_1.2`, `name 1.2.3`, `name v1.2`: a product token and a dotted version.
static VERSIONED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([A-Za-z][A-Za-z0-9+-]{1,30})(?:[/_ ]v?|-v)(\d{1,4}\.\d{1,4}(?:\.\d{1,5}){0,3}[a-z]?\d*)\b")
        .expect("a valid pattern")
});

/// Names that carry a protocol's version, which every implementation must send.
const PROTOCOLS: [&str; 9] = [
    "http", "https", "rtsp", "upnp", "sip", "ssh", "dlnadoc", "mqtt", "tls",
];

/// Is `name` a protocol whose version every implementation sends (`HTTP/1.1`)?
pub fn is_protocol(name: &str) -> bool {
    PROTOCOLS.contains(&name.to_ascii_lowercase().as_str())
}

/// Each distinct (name, version) found, in the order first seen, at most `limit`.
pub fn find(bytes: &[u8], limit: usize) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: Vec<(String, String)> = Vec::new();
    for c in VERSIONED.captures_iter(&text) {
        let name = &c[1];
        if is_protocol(name) {
            continue;
        }
        let found = (name.to_string(), c[2].to_string());
        if !out.contains(&found) {
            out.push(found);
        }
        if out.len() == limit {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::find;
    use rstest::rstest;

    #[rstest]
    #[case::dropbear(b"SSH-2.0-dropbear_2022.83\r\n", &["dropbear 2022.83"])]
    #[case::openssh(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", &["OpenSSH 9.2p1"])]
    #[case::server_header(b"HTTP/1.1 200 OK\r\nServer: lighttpd/1.4.69\r\n", &["lighttpd 1.4.69"])]
    #[case::ssdp(b"SERVER: Linux/5.10.0 UPnP/1.0 MiniUPnPd/2.3.3\r\n", &["Linux 5.10.0", "MiniUPnPd 2.3.3"])]
    #[case::vsftpd(b"220 (vsFTPd 3.0.3)\r\n", &["vsFTPd 3.0.3"])]
    #[case::protocols_only(b"HTTP/1.1 404 Not Found\r\nRTSP/1.0 200 OK\r\nSSH-2.0-x\r\n", &[])]
    #[case::no_version(b"220 FTP server ready\r\nmosquitto\r\n", &[])]
    fn versions_in_answers(#[case] answer: &[u8], #[case] want: &[&str]) {
        let found: Vec<String> = find(answer, 10)
            .into_iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        assert_eq!(found, want);
    }

    #[test]
    fn hostile_bytes_are_read_without_panic() {
        let noise: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        assert!(find(&noise, 10).len() <= 10);
    }
}
