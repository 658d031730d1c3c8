//! An evidence profile: what an officer knows of a product without the manufacturer's help —
//! its identity as sold, how the bench can reset and set it up (when it can), and the PSTI
//! section (published pages, statement of compliance). It becomes a device profile with no ICS
//! and no IXIT, so every provision is taken as applicable and every login is one hilt finds.

use super::error::ConfigErrors;
use super::located::Located;
use super::profile::{
    ConsoleDialect, IcsRow, Ixit, Procedures, Product, Profile, ProfileFile, Support,
};
use super::psti::PstiSection;
use super::yaml;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceFile {
    /// What the file is about, e.g. the case reference and the product as bought.
    pub evidence: String,
    pub product: Product,
    /// How the unit's console talks, when one is wired.
    #[serde(default)]
    pub console: Option<ConsoleDialect>,
    /// How the bench resets the unit and initializes it as its manual says, when it can; the
    /// universal corpus is then tried in the initialized state after a factory reset.
    #[serde(default)]
    pub procedures: Option<Procedures>,
    /// Services the procedures talk to (the app's setup API, say), as the officer found them;
    /// their logins are still searched for and tried like any other.
    #[serde(default)]
    pub services: Vec<Located<super::profile::Service>>,
    /// Logins the officer found and described (IXIT 1's syntax): a web form or an API login
    /// hilt cannot find by itself. Every other login surface is found on the units.
    #[serde(default)]
    pub logins: Vec<Located<super::profile::AuthMechanism>>,
    pub psti: PstiSection,
}

const NO_ICS: &str = "taken as applicable: an evidence profile has no ICS from the manufacturer";

impl EvidenceFile {
    pub fn load(
        file: &Path,
        catalogue: &crate::standard::catalogue::Catalogue,
    ) -> Result<Profile, ConfigErrors> {
        let raw: EvidenceFile = yaml::load(file)?;
        let ics = catalogue
            .provisions
            .iter()
            .map(|p| {
                let row = IcsRow {
                    support: Support::Y,
                    detail: NO_ICS.into(),
                };
                (p.id.clone(), Located::unplaced(row))
            })
            .collect();
        let profile = ProfileFile {
            profile: raw.evidence,
            product: raw.product,
            ics: Located::unplaced(ics),
            ixit: Ixit {
                auth_mechanisms: raw.logins,
                services: raw.services,
                software_components: Located::default(),
                update_mechanisms: Located::default(),
                disclosed_without_authentication: vec![],
                debug_interfaces: vec![],
                security_parameters: None,
                outbound: None,
                configuration_functions: vec![],
                resilience: None,
                inputs: vec![],
            },
            console: raw.console,
            procedures: raw.procedures.unwrap_or(Procedures {
                factory_reset: vec![],
                initialize: vec![],
                read_version: vec![],
            }),
            update: None,
            psti: Some(raw.psti),
        };
        let mut profile = super::profile_checks::validate(file, profile).map_err(|e| {
            // The checks speak of a device profile's keys; this file names them its own way.
            let own = |t: &str| {
                t.replace("ixit.auth_mechanisms", "logins")
                    .replace("ixit.services", "services")
            };
            ConfigErrors(
                e.0.into_iter()
                    .map(|mut err| {
                        err.key_path = own(&err.key_path);
                        err.problem = own(&err.problem);
                        err
                    })
                    .collect(),
            )
        })?;
        profile.evidence_only = true;
        Ok(profile)
    }
}
