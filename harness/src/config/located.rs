//! A config value together with where it was written, so a check made after parsing points at
//! the entry it is about (not at the first text that looks like it, which can be another entry
//! or a comment).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_saphyr::{Location, Spanned};
use std::ops::Deref;

/// Reads like the value it holds; `at` is the line and column of its YAML node (a mapping's
/// first key, a sequence item, a scalar).
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub at: Location,
}

impl<T> Located<T> {
    /// A value hilt makes itself (a power cycle between attempts), written in no file.
    pub fn unplaced(value: T) -> Located<T> {
        Located {
            value,
            at: Location::UNKNOWN,
        }
    }
}

impl<T> Deref for Located<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// For a `#[serde(default)]` field left out: the default value, written nowhere.
impl<T: Default> Default for Located<T> {
    fn default() -> Self {
        Located::unplaced(T::default())
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Located<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<T>::deserialize(deserializer)?;
        Ok(Located {
            value: spanned.value,
            at: spanned.referenced,
        })
    }
}

/// Written as the value it holds: the location is the file's, not the schema's.
impl<T: schemars::JsonSchema> schemars::JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// Written as the value alone: where it was written is for error messages.
impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, schemars::JsonSchema)]
    struct Entry {
        id: String,
    }

    #[test]
    fn each_of_two_identical_entries_has_its_own_line() {
        let text = "# id: a\nitems:\n  - id: a\n  - id: a\n";
        #[derive(Deserialize, schemars::JsonSchema)]
        struct File {
            items: Vec<Located<Entry>>,
        }
        let file: File = serde_saphyr::from_str(text).unwrap();
        let lines: Vec<u64> = file.items.iter().map(|e| e.at.line()).collect();
        assert_eq!(lines, [3, 4]);
        assert_eq!(file.items[1].id, "a");
    }
}
