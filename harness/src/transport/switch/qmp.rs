//! A QEMU machine's power through its QMP monitor (the protocol labgrid's QEMU driver speaks
//! too): off stops the vCPUs and resets the machine, so nothing runs and the next start is from
//! the firmware; on continues it, a cold boot. `query-status` reads the state back.

use super::read_back::Relay;
use crate::transport::error::Error;
use futures_util::future::BoxFuture;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

const ANSWER_WITHIN: Duration = Duration::from_secs(5);
/// Longest line QEMU's monitor is read for; events and answers are far shorter.
const LINE_LIMIT: u64 = 64 * 1024;

pub(super) struct Qmp {
    /// `unix:PATH` or `tcp:HOST:PORT`.
    pub endpoint: String,
}

impl Qmp {
    /// Runs `commands` in order on a fresh monitor session; the last one's `return` value.
    async fn run(&self, commands: &[&str]) -> Result<serde_json::Value, Error> {
        let session = async {
            let stream = super::connect_endpoint(&self.endpoint).await?;
            session(stream, commands).await
        };
        crate::transport::device_time::timeout(ANSWER_WITHIN, session)
            .await
            .map_err(|_| {
                Error::Bench(format!(
                    "the QMP monitor gave no answer within {}s",
                    ANSWER_WITHIN.as_secs()
                ))
            })?
            .map_err(|e| e.context(&self.endpoint))
    }
}

/// The greeting, capabilities negotiation, then each command and its answer; events between
/// them are skipped.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    commands: &[&str],
) -> Result<serde_json::Value, Error> {
    let (r, mut w) = tokio::io::split(stream);
    let mut lines = BufReader::new(r);
    let greeting = next_message(&mut lines).await?;
    if greeting.get("QMP").is_none() {
        return Err(Error::Bench(format!("not a QMP greeting: {greeting}")));
    }
    let mut last = serde_json::Value::Null;
    for command in std::iter::once(&"qmp_capabilities").chain(commands) {
        let request = format!("{{\"execute\":\"{command}\"}}\r\n");
        w.write_all(request.as_bytes())
            .await
            .map_err(|e| Error::Bench(e.to_string()))?;
        last = loop {
            let message = next_message(&mut lines).await?;
            if let Some(value) = message.get("return") {
                break value.clone();
            }
            if let Some(error) = message.get("error") {
                return Err(Error::Bench(format!("QMP `{command}` failed: {error}")));
            }
        };
    }
    Ok(last)
}

async fn next_message<R: AsyncBufReadExt + Unpin>(r: &mut R) -> Result<serde_json::Value, Error> {
    let mut line = String::new();
    let n = tokio::io::AsyncReadExt::take(&mut *r, LINE_LIMIT)
        .read_line(&mut line)
        .await
        .map_err(|e| Error::Bench(e.to_string()))?;
    if n == 0 {
        return Err(Error::Bench("the QMP monitor closed the connection".into()));
    }
    serde_json::from_str(&line).map_err(|e| Error::Bench(format!("QMP sent no JSON ({e})")))
}

impl Relay for Qmp {
    fn set(&self, on: bool) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let commands: &[&str] = match on {
                true => &["cont"],
                false => &["stop", "system_reset"],
            };
            self.run(commands).await.map(drop)
        })
    }

    fn is_on(&self) -> BoxFuture<'_, Result<bool, Error>> {
        Box::pin(async move {
            let status = self.run(&["query-status"]).await?;
            status
                .get("running")
                .and_then(|r| r.as_bool())
                .ok_or_else(|| Error::Bench(format!("query-status answered {status}")))
        })
    }

    fn describe(&self) -> String {
        format!("qmp {}", self.endpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::super::read_back::ReadBack;
    use super::super::relay_tests::hang_is_bench_error;
    use super::super::{Action, Switch};
    use super::*;

    /// Debian's QEMU booting Debian's U-Boot build for x86, started with its vCPUs stopped
    /// (power off); its serial port is a raw TCP console, its monitor a QMP socket.
    struct Machine {
        child: std::process::Child,
        console: String,
        qmp: String,
        _dir: crate::evidence::ScratchDir,
    }

    impl Drop for Machine {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn machine() -> Machine {
        let (_, dir) = crate::evidence::scratch("qmp");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let qmp = dir.0.join("qmp.sock");
        let child = std::process::Command::new("qemu-system-x86_64")
            .args([
                "-M",
                "pc",
                "-m",
                "64",
                "-nodefaults",
                "-display",
                "none",
                "-S",
            ])
            .args(["-bios", "/usr/lib/u-boot/qemu-x86/u-boot.rom"])
            .arg("-serial")
            .arg(format!("tcp:127.0.0.1:{port},server=on,wait=off"))
            .arg("-qmp")
            .arg(format!("unix:{},server=on,wait=off", qmp.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("qemu-system-x86_64 (scripts/setup installs it)");
        let started = std::time::Instant::now();
        while !qmp.exists() || std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "QEMU did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Machine {
            child,
            console: format!("tcp://127.0.0.1:{port}"),
            qmp: format!("unix:{}", qmp.display()),
            _dir: dir,
        }
    }

    #[tokio::test]
    async fn a_power_cycle_through_qmp_boots_u_boot_afresh_and_reads_back() {
        let m = machine();
        let (evidence, _d) = crate::evidence::scratch("qmp-console");
        let mut console = crate::transport::console::open_at(
            &m.console,
            Some(115_200),
            evidence.log("console.log"),
            vec![],
        )
        .await
        .unwrap();
        let power = ReadBack(Qmp {
            endpoint: m.qmp.clone(),
        });
        let banner = crate::config::pattern::Pattern::new(r"U-Boot 20\d\d").unwrap();
        for _ in 0..2 {
            power.actuate(Action::PowerOn).await.unwrap();
            console
                .expect(&[&banner], Duration::from_secs(20))
                .await
                .unwrap();
            power.actuate(Action::PowerOff).await.unwrap();
            console.clear();
        }
        // Each expect consumed through its banner and the output was cleared at power off, so
        // two matches were two boots. (The transcript keeps the device's chunks as they came,
        // so a banner may be cut across its lines.)
        let quiet = console.gather(Duration::from_millis(500), 4096).await;
        assert!(quiet.is_empty(), "a stopped machine prints nothing");
    }

    #[tokio::test]
    async fn a_silent_or_absent_monitor_is_the_benchs_error() {
        let (_, dir) = crate::evidence::scratch("qmp-silent");
        let path = dir.0.join("silent.sock");
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                held.push(s);
            }
        });
        hang_is_bench_error(&ReadBack(Qmp {
            endpoint: format!("unix:{}", path.display()),
        }))
        .await;
        let absent = ReadBack(Qmp {
            endpoint: format!("unix:{}", dir.0.join("none").display()),
        });
        let e = absent.actuate(Action::PowerOn).await.unwrap_err();
        assert_eq!(e.cause(), crate::model::verdict::Cause::Bench, "{e}");
    }
}
