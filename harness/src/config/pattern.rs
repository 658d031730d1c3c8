//! A regular expression from a config file, compiled while loading so a bad one is reported with
//! its file position instead of failing mid-run.

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    pub regex: regex::bytes::Regex,
}

impl Pattern {
    pub fn new(source: &str) -> Result<Pattern, String> {
        // Device output is untrusted; a size limit keeps a pattern from exploding on it.
        let regex = regex::bytes::RegexBuilder::new(source)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                format!(
                    "expected a regular expression: {}",
                    e.to_string().lines().last().unwrap_or("invalid")
                )
            })?;
        Ok(Pattern {
            source: source.to_string(),
            regex,
        })
    }
}

impl schemars::JsonSchema for Pattern {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Pattern".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "a regular expression (Rust regex syntax) matched against device output"
        })
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Pattern::new(&s).map_err(serde::de::Error::custom)
    }
}
