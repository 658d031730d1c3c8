//! JSON Schemas of the three config files and the catalogue, for editors (the yaml-language-server modeline the
//! shipped files start with) and for CI. The suite's schema gathers each test case's own
//! parameters from the case table, so it always matches what `hilt check` accepts.

use crate::cases;
use crate::config::assessment::AssessmentFile;
use crate::config::profile::ProfileFile;
use crate::config::rig::RigFile;
use crate::config::suite::SuiteFile;
use crate::standard::catalogue::Catalogue;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};

pub const KINDS: [&str; 6] = [
    "rig",
    "profile",
    "suite",
    "catalogue",
    "assessment",
    "evidence",
];

/// The schema of one kind of config file, or None for an unknown kind.
pub fn of(kind: &str) -> Option<Schema> {
    match kind {
        "rig" => Some(root::<RigFile>("hilt rig")),
        "profile" => Some(root::<ProfileFile>("hilt device profile")),
        "suite" => Some(suite()),
        "catalogue" => Some(root::<Catalogue>("hilt catalogue of EN 303 645")),
        "assessment" => Some(root::<AssessmentFile>("hilt assessment")),
        "evidence" => Some(root::<crate::config::evidence::EvidenceFile>(
            "hilt evidence profile (PSTI, without the manufacturer)",
        )),
        _ => None,
    }
}

fn root<T: JsonSchema>(title: &str) -> Schema {
    let mut schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    schema.insert("title".into(), title.into());
    schema
}

fn suite() -> Schema {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let mut properties = serde_json::Map::new();
    for case in cases::ALL {
        let schema = case.params_schema(&mut generator);
        properties.insert(case.spec().id.into(), schema.to_value());
    }
    let mut schema = generator.into_root_schema_for::<SuiteFile>();
    schema.insert("title".into(), "hilt suite".into());
    let cases = serde_json::json!({
        "description": "test case id -> its parameters; a case left out does not run",
        "type": "object",
        "minProperties": 1,
        "additionalProperties": false,
        "properties": properties,
    });
    if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        props.insert("cases".into(), cases);
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suite_schema_names_every_case_and_its_parameters() {
        let schema = of("suite").unwrap().to_value();
        let cases = &schema["properties"]["cases"]["properties"];
        for case in cases::ALL {
            assert!(cases.get(case.spec().id).is_some(), "{}", case.spec().id);
        }
        assert!(of("rig").is_some() && of("profile").is_some() && of("nothing").is_none());
    }
}
