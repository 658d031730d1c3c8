//! The update part of a profile's checks: components name declared mechanisms, deliveries name
//! declared services, the image layout names its own regions, the lab's images exist.

use super::error::ConfigError;
use super::profile::ProfileFile;
use super::profile_checks::{check_steps, join};
use super::update::{Delivery, Offset, UpdateMaterial};
use super::yaml;
use std::collections::HashSet;
use std::path::Path;

pub(super) fn check(
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
    components(file, raw, &mechanisms, errors);
    deliveries(file, raw, service_ids, errors);
    let Some(update) = &raw.update else {
        if !raw.ixit.update_mechanisms.is_empty() {
            errors.push(yaml::at_location(file, &raw.ixit.update_mechanisms.at, "ixit.update_mechanisms",
                "update mechanisms are declared; expected a top-level `update:` section with the image layout and the lab's valid images"));
        }
        return;
    };
    layout(file, update, errors);
    images(file, update, errors);
}

/// IXIT 6: each software component names declared mechanisms, or says why it has none.
fn components(
    file: &Path,
    raw: &ProfileFile,
    mechanisms: &HashSet<String>,
    errors: &mut Vec<ConfigError>,
) {
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
                        join(mechanisms)
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
}

/// IXIT 7: each delivery's procedures, block size, console and service.
fn deliveries(
    file: &Path,
    raw: &ProfileFile,
    service_ids: &HashSet<String>,
    errors: &mut Vec<ConfigError>,
) {
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
}

/// The regions the tampers aim at exist, and every region named is one of them.
fn layout(file: &Path, update: &UpdateMaterial, errors: &mut Vec<ConfigError>) {
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
}

/// The lab's images: at least one valid, every file there.
fn images(file: &Path, update: &UpdateMaterial, errors: &mut Vec<ConfigError>) {
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
    listed.extend(
        images
            .wrong_key
            .iter()
            .map(|i| ("wrong_key".to_string(), i)),
    );
    for (role, image) in listed {
        let path = file
            .parent()
            .unwrap_or(Path::new("."))
            .join(&image.file.value);
        if !path.is_file() {
            // A valid image may be one or a list, which the YAML reader cannot place inside:
            // then the error points at `valid:` itself.
            let at = if image.file.at == serde_saphyr::Location::UNKNOWN {
                &images.valid.at
            } else {
                &image.file.at
            };
            errors.push(yaml::at_location(
                file,
                at,
                format!("update.images.{role}.file"),
                format!("no image at {}", path.display()),
            ));
        }
    }
}
