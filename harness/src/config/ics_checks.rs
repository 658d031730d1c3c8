//! The ICS against the catalogue of the suite's version of EN 303 645 (Annex B's rules): a row
//! for every provision, only known provisions, N/A only where the provision is conditional, and
//! a reason for every N and N/A (4-1 asks it of recommendations, the pro forma of all).

use super::error::ConfigError;
use super::profile::{Profile, Support};
use super::yaml;
use crate::standard::catalogue::Catalogue;

pub fn ics_meets_catalogue(profile: &Profile, catalogue: &Catalogue) -> Vec<ConfigError> {
    let file = &profile.file;
    let ics = &profile.body.ics;
    let standard = format!("{} {}", catalogue.standard, catalogue.version);
    let mut errors = Vec::new();
    for (id, row) in ics.iter() {
        let path = format!("ics.{id}");
        let Some(provision) = catalogue.provision(id) else {
            errors.push(yaml::at(
                file,
                row,
                path,
                format!("{standard} has no provision `{id}`; expected an id of Annex B such as \"5.1-1\" or \"6-3\""),
            ));
            continue;
        };
        if row.support == Support::NotApplicable && !provision.may_be_not_applicable() {
            errors.push(yaml::at(
                file,
                row,
                format!("{path}.support"),
                format!(
                    "provision {id} is {} with no condition in Annex B, so it always applies; expected Y or N (with the reason in `detail`)",
                    provision.status_text()
                ),
            ));
        }
        if row.support != Support::Y && row.detail.trim().is_empty() {
            errors.push(yaml::at(
                file,
                row,
                format!("{path}.detail"),
                "a provision not supported or not applicable needs its justification (EN 303 645 4-1); expected a non-empty `detail`",
            ));
        }
    }
    let missing: Vec<&str> = catalogue
        .provisions
        .iter()
        .map(|p| p.id.as_str())
        .filter(|id| !ics.contains_key(*id))
        .collect();
    if !missing.is_empty() {
        errors.push(yaml::at(
            file,
            ics,
            "ics",
            format!(
                "the ICS has no row for {} ({} of {} provisions); expected a row for every provision of {standard}, N/A with its justification where Annex B's condition does not hold (`hilt catalogue` lists them)",
                missing.join(", "),
                missing.len(),
                catalogue.provisions.len()
            ),
        ));
    }
    errors
}
