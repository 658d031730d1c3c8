//! A real labgrid coordinator for tests (labgrid from PyPI; scripts/setup installs it).

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct TestLab {
    pub at: String,
    coordinator: Child,
    exporters: Vec<Child>,
    dir: crate::evidence::ScratchDir,
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
            exporters: Vec::new(),
            dir,
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

    /// An exporter publishing `config` (labgrid's exporter YAML), once the coordinator lists
    /// `resource` (`group/Class`).
    pub fn export(&mut self, config: &str, resource: &str) {
        use std::os::unix::process::CommandExt;
        let file = self
            .dir
            .0
            .join(format!("exporter-{}.yaml", self.exporters.len()));
        std::fs::write(&file, config).unwrap();
        let exporter = Command::new("labgrid-exporter")
            .args(["-c", &self.at, "--hostname", "127.0.0.1"])
            .arg(&file)
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("labgrid-exporter");
        self.exporters.push(exporter);
        let started = Instant::now();
        while !String::from_utf8_lossy(&self.client(&["resources"]).stdout).contains(resource) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the exporter did not publish {resource}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Coordinator and exporters (each with whatever it started, such as ser2net).
    pub fn stop(&mut self) {
        for e in &mut self.exporters {
            let group = format!("-{}", e.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).output();
            let _ = e.wait();
        }
        let _ = self.coordinator.kill();
        let _ = self.coordinator.wait();
    }
}

impl Drop for TestLab {
    fn drop(&mut self) {
        self.stop();
    }
}
