//! The rig a labgrid place amounts to, as YAML to read and check in: what stays true of the
//! place (its address, its label tags, power through it) is written as rig fields; its
//! console's port, which the exporter picks anew at each acquisition, only as a comment, since
//! hilt reads it from the place at each run.

use crate::config::rig::PlaceResources;

pub fn rig_yaml(place: &str, coordinator: Option<&str>, offered: &PlaceResources) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let id: String = place
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                true => c,
                false => '-',
            },
        )
        .collect();
    let mut y = format!(
        "# The rig labgrid place {} amounts to. A slot that names the place needs nothing else:\n# hilt acquires it for each run and reads what is left out here from it.\nrig: {}\nslots:\n  - id: {}\n",
        q(place),
        q(&format!("labgrid-{id}")),
        q(&id)
    );
    y.push_str(&format!("    labgrid: {{ place: {}", q(place)));
    if let Some(c) = coordinator {
        y.push_str(&format!(", coordinator: {}", q(c)));
    }
    y.push_str(" }\n");
    match &offered.console {
        Some(c) => {
            y.push_str(&format!(
                "    # console: {{ path: {}{} }}  (the port changes at each acquisition)\n",
                q(&c.path),
                c.baud.as_ref().map(|b| format!(", baud: {}", b.value)).unwrap_or_default()
            ));
        }
        None => y.push_str(
            "    # console: the place's serial port, whose port is published only while the place is held\n",
        ),
    }
    match offered.address {
        Some(a) => y.push_str(&format!("    network: {{ address: {a} }}\n")),
        None => y.push_str(
            "    # network: { address: ... }  (the place has no NetworkService: write the unit's address here)\n",
        ),
    }
    if offered.power {
        y.push_str("    power: { labgrid: {} }\n");
    }
    if let Some(o) = &offered.reset_output {
        y.push_str(&format!(
            "    reset_button: {{ labgrid: {{ output: {} }} }}\n",
            q(o)
        ));
    }
    let l = &offered.label;
    let fields = [
        ("serial", &l.serial),
        ("mac", &l.mac),
        ("username", &l.username),
        ("hostname", &l.hostname),
        ("ssid", &l.ssid),
    ];
    let known: Vec<String> = fields
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {}", q(v))))
        .collect();
    y.push_str(&format!("    label: {{ {} }}\n", known.join(", ")));
    if l.password.is_some() {
        y.push_str("    # label password: from the place's NetworkService, not written here\n");
    }
    if l.serial.is_none() || l.mac.is_none() {
        y.push_str("    # label: the place has no `serial` and `mac` tags: write them from the unit's label\n");
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::rig::{ConsoleResource, Label};

    #[test]
    fn the_yaml_loads_as_a_rig_and_keeps_the_password_out() {
        let offered = PlaceResources {
            console: Some(ConsoleResource {
                path: "rfc2217://exp1:40001".into(),
                baud: None,
                reached_by: crate::config::debug_interface::ReachedBy::Header,
            }),
            address: Some("192.0.2.4".parse().unwrap()),
            power: true,
            reset_output: Some("reset".into()),
            label: Label {
                serial: Some("SN \"1\"".into()),
                mac: Some("02:00:00:00:00:01".into()),
                password: Some("label-secret".into()),
                ..Label::default()
            },
            taken: vec![],
        };
        let yaml = rig_yaml("cam/1", Some("lab:20408"), &offered);
        assert!(!yaml.contains("label-secret"), "{yaml}");
        let dir = crate::evidence::scratch("as-rig").1;
        let file = dir.0.join("rig.yaml");
        std::fs::write(&file, &yaml).unwrap();
        let rig = crate::config::Rig::load(&file).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let slot = &rig.slots[0];
        assert_eq!(slot.id.value, "cam-1");
        assert_eq!(slot.labgrid.as_ref().unwrap().place.value, "cam/1");
        assert_eq!(slot.label.serial.as_deref(), Some("SN \"1\""));
        assert!(slot.console.is_none(), "the console is read at each run");
        assert!(matches!(
            &slot.reset_button,
            Some(crate::config::power::ButtonBackend::Labgrid(b)) if b.output.as_deref() == Some("reset")
        ));
    }
}
