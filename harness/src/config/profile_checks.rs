//! The checks a profile gets after it parsed: references between entries (services, regions,
//! the console), placeholders each procedure step may use, and the files it names. Each error
//! points at the entry it is about.

use super::error::{ConfigError, ConfigErrors};
use super::located::Located;
use super::procedure::Step;
use super::profile::{LoginSurface, Profile, ProfileFile, Protocol, BUILT_IN_VARIABLES};
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
    for (i, m) in raw.ixit.auth_mechanisms.iter().enumerate() {
        let key = format!("ixit.auth_mechanisms[{i}].change_password");
        check_steps(file, &key, &m.change_password, &[], &mut errors);
    }
    check_configuration_functions(file, &raw, &mut errors);
    check_inputs(file, &raw, &mut errors);
    if let Some(r) = &raw.ixit.resilience {
        for (i, f) in r.local_functions.iter().enumerate() {
            let key = format!("ixit.resilience.local_functions[{i}].steps");
            check_steps(file, &key, &f.steps, &[], &mut errors);
        }
        check_steps(
            file,
            "ixit.resilience.connected",
            &r.connected,
            &[],
            &mut errors,
        );
    }
    check_ids(file, &raw, &mut errors);
    super::update_checks::check(file, &raw, &service_ids, &mut errors);
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

/// The ids that name evidence files (transcripts, update logs, debug logs): letters, digits,
/// `.`, `-` and `_`, not starting with `.`, at most 64, each once, so none can write outside the
/// run folder or over another's evidence.
fn check_ids(file: &Path, raw: &ProfileFile, errors: &mut Vec<ConfigError>) {
    let lists: [(&str, Vec<(&str, &serde_saphyr::Location)>); 4] = [
        (
            "ixit.auth_mechanisms",
            raw.ixit
                .auth_mechanisms
                .iter()
                .map(|m| (m.id.as_str(), &m.at))
                .collect(),
        ),
        (
            "ixit.update_mechanisms",
            raw.ixit
                .update_mechanisms
                .iter()
                .map(|m| (m.id.as_str(), &m.at))
                .collect(),
        ),
        (
            "ixit.debug_interfaces",
            raw.ixit
                .debug_interfaces
                .iter()
                .map(|d| (d.id.as_str(), &d.at))
                .collect(),
        ),
        (
            "ixit.outbound",
            raw.ixit
                .outbound
                .iter()
                .flatten()
                .map(|o| (o.id.value.as_str(), &o.at))
                .collect(),
        ),
    ];
    for (list, ids) in lists {
        let mut seen = HashSet::new();
        for (i, (id, at)) in ids.into_iter().enumerate() {
            let key = format!("{list}[{i}].id");
            let fits = !id.is_empty()
                && id.len() <= 64
                && !id.starts_with('.')
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
            if !fits {
                errors.push(yaml::at_location(file, at, key, format!(
                    "id `{id}` names evidence files; expected 1 to 64 letters, digits, `.`, `-` or `_`, not starting with `.`"
                )));
            } else if !seen.insert(id) {
                errors.push(yaml::at_location(
                    file,
                    at,
                    key,
                    format!("duplicate id `{id}`"),
                ));
            }
        }
    }
}

/// Every `{placeholder}` a step uses must be built in, given (`extra`) or set by an earlier step.
pub(super) fn check_steps(
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

/// 5.5-5-2's functions: their mechanisms are IXIT 1 entries, `change` uses `{setting}` and
/// `read_back` captures it, each seeing what `authenticate` captures.
fn check_configuration_functions(file: &Path, raw: &ProfileFile, errors: &mut Vec<ConfigError>) {
    use super::configuration_function::SETTING;
    let mechanisms = mechanism_ids(raw);
    for (i, f) in raw.ixit.configuration_functions.iter().enumerate() {
        let key = format!("ixit.configuration_functions[{i}]");
        for (field, id) in [
            ("mechanism", Some(&f.mechanism)),
            ("lower_privilege", f.lower_privilege.as_ref()),
        ] {
            if let Some(id) = id {
                let key = format!("{key}.{field}");
                errors.extend(unknown_mechanism(file, id, key, &mechanisms));
            }
        }
        check_steps(
            file,
            &format!("{key}.authenticate"),
            &f.authenticate,
            &[],
            errors,
        );
        let session: Vec<&str> = f.authenticate.iter().flat_map(|s| s.defines()).collect();
        let mut with_setting = session.clone();
        with_setting.push(SETTING);
        check_steps(
            file,
            &format!("{key}.change"),
            &f.change,
            &with_setting,
            errors,
        );
        check_steps(
            file,
            &format!("{key}.read_back"),
            &f.read_back,
            &session,
            errors,
        );
        let uses_setting = f
            .change
            .iter()
            .flat_map(|s| s.templates())
            .any(|t| crate::util::template::placeholders(t).contains(&SETTING));
        let captures_setting = f.read_back.iter().any(|s| s.defines().contains(&SETTING));
        if !uses_setting || !captures_setting || f.values.len() == 1 {
            errors.push(yaml::at_location(file, &f.at, key, format!(
                "expected `change` steps that use `{{{SETTING}}}`, `read_back` steps that capture `{SETTING}`, and either no `values` or at least two, so that each attempt sets a value the read-back can tell from the one before"
            )));
        }
    }
}

/// 5.13-1-2's inputs: a declared mechanism, placeholders that are known, and something to vary.
fn check_inputs(file: &Path, raw: &ProfileFile, errors: &mut Vec<ConfigError>) {
    let mechanisms = mechanism_ids(raw);
    for (i, input) in raw.ixit.inputs.iter().enumerate() {
        let key = format!("ixit.inputs[{i}]");
        if let Some(id) = &input.mechanism {
            let key = format!("{key}.mechanism");
            errors.extend(unknown_mechanism(file, id, key, &mechanisms));
        }
        let auth_key = format!("{key}.authenticate");
        check_steps(file, &auth_key, &input.authenticate, &[], errors);
        let session: Vec<&str> = input
            .authenticate
            .iter()
            .flat_map(|s| s.defines())
            .collect();
        check_steps(
            file,
            &format!("{key}.use"),
            &input.use_steps,
            &session,
            errors,
        );
        let varied = input
            .use_steps
            .iter()
            .any(|s| !super::step_fields::fields_of(&s.value).is_empty());
        if !varied {
            errors.push(yaml::at_location(file, &input.at, format!("{key}.use"), 
                "expected an `http` step with a `json` or `form` body, or a `console_send` command line with an argument: nothing here takes a value hilt could vary".to_string()));
        }
    }
}

fn mechanism_ids(raw: &ProfileFile) -> HashSet<String> {
    let ids = raw.ixit.auth_mechanisms.iter();
    ids.map(|m| m.id.clone()).collect()
}

/// An error when `id` names no IXIT 1 mechanism.
fn unknown_mechanism(
    file: &Path,
    id: &Located<String>,
    key: String,
    mechanisms: &HashSet<String>,
) -> Option<ConfigError> {
    (!mechanisms.contains(&id.value)).then(|| {
        let why = format!(
            "no mechanism `{}` is declared in ixit.auth_mechanisms (declared: {})",
            id.value,
            join(mechanisms)
        );
        yaml::at(file, id, key, why)
    })
}

pub(super) fn join(ids: &HashSet<String>) -> String {
    let mut v: Vec<&str> = ids.iter().map(String::as_str).collect();
    v.sort();
    v.join(", ")
}
