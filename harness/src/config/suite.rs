//! A suite: which TS 103 701 test cases run, with their parameters and decision rules.
//!
//! `facts:` configures what is learnt once per sample and read by several cases (the scans, the
//! update battery, the factory-default probe). `cases:` names each case to run; its parameters
//! are read by the case itself (`cases::registry`), so this module knows no case.

use super::duration::Dur;
use super::error::{ConfigError, ConfigErrors};
use super::located::Located;
use super::yaml;
use crate::standard::catalogue::{self, Catalogue};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuiteFile {
    pub suite: String,
    pub standards: Standards,
    #[serde(default)]
    pub facts: FactSettings,
    /// How long each case may run on one sample before it is stopped (INCONCLUSIVE).
    #[serde(default)]
    pub budgets: super::budgets::Budgets,
    /// Test case id -> its parameters (read by the case); a case left out does not run.
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub cases: Located<BTreeMap<String, Located<IgnoredAny>>>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Standards {
    /// The version of EN 303 645, which picks the catalogue (`hilt catalogue` lists them).
    pub en_303_645: Located<String>,
    pub ts_103_701: String,
}

/// Settings of the facts several cases share; a section left out leaves its fact unconfigured
/// (cases that need it are refused by `hilt check`) or at its stated default.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactSettings {
    /// The unit's open TCP ports and answering UDP ports (read by 5.1-1-2, 5.5-1-2, 5.6-1-2,
    /// 5.6-2-2).
    #[serde(default)]
    pub scan: Option<ScanSettings>,
    /// The update battery (read by 5.3-2-2 and 5.3-1-2); absent: a cut at 50 %, 2 s off.
    #[serde(default)]
    pub update_battery: Option<UpdateBatterySettings>,
    /// The factory-default probe of user-defined logins before initialization.
    #[serde(default)]
    pub factory_default: FactoryDefaultSettings,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanSettings {
    /// e.g. `1-65535` or `1-1024,8080`.
    pub tcp_ports: Located<String>,
    pub concurrency: Located<usize>,
    pub connect_timeout: Dur,
    /// UDP ports to probe, same syntax; absent: no UDP discovery.
    #[serde(default)]
    pub udp_ports: Option<Located<String>>,
    /// How long a UDP port may stay silent before it counts as open|filtered.
    #[serde(default = "one_second")]
    pub udp_wait: Dur,
    /// How long a slow second pass may spend on the ports left open|filtered, proving closed
    /// the ones a unit's ICMP rate limit hid; 0s: no second pass.
    #[serde(default = "half_a_minute")]
    pub udp_retry_budget: Dur,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBatterySettings {
    /// Percentage of the valid image sent before the unit's power is cut.
    #[serde(default = "half")]
    pub power_cut_at_percent: Located<u8>,
    #[serde(default = "two_seconds")]
    pub power_off_for: Dur,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactoryDefaultSettings {
    /// Default-credential lists whose entries for a user-defined account's name are tried
    /// before initialization, after the empty password, the account name and the label's.
    #[serde(default)]
    pub corpus: Vec<Located<String>>,
}

/// A section of `facts:` a test case may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactSection {
    Scan,
}

impl FactSection {
    pub fn key(self) -> &'static str {
        match self {
            FactSection::Scan => "scan",
        }
    }

    pub fn what(self) -> &'static str {
        match self {
            FactSection::Scan => "the unit's open ports (the TCP and UDP scans)",
        }
    }

    pub fn configured(self, facts: &FactSettings) -> bool {
        match self {
            FactSection::Scan => facts.scan.is_some(),
        }
    }

    /// The section's settings as they apply (defaults filled in), when it is configured.
    pub fn settings(self, facts: &FactSettings) -> Option<serde_json::Value> {
        match self {
            FactSection::Scan => facts
                .scan
                .as_ref()
                .and_then(|s| serde_json::to_value(s).ok()),
        }
    }
}

fn half() -> Located<u8> {
    Located::unplaced(50)
}
fn two_seconds() -> Dur {
    Dur(std::time::Duration::from_secs(2))
}
fn half_a_minute() -> Dur {
    Dur(std::time::Duration::from_secs(30))
}

fn one_second() -> Dur {
    Dur(std::time::Duration::from_secs(1))
}

#[derive(Debug, Clone)]
pub struct Suite {
    pub file: PathBuf,
    /// The file's text, from which each case reads its own entry.
    pub text: String,
    pub body: SuiteFile,
    pub tcp_ports: Vec<u16>,
    pub udp_ports: Vec<u16>,
}

impl Suite {
    pub fn load(file: &Path) -> Result<Suite, ConfigErrors> {
        // Kept: each case reads its own entry from it.
        let text = yaml::read(file)?;
        let raw: SuiteFile = yaml::parse(file, &text)?;
        let mut errors = Vec::new();
        let mut tcp_ports = Vec::new();
        let mut udp_ports = Vec::new();
        let facts = &raw.facts;
        errors.extend(check_files(
            file,
            "facts.factory_default.corpus",
            &facts.factory_default.corpus,
            "credential list",
        ));
        if let Some(s) = &facts.scan {
            match parse_port_ranges(&s.tcp_ports.value) {
                Ok(p) => tcp_ports = p,
                Err(e) => errors.push(yaml::at(file, &s.tcp_ports, "facts.scan.tcp_ports", e)),
            }
            if let Some(u) = &s.udp_ports {
                match parse_port_ranges(&u.value) {
                    Ok(p) => udp_ports = p,
                    Err(e) => errors.push(yaml::at(file, u, "facts.scan.udp_ports", e)),
                }
            }
            if !(1..=4096).contains(&s.concurrency.value) {
                errors.push(yaml::at(
                    file,
                    &s.concurrency,
                    "facts.scan.concurrency",
                    "expected 1 to 4096 connections in flight",
                ));
            }
        }
        if let Some(u) = &facts.update_battery {
            if u.power_cut_at_percent.value > 100 {
                errors.push(yaml::at(
                    file,
                    &u.power_cut_at_percent,
                    "facts.update_battery.power_cut_at_percent",
                    "expected a percentage from 0 to 100",
                ));
            }
        }
        if catalogue::for_version(&raw.standards.en_303_645).is_none() {
            errors.push(yaml::at(
                file,
                &raw.standards.en_303_645,
                "standards.en_303_645",
                format!(
                    "no catalogue of EN 303 645 {}; expected one of {}",
                    raw.standards.en_303_645.value,
                    catalogue::versions().join(", ")
                ),
            ));
        }
        for (id, budget) in &raw.budgets.cases {
            if !raw.cases.contains_key(id) {
                errors.push(yaml::at(
                    file,
                    budget,
                    format!("budgets.cases.{id}"),
                    format!(
                        "`{id}` is not a test case this suite runs; expected one of its `cases`"
                    ),
                ));
            }
        }
        if raw.cases.is_empty() {
            errors.push(yaml::at_location(
                file,
                &raw.cases.at,
                "cases",
                "`cases` names no test case; expected at least one (`hilt run --list` shows them)",
            ));
        }
        if errors.is_empty() {
            Ok(Suite {
                file: file.to_path_buf(),
                text,
                body: raw,
                tcp_ports,
                udp_ports,
            })
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// The catalogue of the standard's version the suite names (checked when loaded).
    pub fn catalogue(&self) -> &'static Catalogue {
        catalogue::for_version(&self.body.standards.en_303_645)
            .or_else(|| catalogue::built_in().first())
            .expect("a catalogue is built in")
    }

    pub fn path_of(&self, relative: &str) -> PathBuf {
        resolve(&self.file, relative)
    }

    /// Whether the suite names the test case.
    pub fn lists(&self, case: &str) -> bool {
        self.body.cases.contains_key(case)
    }

    /// Where the suite names the test case (or its `cases:` section, when it does not).
    pub fn entry_at(&self, case: &str) -> serde_saphyr::Location {
        self.body
            .cases
            .get(case)
            .map(|e| e.at)
            .unwrap_or(self.body.cases.at)
    }

    /// The parameters of test case `case` as its own type; `None` when the suite leaves it out.
    pub fn case_params<T: DeserializeOwned>(&self, case: &str) -> Result<Option<T>, ConfigError> {
        yaml::parse_entry(&self.file, &self.text, &["cases", case])
    }
}

/// Each listed file (relative to the suite) must exist: one error per missing one, at its entry.
pub fn check_files(
    suite: &Path,
    key: &str,
    files: &[Located<String>],
    what: &str,
) -> Vec<ConfigError> {
    files
        .iter()
        .enumerate()
        .filter(|(_, f)| !resolve(suite, &f.value).is_file())
        .map(|(i, f)| {
            let path = resolve(suite, &f.value);
            yaml::at(
                suite,
                f,
                format!("{key}[{i}]"),
                format!("no {what} at {}", path.display()),
            )
        })
        .collect()
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
    use super::*;

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

    #[derive(Debug, Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct Params {
        attempts: u32,
    }

    #[test]
    fn a_case_reads_its_own_entry_with_its_own_location() {
        let file = Path::new("suite.yaml");
        let text = "suite: s\ncases:\n  \"a\": { attempts: 3 }\n  \"b\":\n    attempts: lots\n";
        let a: Option<Params> = yaml::parse_entry(file, text, &["cases", "a"]).unwrap();
        assert_eq!(a.unwrap().attempts, 3);
        let absent: Option<Params> = yaml::parse_entry(file, text, &["cases", "c"]).unwrap();
        assert!(absent.is_none());
        let e = yaml::parse_entry::<Params>(file, text, &["cases", "b"]).unwrap_err();
        assert_eq!(
            (e.line, e.key_path.as_str()),
            (5, "cases.b.attempts"),
            "{e}"
        );
    }
}
