//! What the UK PSTI regime (SI 2023/1007) asks of a product beyond its passwords, as the person
//! assessing it found it: where the manufacturer publishes how to report security issues and the
//! defined support period, the statement of compliance that came with the product, and the
//! officer's own confirmations of what no program can judge. A manufacturer's device profile may
//! carry it (`psti:`), and an officer's evidence profile always does.

use super::error::ConfigError;
use super::located::Located;
use super::yaml;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PstiSection {
    /// The product as it was obtained (ISO/IEC 17025 7.8.2.1 e asks for the item's identity).
    #[serde(default)]
    pub as_sold: AsSold,
    #[serde(default)]
    pub published: PublishedSources,
    /// The statement of compliance shipped with the product, as written on it.
    #[serde(default)]
    pub statement_of_compliance: Option<Located<Statement>>,
    /// The assessor's answers to what only a person can judge, by question id (`hilt psti`
    /// lists the ids): true, false, or left out while not yet confirmed.
    #[serde(default)]
    pub confirmations: BTreeMap<String, Located<Confirmation>>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AsSold {
    #[serde(default)]
    pub hardware_revision: Option<String>,
    #[serde(default)]
    pub batch: Option<String>,
    /// Where and when it was bought, or how it was obtained.
    #[serde(default)]
    pub obtained_from: Option<String>,
    #[serde(default)]
    pub obtained_on: Option<Date>,
}

/// Where the manufacturer claims to publish what Schedule 1 paragraphs 2 and 3 ask for.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishedSources {
    /// The manufacturer's web origin (`https://vendor.example`): its
    /// `/.well-known/security.txt` (RFC 9116) is fetched and parsed.
    #[serde(default)]
    pub security_txt: Option<Located<String>>,
    /// Pages that say how to report security issues (Schedule 1 paragraph 2; EN 303 645 5.2-1).
    #[serde(default)]
    pub disclosure_policy: Vec<Located<String>>,
    /// Pages that state the defined support period (Schedule 1 paragraph 3; EN 303 645 5.3-13).
    #[serde(default)]
    pub support_period: Vec<Located<String>>,
    /// Host name -> IP address used instead of DNS (an offline bench, a mirror, a test); the
    /// port is the URL's.
    #[serde(default)]
    pub resolve: BTreeMap<String, Located<String>>,
    /// CA certificates (PEM files, relative to this file) trusted besides the system's.
    #[serde(default)]
    pub trust: Vec<Located<String>>,
}

/// The minimum content of a statement of compliance (SI 2023/1007 Schedule 3), field by field;
/// a field the paper lacks is left out, and hilt reports it missing.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(default)]
    pub product_type: Option<String>,
    #[serde(default)]
    pub batch: Option<String>,
    #[serde(default)]
    pub manufacturer_name: Option<String>,
    #[serde(default)]
    pub manufacturer_address: Option<String>,
    /// It says it was prepared by or on behalf of the manufacturer.
    #[serde(default)]
    pub prepared_by_or_for_manufacturer: bool,
    /// It says that, in the manufacturer's opinion, the security requirements are met.
    #[serde(default)]
    pub declares_compliance: bool,
    #[serde(default)]
    pub support_period: Option<SupportPeriod>,
    #[serde(default)]
    pub signatory_name: Option<String>,
    #[serde(default)]
    pub signatory_function: Option<String>,
    #[serde(default)]
    pub signed: bool,
    #[serde(default)]
    pub place_of_issue: Option<String>,
    #[serde(default)]
    pub date_of_issue: Option<Date>,
    /// A firmware version the statement names, compared with what the units report.
    #[serde(default)]
    pub firmware_version: Option<String>,
}

/// A defined support period: an end date, or a length from a stated start.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum SupportPeriod {
    Until(Date),
    /// A length in whole months or years, e.g. `5 years`, `36 months`.
    Length(Length),
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    pub answer: bool,
    /// What the assessor saw, in their words.
    #[serde(default)]
    pub note: String,
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub chrono::NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Date)
            .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a date YYYY-MM-DD")))
    }
}

impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date"})
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// Whole months: the unit support periods are stated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Length {
    pub months: u32,
}

impl Length {
    pub fn parse(text: &str) -> Option<Length> {
        let mut words = text.split_whitespace();
        let n: u32 = words.next()?.parse().ok()?;
        let unit = words.next()?.to_ascii_lowercase();
        if words.next().is_some() || n == 0 {
            return None;
        }
        match unit.trim_end_matches('s') {
            "year" => Some(Length { months: n * 12 }),
            "month" => Some(Length { months: n }),
            _ => None,
        }
    }
}

impl std::fmt::Display for Length {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.months {
            m if m % 12 == 0 => write!(f, "{} years", m / 12),
            m => write!(f, "{m} months"),
        }
    }
}

impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Length::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not a length like `5 years` or `36 months`"
            ))
        })
    }
}

impl schemars::JsonSchema for Length {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Length".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^\\s*[1-9][0-9]*\\s+(years?|months?)\\s*$"})
    }
}

/// The checks made once the section parsed: every URL is an https/http URL, every resolve entry
/// an IP address, every trusted CA file present. `key` is where the section sits.
pub fn validate(file: &Path, key: &str, section: &PstiSection) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let p = &section.published;
    let urls = p
        .security_txt
        .iter()
        .map(|u| (u, format!("{key}.published.security_txt")))
        .chain(
            p.disclosure_policy
                .iter()
                .enumerate()
                .map(|(i, u)| (u, format!("{key}.published.disclosure_policy[{i}]"))),
        )
        .chain(
            p.support_period
                .iter()
                .enumerate()
                .map(|(i, u)| (u, format!("{key}.published.support_period[{i}]"))),
        );
    for (url, path) in urls {
        match reqwest::Url::parse(&url.value) {
            Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => {}
            _ => errors.push(yaml::at(
                file,
                url,
                path,
                format!("expected an http(s) URL with a host, found `{}`", url.value),
            )),
        }
    }
    for (host, addr) in &p.resolve {
        if addr.value.parse::<std::net::IpAddr>().is_err() {
            errors.push(yaml::at(
                file,
                addr,
                format!("{key}.published.resolve.{host}"),
                format!(
                    "expected an IP address, like 192.0.2.10 (the port is the URL's), found `{}`",
                    addr.value
                ),
            ));
        }
    }
    for (i, ca) in p.trust.iter().enumerate() {
        let at = file.parent().unwrap_or(Path::new(".")).join(&ca.value);
        if !at.is_file() {
            errors.push(yaml::at(
                file,
                ca,
                format!("{key}.published.trust[{i}]"),
                format!(
                    "expected a PEM file of CA certificates; {} does not exist",
                    at.display()
                ),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_months_or_years() {
        assert_eq!(Length::parse("5 years"), Some(Length { months: 60 }));
        assert_eq!(Length::parse("1 year"), Some(Length { months: 12 }));
        assert_eq!(Length::parse("36 months"), Some(Length { months: 36 }));
        assert_eq!(Length::parse("0 years"), None);
        assert_eq!(Length::parse("5 fortnights"), None);
        assert_eq!(Length::parse("five years"), None);
        assert_eq!(Length { months: 60 }.to_string(), "5 years");
    }
}
