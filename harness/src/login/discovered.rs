//! A login surface found on a port (`detect`) made into a mechanism hilt can try credentials on,
//! with each protocol's own way of saying yes and no, for a unit nobody declared (an evidence
//! profile) or a port its IXIT left out. Only protocols whose refusal is unambiguous are made
//! into trials; a web form's fields and success marker are never guessed.

use crate::config::auth_mechanism::{
    AuthFactor, AuthMechanism, HttpLogin, LoginSurface, PlainLogin, PromptLogin, RtspLogin,
    SshLogin,
};
use crate::config::duration::Dur;
use crate::config::located::Located;
use crate::config::pattern::Pattern;
use crate::config::profile::{Protocol, Service};
use std::time::Duration;

/// The service and mechanism for a surface on `port`, or why it is not tried.
pub fn mechanism(
    port: u16,
    protocol: &str,
    evidence: &str,
) -> Result<(Service, AuthMechanism), String> {
    let secs = |s| Dur(Duration::from_secs(s));
    let tls = protocol.starts_with("HTTPS");
    let login = match protocol {
        "SSH" => LoginSurface::Ssh(SshLogin {
            within: secs(15),
            attempts_per_connection: None,
        }),
        "FTP" => LoginSurface::Ftp(PlainLogin { within: secs(10) }),
        "MQTT" => LoginSurface::Mqtt(PlainLogin { within: secs(10) }),
        "RTSP" => LoginSurface::Rtsp(RtspLogin {
            path: "/".into(),
            within: secs(10),
        }),
        "telnet" | "plain-text login prompt" => LoginSurface::Telnet(prompt()?),
        "HTTP authentication" | "HTTPS authentication" => {
            let digest = evidence.to_ascii_lowercase().contains("digest challenge");
            LoginSurface::Http(HttpLogin {
                method: "GET".into(),
                path: "/".into(),
                json: None,
                form: None,
                basic_auth: !digest,
                digest_auth: digest,
                success_status: vec![200, 204, 301, 302, 303, 307, 308],
                success_body: None,
                failure_status: vec![401],
                locked_status: vec![429],
                forced_change_status: vec![],
                forced_change_body: None,
                within: secs(10),
            })
        }
        other => {
            return Err(format!(
                "a {other}: its fields and the answer that means success are not guessed; declare it to have it tried"
            ))
        }
    };
    let id = format!(
        "tcp-{port}-{}",
        protocol.to_ascii_lowercase().replace(' ', "-")
    );
    let service = Service {
        id: Located::unplaced(id.clone()),
        protocol: Protocol::Tcp,
        port: Located::unplaced(port),
        purpose: format!("found on the unit: {protocol}"),
        enabled: true,
        // Only that it is TLS matters here (the endpoint); no versions are claimed for it.
        tls: tls.then(|| crate::config::crypto::TlsDetails {
            versions: vec![],
            cipher_suites: None,
            min_certificate_key_bits: None,
        }),
    };
    let mechanism = AuthMechanism {
        id,
        description: format!("{protocol} found on TCP {port} ({evidence})"),
        service: Some(Located::unplaced(service.id.value.clone())),
        factor: AuthFactor::PreInstalledUnique,
        username: String::new(),
        generation_rule: None,
        brute_force: None,
        max_sessions: None,
        login,
        change_password: Vec::new(),
    };
    Ok((service, mechanism))
}

/// What Linux `login`, BusyBox and most vendor shells print.
fn prompt() -> Result<PromptLogin, String> {
    Ok(PromptLogin {
        login_prompt: Pattern::new(r"(?i)(login|user ?name)\s*:\s*$")?,
        password_prompt: Pattern::new(r"(?i)password\s*:\s*$")?,
        success: Pattern::new(r"[#$>%]\s*$")?,
        failure: Pattern::new(r"(?i)(incorrect|invalid|failed|denied|wrong|login\s*:\s*$)")?,
        locked: Some(Pattern::new(r"(?i)(locked|too many)")?),
        forced_change: None,
        logout: Some("exit".into()),
        within: Dur(Duration::from_secs(20)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_unambiguous_protocol_becomes_a_trial_and_forms_do_not() {
        for p in [
            "SSH",
            "FTP",
            "MQTT",
            "RTSP",
            "telnet",
            "plain-text login prompt",
        ] {
            let (service, mech) = mechanism(2222, p, "").unwrap();
            assert_eq!(service.port.value, 2222);
            assert!(service.tls.is_none());
            assert_eq!(mech.service.unwrap().value, service.id.value);
        }
        let (s, m) = mechanism(
            8443,
            "HTTPS authentication",
            "HTTP/1.1 401; digest challenge",
        )
        .unwrap();
        assert!(s.tls.is_some());
        let LoginSurface::Http(h) = m.login else {
            panic!()
        };
        assert!(h.digest_auth && !h.basic_auth);
        assert!(mechanism(80, "HTTP login form", "")
            .unwrap_err()
            .contains("not guessed"));
    }
}
