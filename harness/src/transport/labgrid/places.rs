//! The places a labgrid coordinator knows and who holds them (`labgrid-client -v places`).

use super::Coordinator;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub name: String,
    /// `host/user` holding it, None when it is free.
    pub acquired_by: Option<String>,
    pub comment: Option<String>,
    pub tags: Option<String>,
}

/// The places on `coordinator`.
pub fn places(coordinator: &Coordinator) -> Result<Vec<Place>, String> {
    coordinator
        .client(None, &["-v", "places"])
        .map(|out| parse(&out))
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

    /// A real coordinator: two places, one acquired through labgrid's own client.
    #[test]
    fn a_real_coordinators_places_are_listed_with_who_holds_them() {
        let mut lab = super::super::test_lab::TestLab::start("labgrid-places");
        for args in [
            &["-p", "cam-1", "create"][..],
            &["-p", "cam-2", "create"],
            &["-p", "cam-2", "set-comment", "second camera"],
            &["-p", "cam-1", "acquire"],
        ] {
            assert!(lab.client(args).status.success(), "{args:?}");
        }
        let listed = places(&lab.coordinator()).unwrap();
        let names: Vec<&str> = listed.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["cam-1", "cam-2"]);
        // `host/user` of whoever ran the acquire above.
        let by = listed[0].acquired_by.as_deref().unwrap_or("");
        assert!(by.contains('/') && !by.ends_with('/'), "{listed:?}");
        assert_eq!(listed[1].acquired_by, None);
        assert_eq!(listed[1].comment.as_deref(), Some("second camera"));
        lab.stop();
        let gone = places(&lab.coordinator()).unwrap_err();
        assert!(gone.contains("coordinator"), "{gone}");
    }
}
