//! SNMP v1/v2c communities: a shared secret carried in clear in every request. An agent answers
//! a request whose community it accepts and drops any other without a word (RFC 1157 4.1), so
//! an answer is an acceptance and silence proves nothing.

use crate::transport::udp_payloads::snmp_get_sys_descr;
use std::net::SocketAddr;
use std::time::Duration;

/// Communities every SNMP agent ships with unless someone changes them (RFC 1157's example
/// `public`, and `private` for writing in the common agents' default configurations).
pub const UNIVERSAL: &[&str] = &["public", "private"];

/// Whether the agent at `addr` answers a GetRequest with `community`, asked twice (UDP loses
/// datagrams), each time waiting up to `within`.
pub async fn accepts(addr: SocketAddr, community: &str, within: Duration) -> bool {
    let local: SocketAddr = match addr {
        SocketAddr::V4(_) => ([0, 0, 0, 0], 0).into(),
        SocketAddr::V6(_) => ([0u16; 8], 0).into(),
    };
    let Ok(socket) = tokio::net::UdpSocket::bind(local).await else {
        return false;
    };
    if socket.connect(addr).await.is_err() {
        return false;
    }
    let request = snmp_get_sys_descr(community);
    let mut buf = [0u8; 1500];
    for _ in 0..2 {
        if socket.send(&request).await.is_err() {
            return false;
        }
        if let Ok(Ok(n)) =
            crate::transport::device_time::timeout(within, socket.recv(&mut buf)).await
        {
            // An SNMP message is a BER SEQUENCE; anything else is not the agent's answer.
            if n > 0 && buf[0] == 0x30 {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An agent on a loopback port that answers only the community `Zq-77`.
    async fn agent() -> SocketAddr {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = [0u8; 1500];
            while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
                if buf[..n].windows(5).any(|w| w == b"Zq-77") {
                    let _ = socket.send_to(&[0x30, 0x03, 0x02, 0x01, 0x00], peer).await;
                }
            }
        });
        addr
    }

    #[tokio::test]
    async fn an_answer_is_an_acceptance_and_silence_is_not() {
        let addr = agent().await;
        let within = Duration::from_millis(200);
        assert!(accepts(addr, "Zq-77", within).await);
        assert!(!accepts(addr, "public", within).await);
    }
}
