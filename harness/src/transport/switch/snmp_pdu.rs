//! An outlet of a switched PDU over SNMP v2c: a SET of the model's control object, then a GET
//! of its state object. An agent drops requests with a wrong community without a word, so
//! silence is reported with that as its likely cause.

use super::read_back::Relay;
use crate::config::power::{PduModel, SnmpPduPower};
use crate::transport::error::Error;
use crate::transport::snmp_message::{parse_oid, request, response, Request};
use futures_util::future::BoxFuture;
use std::time::Duration;

const ANSWER_WITHIN: Duration = Duration::from_secs(1);
const TRIES: usize = 3;

/// The model's objects for outlet N (its number is appended) and their values.
struct Mib {
    control: &'static str,
    state: &'static str,
    set_on: i64,
    set_off: i64,
    reads_on: i64,
    reads_off: i64,
}

fn mib(model: PduModel) -> Mib {
    match model {
        // PowerNet-MIB sPDUOutletCtl: read and written alike, 1 on, 2 off.
        PduModel::Apc => Mib {
            control: "1.3.6.1.4.1.318.1.1.4.4.2.1.3",
            state: "1.3.6.1.4.1.318.1.1.4.4.2.1.3",
            set_on: 1,
            set_off: 2,
            reads_on: 1,
            reads_off: 2,
        },
        // PowerNet-MIB rPDUOutletControlOutletCommand (immediateOn 1, immediateOff 2) and
        // rPDUOutletStatusOutletState (on 1, off 2).
        PduModel::ApcRpdu => Mib {
            control: "1.3.6.1.4.1.318.1.1.12.3.3.1.1.4",
            state: "1.3.6.1.4.1.318.1.1.12.3.5.1.1.4",
            set_on: 1,
            set_off: 2,
            reads_on: 1,
            reads_off: 2,
        },
        // PDU2-MIB switchingOperation (off 0, on 1) and outletSwitchingState (on 7, off 8).
        PduModel::Raritan => Mib {
            control: "1.3.6.1.4.1.13742.6.4.1.2.1.2.1",
            state: "1.3.6.1.4.1.13742.6.4.1.2.1.3.1",
            set_on: 1,
            set_off: 0,
            reads_on: 7,
            reads_off: 8,
        },
    }
}

pub(super) struct SnmpPdu {
    config: SnmpPduPower,
    control: Vec<u32>,
    state: Vec<u32>,
    mib: Mib,
}

impl SnmpPdu {
    pub fn new(config: &SnmpPduPower) -> Result<SnmpPdu, Error> {
        let mib = mib(config.model);
        let oid =
            |base: &str| parse_oid(&format!("{base}.{}", config.outlet)).map_err(Error::Config);
        Ok(SnmpPdu {
            control: oid(mib.control)?,
            state: oid(mib.state)?,
            config: config.clone(),
            mib,
        })
    }

    /// One request, asked up to TRIES times (UDP loses datagrams); the value answered.
    async fn ask(&self, oid: &[u32], what: Request) -> Result<Option<i64>, Error> {
        let host = &self.config.host;
        // HOST:PORT, or HOST alone on SNMP's port (an IPv6 address in brackets either way).
        let addr = match host.rsplit_once(':') {
            Some((_, port)) if port.parse::<u16>().is_ok() => host.clone(),
            _ => format!("{host}:161"),
        };
        let bench = |e: std::io::Error| Error::Bench(format!("snmp {addr}: {e}"));
        let target = tokio::net::lookup_host(&addr)
            .await
            .map_err(bench)?
            .next()
            .ok_or_else(|| Error::Bench(format!("snmp {addr}: no address")))?;
        let local: std::net::SocketAddr = match target {
            std::net::SocketAddr::V4(_) => ([0, 0, 0, 0], 0).into(),
            std::net::SocketAddr::V6(_) => ([0u16; 8], 0).into(),
        };
        let socket = tokio::net::UdpSocket::bind(local).await.map_err(bench)?;
        socket.connect(target).await.map_err(bench)?;
        let mut id = [0u8; 4];
        crate::util::random::fill(&mut id);
        let id = i32::from_be_bytes(id) & 0x7fff_ffff;
        let message = request(&self.config.community, id, oid, what);
        let mut buf = [0u8; 1500];
        for _ in 0..TRIES {
            socket.send(&message).await.map_err(bench)?;
            let until = tokio::time::Instant::now() + ANSWER_WITHIN;
            while let Ok(got) =
                crate::transport::device_time::timeout_at(until, socket.recv(&mut buf)).await
            {
                let Ok(answer) = response(&buf[..got.map_err(bench)?]) else {
                    continue;
                };
                if answer.request_id != i64::from(id) {
                    continue;
                }
                if answer.error_status != 0 {
                    return Err(Error::Bench(format!(
                        "snmp {addr}: the agent refused {what:?} of {} with error-status {}",
                        dotted(oid),
                        answer.error_status
                    )));
                }
                return Ok(answer.value);
            }
        }
        Err(Error::Bench(format!(
            "snmp {addr}: no answer to {TRIES} requests (an agent drops a wrong community without a word)"
        )))
    }
}

fn dotted(oid: &[u32]) -> String {
    oid.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

impl Relay for SnmpPdu {
    fn set(&self, on: bool) -> BoxFuture<'_, Result<(), Error>> {
        let value = if on {
            self.mib.set_on
        } else {
            self.mib.set_off
        };
        Box::pin(async move { self.ask(&self.control, Request::Set(value)).await.map(drop) })
    }

    fn is_on(&self) -> BoxFuture<'_, Result<bool, Error>> {
        Box::pin(async move {
            match self.ask(&self.state, Request::Get).await? {
                Some(v) if v == self.mib.reads_on => Ok(true),
                Some(v) if v == self.mib.reads_off => Ok(false),
                other => Err(Error::Bench(format!(
                    "{} reads {other:?}, neither on ({}) nor off ({})",
                    dotted(&self.state),
                    self.mib.reads_on,
                    self.mib.reads_off
                ))),
            }
        })
    }

    fn describe(&self) -> String {
        format!(
            "snmp-pdu {} outlet {}",
            self.config.host, self.config.outlet
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::read_back::ReadBack;
    use super::super::relay_tests::{bench_error, switches_both_ways};
    use super::*;

    /// Debian's snmpd (net-snmp) playing an APC Switched Rack PDU: its `pass` extension hands
    /// sPDUOutletCtl to a script that keeps each outlet's state in a file (2, off, at first)
    /// and takes a SET without switching for an outlet with a `stuckN` file. One agent per test
    /// binary: two snmpd at once were seen answering from each other's scripts.
    struct Pdu {
        child: std::process::Child,
        host: String,
        dir: crate::evidence::ScratchDir,
    }

    impl Drop for Pdu {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn pdu(tag: &str) -> Pdu {
        let (_, dir) = crate::evidence::scratch(tag);
        let d = dir.0.display();
        let script = format!(
            "case \"$1\" in\n\
             -g) [ \"${{2%.*}}\" = .1.3.6.1.4.1.318.1.1.4.4.2.1.3 ] || exit 0\n\
                 echo \"$2\"; echo integer; cat \"{d}/outlet${{2##*.}}\" 2>/dev/null || echo 2 ;;\n\
             -s) [ -e \"{d}/stuck${{2##*.}}\" ] || echo \"$4\" > \"{d}/outlet${{2##*.}}\" ;;\n\
             esac\n"
        );
        std::fs::write(dir.0.join("outlet.sh"), script).unwrap();
        let port = std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let conf = format!(
            "agentAddress udp:127.0.0.1:{port}\nrwcommunity private 127.0.0.1\npass .1.3.6.1.4.1.318.1.1.4.4.2.1.3 /bin/sh {d}/outlet.sh\n"
        );
        std::fs::write(dir.0.join("snmpd.conf"), conf).unwrap();
        let child = std::process::Command::new("snmpd")
            .args(["-f", "-C", "-Lf"])
            .arg(dir.0.join("snmpd.log"))
            .arg("-c")
            .arg(dir.0.join("snmpd.conf"))
            .arg("-p")
            .arg(dir.0.join("snmpd.pid"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("snmpd (scripts/setup installs it)");
        let log = dir.0.join("snmpd.log");
        let started = std::time::Instant::now();
        while !std::fs::read_to_string(&log).is_ok_and(|l| l.contains("NET-SNMP version")) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "snmpd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Pdu {
            child,
            host: format!("127.0.0.1:{port}"),
            dir,
        }
    }

    fn outlet(host: &str, community: &str, outlet: u32) -> ReadBack<SnmpPdu> {
        let config = SnmpPduPower {
            host: host.into(),
            community: community.into(),
            outlet,
            model: PduModel::Apc,
        };
        ReadBack(SnmpPdu::new(&config).unwrap())
    }

    #[tokio::test]
    async fn an_apc_outlet_on_a_real_snmp_agent_switches_and_reads_back_or_is_the_benchs_error() {
        let pdu = pdu("snmp-pdu");
        switches_both_ways(&outlet(&pdu.host, "private", 3)).await;
        assert_eq!(
            std::fs::read_to_string(pdu.dir.0.join("outlet3")).unwrap(),
            "1\n"
        );
        std::fs::write(pdu.dir.0.join("stuck4"), "").unwrap();
        let stuck = outlet(&pdu.host, "private", 4);
        bench_error(&stuck, "switched on but still reads back off").await;
        bench_error(&outlet(&pdu.host, "public", 3), "no answer to 3 requests").await;
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let host = silent.local_addr().unwrap().to_string();
        bench_error(&outlet(&host, "private", 3), "a wrong community").await;
    }
}
