//! Durations in config files are written with a unit (`500ms`, `5s`, `2m`) so a bare number is never
//! misread as seconds when milliseconds were meant.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub Duration);

const EXPECTED: &str = "a duration with a unit, like 500ms, 5s or 2m";
/// No step of a conformance run needs to wait longer than this; larger values are typos.
const LONGEST: Duration = Duration::from_secs(24 * 3600);

impl Dur {
    pub fn parse(text: &str) -> Result<Dur, String> {
        let t = text.trim();
        let split = t
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let value: f64 = number
            .parse()
            .map_err(|_| format!("`{text}` is not {EXPECTED}"))?;
        let scale = match unit.trim() {
            "ms" => 0.001,
            "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("`{text}` has no unit; expected {EXPECTED}")),
            other => return Err(format!("unknown unit `{other}`; expected {EXPECTED}")),
        };
        // Compared before a Duration is made: one past u64 seconds would panic.
        let seconds = value * scale;
        if !seconds.is_finite() || seconds > LONGEST.as_secs_f64() {
            return Err(format!("`{text}` is longer than 24h; expected {EXPECTED}"));
        }
        Ok(Dur(Duration::from_secs_f64(seconds)))
    }
}

impl schemars::JsonSchema for Dur {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*(ms|s|m|min|h)\\s*$",
            "description": "a duration with its unit, e.g. 500ms, 2s, 1.5min"
        })
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Dur::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Written back the way a suite writes it (`20ms`, `1s`, `10m`), for the parameters a result
/// states it applied.
impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl std::fmt::Display for Dur {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.0;
        if !d.subsec_nanos().is_multiple_of(1_000_000) {
            write!(f, "{}ms", d.as_secs_f64() * 1000.0)
        } else if d.subsec_millis() != 0 {
            write!(f, "{}ms", d.as_millis())
        } else if d.as_secs() >= 60 && d.as_secs().is_multiple_of(60) {
            write!(f, "{}m", d.as_secs() / 60)
        } else {
            write!(f, "{}s", d.as_secs())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_is_written_back_as_a_suite_writes_it_and_reads_the_same() {
        for (text, written) in [
            ("20ms", "20ms"),
            ("1s", "1s"),
            ("90s", "90s"),
            ("10m", "10m"),
            ("1.5s", "1500ms"),
            ("0.25ms", "0.25ms"),
        ] {
            let d = Dur::parse(text).unwrap();
            assert_eq!(d.to_string(), written);
            assert_eq!(Dur::parse(written).unwrap(), d);
        }
    }

    #[test]
    fn units_are_required_and_understood() {
        assert_eq!(Dur::parse("500ms").unwrap().0, Duration::from_millis(500));
        assert_eq!(Dur::parse("2m").unwrap().0, Duration::from_secs(120));
        assert_eq!(Dur::parse("1.5s").unwrap().0, Duration::from_millis(1500));
        assert!(Dur::parse("5").unwrap_err().contains("no unit"));
        assert!(Dur::parse("5 parsecs")
            .unwrap_err()
            .contains("unknown unit"));
        assert!(Dur::parse("48h").is_err());
        assert!(Dur::parse("").is_err());
    }

    #[test]
    fn a_duration_past_any_clock_is_an_error_not_a_panic() {
        for text in ["100000000000000000000s", "99999999999999999999999h", "25h"] {
            let e = Dur::parse(text).unwrap_err();
            assert!(e.contains("longer than 24h"), "{text}: {e}");
        }
        assert_eq!(Dur::parse("24h").unwrap().0, LONGEST);
    }
}
