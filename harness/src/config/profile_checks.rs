//! The checks a profile gets after it parsed: references between entries (services, regions,
//! the console), placeholders each procedure step may use, and the files it names. Each error
//! points at the entry it is about.

use super::error::{ConfigError, ConfigErrors};
use super::located::Located;
use super::procedure::Step;
use super::profile::{LoginSurface, Profile, ProfileFile, Protocol, BUILT_IN_VARIABLES};
use super::update::{Delivery, Offset};
use super::yaml;
use std::collections::HashSet;
use std::path::Path;

pub(super) fn validate(file: &Path, raw: ProfileFile) -> Result<Profile, ConfigErrors> {
    let mut errors = Vec::new();
    let mut service_ids = HashSet::new();
    let mut ports = HashSet::new();
    for (i, s) in raw.ixit.services.iter().enumerate() {
        if !service_ids.insert(s.id.value.clone()) {
            errors.push(yaml::at(
                file,
                &s.id,
                format!("ixit.services[{i}].id"),
                format!("duplicate service id `{}`", s.id.value),
            ));
        }
        if s.port.value == 0 {
            errors.push(yaml::at(
                file,
                &s.port,
                format!("ixit.services[{i}].port"),
                "expected a port from 1 to 65535",
            ));
        }
        if let Some(tls) = &s.tls {
            if s.protocol != Protocol::Tcp || tls.versions.is_empty() {
                errors.push(yaml::at_location(
                    file,
                    &s.at,
                    format!("ixit.services[{i}].tls"),
                    "TLS is declared for TCP services only, with at least one version (\"1.2\", \"1.3\")",
                ));
            }
        }
        if !ports.insert((s.protocol, s.port.value)) {
            errors.push(yaml::at(
                file,
                &s.port,
                format!("ixit.services[{i}].port"),
                "this protocol and port are declared twice",
            ));
        }
    }
    for (i, m) in raw.ixit.auth_mechanisms.iter().enumerate() {
        let needs_service = !matches!(m.login, LoginSurface::Console(_));
        match (&m.service, needs_service) {
            (Some(s), _) if !service_ids.contains(&s.value) => errors.push(yaml::at(
                file, s, format!("ixit.auth_mechanisms[{i}].service"),
                format!("no service `{}` is declared in ixit.services (declared: {})", s.value, join(&service_ids)),
            )),
            (None, true) => errors.push(yaml::at_location(file, &m.at, format!("ixit.auth_mechanisms[{i}].service"),
                "this mechanism logs in over the network; expected `service:` naming one of ixit.services")),
            _ => {}
        }
        if matches!(m.login, LoginSurface::Console(_)) && raw.console.is_none() {
            errors.push(yaml::at_location(
                file,
                &m.at,
                format!("ixit.auth_mechanisms[{i}].login.console"),
                "this mechanism logs in at the console; expected a top-level `console:` section",
            ));
        }
    }
    let console_login = raw
        .ixit
        .auth_mechanisms
        .iter()
        .any(|m| matches!(m.login, LoginSurface::Console(_)));
    for (i, d) in raw.ixit.debug_interfaces.iter().enumerate() {
        use super::debug_interface::{DebugKind, UartOffers};
        // 5.6-4-2 leaves a declared UART login to 5.1-1-2, which finds it through IXIT 1 only.
        if d.kind == DebugKind::Uart && *d.offers == UartOffers::LoginPrompt && !console_login {
            errors.push(yaml::at_location(
                file,
                &d.offers.at,
                format!("ixit.debug_interfaces[{i}].offers"),
                "this UART offers a login prompt; expected its login in ixit.auth_mechanisms too (`login: console`, IXIT 1), so its credentials are tested",
            ));
        }
    }
    let procs = [
        ("factory_reset", &raw.procedures.factory_reset),
        ("initialize", &raw.procedures.initialize),
        ("read_version", &raw.procedures.read_version),
    ];
    for (name, steps) in procs {
        check_steps(file, &format!("procedures.{name}"), steps, &[], &mut errors);
    }
    check_update(file, &raw, &service_ids, &mut errors);
    if let Some(psti) = &raw.psti {
        errors.extend(super::psti::validate(file, "psti", psti));
    }
    if errors.is_empty() {
        Ok(Profile {
            file: file.to_path_buf(),
            body: raw,
            evidence_only: false,
        })
    } else {
        Err(ConfigErrors(errors))
    }
}

/// Every `{placeholder}` a step uses must be built in, given (`extra`) or set by an earlier step.
fn check_steps(
    file: &Path,
    key: &str,
    steps: &[Located<Step>],
    extra: &[&str],
    errors: &mut Vec<ConfigError>,
) {
    let mut known: HashSet<String> = BUILT_IN_VARIABLES
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect();
    for (i, step) in steps.iter().enumerate() {
        for t in step.templates() {
            for var in crate::util::template::placeholders(t) {
                if !known.contains(var) {
                    errors.push(yaml::at_location(file, &step.at, format!("{key}[{i}]"), format!(
                        "unknown placeholder `{{{var}}}`; expected one of {} or a variable an earlier step captures or sets",
                        BUILT_IN_VARIABLES.iter().chain(extra).copied().collect::<Vec<_>>().join(", ")
                    )));
                }
            }
        }
        known.extend(step.defines().into_iter().map(String::from));
    }
}

fn join(ids: &HashSet<String>) -> String {
    let mut v: Vec<&str> = ids.iter().map(String::as_str).collect();
    v.sort();
    v.join(", ")
}

fn check_update(
    file: &Path,
    raw: &ProfileFile,
    service_ids: &HashSet<String>,
    errors: &mut Vec<ConfigError>,
) {
    let mechanisms: HashSet<String> = raw
        .ixit
        .update_mechanisms
        .iter()
        .map(|m| m.id.clone())
        .collect();
    for (i, c) in raw.ixit.software_components.iter().enumerate() {
        for (j, m) in c.update_mechanisms.iter().enumerate() {
            if !mechanisms.contains(&m.value) {
                errors.push(yaml::at(
                    file,
                    m,
                    format!("ixit.software_components[{i}].update_mechanisms[{j}]"),
                    format!(
                        "no update mechanism `{}` is declared in ixit.update_mechanisms (declared: {})",
                        m.value,
                        join(&mechanisms)
                    ),
                ));
            }
        }
        let why = c.not_updateable_because.as_deref().unwrap_or("").trim();
        if c.update_mechanisms.is_empty() && why.is_empty() {
            errors.push(yaml::at_location(
                file,
                &c.at,
                format!("ixit.software_components[{i}]"),
                "this component names no update mechanism; expected `update_mechanisms:` (IXIT 7 ids) or `not_updateable_because:` with the reason",
            ));
        }
    }
    for (i, m) in raw.ixit.update_mechanisms.iter().enumerate() {
        let push = match &m.delivery {
            Delivery::PushHttp(push) => push,
            Delivery::PullHttp(pull) => {
                let name = format!("ixit.update_mechanisms[{i}].delivery.pull_http.trigger");
                check_steps(file, &name, &pull.trigger, &["update_url"], errors);
                continue;
            }
            Delivery::ConsoleXmodem(x) => {
                let name = format!("ixit.update_mechanisms[{i}].delivery.console_xmodem.start");
                check_steps(file, &name, &x.start, &[], errors);
                if ![128, 1024].contains(&x.block_size.value) {
                    errors.push(yaml::at(
                        file,
                        &x.block_size,
                        format!("ixit.update_mechanisms[{i}].delivery.console_xmodem.block_size"),
                        "expected 128 (XMODEM-CRC) or 1024 (XMODEM-1K)",
                    ));
                }
                if raw.console.is_none() {
                    errors.push(yaml::at_location(
                        file,
                        &m.at,
                        format!("ixit.update_mechanisms[{i}].delivery.console_xmodem"),
                        "an update over the UART needs a top-level `console:` section",
                    ));
                }
                continue;
            }
        };
        if !service_ids.contains(&push.service.value) {
            errors.push(yaml::at(
                file,
                &push.service,
                format!("ixit.update_mechanisms[{i}].delivery.push_http.service"),
                format!(
                    "no service `{}` is declared in ixit.services (declared: {})",
                    push.service.value,
                    join(service_ids)
                ),
            ));
        }
    }
    let Some(update) = &raw.update else {
        if !raw.ixit.update_mechanisms.is_empty() {
            errors.push(yaml::at_location(file, &raw.ixit.update_mechanisms.at, "ixit.update_mechanisms",
                "update mechanisms are declared; expected a top-level `update:` section with the image layout and the lab's valid images"));
        }
        return;
    };
    let regions = &update.image.regions;
    for needed in ["payload", "signature"] {
        if !regions.contains_key(needed) {
            errors.push(yaml::at_location(
                file,
                &regions.at,
                "update.image.regions",
                format!("expected a region named `{needed}` (the tampers aim at it)"),
            ));
        }
    }
    // (key path, region name, where it is named)
    let mut named: Vec<(String, &str, &serde_saphyr::Location)> = Vec::new();
    for (name, r) in regions.iter() {
        for o in [&r.start, &r.end].into_iter().flatten() {
            if let Offset::After { after: n } | Offset::Before { before: n } = &o.value {
                named.push((format!("update.image.regions.{name}"), n, &o.at));
            }
        }
    }
    let sig = &update.image.signature;
    for c in &sig.covers {
        named.push(("update.image.signature.covers".into(), c, &c.at));
    }
    if let Some(k) = &sig.signer_key {
        named.push(("update.image.signature.signer_key".into(), k, &k.at));
    }
    for (key, name, at) in named {
        if !regions.contains_key(name) {
            let known: Vec<&str> = regions.keys().map(String::as_str).collect();
            errors.push(yaml::at_location(
                file,
                at,
                key,
                format!(
                    "no region `{name}` in update.image.regions (regions: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    let images = &update.images;
    let mut listed: Vec<(String, &super::update::LabImage)> = Vec::new();
    let valid = images.valid.all();
    if valid.is_empty() {
        errors.push(yaml::at_location(
            file,
            &images.valid.at,
            "update.images.valid",
            "expected at least one valid image",
        ));
    }
    let many = valid.len() > 1;
    for (i, v) in valid.into_iter().enumerate() {
        listed.push((
            if many {
                format!("valid[{i}]")
            } else {
                "valid".into()
            },
            v,
        ));
    }
    listed.extend(images.older.iter().map(|i| ("older".to_string(), i)));
    listed.extend(
        images
            .other_model
            .iter()
            .map(|i| ("other_model".to_string(), i)),
    );
    for (role, image) in listed {
        let path = file
            .parent()
            .unwrap_or(Path::new("."))
            .join(&image.file.value);
        if !path.is_file() {
            errors.push(yaml::at(
                file,
                &image.file,
                format!("update.images.{role}.file"),
                format!("no image at {}", path.display()),
            ));
        }
    }
}
