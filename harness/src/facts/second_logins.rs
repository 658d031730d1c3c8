//! A port that carries a declared login may carry another: a web server whose API login is
//! declared may also answer `/` with a basic-authentication challenge nobody declared. Each open
//! port of a declared mechanism is asked what login it shows, and a kind of login none of the
//! mechanisms declared on it uses is a surface IXIT 1 misses (TS 103 701 5.1-1-2 a).

use super::login_surfaces::{Found, LoginSurfaces};
use crate::bench::Sample;
use crate::config::profile::{LoginSurface, Profile};
use crate::login::detect::{self, Surface};
use std::collections::BTreeMap;
use std::time::Duration;

pub async fn on_declared_ports(
    sample: &Sample,
    profile: &Profile,
    open: &[u16],
    out: &mut LoginSurfaces,
    log: &mut String,
) {
    for (port, (kinds, ids)) in declared_kinds(profile) {
        if !open.contains(&port) {
            continue;
        }
        let surface =
            detect::detect_with_tls(sample.unit.address.socket(port), Duration::from_secs(4)).await;
        log.push_str(&format!("{port} (declared)\t{surface:?}\n"));
        if let Surface::Login { protocol, evidence } = surface {
            if !kinds.contains(&kind(protocol)) {
                out.undeclared.push(format!(
                    "TCP {port} takes a {protocol} login besides the mechanism(s) IXIT 1 declares on it ({}), and that kind of login is not among them ({evidence})",
                    ids.join(", ")
                ));
                out.found.push(Found {
                    port,
                    protocol,
                    evidence,
                });
            }
        }
    }
}

/// Per port of a declared mechanism: the kinds of login declared there and the mechanisms' ids.
fn declared_kinds(profile: &Profile) -> BTreeMap<u16, (Vec<&'static str>, Vec<String>)> {
    let mut out: BTreeMap<u16, (Vec<&'static str>, Vec<String>)> = BTreeMap::new();
    for m in &profile.body.ixit.auth_mechanisms {
        let Some(service) = m.service.as_ref().and_then(|s| profile.service(&s.value)) else {
            continue;
        };
        let entry = out.entry(service.port.value).or_default();
        entry.0.push(match &m.login {
            LoginSurface::Http(h) if h.basic_auth || h.digest_auth => "http challenge",
            LoginSurface::Http(_) => "http form",
            LoginSurface::Telnet(_) | LoginSurface::Console(_) => "prompt",
            LoginSurface::Ftp(_) => "ftp",
            LoginSurface::Rtsp(_) => "rtsp",
            LoginSurface::Mqtt(_) => "mqtt",
            LoginSurface::Ssh(_) => "ssh",
        });
        entry.1.push(m.id.clone());
    }
    out
}

/// The kind of login `login::detect` names, as `declared_kinds` spells it.
fn kind(protocol: &str) -> &'static str {
    match protocol {
        "HTTP authentication" | "HTTPS authentication" => "http challenge",
        "HTTP login form" | "HTTPS login form" => "http form",
        "telnet" | "plain-text login prompt" => "prompt",
        "FTP" => "ftp",
        "RTSP" => "rtsp",
        "MQTT" => "mqtt",
        "SSH" => "ssh",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_detect_names_has_a_kind() {
        for p in [
            "HTTP authentication",
            "HTTPS authentication",
            "HTTP login form",
            "HTTPS login form",
            "telnet",
            "plain-text login prompt",
            "FTP",
            "RTSP",
            "MQTT",
            "SSH",
        ] {
            assert_ne!(kind(p), "other", "{p}");
        }
    }
}
