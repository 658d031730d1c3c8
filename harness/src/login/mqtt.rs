//! MQTT login: one CONNECT (MQTT 3.1.1) carrying the credential, judged by the CONNACK return
//! code — 0 accepted, 4 bad user name or password, 5 not authorized. A credential check needs no
//! session, so a dozen bytes each way replace a full client. A broker declared with `tls` (MQTT
//! over TLS, usually port 8883) gets the same bytes inside a TLS session.

use super::{CredentialTrial, LoginOutcome, TrialFuture};
use crate::evidence::EvidenceLog;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct MqttTrial {
    pub addr: SocketAddr,
    pub within: Duration,
    /// The service is declared with `tls`: CONNECT travels inside a TLS session.
    pub tls: bool,
    pub transcript: EvidenceLog,
}

impl CredentialTrial for MqttTrial {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a> {
        Box::pin(async move {
            super::within(self.within, "CONNACK", self.connect(username, password)).await
        })
    }
}

impl MqttTrial {
    async fn connect(&self, username: &str, password: &str) -> Result<LoginOutcome, String> {
        let tcp = TcpStream::connect(self.addr)
            .await
            .map_err(|e| format!("MQTT {}: {e}", self.addr))?;
        if !self.tls {
            return self.exchange(tcp, username, password).await;
        }
        let s = crate::transport::tls_client::connect(tcp, self.addr.ip())
            .await
            .map_err(|e| format!("MQTT over TLS {}: no TLS session: {e}", self.addr))?;
        self.transcript.line("=", "TLS session established");
        self.exchange(s, username, password).await
    }

    async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        mut s: S,
        username: &str,
        password: &str,
    ) -> Result<LoginOutcome, String> {
        self.transcript
            .line(">", &format!("CONNECT user `{username}` password [secret]"));
        s.write_all(&connect_packet(username, password)?)
            .await
            .map_err(|e| e.to_string())?;
        let mut ack = [0u8; 4];
        s.read_exact(&mut ack)
            .await
            .map_err(|e| format!("no CONNACK: {e}"))?;
        self.transcript.bytes("<", &ack);
        let outcome = connack(&ack);
        if !matches!(outcome, LoginOutcome::NotALogin(_)) {
            let _ = s.write_all(&[0xe0, 0x00]).await; // DISCONNECT
        }
        Ok(outcome)
    }
}

/// What a broker's four answer bytes say of the CONNECT (MQTT 3.1.1 3.2).
pub(crate) fn connack(ack: &[u8; 4]) -> LoginOutcome {
    if ack[0] != 0x20 || ack[1] != 0x02 {
        return LoginOutcome::NotALogin(format!(
            "not a CONNACK: {}",
            crate::evidence::printable(ack)
        ));
    }
    match ack[3] {
        0 => LoginOutcome::Accepted,
        4 | 5 => LoginOutcome::Rejected,
        other => LoginOutcome::NotALogin(format!("CONNACK return code {other}")),
    }
}

/// CONNECT with clean session, keep-alive 10 s, client id "hilt", user name and password.
pub fn connect_packet(username: &str, password: &str) -> Result<Vec<u8>, String> {
    let field = |s: &[u8], out: &mut Vec<u8>| -> Result<(), String> {
        let len =
            u16::try_from(s.len()).map_err(|_| "credential longer than 65535 bytes".to_string())?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(s);
        Ok(())
    };
    let mut body = Vec::new();
    field(b"MQTT", &mut body)?;
    body.extend_from_slice(&[4, 0b1100_0010, 0, 10]);
    field(b"hilt", &mut body)?;
    field(username.as_bytes(), &mut body)?;
    field(password.as_bytes(), &mut body)?;
    let mut packet = vec![0x10];
    let mut len = body.len();
    loop {
        let mut byte = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            byte |= 0x80;
        }
        packet.push(byte);
        if len == 0 {
            break;
        }
    }
    packet.extend_from_slice(&body);
    Ok(packet)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A broker stand-in on a loopback socket: reads the CONNECT, accepts only broker/right.
    async fn broker() -> SocketAddr {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                let mut buf = vec![0u8; 512];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let ok = buf[..n] == connect_packet("broker", "right").unwrap()[..];
                let _ = s
                    .write_all(&[0x20, 0x02, 0x00, if ok { 0 } else { 5 }])
                    .await;
            }
        });
        addr
    }

    #[tokio::test]
    async fn tells_accepted_from_refused() {
        let (ev, _dir) = crate::evidence::scratch("mqtt");
        let t = MqttTrial {
            addr: broker().await,
            within: Duration::from_secs(2),
            tls: false,
            transcript: ev.log("mqtt.log"),
        };
        assert_eq!(t.try_login("broker", "right").await, LoginOutcome::Accepted);
        assert_eq!(t.try_login("broker", "wrong").await, LoginOutcome::Rejected);
    }

    /// Debian's mosquitto with a TLS listener only, its certificate made by openssl, its
    /// password file by mosquitto_passwd: the broker a device ships.
    #[tokio::test]
    async fn logs_in_over_tls_to_a_real_broker() {
        let (ev, dir) = crate::evidence::scratch("mqtts");
        let d = &dir.0;
        let run = |cmd: &mut std::process::Command| {
            let out = cmd
                .output()
                .expect("openssl and mosquitto (scripts/setup installs them)");
            assert!(
                out.status.success(),
                "{cmd:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ])
            .args(["-nodes", "-days", "1", "-subj", "/CN=broker", "-keyout"])
            .arg(d.join("key.pem"))
            .arg("-out")
            .arg(d.join("cert.pem")));
        // A throwaway key: mosquitto reads it after leaving root for its own account.
        run(std::process::Command::new("chmod")
            .arg("a+rX")
            .arg(d)
            .arg(d.join("key.pem")));
        run(std::process::Command::new("mosquitto_passwd")
            .args(["-b", "-c"])
            .arg(d.join("passwd"))
            .args(["broker", "right"]));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::write(
            d.join("mosquitto.conf"),
            format!(
                "listener {port} 127.0.0.1\ncertfile {0}/cert.pem\nkeyfile {0}/key.pem\n\
                 allow_anonymous false\npassword_file {0}/passwd\npersistence false\n",
                d.display()
            ),
        )
        .unwrap();
        let mut broker = std::process::Command::new("mosquitto")
            .arg("-c")
            .arg(d.join("mosquitto.conf"))
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).await.is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "mosquitto never listened"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let trial = |tls| MqttTrial {
            addr,
            within: Duration::from_secs(5),
            tls,
            transcript: ev.log("mqtts.log"),
        };
        let tls = trial(true);
        let got = (
            tls.try_login("broker", "right").await,
            tls.try_login("broker", "wrong").await,
            trial(false).try_login("broker", "right").await,
        );
        let _ = broker.kill();
        let _ = broker.wait();
        assert_eq!(got.0, LoginOutcome::Accepted);
        assert_eq!(got.1, LoginOutcome::Rejected);
        // Plain CONNECT bytes to a TLS listener are no MQTT login at all.
        assert!(
            !matches!(got.2, LoginOutcome::Accepted | LoginOutcome::Rejected),
            "{:?}",
            got.2
        );
    }

    #[test]
    fn packet_layout() {
        let p = connect_packet("u", "p").unwrap();
        assert_eq!(p[0], 0x10);
        assert_eq!(p[1] as usize, p.len() - 2);
        assert_eq!(&p[2..8], b"\x00\x04MQTT");
        assert_eq!(p[9], 0b1100_0010);
    }
}
