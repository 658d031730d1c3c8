//! Programs a rig starts for its slots (emulators, simulated units): started before the run,
//! watched during it (an exit marks the sample broken) and stopped after it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::process::{Child, Command};

/// Why a sample can no longer be tested, once something has broken it.
pub type Broken = Arc<Mutex<Option<String>>>;

#[derive(Clone)]
pub struct Launched {
    child: Arc<tokio::sync::Mutex<Option<Child>>>,
    name: String,
    broken: Broken,
}

/// argv[0] without a slash is looked up next to the hilt binary first, so a workspace's own
/// helper binaries are found without installing them.
pub fn resolve_program(program: &str) -> PathBuf {
    if program.contains('/') {
        return PathBuf::from(program);
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            let sibling = dir.join(program);
            if sibling.is_file() {
                return sibling;
            }
        }
    }
    PathBuf::from(program)
}

pub async fn launch(
    argv: &[String],
    cwd: &Path,
    ready: &Path,
    within: Duration,
    log: &Path,
    broken: Broken,
) -> Result<Launched, String> {
    let (program, args) = argv.split_first().ok_or("empty launch command")?;
    let stderr = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let mut child = Command::new(resolve_program(program))
        .args(args)
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .stdout(stderr.try_clone().map_err(|e| e.to_string())?)
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let deadline = tokio::time::Instant::now() + within;
    while !ready.exists() {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{program} exited with {status} before it was ready (see {})",
                log.display()
            ));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "{program} did not create {} within {:.1}s",
                ready.display(),
                within.as_secs_f64()
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let launched = Launched {
        child: Arc::new(tokio::sync::Mutex::new(Some(child))),
        name: program.clone(),
        broken,
    };
    let watcher = launched.clone();
    tokio::spawn(async move {
        while !watcher.poll_exit().await {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Ok(launched)
}

impl Launched {
    /// Has the program exited? If so the sample is marked broken; `true` once it is gone.
    pub async fn poll_exit(&self) -> bool {
        let mut guard = self.child.lock().await;
        let Some(c) = guard.as_mut() else { return true };
        match c.try_wait() {
            Ok(Some(status)) => {
                let mut b = self.broken.lock().unwrap();
                if b.is_none() {
                    *b = Some(format!(
                        "the slot's launched program {} exited ({status}) during the run",
                        self.name
                    ));
                }
                *guard = None;
                true
            }
            _ => false,
        }
    }

    pub async fn stop(&self) {
        if let Some(mut c) = self.child.lock().await.take() {
            if let Some(pid) = c.id() {
                // A polite stop first, so the program can remove its sockets.
                // SAFETY: plain kill(2) on our own child's pid, which has not been reaped yet.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
                if tokio::time::timeout(Duration::from_secs(2), c.wait())
                    .await
                    .is_ok()
                {
                    return;
                }
            }
            let _ = c.kill().await;
        }
    }
}
