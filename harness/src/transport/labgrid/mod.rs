//! labgrid, through its own client (`labgrid-client`): the places a coordinator knows, a place
//! held for a run and what it offers, and its power. The CLI, not the coordinator's gRPC API:
//! hilt's build needs neither protobuf files nor a gRPC stack, and the CLI is the interface a
//! lab's own scripts already use, so a hilt run and a lab's labgrid session agree on who holds what.

pub mod as_rig;
pub mod hold;
pub mod places;
mod pylit;
pub mod resolve;
mod show;
#[cfg(test)]
pub(crate) mod test_lab;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// labgrid's client answers in seconds; a coordinator that does not answer in this time is
/// reported as such.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(20);
/// More than any listing of one coordinator's places.
const MAX_OUTPUT: u64 = 1 << 20;

/// A coordinator, as labgrid's client is pointed at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coordinator(pub Option<String>);

impl Coordinator {
    /// For messages: HOST:PORT, or what labgrid-client falls back to.
    pub fn name(&self) -> String {
        match &self.0 {
            Some(c) => c.clone(),
            None => std::env::var("LG_COORDINATOR").unwrap_or_else(|_| "127.0.0.1:20408".into()),
        }
    }

    /// `labgrid-client [-x C] [-p PLACE] ARGS`, with its standard output, or why it failed
    /// (labgrid's own last line of complaint).
    pub fn client(&self, place: Option<&str>, args: &[&str]) -> Result<String, String> {
        let mut command = Command::new("labgrid-client");
        command.args(self.argv(place, args));
        let (ok, out, err) = run_within(command, ANSWER_WITHIN)?;
        self.answer(ok, out, &err, args)
    }

    /// As `client`, for async callers: the child is killed when the caller gives up on it.
    pub async fn client_async(&self, place: Option<&str>, args: &[&str]) -> Result<String, String> {
        let mut command = tokio::process::Command::new("labgrid-client");
        command.args(self.argv(place, args));
        command.stdin(Stdio::null()).kill_on_drop(true);
        let out = crate::transport::device_time::timeout(ANSWER_WITHIN, command.output())
            .await
            .map_err(|_| {
                format!(
                    "labgrid-client gave no answer within {}s",
                    ANSWER_WITHIN.as_secs()
                )
            })?
            .map_err(not_started)?;
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        self.answer(out.status.success(), stdout.into_owned(), &stderr, args)
    }

    /// `[-x C] [-p PLACE] ARGS`
    fn argv<'a>(&'a self, place: Option<&'a str>, args: &[&'a str]) -> Vec<&'a str> {
        let coordinator = self.0.as_deref().map(|c| ["-x", c]);
        let place = place.map(|p| ["-p", p]);
        let chosen = coordinator.into_iter().chain(place).flatten();
        chosen.chain(args.iter().copied()).collect()
    }

    fn answer(&self, ok: bool, out: String, err: &str, args: &[&str]) -> Result<String, String> {
        match (ok, err.contains("Could not connect to coordinator")) {
            (true, _) => Ok(out),
            (false, true) => Err(format!(
                "no labgrid coordinator answers at {} (labgrid-client {})",
                self.name(),
                args.join(" ")
            )),
            (false, false) => Err(last_complaint(err, args)),
        }
    }
}

fn not_started(e: std::io::Error) -> String {
    format!("labgrid-client: {e} (labgrid's client is installed with `pip install labgrid`)")
}

/// labgrid-client's last non-empty line of standard error, without its own prefix.
pub fn last_complaint(stderr: &str, args: &[&str]) -> String {
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("exited with an error and said nothing");
    let said = last.trim().trim_start_matches("labgrid-client: ");
    format!(
        "labgrid-client {}: {}",
        args.join(" "),
        said.trim_start_matches("Error: ")
    )
}

/// Runs `command` to its end or for `within` at most: (success, stdout, stderr). The pipes are
/// drained while it runs, so a long answer cannot stall it.
fn run_within(mut command: Command, within: Duration) -> Result<(bool, String, String), String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(not_started)?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(MAX_OUTPUT).read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > within {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "labgrid-client gave no answer within {}s",
                within.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    Ok((status.success(), out, err))
}
