//! What answers on an open port, as far as logging in goes: a banner read passively first, then
//! the cheapest request of each common protocol. Used to find login surfaces the manufacturer did
//! not declare (TS 103 701 5.1-1-2 a). Every read is bounded in size and time.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MAX_BANNER: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Surface {
    /// A login surface, with the protocol and what showed it.
    Login {
        protocol: &'static str,
        evidence: String,
    },
    /// Grants access without asking for any credential (an MQTT broker taking an anonymous
    /// CONNECT): no password mechanism, but unauthenticated access.
    Unauthenticated {
        protocol: &'static str,
        evidence: String,
    },
    /// Answers, but nothing that asks for a credential.
    Other(String),
    Silent,
}

pub async fn detect(addr: SocketAddr, within: Duration) -> Surface {
    let banner = exchange(addr, None, within).await;
    if let Some(s) = classify_banner(&banner) {
        return s;
    }
    if !banner.is_empty() {
        return Surface::Other(crate::evidence::printable(&banner[..banner.len().min(120)]));
    }
    let http = exchange(
        addr,
        Some(b"GET / HTTP/1.0\r\nHost: device\r\n\r\n"),
        within,
    )
    .await;
    if let Some(s) = classify_http(&http) {
        return s;
    }
    let rtsp = exchange(addr, Some(b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"), within).await;
    if rtsp.starts_with(b"RTSP/1.0") {
        return Surface::Login {
            protocol: "RTSP",
            evidence: first_line(&rtsp),
        };
    }
    let mqtt = exchange(addr, Some(&MQTT_CONNECT), within).await;
    if let Some(s) = classify_mqtt(&mqtt) {
        return s;
    }
    if !http.is_empty() {
        return Surface::Other(first_line(&http));
    }
    Surface::Silent
}

/// What the peer sends until it pauses, closes, or the banner is long enough to judge.
async fn until_pause<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    while out.len() < MAX_BANNER {
        match crate::transport::device_time::timeout(Duration::from_millis(300), s.read(&mut buf))
            .await
        {
            Ok(Ok(n)) if n > 0 => out.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    out
}

/// As `detect`, and where the port answers nothing readable in clear, the same HTTP question
/// inside TLS (any certificate: a unit's own is self-signed), so a web login on an HTTPS port
/// is found too. Its protocol is then `HTTPS authentication` or `HTTPS login form`.
pub async fn detect_with_tls(addr: SocketAddr, within: Duration) -> Surface {
    let plain = detect(addr, within).await;
    if !matches!(plain, Surface::Silent | Surface::Other(_)) {
        return plain;
    }
    let answer = tls_exchange(addr, b"GET / HTTP/1.0\r\nHost: device\r\n\r\n", within).await;
    match answer.as_deref().map(classify_http) {
        Some(Some(Surface::Login { protocol, evidence })) => Surface::Login {
            protocol: match protocol {
                "HTTP authentication" => "HTTPS authentication",
                "HTTP login form" => "HTTPS login form",
                other => other,
            },
            evidence,
        },
        Some(_) => Surface::Other(format!(
            "TLS; {}",
            answer.as_deref().map(first_line).unwrap_or_default()
        )),
        None => plain,
    }
}

/// `exchange` inside a TLS session; None when no handshake completes.
async fn tls_exchange(addr: SocketAddr, request: &[u8], within: Duration) -> Option<Vec<u8>> {
    let io = async {
        let tcp = TcpStream::connect(addr).await.ok()?;
        let mut s = crate::transport::tls_client::connect(tcp, addr.ip())
            .await
            .ok()?;
        s.write_all(request).await.ok()?;
        Some(until_pause(&mut s).await)
    };
    crate::transport::device_time::timeout(within, io)
        .await
        .ok()
        .flatten()
}

/// MQTT 3.1.1 CONNECT, clean session, keep-alive 10 s, client id "hilt", no credentials.
const MQTT_CONNECT: [u8; 18] = [
    0x10, 16, 0, 4, b'M', b'Q', b'T', b'T', 4, 0x02, 0, 10, 0, 4, b'h', b'i', b'l', b't',
];

/// Connects, sends `request` if any, and returns what the peer sends until it pauses (bounded).
pub async fn exchange(addr: SocketAddr, request: Option<&[u8]>, within: Duration) -> Vec<u8> {
    let io = async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        if let Some(r) = request {
            s.write_all(r).await.ok()?;
        }
        Some(until_pause(&mut s).await)
    };
    crate::transport::device_time::timeout(within, io)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// As `exchange`, for reading what a service discloses rather than what it is: a slow banner
/// is waited for (the first byte up to `within`), and the answer is read until it pauses for a
/// second, up to 64 KiB and `within` plus five seconds in all.
pub async fn exchange_whole(addr: SocketAddr, request: Option<&[u8]>, within: Duration) -> Vec<u8> {
    const MAX: usize = 64 * 1024;
    let io = async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        if let Some(r) = request {
            s.write_all(r).await.ok()?;
        }
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        let mut wait = within;
        while out.len() < MAX {
            match crate::transport::device_time::timeout(wait, s.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => out.extend_from_slice(&buf[..n.min(MAX - out.len())]),
                _ => break,
            }
            wait = Duration::from_secs(1);
        }
        Some(out)
    };
    crate::transport::device_time::timeout(within + Duration::from_secs(5), io)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

pub fn classify_banner(b: &[u8]) -> Option<Surface> {
    let text = String::from_utf8_lossy(b);
    if b.starts_with(b"SSH-") {
        return Some(Surface::Login {
            protocol: "SSH",
            evidence: first_line(b),
        });
    }
    if b.windows(2)
        .any(|w| w[0] == 0xff && (251..=254).contains(&w[1]))
    {
        return Some(Surface::Login {
            protocol: "telnet",
            evidence: "telnet option negotiation".into(),
        });
    }
    if b.starts_with(b"220") && text.to_ascii_lowercase().contains("ftp") {
        return Some(Surface::Login {
            protocol: "FTP",
            evidence: first_line(b),
        });
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("login:") || lower.contains("password:") || lower.contains("username:") {
        return Some(Surface::Login {
            protocol: "plain-text login prompt",
            evidence: crate::evidence::printable(&b[..b.len().min(120)]),
        });
    }
    None
}

pub fn classify_http(b: &[u8]) -> Option<Surface> {
    if !b.starts_with(b"HTTP/") {
        return None;
    }
    let text = String::from_utf8_lossy(b).to_ascii_lowercase();
    let status = first_line(b);
    if text.contains("www-authenticate:") || status.contains(" 401") {
        // The scheme decides how a credential is sent (basic or digest).
        let scheme = text
            .split("www-authenticate:")
            .nth(1)
            .and_then(|v| v.split_whitespace().next())
            .map(|w| format!("; {w} challenge"))
            .unwrap_or_default();
        return Some(Surface::Login {
            protocol: "HTTP authentication",
            evidence: format!("{status}{scheme}"),
        });
    }
    if text.contains("type=\"password\"")
        || text.contains("type='password'")
        || text.contains("type=password")
    {
        return Some(Surface::Login {
            protocol: "HTTP login form",
            evidence: format!("{status}; a password field"),
        });
    }
    None
}

/// The CONNACK to a CONNECT without credentials: 0 lets anyone in; 4 (bad user name or
/// password) and 5 (not authorised) ask for a credential.
pub fn classify_mqtt(b: &[u8]) -> Option<Surface> {
    if b.len() < 4 || b[0] != 0x20 || b[1] != 0x02 {
        return None;
    }
    Some(match b[3] {
        0 => Surface::Unauthenticated {
            protocol: "MQTT",
            evidence: "CONNACK return code 0 to a CONNECT without credentials".into(),
        },
        code => Surface::Login {
            protocol: "MQTT",
            evidence: format!("CONNACK return code {code}"),
        },
    })
}

fn first_line(b: &[u8]) -> String {
    let end = b
        .iter()
        .position(|c| *c == b'\r' || *c == b'\n')
        .unwrap_or(b.len())
        .min(120);
    crate::evidence::printable(&b[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A banner that comes after half a second, and a long one with a pause in it, are read
    /// whole by `exchange_whole`, where the quick `exchange` stops early.
    #[tokio::test]
    async fn a_slow_or_long_banner_is_read_whole() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    crate::transport::device_time::sleep(Duration::from_millis(500)).await;
                    let _ = s.write_all(&[b'x'; 6000]).await;
                    crate::transport::device_time::sleep(Duration::from_millis(400)).await;
                    let _ = s.write_all(b"server 1.2.3\r\n").await;
                    crate::transport::device_time::sleep(Duration::from_secs(3)).await;
                });
            }
        });
        let quick = exchange(addr, None, Duration::from_secs(3)).await;
        assert!(quick.is_empty(), "the quick read gives up after 300 ms");
        let whole = exchange_whole(addr, None, Duration::from_secs(3)).await;
        assert_eq!(whole.len(), 6000 + 14);
        assert!(whole.ends_with(b"server 1.2.3\r\n"));
    }

    #[test]
    fn banners_and_answers_are_told_apart() {
        assert!(matches!(
            classify_banner(b"SSH-2.0-dropbear_2022.83\r\n"),
            Some(Surface::Login {
                protocol: "SSH",
                ..
            })
        ));
        assert!(matches!(
            classify_banner(&[0xff, 0xfb, 0x01, b'l']),
            Some(Surface::Login {
                protocol: "telnet",
                ..
            })
        ));
        assert!(matches!(
            classify_banner(b"220 (vsFTPd 3.0.3)\r\n"),
            None | Some(Surface::Login { .. })
        ));
        assert!(matches!(
            classify_banner(b"220 ProFTPD FTP Server ready\r\n"),
            Some(Surface::Login {
                protocol: "FTP",
                ..
            })
        ));
        assert_eq!(classify_banner(b"VC-100 debug agent 1.4.2 ready\r\n"), None);
        assert!(classify_http(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n"
        )
        .is_some());
        assert!(classify_http(
            b"HTTP/1.1 200 OK\r\n\r\n<form><input type=\"password\" name=p></form>"
        )
        .is_some());
        assert!(classify_http(b"HTTP/1.1 200 OK\r\n\r\n<h1>status</h1>").is_none());
    }

    #[test]
    fn an_mqtt_broker_that_lets_anyone_in_is_no_login() {
        assert!(matches!(
            classify_mqtt(&[0x20, 0x02, 0x00, 0x00]),
            Some(Surface::Unauthenticated {
                protocol: "MQTT",
                ..
            })
        ));
        assert!(matches!(
            classify_mqtt(&[0x20, 0x02, 0x00, 0x05]),
            Some(Surface::Login {
                protocol: "MQTT",
                ..
            })
        ));
        assert_eq!(classify_mqtt(&[0x20, 0x02]), None);
        assert_eq!(classify_mqtt(b"HTTP/1.1 400"), None);
    }
}
