//! A real labgrid coordinator for tests (labgrid from PyPI; scripts/setup installs it).

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct TestLab {
    pub at: String,
    coordinator: Child,
    _dir: crate::evidence::ScratchDir,
}

impl TestLab {
    pub fn start(tag: &str) -> TestLab {
        let (_, dir) = crate::evidence::scratch(tag);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let at = format!("127.0.0.1:{port}");
        let coordinator = Command::new("labgrid-coordinator")
            .args(["-l", &at])
            .current_dir(&dir.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("labgrid-coordinator (scripts/setup installs labgrid)");
        let lab = TestLab {
            at,
            coordinator,
            _dir: dir,
        };
        let started = Instant::now();
        while !lab.client(&["places"]).status.success() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no coordinator"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        lab
    }

    /// labgrid-client as `user` (None: as this process's user).
    pub fn client_as(&self, user: Option<&str>, args: &[&str]) -> Output {
        let mut c = Command::new("labgrid-client");
        if let Some(u) = user {
            c.env("LG_USERNAME", u);
        }
        c.args(["-x", &self.at]).args(args).output().unwrap()
    }

    pub fn client(&self, args: &[&str]) -> Output {
        self.client_as(None, args)
    }

    pub fn coordinator(&self) -> super::Coordinator {
        super::Coordinator(Some(self.at.clone()))
    }

    pub fn stop(&mut self) {
        let _ = self.coordinator.kill();
        let _ = self.coordinator.wait();
    }
}

impl Drop for TestLab {
    fn drop(&mut self) {
        self.stop();
    }
}
