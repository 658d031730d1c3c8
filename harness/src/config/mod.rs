//! Configuration pipeline: YAML text -> typed structs (types validate each field) -> a validated
//! model (cross-references, uniqueness). Every problem names file, line, column and key path.

pub mod assessment;
pub mod assessment_template;
pub mod auth_mechanism;
pub mod budgets;
pub mod built_in;
pub mod configuration_function;
pub mod console_address;
pub mod crypto;
pub mod debug_interface;
pub mod declared_input;
pub mod defaults;
pub mod duration;
pub mod endpoint;
pub mod error;
pub mod evidence;
mod ics_checks;
pub mod ipv6;
pub mod labgrid_place;
pub mod located;
pub mod outbound;
pub mod pattern;
pub mod power;
pub mod procedure;
pub mod profile;
mod profile_checks;
pub mod psti;
pub mod resilience;
pub mod rig;
mod rig_checks;
pub mod rig_file;
pub mod security_parameter;
pub mod step_fields;
pub mod suite;
pub mod update;
mod update_checks;
pub mod yaml;

pub use error::{ConfigError, ConfigErrors};
pub use profile::Profile;
pub use rig::Rig;
pub use suite::Suite;

use std::path::PathBuf;

/// The three files of a run, loaded together so all their problems are reported at once.
#[derive(Debug, Clone)]
pub struct Config {
    pub rig: Rig,
    pub profile: Profile,
    pub suite: Suite,
}

pub struct ConfigPaths {
    pub rig: PathBuf,
    pub profile: PathBuf,
    pub suite: PathBuf,
}

impl Config {
    /// The three files; a slot that is a labgrid place must say all it needs itself.
    pub fn load(paths: &ConfigPaths) -> Result<Config, ConfigErrors> {
        Config::load_with(paths, &mut labgrid_place::Unresolved)
    }

    /// The three files, each labgrid slot filled with what `places` says its place offers.
    pub fn load_with(
        paths: &ConfigPaths,
        places: &mut dyn rig::PlaceResolver,
    ) -> Result<Config, ConfigErrors> {
        let rig = Rig::load_with(&paths.rig, places);
        let profile = Profile::load(&paths.profile);
        let suite = Suite::load(&paths.suite);
        let config = all_three(rig, profile, suite)?;
        let mut errors = rig_meets_profile(&config.rig, &config.profile);
        errors.extend(ics_checks::ics_meets_catalogue(
            &config.profile,
            config.suite.catalogue(),
        ));
        match errors.is_empty() {
            true => Ok(config),
            false => Err(ConfigErrors(errors)),
        }
    }

    /// A run on an officer's evidence profile (`paths.profile`) instead of a device profile: its
    /// ICS is the suite catalogue's every provision, taken as applicable. The rig's references
    /// into a manufacturer's IXIT (debug interface ids) have nothing to meet and are not read.
    pub fn load_evidence(
        paths: &ConfigPaths,
        places: &mut dyn rig::PlaceResolver,
    ) -> Result<Config, ConfigErrors> {
        let rig = Rig::load_with(&paths.rig, places);
        let suite = Suite::load(&paths.suite);
        let profile = match &suite {
            Ok(s) => evidence::EvidenceFile::load(&paths.profile, s.catalogue()),
            Err(_) => Err(ConfigErrors(vec![])),
        };
        all_three(rig, profile, suite)
    }
}

/// The three files, or every problem any of them has, so all are reported at once.
fn all_three(
    rig: Result<Rig, ConfigErrors>,
    profile: Result<Profile, ConfigErrors>,
    suite: Result<Suite, ConfigErrors>,
) -> Result<Config, ConfigErrors> {
    match (rig, profile, suite) {
        (Ok(rig), Ok(profile), Ok(suite)) => Ok(Config {
            rig,
            profile,
            suite,
        }),
        (r, p, s) => {
            let mut all = Vec::new();
            for e in [r.err(), p.err(), s.err()].into_iter().flatten() {
                all.extend(e.0);
            }
            Err(ConfigErrors(all))
        }
    }
}

/// What a rig names in the profile must be there: a wrong interface id would otherwise surface
/// only as an INCONCLUSIVE at the end of a run.
fn rig_meets_profile(rig: &Rig, profile: &Profile) -> Vec<ConfigError> {
    use debug_interface::DebugKind;
    let ids = |kind: DebugKind| -> Vec<&str> {
        let declared = profile.debug_interfaces(kind);
        declared.into_iter().map(|d| d.id.as_str()).collect()
    };
    let (swd, uart) = (ids(DebugKind::Swd), ids(DebugKind::Uart));
    let mut errors = Vec::new();
    let mut check = |id: &crate::config::located::Located<String>,
                     key: String,
                     kind: &str,
                     known: &[&str]| {
        if !known.contains(&id.value.as_str()) {
            errors.push(yaml::at(
                &rig.file,
                id,
                key,
                format!(
                    "expected the id of a `kind: {kind}` entry in {}'s ixit.debug_interfaces ({}), or no `interface:` for one the profile does not declare",
                    profile.file.display(),
                    if known.is_empty() { "none declared".to_string() } else { known.join(", ") }
                ),
            ));
        }
    };
    for (i, slot) in rig.slots.iter().enumerate() {
        let Some(debug) = &slot.debug else { continue };
        if let Some(id) = debug.swd.as_ref().and_then(|s| s.interface.as_ref()) {
            check(id, format!("slots[{i}].debug.swd.interface"), "swd", &swd);
        }
        for (j, header) in debug.uart.iter().enumerate() {
            if let Some(id) = &header.interface {
                check(
                    id,
                    format!("slots[{i}].debug.uart[{j}].interface"),
                    "uart",
                    &uart,
                );
            }
        }
    }
    errors
}
