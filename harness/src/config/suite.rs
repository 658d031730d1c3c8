//! A suite: which TS 103 701 test cases run, with their parameters and decision rules.

use super::duration::Dur;
use super::error::{ConfigError, ConfigErrors};
use super::yaml;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteFile {
    pub suite: String,
    pub standards: Standards,
    pub cases: Cases,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standards {
    pub en_303_645: String,
    pub ts_103_701: String,
}

/// One optional entry per implemented test case; a case left out does not run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cases {
    #[serde(rename = "5.1-1-2", default)]
    pub passwords_unique: Option<PasswordsUnique>,
    #[serde(rename = "5.1-2-2", default)]
    pub password_generation: Option<PasswordGeneration>,
    #[serde(rename = "5.1-5-2", default)]
    pub brute_force: Option<BruteForce>,
    #[serde(rename = "5.6-1-2", default)]
    pub interfaces_declared: Option<InterfacesDeclared>,
    #[serde(rename = "5.6-2-2", default)]
    pub no_unauthenticated_disclosure: Option<NoUnauthenticatedDisclosure>,
    #[serde(rename = "5.6-4-2", default)]
    pub debug_interfaces_disabled: Option<DebugInterfacesDisabled>,
    #[serde(rename = "5.4-3-2", default)]
    pub no_hard_coded_secrets: Option<NoHardCodedSecrets>,
    #[serde(rename = "5.5-1-2", default)]
    pub secure_communication: Option<SecureCommunication>,
    #[serde(rename = "5.3-2-2", default)]
    pub update_misuse: Option<UpdateMisuse>,
    #[serde(rename = "5.3-1-2", default)]
    pub every_update_mechanism: Option<EveryUpdateMechanism>,
    #[serde(rename = "5.3-10-1", default)]
    pub update_paths_declared: Option<UpdatePathsDeclared>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateMisuse {
    /// Percentage of the valid image sent before the unit's power is cut.
    #[serde(default = "half")]
    pub power_cut_at_percent: Spanned<u8>,
    #[serde(default = "two_seconds")]
    pub power_off_for: Dur,
}

/// 5.6-2-2 has no settings of its own: it reads the 5.6-1-2 scans.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoUnauthenticatedDisclosure {}

/// What to read comes from the profile, how to reach it from the rig.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DebugInterfacesDisabled {
    /// Universal default-credential lists (as 5.1-1-2's) tried at a UART login prompt the
    /// profile does not declare; absent: the prompt is reported without trying any.
    #[serde(default)]
    pub corpus: Vec<Spanned<String>>,
}

/// 5.4-3-2 has no settings: it scans the 5.6-4-2 memory read and the profile's lab images.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoHardCodedSecrets {}

/// 5.5-1-2 has no settings of its own: it probes the ports the 5.6-1-2 scan found open.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecureCommunication {}

/// 5.3-1-2 has no settings: it reads the 5.3-2-2 battery run against every mechanism.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EveryUpdateMechanism {}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatePathsDeclared {
    /// Lists of HTTP paths where update uploads are commonly found, one per line, relative to the suite.
    pub http_paths: Vec<Spanned<String>>,
}

fn half() -> Spanned<u8> {
    Spanned::new(
        50,
        serde_saphyr::Location::UNKNOWN,
        serde_saphyr::Location::UNKNOWN,
    )
}
fn two_seconds() -> Dur {
    Dur(std::time::Duration::from_secs(2))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordsUnique {
    /// Universal default-credential lists (CSV: entry,username,password[,...]) relative to the suite.
    pub corpus: Vec<Spanned<String>>,
    /// Pause between two login attempts, so a lockout is not provoked by the harness itself.
    #[serde(default = "no_pause")]
    pub pause_between_attempts: Dur,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordGeneration {
    /// Default-credential data a pre-installed password must not be in (same CSV format).
    pub corpus: Vec<Spanned<String>>,
    /// Two pre-installed passwords whose numeric parts differ by at most this are counted as a counter.
    #[serde(default = "default_counter_delta")]
    pub counter_max_delta: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BruteForce {
    /// Never more wrong-credential attempts than this per mechanism.
    pub max_attempts: u32,
    /// Time between two attempts.
    pub pace: Dur,
    /// Failures beyond the declared threshold tolerated before the prevention counts as absent.
    #[serde(default)]
    pub tolerance: u32,
}

fn no_pause() -> Dur {
    Dur(std::time::Duration::ZERO)
}
fn default_counter_delta() -> u64 {
    16
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterfacesDeclared {
    /// e.g. `1-65535` or `1-1024,8080`.
    pub tcp_ports: Spanned<String>,
    pub concurrency: Spanned<usize>,
    pub connect_timeout: Dur,
    /// UDP ports to probe, same syntax; absent: no UDP discovery.
    #[serde(default)]
    pub udp_ports: Option<Spanned<String>>,
    /// How long a UDP port may stay silent before it counts as open|filtered.
    #[serde(default = "one_second")]
    pub udp_wait: Dur,
}

fn one_second() -> Dur {
    Dur(std::time::Duration::from_secs(1))
}

#[derive(Debug, Clone)]
pub struct Suite {
    pub file: PathBuf,
    pub body: SuiteFile,
    pub tcp_ports: Vec<u16>,
    pub udp_ports: Vec<u16>,
}

impl Suite {
    pub fn load(file: &Path) -> Result<Suite, ConfigErrors> {
        let raw: SuiteFile = yaml::load(file)?;
        let mut errors = Vec::new();
        let mut tcp_ports = Vec::new();
        let mut udp_ports = Vec::new();
        let corpora = [
            (
                "5.1-1-2",
                raw.cases.passwords_unique.as_ref().map(|p| &p.corpus),
            ),
            (
                "5.1-2-2",
                raw.cases.password_generation.as_ref().map(|p| &p.corpus),
            ),
            (
                "5.6-4-2",
                raw.cases
                    .debug_interfaces_disabled
                    .as_ref()
                    .map(|p| &p.corpus),
            ),
        ];
        for (case, list) in corpora {
            for (i, c) in list.into_iter().flatten().enumerate() {
                let path = resolve(file, &c.value);
                if !path.is_file() {
                    let key = format!("cases.{case}.corpus[{i}]");
                    errors.push(yaml::at(
                        file,
                        c,
                        key,
                        format!("no credential list at {}", path.display()),
                    ));
                }
            }
        }
        if let Some(s) = &raw.cases.interfaces_declared {
            match parse_port_ranges(&s.tcp_ports.value) {
                Ok(p) => tcp_ports = p,
                Err(e) => errors.push(yaml::at(file, &s.tcp_ports, "cases.5.6-1-2.tcp_ports", e)),
            }
            if let Some(u) = &s.udp_ports {
                match parse_port_ranges(&u.value) {
                    Ok(p) => udp_ports = p,
                    Err(e) => errors.push(yaml::at(file, u, "cases.5.6-1-2.udp_ports", e)),
                }
            }
            if !(1..=4096).contains(&s.concurrency.value) {
                errors.push(yaml::at(
                    file,
                    &s.concurrency,
                    "cases.5.6-1-2.concurrency",
                    "expected 1 to 4096 connections in flight",
                ));
            }
        }
        if let Some(u) = &raw.cases.update_misuse {
            if u.power_cut_at_percent.value > 100 {
                errors.push(yaml::at(
                    file,
                    &u.power_cut_at_percent,
                    "cases.5.3-2-2.power_cut_at_percent",
                    "expected a percentage from 0 to 100",
                ));
            }
        }
        for (i, c) in raw
            .cases
            .update_paths_declared
            .iter()
            .flat_map(|u| &u.http_paths)
            .enumerate()
        {
            let path = resolve(file, &c.value);
            if !path.is_file() {
                errors.push(yaml::at(
                    file,
                    c,
                    format!("cases.5.3-10-1.http_paths[{i}]"),
                    format!("no path list at {}", path.display()),
                ));
            }
        }
        let c = &raw.cases;
        if c.passwords_unique.is_none()
            && c.password_generation.is_none()
            && c.brute_force.is_none()
            && c.interfaces_declared.is_none()
            && c.update_misuse.is_none()
            && c.no_unauthenticated_disclosure.is_none()
            && c.every_update_mechanism.is_none()
            && c.update_paths_declared.is_none()
            && c.debug_interfaces_disabled.is_none()
            && c.no_hard_coded_secrets.is_none()
            && c.secure_communication.is_none()
        {
            errors.push(ConfigError::whole_file(
                file,
                "`cases` names no test case; expected at least one of 5.1-1-2, 5.1-2-2, 5.1-5-2, 5.3-1-2, 5.3-2-2, 5.3-10-1, 5.6-1-2, 5.6-2-2",
            ));
        }
        if errors.is_empty() {
            Ok(Suite {
                file: file.to_path_buf(),
                body: raw,
                tcp_ports,
                udp_ports,
            })
        } else {
            Err(ConfigErrors(errors))
        }
    }

    pub fn path_of(&self, relative: &str) -> PathBuf {
        resolve(&self.file, relative)
    }
}

fn resolve(file: &Path, relative: &str) -> PathBuf {
    file.parent().unwrap_or(Path::new(".")).join(relative)
}

pub fn parse_port_ranges(text: &str) -> Result<Vec<u16>, String> {
    let expected = "expected ports or ranges from 1 to 65535, like `1-65535` or `22,80,8000-8100`";
    let mut ports = Vec::new();
    for part in text.split(',').map(str::trim) {
        let (lo, hi) = part.split_once('-').unwrap_or((part, part));
        let lo: u16 = lo
            .trim()
            .parse()
            .map_err(|_| format!("`{part}`: {expected}"))?;
        let hi: u16 = hi
            .trim()
            .parse()
            .map_err(|_| format!("`{part}`: {expected}"))?;
        if lo == 0 || hi < lo {
            return Err(format!("`{part}`: {expected}"));
        }
        ports.extend(lo..=hi);
    }
    ports.sort_unstable();
    ports.dedup();
    Ok(ports)
}

#[cfg(test)]
mod tests {
    use super::parse_port_ranges;

    #[test]
    fn port_ranges() {
        assert_eq!(parse_port_ranges("1-65535").unwrap().len(), 65535);
        assert_eq!(
            parse_port_ranges("80, 22,20-22").unwrap(),
            vec![20, 21, 22, 80]
        );
        assert!(parse_port_ranges("0-10").is_err());
        assert!(parse_port_ranges("10-5").is_err());
        assert!(parse_port_ranges("http").is_err());
    }
}
