//! The places a labgrid coordinator knows and who holds them, asked through labgrid's own
//! client (`labgrid-client -v places`), so hilt needs neither labgrid's protobuf files nor a
//! gRPC stack.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A coordinator that does not answer in this time is reported as such.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub name: String,
    /// `host/user` holding it, None when it is free.
    pub acquired_by: Option<String>,
    pub comment: Option<String>,
    pub tags: Option<String>,
}

/// The places on `coordinator` (HOST:PORT; None: labgrid-client's own default, LG_COORDINATOR
/// or 127.0.0.1:20408).
pub fn places(coordinator: Option<&str>) -> Result<Vec<Place>, String> {
    let mut command = Command::new("labgrid-client");
    if let Some(c) = coordinator {
        command.args(["-x", c]);
    }
    command.args(["-v", "places"]);
    let out = run_within(command, ANSWER_WITHIN)?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        let last = said
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(format!("labgrid-client places: {}", last.trim()));
    }
    Ok(parse(&String::from_utf8_lossy(&out.stdout)))
}

fn run_within(mut command: Command, within: Duration) -> Result<std::process::Output, String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "labgrid-client: {e} (labgrid's client is installed with `pip install labgrid`)"
            )
        })?;
    let started = Instant::now();
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if started.elapsed() > within {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "labgrid-client gave no answer within {}s",
                within.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().map_err(|e| e.to_string())
}

/// Reads `labgrid-client -v places`: a `Place 'NAME':` line opens each place, indented
/// `key: value` lines follow.
fn parse(text: &str) -> Vec<Place> {
    let mut places: Vec<Place> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line
            .strip_prefix("Place '")
            .and_then(|r| r.strip_suffix("':"))
        {
            places.push(Place {
                name: name.to_string(),
                acquired_by: None,
                comment: None,
                tags: None,
            });
            continue;
        }
        let (Some(place), Some((key, value))) = (places.last_mut(), line.trim().split_once(": "))
        else {
            continue;
        };
        let value = value.trim().to_string();
        match key {
            "acquired" if value != "None" => place.acquired_by = Some(value),
            "comment" => place.comment = Some(value),
            "tags" => place.tags = Some(value),
            _ => {}
        }
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What labgrid 26.0.1's `labgrid-client -v places` printed for three places.
    const SEEN: &str = "Place 'bench-a':\n  matches:\n  acquired: vm/root\n  acquired resources:\n  created: 2026-12-02 16:42:33.045382\n  changed: 2026-12-02 16:42:35.149369\nPlace 'bench-b':\n  comment: camera line 2\n  matches:\n  acquired: None\n  acquired resources:\n  created: 2026-12-02 16:42:33.712409\nPlace 'p1':\n  tags: mac=02:00:00:00:00:01, serial=SN1\n  matches:\n    exp1/bench1/*\n  acquired: None\n  acquired resources:\n";

    #[test]
    fn places_and_their_holders_are_read_from_the_clients_listing() {
        let p = parse(SEEN);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].name, "bench-a");
        assert_eq!(p[0].acquired_by.as_deref(), Some("vm/root"));
        assert_eq!(p[1].acquired_by, None);
        assert_eq!(p[1].comment.as_deref(), Some("camera line 2"));
        assert_eq!(
            p[2].tags.as_deref(),
            Some("mac=02:00:00:00:00:01, serial=SN1")
        );
        assert!(parse("garbage\n  acquired: x\n").is_empty());
    }

    /// A real coordinator (labgrid 26, from PyPI; scripts/setup installs it): two places, one
    /// acquired through labgrid's own client.
    #[test]
    fn a_real_coordinators_places_are_listed_with_who_holds_them() {
        let (_, dir) = crate::evidence::scratch("labgrid-places");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let at = format!("127.0.0.1:{port}");
        let mut coordinator = Command::new("labgrid-coordinator")
            .args(["-l", &at])
            .current_dir(&dir.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("labgrid-coordinator (scripts/setup installs labgrid)");
        let client = |args: &[&str]| {
            Command::new("labgrid-client")
                .args(["-x", &at])
                .args(args)
                .output()
                .unwrap()
        };
        let started = Instant::now();
        while !client(&["places"]).status.success() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no coordinator"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        for args in [
            &["-p", "cam-1", "create"][..],
            &["-p", "cam-2", "create"],
            &["-p", "cam-2", "set-comment", "second camera"],
            &["-p", "cam-1", "acquire"],
        ] {
            assert!(client(args).status.success(), "{args:?}");
        }
        let listed = places(Some(&at));
        let _ = coordinator.kill();
        let _ = coordinator.wait();
        let listed = listed.unwrap();
        let names: Vec<&str> = listed.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["cam-1", "cam-2"]);
        // `host/user` of whoever ran the acquire above.
        let by = listed[0].acquired_by.as_deref().unwrap_or("");
        assert!(by.contains('/') && !by.ends_with('/'), "{listed:?}");
        assert_eq!(listed[1].acquired_by, None);
        assert_eq!(listed[1].comment.as_deref(), Some("second camera"));
        let gone = places(Some(&at)).unwrap_err();
        assert!(gone.contains("coordinator"), "{gone}");
    }
}
