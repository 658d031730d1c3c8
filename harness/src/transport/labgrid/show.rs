//! What `labgrid-client -p PLACE show` says of a place: its tags, who holds it, and each
//! resource (`Acquired resource 'NAME' (exporter/group/Class/name):` then a Python dict), made
//! into what a rig slot needs.

use super::pylit::{self, Value};
use crate::config::debug_interface::ReachedBy;
use crate::config::located::Located;
use crate::config::rig::{ConsoleResource, Label, PlaceResources};
use std::net::IpAddr;

#[derive(Debug, Default)]
pub struct Shown {
    pub tags: Vec<(String, String)>,
    pub acquired_by: Option<String>,
    pub resources: Vec<Resource>,
}

#[derive(Debug)]
pub struct Resource {
    /// As the place names it (labgrid's `rename`, else the exporter's name).
    pub name: String,
    /// exporter/group/Class/name
    pub path: String,
    pub cls: String,
    pub params: Value,
}

/// The power resources labgrid's `power` command switches.
const POWER: [&str; 6] = [
    "NetworkPowerPort",
    "NetworkUSBPowerPort",
    "NetworkSiSPMPowerPort",
    "PDUDaemonPort",
    "TasmotaPowerPort",
    "NetworkYKUSHPowerPort",
];

pub fn parse(text: &str) -> Result<Shown, String> {
    let mut shown = Shown::default();
    let mut open: Option<(String, String, String)> = None;
    let mut body = String::new();
    let close = |open: &mut Option<(String, String, String)>,
                 body: &mut String,
                 shown: &mut Shown|
     -> Result<(), String> {
        if let Some((name, path, cls)) = open.take() {
            let dict = pylit::parse(body).map_err(|e| format!("resource `{name}`: {e}"))?;
            let cls = dict
                .get("cls")
                .and_then(Value::str)
                .unwrap_or(&cls)
                .to_string();
            let params = dict.get("params").cloned().unwrap_or(Value::None);
            shown.resources.push(Resource {
                name,
                path,
                cls,
                params,
            });
        }
        body.clear();
        Ok(())
    };
    for line in text.lines() {
        let header = ["Acquired resource '", "Matching resource '"]
            .iter()
            .find_map(|p| line.strip_prefix(p));
        if let Some(rest) = header {
            close(&mut open, &mut body, &mut shown)?;
            let (name, rest) = rest
                .split_once("' (")
                .ok_or("a resource line without its path")?;
            let path = rest.trim_end_matches("):").to_string();
            let cls = path.split('/').nth(2).unwrap_or("").to_string();
            open = Some((name.to_string(), path, cls));
        } else if open.is_some() && line.starts_with("  ") {
            body.push_str(line);
            body.push('\n');
        } else {
            close(&mut open, &mut body, &mut shown)?;
            if let Some(tags) = line.strip_prefix("  tags: ") {
                shown.tags = tags_of(tags);
            } else if let Some(by) = line.strip_prefix("  acquired: ") {
                shown.acquired_by = Some(by.trim().to_string()).filter(|b| b != "None");
            }
        }
    }
    close(&mut open, &mut body, &mut shown)?;
    Ok(shown)
}

/// `k=v, k=v`; a value may itself hold `, ` (labgrid does not forbid it), so a piece that is
/// not `key=...` belongs to the value before it.
fn tags_of(text: &str) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = Vec::new();
    for piece in text.split(", ") {
        let key = piece.split_once('=').filter(|(k, _)| {
            k.starts_with(|c: char| c.is_ascii_lowercase())
                && k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
        match (key, tags.last_mut()) {
            (Some((k, v)), _) => tags.push((k.to_string(), v.to_string())),
            (None, Some(last)) => {
                last.1.push_str(", ");
                last.1.push_str(piece);
            }
            (None, None) => {}
        }
    }
    tags
}

/// The digital outputs labgrid's `io` command sets.
const OUTPUTS: [&str; 9] = [
    "ModbusTCPCoil",
    "OneWirePIO",
    "HttpDigitalOutput",
    "WaveshareModbusTCPCoil",
    "Eth008DigitalOutput",
    "NetworkDeditecRelais8",
    "NetworkSysfsGPIO",
    "NetworkLXAIOBusPIO",
    "NetworkHIDRelay",
];

/// What a place offers a slot, as far as it is published.
#[derive(Debug)]
pub struct Offer {
    pub resources: PlaceResources,
    /// The place has a serial port whose TCP port is not published: the exporter starts its
    /// ser2net when the place is acquired, and only then says where.
    pub console_pending: bool,
}

/// What the place offers a slot. Err: a resource hilt cannot use as labgrid describes it.
pub fn offered(shown: &Shown) -> Result<Offer, String> {
    let mut out = PlaceResources::default();
    let mut console_pending = false;
    let tag = |k: &str| {
        shown
            .tags
            .iter()
            .find(|(t, _)| t == k)
            .map(|(_, v)| v.clone())
    };
    out.label = Label {
        serial: tag("serial"),
        mac: tag("mac"),
        hostname: tag("hostname"),
        ssid: tag("ssid"),
        username: tag("username"),
        ..Label::default()
    };
    for r in &shown.resources {
        let p = &r.params;
        let text = |k: &str| p.get(k).and_then(Value::str).map(str::to_string);
        if p.get("extra").and_then(|e| e.get("proxy_required")) == Some(&Value::Bool(true)) {
            return Err(format!(
                "resource {} is reachable only through an SSH proxy ({}); hilt connects to resources directly",
                r.path,
                p.get("extra").and_then(|e| e.get("proxy")).and_then(Value::str).unwrap_or("?")
            ));
        }
        match r.cls.as_str() {
            "NetworkSerialPort" if out.console.is_none() => {
                let host = text("host").ok_or_else(|| format!("{}: no host", r.path))?;
                let Some(port) = p.get("port").and_then(Value::int) else {
                    console_pending = true;
                    continue;
                };
                let host = match host.contains(':') {
                    true => format!("[{host}]"),
                    false => host,
                };
                let scheme = match text("protocol").as_deref() {
                    Some("raw") => "tcp",
                    _ => "rfc2217",
                };
                let baud = p
                    .get("speed")
                    .and_then(Value::int)
                    .and_then(|s| u32::try_from(s).ok());
                out.console = Some(ConsoleResource {
                    path: format!("{scheme}://{host}:{port}"),
                    baud: baud.filter(|b| *b > 0).map(Located::unplaced),
                    reached_by: ReachedBy::Header,
                });
                out.taken
                    .push(format!("console {scheme}://{host}:{port} ({})", r.path));
            }
            "NetworkService" if out.address.is_none() => {
                let address = text("address").unwrap_or_default();
                // A link-local address carries its interface (`fe80::1%eth1`); the unit's is
                // the address itself.
                let bare = address.split('%').next().unwrap_or("");
                let ip: IpAddr = bare
                    .parse()
                    .map_err(|_| format!("{}: address `{address}` is not an IP address", r.path))?;
                out.address = Some(ip);
                out.label.username = out.label.username.or(text("username"));
                out.label.password = text("password");
                out.taken.push(format!("network {ip} ({})", r.path));
            }
            cls if OUTPUTS.contains(&cls)
                && out.reset_output.is_none()
                && r.name.to_ascii_lowercase().contains("reset") =>
            {
                out.reset_output = Some(r.name.clone());
                out.taken.push(format!(
                    "reset button through labgrid output `{}` ({})",
                    r.name, r.path
                ));
            }
            cls if POWER.contains(&cls) && !out.power => {
                out.power = true;
                out.taken
                    .push(format!("power through labgrid ({})", r.path));
            }
            _ => {}
        }
    }
    Ok(Offer {
        resources: out,
        console_pending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What labgrid 26.0.1 printed for an acquired place on an exporter with a serial port, a
    /// simplerest power port and a network service.
    pub const ACQUIRED: &str = "Place 'p1':\n  tags: mac=02:00:00:00:00:01, serial=SN1\n  matches:\n    */bench1/*\n  acquired: vm/root\n  acquired resources:\n    vm/bench1/NetworkPowerPort/NetworkPowerPort\n    vm/bench1/NetworkSerialPort/RawSerialPort\n    vm/bench1/NetworkService/NetworkService\n  created: 2026-12-02 19:28:26.014884\n  changed: 2026-12-02 19:28:27.837645\nAcquired resource 'NetworkPowerPort' (vm/bench1/NetworkPowerPort/NetworkPowerPort):\n  {'acquired': 'p1',\n   'avail': True,\n   'cls': 'NetworkPowerPort',\n   'params': {'extra': {'proxy': 'localhost', 'proxy_required': False},\n              'host': 'http://127.0.0.1:9999/relay/{index}/{value}',\n              'index': 0,\n              'model': 'simplerest'}}\nAcquired resource 'NetworkService' (vm/bench1/NetworkService/NetworkService):\n  {'acquired': 'p1',\n   'avail': True,\n   'cls': 'NetworkService',\n   'params': {'address': '10.0.0.5',\n              'extra': {'proxy': 'localhost', 'proxy_required': False},\n              'password': 'secret',\n              'username': 'root'}}\nAcquired resource 'RawSerialPort' (vm/bench1/NetworkSerialPort/RawSerialPort):\n  {'acquired': 'p1',\n   'avail': True,\n   'cls': 'NetworkSerialPort',\n   'params': {'extra': {'path': '/dev/pts/0',\n                        'proxy': 'localhost',\n                        'proxy_required': False},\n              'host': '127.0.0.1',\n              'port': 45441,\n              'speed': 115200}}\n";

    #[test]
    fn an_acquired_place_offers_console_network_power_and_label() {
        let shown = parse(ACQUIRED).unwrap();
        assert_eq!(shown.acquired_by.as_deref(), Some("vm/root"));
        assert_eq!(shown.resources.len(), 3);
        let o = offered(&shown).unwrap();
        assert!(!o.console_pending);
        let o = o.resources;
        let console = o.console.unwrap();
        assert_eq!(console.path, "rfc2217://127.0.0.1:45441");
        assert_eq!(console.baud.map(|b| b.value), Some(115200));
        assert_eq!(o.address, Some("10.0.0.5".parse().unwrap()));
        assert!(o.power);
        assert_eq!(o.label.serial.as_deref(), Some("SN1"));
        assert_eq!(o.label.mac.as_deref(), Some("02:00:00:00:00:01"));
        assert_eq!(o.label.username.as_deref(), Some("root"));
        assert_eq!(o.label.password.as_deref(), Some("secret"));
        assert_eq!(o.taken.len(), 3);
    }

    #[test]
    fn a_console_not_yet_served_is_not_offered_yet() {
        let text = ACQUIRED.replace("'port': 45441", "'port': None");
        let o = offered(&parse(&text).unwrap()).unwrap();
        assert!(o.console_pending && o.resources.console.is_none());
        assert!(o.resources.address.is_some());
    }

    #[test]
    fn raw_protocol_proxies_and_bad_addresses_are_said() {
        let raw = ACQUIRED.replace("'speed': 115200", "'protocol': 'raw', 'speed': 115200");
        let o = offered(&parse(&raw).unwrap()).unwrap().resources;
        assert_eq!(o.console.unwrap().path, "tcp://127.0.0.1:45441");
        let proxied = ACQUIRED.replacen("'proxy_required': False", "'proxy_required': True", 1);
        let e = offered(&parse(&proxied).unwrap()).unwrap_err();
        assert!(e.contains("SSH proxy"), "{e}");
        let named = ACQUIRED.replace("'10.0.0.5'", "'unit.lab'");
        let e = offered(&parse(&named).unwrap()).unwrap_err();
        assert!(e.contains("not an IP address"), "{e}");
    }

    #[test]
    fn tag_values_may_hold_commas() {
        assert_eq!(
            tags_of("hostname=cam, lab 2, serial=S1"),
            [
                ("hostname".to_string(), "cam, lab 2".to_string()),
                ("serial".to_string(), "S1".to_string())
            ]
        );
    }
}
