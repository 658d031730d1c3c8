//! Observing the unit: the run's own facts, then a TLS probe of each open TCP port and a
//! dialogue with each prompt login.

use super::dialogue::{self, Dialogue};
use super::{Draft, Mechanism, Service, Tls};
use crate::bench::Sample;
use crate::config::auth_mechanism::{HttpLogin, LoginSurface};
use crate::config::Config;
use crate::facts::{login_surfaces, open_ports, open_udp};
use crate::login::discovered;
use crate::transport::tls_probe;
use std::collections::BTreeSet;
use std::time::Duration;

/// A TLS probe takes at most this long per port (a silent port waits out each handshake).
const TLS_WITHIN: Duration = Duration::from_secs(60);

pub async fn observe(sample: &Sample, config: &Config) -> Result<Draft, String> {
    let suite = &config.suite;
    let tcp: Vec<u16> = match open_ports::get(sample, suite).await {
        Ok(p) => p.unit_ports().collect(),
        Err(b) => return Err(format!("TCP scan: {}", b.why)),
    };
    let udp: Vec<(u16, String)> = match open_udp::get(sample, suite).await {
        Ok(u) => u
            .unit_answers()
            .map(|a| (a.port, format!("{} answer", a.protocol)))
            .collect(),
        Err(b) => return Err(format!("UDP scan: {}", b.why)),
    };
    let surfaces = match login_surfaces::get(sample, config).await {
        Ok(s) => s.clone(),
        Err(b) => return Err(format!("login surfaces: {}", b.why)),
    };
    let mut draft = Draft {
        address: sample.unit.address.ip().to_string(),
        ..Draft::default()
    };
    let tls = futures_util::future::join_all(tcp.iter().map(|&port| async move {
        let probe = tokio::time::timeout(TLS_WITHIN, tls_probe::probe(sample.unit.address, port));
        (port, probe.await.ok().and_then(Result::ok))
    }))
    .await;
    let mut ids = BTreeSet::new();
    for (port, inventory) in tls {
        let found = surfaces.found.iter().find(|f| f.port == port);
        let tls = inventory.filter(|i| i.speaks_tls()).map(tls_seen);
        let open_to_all = format!("TCP {port} grants ");
        let seen = match found {
            Some(f) => format!("{} ({})", f.protocol, short(&f.evidence)),
            None => match surfaces
                .unauthenticated
                .iter()
                .find(|u| u.starts_with(&open_to_all))
            {
                Some(u) => short(u.trim_start_matches(&open_to_all)),
                None => web_or_other(&surfaces, port),
            },
        };
        let web = surfaces.web_without_login.iter().any(|(p, _)| *p == port);
        let base = match found {
            Some(f) => service_name(f.protocol),
            None if web && tls.is_some() => "https",
            None if web => "http",
            None if tls.is_some() => "tls",
            None => "tcp",
        };
        let id = unique(&mut ids, base, "tcp", port);
        if let Some(f) = found {
            match mechanism(sample, &id, port, f).await {
                Ok(m) => draft.mechanisms.push(m),
                Err(why) => draft
                    .needs_a_person
                    .push(format!("TCP {port}: {}: {why}", f.protocol)),
            }
        }
        draft.services.push(Service {
            id,
            protocol: "tcp",
            port,
            seen,
            tls,
        });
    }
    for (port, seen) in udp {
        let id = unique(&mut ids, "udp", "udp", port);
        draft.services.push(Service {
            id,
            protocol: "udp",
            port,
            seen,
            tls: None,
        });
    }
    for u in &surfaces.unauthenticated {
        draft.needs_a_person.push(format!(
            "{u}: declare whether that is intended (EN 303 645 5.5-5)"
        ));
    }
    for (port, first) in &surfaces.web_without_login {
        draft.needs_a_person.push(format!(
            "TCP {port} serves web pages without a login at / ({}): declare any login it has elsewhere",
            short(first)
        ));
    }
    if sample.drivers.console_reached_by().is_some() {
        draft.console = Some(console(sample).await);
    }
    Ok(draft)
}

fn tls_seen(inventory: tls_probe::TlsInventory) -> Tls {
    let keys: Vec<String> = inventory
        .certificates
        .iter()
        .map(|c| format!("{} {} ({})", c.kind, c.bits, c.signature))
        .collect();
    Tls {
        versions: inventory.accepted.iter().map(|(v, _)| *v).collect(),
        min_key_bits: inventory
            .certificates
            .iter()
            .filter(|c| c.bits > 0)
            .map(|c| c.bits)
            .min(),
        keys,
    }
}

/// A web port's first answer line, or that nothing readable answered.
fn web_or_other(surfaces: &login_surfaces::LoginSurfaces, port: u16) -> String {
    surfaces
        .web_without_login
        .iter()
        .find(|(p, _)| *p == port)
        .map(|(_, first)| format!("web pages ({})", short(first)))
        .unwrap_or_else(|| "open; no login surface recognised".into())
}

fn service_name(protocol: &str) -> &'static str {
    match protocol {
        "SSH" => "ssh",
        "FTP" => "ftp",
        "MQTT" => "mqtt",
        "RTSP" => "rtsp",
        "telnet" | "plain-text login prompt" => "telnet",
        p if p.starts_with("HTTPS") => "https",
        p if p.starts_with("HTTP") => "http",
        _ => "tcp",
    }
}

/// `ssh`, or `ssh-2222` when a second one appears; every unnamed port gets its number.
fn unique(ids: &mut BTreeSet<String>, base: &str, protocol: &str, port: u16) -> String {
    let id = if base == protocol || ids.contains(base) {
        format!("{base}-{port}")
    } else {
        base.to_string()
    };
    ids.insert(id.clone());
    id
}

/// The mechanism for a login surface: the same trial a run makes of an undeclared one, and for
/// a prompt login the prompts and failure answer of the unit's own dialogue.
async fn mechanism(
    sample: &Sample,
    service: &str,
    port: u16,
    found: &login_surfaces::Found,
) -> Result<Mechanism, String> {
    let (_, discovered) = discovered::mechanism(port, found.protocol, &found.evidence)?;
    let login = match &discovered.login {
        LoginSurface::Telnet(_) => {
            let transcript = sample.evidence.log(&format!("draft-telnet-{port}.log"));
            let mut ch = crate::transport::telnet::connect(
                sample.unit.address.socket(port),
                Duration::from_secs(10),
                transcript,
            )
            .await
            .map_err(|e| e.to_string())?;
            let said = dialogue::converse(&mut ch, false).await;
            prompt_login("telnet", &said)
        }
        LoginSurface::Http(h) => http_login(h),
        LoginSurface::Ssh(p) => vec![format!("ssh: {{ within: {}s }}", p.within.0.as_secs())],
        LoginSurface::Ftp(p) => vec![format!("ftp: {{ within: {}s }}", p.within.0.as_secs())],
        LoginSurface::Mqtt(p) => vec![format!("mqtt: {{ within: {}s }}", p.within.0.as_secs())],
        LoginSurface::Rtsp(r) => vec![format!(
            "rtsp: {{ path: {}, within: {}s }}",
            quoted(&r.path),
            r.within.0.as_secs()
        )],
        LoginSurface::Console(_) => return Err("a console login on a network port".into()),
    };
    Ok(Mechanism {
        id: service.to_string(),
        service: service.to_string(),
        seen: format!("{} ({})", found.protocol, short(&found.evidence)),
        login,
    })
}

fn http_login(h: &HttpLogin) -> Vec<String> {
    let list = |v: &[u16]| v.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    let scheme = if h.digest_auth {
        "digest_auth: true"
    } else {
        "basic_auth: true"
    };
    vec![format!(
        "http: {{ method: {}, path: {}, {scheme}, success_status: [{}], failure_status: [{}], locked_status: [{}], within: {}s }}",
        h.method,
        quoted(&h.path),
        list(&h.success_status),
        list(&h.failure_status),
        list(&h.locked_status),
        h.within.0.as_secs()
    )]
}

/// A prompt login from the dialogue: its own prompts and failure answer where it showed them,
/// the usual ones where it did not; the shell prompt after a success cannot be seen without
/// the unit's password, so the usual one is written.
pub(super) fn prompt_login(kind: &str, said: &Dialogue) -> Vec<String> {
    let login = said
        .login_prompt
        .as_deref()
        .map(dialogue::prompt_pattern)
        .unwrap_or_else(|| r"(?i)(login|user ?name)\s*:\s*$".into());
    let password = said
        .password_prompt
        .as_deref()
        .map(dialogue::prompt_pattern)
        .unwrap_or_else(|| r"(?i)password\s*:\s*$".into());
    let failure = said
        .failure
        .as_deref()
        .map(dialogue::failure_pattern)
        .unwrap_or_else(|| r"(?i)(incorrect|invalid|failed|denied|wrong)".into());
    vec![
        format!("{kind}:"),
        format!("  login_prompt: {}", quoted(&login)),
        format!("  password_prompt: {}", quoted(&password)),
        format!(
            "  success: {}   # not observed (needs the unit's password): a shell prompt",
            quoted(r"[#$>%]\s*$")
        ),
        format!("  failure: {}", quoted(&failure)),
        format!("  locked: {}", quoted(r"(?i)(locked|too many)")),
        "  logout: \"exit\\r\\n\"".into(),
        "  within: 20s".into(),
    ]
}

async fn console(sample: &Sample) -> Dialogue {
    match sample.console(&[]).await {
        Ok(mut ch) => dialogue::converse(&mut ch, true).await,
        Err(_) => Dialogue::default(),
    }
}

/// A YAML double-quoted scalar (JSON's string syntax is one).
pub(super) fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn short(s: &str) -> String {
    let cut: String = s.chars().take(60).collect();
    if cut.len() < s.len() {
        format!("{cut}…")
    } else {
        cut
    }
}
