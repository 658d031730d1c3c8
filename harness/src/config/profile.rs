//! A device profile: one product type as its manufacturer declares it (ICS + IXIT), plus the
//! procedures that drive it. The IXIT entries are the oracle the test cases compare against.

pub use super::auth_mechanism::{
    AuthFactor, AuthMechanism, BruteForcePrevention, CharClass, GenerationRule, HttpLogin,
    LoginSurface, PlainLogin, PromptLogin, RtspLogin, SshLogin,
};
use super::error::ConfigErrors;
use super::located::Located;
use super::pattern::Pattern;
use super::procedure::Step;
use super::update::{UpdateMaterial, UpdateMechanism};
use super::yaml;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    pub profile: String,
    pub product: Product,
    /// EN 303 645 Annex B: provision id -> support.
    pub ics: Located<BTreeMap<String, Located<IcsRow>>>,
    pub ixit: Ixit,
    #[serde(default)]
    pub console: Option<ConsoleDialect>,
    pub procedures: Procedures,
    /// Image layout and the lab's valid images, for the update battery.
    #[serde(default)]
    pub update: Option<UpdateMaterial>,
    /// What the UK PSTI regime asks beyond the tests: published information and the statement
    /// of compliance (every report then has a PSTI view).
    #[serde(default)]
    pub psti: Option<super::psti::PstiSection>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub manufacturer: String,
    pub model: String,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IcsRow {
    pub support: Support,
    #[serde(default)]
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum Support {
    Y,
    N,
    #[serde(rename = "N/A")]
    NotApplicable,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ixit {
    /// IXIT 1-AuthMech.
    pub auth_mechanisms: Vec<Located<AuthMechanism>>,
    /// IXIT 13-SoftServ / 15-Intf, network side.
    pub services: Vec<Located<Service>>,
    /// IXIT 6-SoftComp: the software components and which IXIT 7 mechanisms update each.
    #[serde(default)]
    pub software_components: Located<Vec<Located<SoftwareComponent>>>,
    /// IXIT 7-UpdMech.
    #[serde(default)]
    pub update_mechanisms: Located<Vec<Located<UpdateMechanism>>>,
    /// The unit's identifiers the manufacturer declares as given out without authentication
    /// (5.6-2); any other one found in an unauthenticated answer fails 5.6-2-2.
    #[serde(default)]
    pub disclosed_without_authentication: Vec<Disclosure>,
    /// Physical debug interfaces of the product (IXIT 15), each disabled in software (5.6-4).
    #[serde(default)]
    pub debug_interfaces: Vec<Located<super::debug_interface::DebugInterface>>,
    /// IXIT 11-ComMech, the unit as a client: the connections it opens itself. Absent: not
    /// declared, and 5.5-1-2 judges those sessions against best practice only; an empty list
    /// declares that the unit opens none.
    #[serde(default)]
    pub outbound: Option<Vec<Located<super::outbound::Outbound>>>,
    /// IXIT 10-SecParam. Absent: not supplied, so 5.4-3-2 can judge a secret found in one
    /// sample only by comparison with the others.
    #[serde(default)]
    pub security_parameters: Option<Vec<Located<super::security_parameter::SecurityParameter>>>,
    /// IXIT 13 "Allows Configuration": the functions that change security-relevant settings
    /// (5.5-5).
    #[serde(default)]
    pub configuration_functions: Vec<Located<super::configuration_function::ConfigurationFunction>>,
    /// IXIT 23 "Resilience Mechanisms" (5.9-2).
    #[serde(default)]
    pub resilience: Option<super::resilience::Resilience>,
    /// IXIT 27 user interfaces and IXIT 28 external APIs that take input (5.13-1), besides the
    /// logins and configuration functions declared above.
    #[serde(default)]
    pub inputs: Vec<Located<super::declared_input::DeclaredInput>>,
}

/// One IXIT 6 entry: a software component and the update mechanisms that update it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SoftwareComponent {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// Ids of `ixit.update_mechanisms` (IXIT 7); empty for a component that is not updateable.
    #[serde(default)]
    pub update_mechanisms: Vec<Located<String>>,
    /// Why a component with no update mechanism is not updateable (5.3-1-1 asks for it).
    #[serde(default)]
    pub not_updateable_because: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    FirmwareVersion,
    Serial,
    Mac,
    /// Versions of the software components (daemons, libraries, the OS kernel), as SSH
    /// identification strings, `Server:` headers and discovery descriptions carry them.
    ComponentVersions,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: Located<String>,
    pub protocol: Protocol,
    pub port: Located<u16>,
    #[serde(default)]
    pub purpose: String,
    /// Declared state in the initialized product.
    pub enabled: bool,
    /// The service runs over TLS with these cryptographic details (IXIT 11); absent: plain.
    #[serde(default)]
    pub tls: Option<super::crypto::TlsDetails>,
}

impl Service {
    pub fn endpoint(&self) -> crate::config::endpoint::Endpoint {
        crate::config::endpoint::Endpoint {
            port: self.port.value,
            tls: self.tls.is_some(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
}

/// How the unit's console talks: what hilt waits for at the UART.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsoleDialect {
    pub login: PromptLogin,
    /// Output that means the unit crashed; seeing one ends the wait with an error.
    #[serde(default)]
    pub death_strings: Vec<Pattern>,
    /// What the console prints at every start (a boot loader's or kernel's banner): seen when
    /// hilt did not restart the unit, it means the unit restarted itself.
    #[serde(default)]
    pub boot_banner: Option<Pattern>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Procedures {
    pub factory_reset: Vec<Located<Step>>,
    pub initialize: Vec<Located<Step>>,
    #[serde(default)]
    pub read_version: Vec<Located<Step>>,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub file: PathBuf,
    pub body: ProfileFile,
    /// Made from an officer's evidence profile: nothing in it is the manufacturer's declaration,
    /// so there is no IXIT to hold what is found against.
    pub evidence_only: bool,
}

/// Placeholders every procedure may use without defining them first.
pub const BUILT_IN_VARIABLES: &[&str] = &[
    "label.serial",
    "label.mac",
    "label.password",
    "label.username",
    "username",
    "password",
    "new_password",
    "ms",
];

impl Profile {
    pub fn load(file: &Path) -> Result<Profile, ConfigErrors> {
        let raw: ProfileFile = yaml::load(file)?;
        super::profile_checks::validate(file, raw)
    }

    pub fn ics(&self, provision: &str) -> Option<&IcsRow> {
        self.body.ics.get(provision).map(|r| &r.value)
    }

    /// The console's boot banner, when the profile declares one.
    pub fn boot_banner(&self) -> Option<&Pattern> {
        self.body.console.as_ref()?.boot_banner.as_ref()
    }

    /// Console output that means the unit crashed (empty when the profile has no console).
    pub fn death_strings(&self) -> Vec<Pattern> {
        self.body
            .console
            .as_ref()
            .map(|c| c.death_strings.clone())
            .unwrap_or_default()
    }

    /// A file named in the profile, relative to the profile.
    pub fn resolve(&self, relative: &str) -> PathBuf {
        self.file.parent().unwrap_or(Path::new(".")).join(relative)
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        let services = self.body.ixit.services.iter();
        services.map(|s| &s.value).find(|s| s.id.value == id)
    }

    /// The IXIT 1 mechanism with this id.
    pub fn auth_mechanism(&self, id: &str) -> Option<&AuthMechanism> {
        let mechanisms = self.body.ixit.auth_mechanisms.iter();
        mechanisms.map(|m| &m.value).find(|m| m.id == id)
    }

    /// The declared debug interfaces of one kind (IXIT 15), in profile order.
    pub fn debug_interfaces(
        &self,
        kind: super::debug_interface::DebugKind,
    ) -> Vec<&super::debug_interface::DebugInterface> {
        let all = &self.body.ixit.debug_interfaces;
        all.iter()
            .map(|d| &d.value)
            .filter(|d| d.kind == kind)
            .collect()
    }
}
