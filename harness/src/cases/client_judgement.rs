//! 5.5-1-2, the unit as a client: the sessions it opened itself, read from the capture, judged
//! against best practice and against the outbound mechanisms IXIT 11 declares.

use super::tls_judgement::Judgement;
use crate::config::crypto::TlsVersion;
use crate::config::located::Located;
use crate::config::outbound::Outbound;
use crate::evidence::EvidenceLog;
use crate::transport::client_tls::{ClientSession, ClientTraffic};
use crate::transport::tls_hello;
use crate::transport::tls_probe;

/// The TLS sessions the unit opened itself, from the capture: a session it settled at TLS 1.0 or
/// 1.1 or on a weak suite, or a hello offering nothing newer than TLS 1.1, is judged as a
/// listening port's would be. When IXIT 11 declares the unit's outbound mechanisms, every
/// session and clear-text conversation is also held to the one that covers it.
pub fn judge_client_sessions(
    traffic: &ClientTraffic,
    declared: Option<&[Located<Outbound>]>,
    log: &EvidenceLog,
    j: &mut Judgement,
) {
    let mut found = Vec::new();
    for s in &traffic.tls {
        let to = match &s.server_name {
            Some(name) => format!("{} (server name {name})", s.server),
            None => s.server.to_string(),
        };
        let offered = tls_hello::version_name(s.offered);
        match s.chosen {
            Some((version, suite)) => {
                let (v, name) = (tls_hello::version_name(version), tls_hello::suite_name(suite));
                log.line("<", &format!("the unit opened TLS to {to}: offered up to {offered}, the server chose {v} with {name}"));
                if version < tls_hello::TLS12 {
                    found.push(format!("the unit, as a client, settled {v} with {to} (negotiated {name}), deprecated and not best practice"));
                } else if tls_probe::is_weak_suite(&name) {
                    found.push(format!("the unit, as a client, negotiated the weak cipher suite {name} with {to}"));
                }
            }
            None => log.line("<", &format!("the unit opened TLS to {to}: offered up to {offered}; no answer in the capture")),
        }
        if s.offered < tls_hello::TLS12 && s.chosen.is_none_or(|(v, _)| v >= tls_hello::TLS12) {
            found.push(format!(
                "the unit, as a client, offers nothing newer than {offered} to {to}"
            ));
        }
        if let Some(declared) = declared {
            found.extend(against_declared_tls(s, &to, declared));
        }
    }
    for c in &traffic.clear {
        j.details.push(format!(
            "the unit opened {} in clear text to {}",
            c.protocol, c.server
        ));
        let covering = declared.map(|d| d.iter().find(|o| o.covers(c.server, None)));
        match covering {
            None | Some(Some(Located { value: Outbound { tls: None, .. }, .. })) => {}
            Some(None) => found.push(format!("the unit opened {} in clear text to {}, which no IXIT 11 outbound mechanism (`ixit.outbound`) declares", c.protocol, c.server)),
            Some(Some(o)) => found.push(format!("the unit spoke {} in clear text to {}, where IXIT 11 declares TLS (`{}`)", c.protocol, c.server, o.value.id.value)),
        }
    }
    // A client that reconnects every few seconds shows the same session many times: once is
    // enough to tell.
    for f in found {
        if !j.findings.contains(&f) {
            j.findings.push(f);
        }
    }
    if declared.is_none() {
        j.details.push("IXIT 11 declares no outbound mechanisms (`ixit.outbound`): the connections the unit opens are judged against best practice only".into());
    }
    j.details.push(format!(
        "connections the unit opened itself, from the capture ({} packets): {} TLS, {} in clear text",
        traffic.packets,
        traffic.tls.len(),
        traffic.clear.len()
    ));
}

/// A session against the declared mechanism that covers it: none covering it, clear text
/// declared, a version or suite IXIT 11 does not list, or less offered than it declares.
fn against_declared_tls(
    s: &ClientSession,
    to: &str,
    declared: &[Located<Outbound>],
) -> Vec<String> {
    let Some(o) = declared
        .iter()
        .map(|o| &o.value)
        .find(|o| o.covers(s.server, s.server_name.as_deref()))
    else {
        return vec![format!("the unit opened TLS to {to}, which no IXIT 11 outbound mechanism (`ixit.outbound`) declares")];
    };
    let id = &o.id.value;
    let Some(tls) = &o.tls else {
        return vec![format!(
            "the unit opened TLS to {to}, which IXIT 11 declares as clear text (`{id}`)"
        )];
    };
    let mut out = Vec::new();
    let listed: Vec<String> = tls.versions.iter().map(|v| v.to_string()).collect();
    if let Some(best) = tls.versions.iter().max() {
        // A client's newest offer is the version it would use with a server that has them all.
        if s.offered != wire(*best) {
            out.push(format!(
                "the unit offered at most {} to {to}, where IXIT 11 declares {} (`{id}`)",
                tls_hello::version_name(s.offered),
                listed.join(", ")
            ));
        }
    }
    if let Some((version, suite)) = s.chosen {
        if !tls.versions.iter().any(|v| wire(*v) == version) {
            out.push(format!(
                "the unit settled {} with {to}, which IXIT 11 does not list for `{id}` ({})",
                tls_hello::version_name(version),
                listed.join(", ")
            ));
        }
        let name = tls_hello::suite_name(suite);
        if tls
            .cipher_suites
            .as_ref()
            .is_some_and(|suites| !suites.contains(&name))
        {
            out.push(format!("the unit negotiated {name} with {to}, which is not among the cipher suites IXIT 11 declares for `{id}`"));
        }
    }
    out
}

fn wire(v: TlsVersion) -> u16 {
    match v {
        TlsVersion::Tls10 => tls_hello::TLS10,
        TlsVersion::Tls11 => tls_hello::TLS11,
        TlsVersion::Tls12 => tls_hello::TLS12,
        TlsVersion::Tls13 => tls_hello::TLS13,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unit as a client: a session settled below TLS 1.2, a weak suite, or a hello offering
    /// nothing newer than TLS 1.1 are findings, each once; a modern session is not.
    #[test]
    fn sessions_the_unit_opened_are_judged_like_its_servers() {
        use crate::transport::client_tls::{ClearClient, ClientSession};
        let session = |offered, chosen| ClientSession {
            server: "192.0.2.7:443".parse().unwrap(),
            server_name: Some("cloud.example".into()),
            offered,
            chosen,
        };
        let traffic = ClientTraffic {
            tls: vec![
                session(tls_hello::TLS10, Some((tls_hello::TLS10, 0x002F))),
                session(tls_hello::TLS12, Some((tls_hello::TLS12, 0x0005))),
                session(0x0304, Some((0x0304, 0x1301))),
                session(tls_hello::TLS11, None),
            ],
            clear: vec![ClearClient {
                server: "192.0.2.8:80".parse().unwrap(),
                protocol: "HTTP",
            }],
            packets: 40,
        };
        let dir = crate::util::test_dir::TestDir::new("clientjudge");
        let log = crate::evidence::SampleEvidence::new(&dir.0, "s1")
            .unwrap()
            .log("crypto.log");
        let mut j = Judgement::default();
        judge_client_sessions(&traffic, None, &log, &mut j);
        assert_eq!(j.findings.len(), 3, "{:?}", j.findings);
        assert!(j.findings[0].contains("settled TLS 1.0 with 192.0.2.7:443 (server name cloud.example) (negotiated AES128-SHA)"));
        assert!(j.findings[1].contains("weak cipher suite RC4-SHA"));
        assert!(j.findings[2].contains("offers nothing newer than TLS 1.1"));
        assert!(j
            .details
            .iter()
            .any(|d| d == "the unit opened HTTP in clear text to 192.0.2.8:80"));
    }

    fn outbound(yaml: &str) -> Vec<Located<Outbound>> {
        serde_saphyr::from_str(yaml).unwrap()
    }

    /// Declared mechanisms: a session IXIT 11 does not cover, one below its declared version, a
    /// clear conversation where TLS is declared are findings; one that matches is not.
    #[test]
    fn sessions_the_unit_opened_are_held_to_the_declared_mechanisms() {
        use crate::transport::client_tls::ClearClient;
        let session = |server: &str, name: Option<&str>, version| ClientSession {
            server: server.parse().unwrap(),
            server_name: name.map(String::from),
            offered: version,
            chosen: Some((version, 0x1301)),
        };
        let declared = outbound(
            "- { id: cloud, server: cloud.example, port: 443, tls: { versions: [\"1.3\"] } }\n- { id: time, server: 192.0.2.9, port: 80, tls: { versions: [\"1.2\", \"1.3\"], cipher_suites: [ECDHE-RSA-AES128-GCM-SHA256] } }\n",
        );
        let traffic = ClientTraffic {
            tls: vec![
                session("192.0.2.7:443", Some("cloud.example"), tls_hello::TLS13),
                session("192.0.2.7:443", Some("CLOUD.example"), tls_hello::TLS12),
                session("192.0.2.8:443", Some("other.example"), tls_hello::TLS13),
            ],
            clear: vec![ClearClient {
                server: "192.0.2.9:80".parse().unwrap(),
                protocol: "HTTP",
            }],
            packets: 9,
        };
        let dir = crate::util::test_dir::TestDir::new("outboundjudge");
        let log = crate::evidence::SampleEvidence::new(&dir.0, "s1")
            .unwrap()
            .log("crypto.log");
        let mut j = Judgement::default();
        judge_client_sessions(&traffic, Some(&declared), &log, &mut j);
        assert_eq!(j.findings.len(), 4, "{:#?}", j.findings);
        assert!(j.findings[0].contains("offered at most TLS 1.2 to 192.0.2.7:443 (server name CLOUD.example), where IXIT 11 declares TLS 1.3 (`cloud`)"), "{}", j.findings[0]);
        assert!(
            j.findings[1].contains("settled TLS 1.2"),
            "{}",
            j.findings[1]
        );
        assert!(
            j.findings[2].contains(
                "192.0.2.8:443 (server name other.example), which no IXIT 11 outbound mechanism"
            ),
            "{}",
            j.findings[2]
        );
        assert!(
            j.findings[3].contains(
                "HTTP in clear text to 192.0.2.9:80, where IXIT 11 declares TLS (`time`)"
            ),
            "{}",
            j.findings[3]
        );
    }
}
