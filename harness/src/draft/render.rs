//! The draft as a profile file: the observed entries, each marked for confirmation, the ICS
//! rows, and what needs a person, in a header a lab reads first.

use super::observe::{prompt_login, quoted};
use super::Draft;

const MARK: &str = "# observed, confirm with the manufacturer's IXIT";

/// `hilt check` accepts the result; `ics` is one line per provision (`ics::rows`).
pub fn render(draft: &Draft, ics: &[String]) -> String {
    let mut out = vec![
        format!(
            "# Drafted by `hilt draft-profile` from the unit at {} ({}).",
            draft.address,
            env!("CARGO_PKG_VERSION")
        ),
        "# Each entry marked `observed` is what the unit showed: confirm it with the manufacturer's".into(),
        "# IXIT. The ICS rows are placeholders. Still needs a person:".into(),
    ];
    for item in for_a_person(draft) {
        for (i, line) in item.iter().enumerate() {
            let lead = if i == 0 { "# - " } else { "#   " };
            out.push(format!("{lead}{}", line.replace('\n', " ")));
        }
    }
    let profile = format!("draft-{}", draft.address.replace([':', '.', '%'], "-"));
    out.push(format!("profile: {profile}"));
    out.push("product: { manufacturer: \"to be stated\", model: \"to be stated\" }".into());
    out.push(String::new());
    out.push("ics:".into());
    out.extend(ics.iter().cloned());
    out.push(String::new());
    out.push("ixit:".into());
    out.push("  services:".into());
    if draft.services.is_empty() {
        out.push("    []   # no open port answered".into());
    }
    for s in &draft.services {
        let purpose = quoted(&format!("observed: {}", s.seen));
        match &s.tls {
            None => out.push(format!(
                "    - {{ id: {}, protocol: {}, port: {}, purpose: {purpose}, enabled: true }}   {MARK}",
                s.id, s.protocol, s.port
            )),
            Some(tls) => {
                out.push(format!("    - id: {}   {MARK}", s.id));
                out.push(format!("      protocol: {}", s.protocol));
                out.push(format!("      port: {}", s.port));
                out.push(format!("      purpose: {purpose}"));
                out.push("      enabled: true".into());
                let versions: Vec<String> = tls
                    .versions
                    .iter()
                    .map(|v| format!("\"{}\"", v.to_string().trim_start_matches("TLS ")))
                    .collect();
                out.push(format!(
                    "      tls:   # certificate keys seen: {}",
                    if tls.keys.is_empty() {
                        "none".into()
                    } else {
                        tls.keys.join("; ")
                    }
                ));
                out.push(format!("        versions: [{}]", versions.join(", ")));
                if let Some(bits) = tls.min_key_bits {
                    out.push(format!("        min_certificate_key_bits: {bits}"));
                }
            }
        }
    }
    out.push("  auth_mechanisms:".into());
    let console_login = draft.console.as_ref().filter(|d| d.login_prompt.is_some());
    if draft.mechanisms.is_empty() && console_login.is_none() {
        out.push("    []   # no login was recognised".into());
    }
    for m in &draft.mechanisms {
        out.push(format!(
            "    - id: {}   {MARK}: {}",
            m.id,
            m.seen.replace('\n', " ")
        ));
        out.push(format!("      service: {}", m.service));
        mechanism_common(&mut out);
        out.push("      login:".into());
        out.extend(m.login.iter().map(|l| format!("        {l}")));
    }
    if let Some(d) = console_login {
        out.push(format!(
            "    - id: uart-console   {MARK}: the console asks for a login"
        ));
        mechanism_common(&mut out);
        out.push("      login:".into());
        out.extend(
            prompt_login("console", d)
                .iter()
                .map(|l| format!("        {l}")),
        );
    }
    out.push("  debug_interfaces:".into());
    match &draft.console {
        None => {
            out.push("    []   # no console was given (--console): declare the UART and SWD".into())
        }
        Some(d) => {
            let offers = if d.login_prompt.is_some() {
                "login_prompt"
            } else if d.first.trim().is_empty() {
                "nothing"
            } else {
                "shell   # it answered without a login prompt: confirm what it offers"
            };
            out.push(format!("    - id: uart   {MARK}"));
            out.push("      kind: uart".into());
            out.push("      disabled_by: \"to be stated by the manufacturer\"".into());
            out.push(format!("      offers: {offers}"));
            if let Some(boot) = &draft.boot {
                out.extend(boot_lines(boot));
            }
        }
    }
    if let Some(d) = console_login {
        out.push(String::new());
        out.push(format!("console:   {MARK}"));
        out.push("  login:".into());
        let lines = prompt_login("console", d);
        // The console's own login block takes the same fields without the kind's key.
        out.extend(lines.iter().skip(1).map(|l| format!("  {l}")));
    }
    out.push(String::new());
    out.push("procedures:   # to be written from the manufacturer's instructions".into());
    out.push("  factory_reset: []".into());
    out.push("  initialize: []".into());
    out.join("\n") + "\n"
}

/// What the header lists for a person to add or decide, each item as the lines it is printed on.
pub fn for_a_person(draft: &Draft) -> Vec<Vec<String>> {
    let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut items = vec![
        lines(&[
            "the product's name, the ICS rows, the factor and username of each login, and the",
            "password generation rule and brute-force protection the manufacturer documents;",
        ]),
        lines(&[
            "the factory reset, initialization and version read-out procedures, and the update",
            "mechanisms;",
        ]),
        lines(&[
            "web logins hilt cannot see at `/` (an API's JSON login, a form on another page);",
        ]),
    ];
    if draft.boot.is_none() {
        items.push(lines(&[
            "the boot loader's prompt and boot window (drafted from a rig slot with power,",
            "`--rig R --slot S`, hilt watches the boot);",
        ]));
    }
    items.extend(draft.needs_a_person.iter().map(|l| vec![l.clone()]));
    items
}

/// The boot window the console showed, with the boot loader's own lines as the reason.
fn boot_lines(boot: &super::boot::Boot) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(why) = &boot.problem {
        out.push(format!(
            "      # the boot was not watched: {}",
            why.replace('\n', " ")
        ));
        return out;
    }
    for (at, line) in boot.loader_lines.iter().take(5) {
        // Console text keeps its carriage returns (a countdown rewrites its line); in a YAML
        // comment one would end the comment.
        out.push(format!(
            "      # observed {at:.1} s after power-on: {}",
            line.replace(['\r', '\n'], " ")
        ));
    }
    match boot.login_after {
        Some(at) => out.push(format!(
            "      # observed: the login prompt {at:.1} s after power-on"
        )),
        None => out.push(format!(
            "      # no login prompt within {} s of power-on",
            super::boot::WAIT.as_secs()
        )),
    }
    if let Some(seconds) = super::boot::window(boot) {
        out.push(format!(
            "      boot_window: {seconds}s   {MARK}: the boot loader talks until then"
        ));
    }
    out
}

fn mechanism_common(out: &mut Vec<String>) {
    out.push("      factor: pre-installed-unique   # to be confirmed: or user-defined".into());
    out.push("      username: \"{label.username}\"   # the rig's label gives it".into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::crypto::TlsVersion;
    use crate::draft::dialogue::Dialogue;
    use crate::draft::{Mechanism, Service, Tls};

    fn draft() -> Draft {
        let said = Dialogue {
            first: "\r\nbox login: ".into(),
            login_prompt: Some("box login: ".into()),
            password_prompt: Some("Password: ".into()),
            failure: Some("Login incorrect".into()),
        };
        Draft {
            address: "192.0.2.7".into(),
            services: vec![
                Service {
                    id: "telnet".into(),
                    protocol: "tcp",
                    port: 23,
                    seen: "telnet (\"quoted\" \\ text)".into(),
                    tls: None,
                },
                Service {
                    id: "https".into(),
                    protocol: "tcp",
                    port: 443,
                    seen: "web pages".into(),
                    tls: Some(Tls {
                        versions: vec![TlsVersion::Tls12, TlsVersion::Tls13],
                        min_key_bits: Some(2048),
                        keys: vec!["RSA 2048 (sha256WithRSAEncryption)".into()],
                    }),
                },
                Service {
                    id: "udp-5353".into(),
                    protocol: "udp",
                    port: 5353,
                    seen: "mDNS answer".into(),
                    tls: None,
                },
            ],
            mechanisms: vec![Mechanism {
                id: "telnet".into(),
                service: "telnet".into(),
                seen: "telnet".into(),
                login: crate::draft::observe::prompt_login("telnet", &said),
            }],
            console: Some(said),
            boot: Some(crate::draft::boot::Boot {
                loader_lines: vec![(0.4, "U-Boot 2023.04".into())],
                login_after: Some(2.0),
                problem: None,
            }),
            needs_a_person: vec!["TCP 1884 grants MQTT access without any credential".into()],
        }
    }

    /// What `hilt check` reads: the rendered draft loads as a profile, its entries as observed.
    #[test]
    fn a_rendered_draft_is_a_valid_profile_with_every_entry_marked() {
        let text = render(&draft(), &crate::draft::ics::newest());
        let file = std::env::temp_dir().join(format!("hilt-draft-{}.yaml", std::process::id()));
        std::fs::write(&file, &text).unwrap();
        let loaded = crate::config::Profile::load(&file);
        std::fs::remove_file(&file).unwrap();
        let profile = loaded.unwrap_or_else(|e| panic!("{e}\n{text}"));
        let ixit = &profile.body.ixit;
        assert_eq!(ixit.services.len(), 3);
        let https = ixit
            .services
            .iter()
            .find(|s| s.id.value == "https")
            .unwrap();
        let tls = https.tls.as_ref().unwrap();
        assert_eq!(tls.versions, vec![TlsVersion::Tls12, TlsVersion::Tls13]);
        assert_eq!(tls.min_certificate_key_bits, Some(2048));
        assert_eq!(ixit.auth_mechanisms.len(), 2, "telnet and the console");
        let console = &profile.body.console.as_ref().unwrap().login;
        assert!(console
            .login_prompt
            .regex
            .is_match(b"\r\nother-host login: "));
        assert!(console.failure.regex.is_match(b"Login incorrect\r\n"));
        assert_eq!(text.matches("# observed, confirm").count(), 8, "{text}");
        let uart = &ixit.debug_interfaces[0];
        assert_eq!(
            uart.boot_window.0,
            std::time::Duration::from_secs(2),
            "{text}"
        );
        assert!(text.contains("# observed 0.4 s after power-on: U-Boot 2023.04"));
        assert!(!text.contains("drafted from a rig slot with power"));
        assert!(text.contains("# - TCP 1884 grants MQTT access without any credential"));
    }

    #[test]
    fn a_unit_that_showed_nothing_still_drafts_a_valid_profile() {
        let empty = Draft {
            address: "fe80::1%eth0".into(),
            ..Draft::default()
        };
        let text = render(&empty, &crate::draft::ics::newest());
        let file =
            std::env::temp_dir().join(format!("hilt-draft-empty-{}.yaml", std::process::id()));
        std::fs::write(&file, &text).unwrap();
        let loaded = crate::config::Profile::load(&file);
        std::fs::remove_file(&file).unwrap();
        loaded.unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(text.contains("profile: draft-fe80--1-eth0"));
    }
}
