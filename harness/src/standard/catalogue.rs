//! The catalogue of one version of EN 303 645: its provisions with their Annex B status, and
//! for each the TS 103 701 test cases and units an assessment covers. Every file in
//! `suites/catalogue/` is built in; a suite picks one by its `standards.en_303_645` version.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Names the catalogue, e.g. `en-303-645-v2.1.1`.
    pub id: String,
    pub standard: String,
    /// The version of the standard, as a suite's `standards.en_303_645` names it.
    pub version: String,
    pub test_specification: String,
    /// Annex B's numbered conditions, in a few words.
    pub conditions: BTreeMap<u8, String>,
    /// Clause number -> its title, e.g. "5.1" -> "No universal default passwords".
    pub categories: BTreeMap<String, String>,
    pub provisions: Vec<Provision>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum Status {
    #[serde(rename = "M")]
    Mandatory,
    #[serde(rename = "R")]
    Recommended,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    pub id: String,
    pub status: Status,
    /// Annex B condition numbers; none means the provision always applies.
    #[serde(default)]
    pub conditions: Vec<u8>,
    pub summary: String,
    pub test_cases: Vec<TestCase>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The assessor reads the manufacturer's documentation (ICS/IXIT) against the provision.
    Conceptual,
    /// The unit itself is examined against its documentation.
    Functional,
    /// Some units conceptual, some functional (5.3-10-1).
    Mixed,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    pub id: String,
    pub kind: Kind,
    /// The IXIT pro formas (by number) the units read.
    #[serde(default)]
    pub ixit: Vec<u8>,
    /// Unit letter -> what the unit asks of the assessor.
    pub units: BTreeMap<String, String>,
    /// Of a mixed case, the units that examine the unit itself (the others are conceptual).
    #[serde(default)]
    pub functional_units: Vec<String>,
    /// Functional test cases whose results the assessor sees beside this case's questions, as a
    /// reference (they do not decide it).
    #[serde(default)]
    pub evidence_from: Vec<String>,
}

impl TestCase {
    /// Whether a unit examines the device (so a harness that automates the case answers it).
    pub fn is_functional_unit(&self, unit: &str) -> bool {
        match self.kind {
            Kind::Functional => true,
            Kind::Conceptual => false,
            Kind::Mixed => self.functional_units.iter().any(|u| u == unit),
        }
    }
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Conceptual => "conceptual",
            Kind::Functional => "functional",
            Kind::Mixed => "conceptual/functional",
        }
    }
}

impl Provision {
    pub fn may_be_not_applicable(&self) -> bool {
        !self.conditions.is_empty()
    }

    /// As Annex B writes it: M, R, M C (5), R C (9, 12).
    pub fn status_text(&self) -> String {
        let s = match self.status {
            Status::Mandatory => "M",
            Status::Recommended => "R",
        };
        if self.conditions.is_empty() {
            return s.to_string();
        }
        let c: Vec<String> = self.conditions.iter().map(u8::to_string).collect();
        format!("{s} C ({})", c.join(", "))
    }

    /// The clause the provision belongs to: "5.1" for 5.1-3, "4" for 4-1, "6" for 6-2.
    pub fn category(&self) -> &str {
        self.id.split('-').next().unwrap_or(&self.id)
    }
}

impl Catalogue {
    pub fn provision(&self, id: &str) -> Option<&Provision> {
        self.provisions.iter().find(|p| p.id == id)
    }

    /// (clause, title) in the standard's order: 4, 5.1 … 5.9, 5.10 … 5.13, 6.
    pub fn categories_in_order(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for p in &self.provisions {
            if !out.iter().any(|(c, _)| *c == p.category()) {
                out.push((p.category(), self.category_title(p.category())));
            }
        }
        out
    }

    pub fn category_title(&self, category: &str) -> &str {
        self.categories.get(category).map_or("", String::as_str)
    }

    /// The rules every catalogue file keeps, so reports can rely on them.
    fn check(&self) -> Result<(), String> {
        let ids: Vec<&str> = self
            .provisions
            .iter()
            .flat_map(|p| &p.test_cases)
            .map(|t| t.id.as_str())
            .collect();
        for t in self.provisions.iter().flat_map(|p| &p.test_cases) {
            if let Some(r) = t
                .evidence_from
                .iter()
                .find(|r| !ids.contains(&r.as_str()) || **r == t.id)
            {
                return Err(format!(
                    "{}: evidence_from names {r}, not another test case",
                    t.id
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for p in &self.provisions {
            if !seen.insert(p.id.as_str()) {
                return Err(format!("provision {} twice", p.id));
            }
            if !self.categories.contains_key(p.category()) {
                return Err(format!("{}: no category {}", p.id, p.category()));
            }
            if let Some(c) = p
                .conditions
                .iter()
                .find(|c| !self.conditions.contains_key(c))
            {
                return Err(format!("{}: no condition {c}", p.id));
            }
            if p.test_cases.is_empty() {
                return Err(format!("{}: no test case", p.id));
            }
            for t in &p.test_cases {
                if !t.id.starts_with(&format!("{}-", p.id)) || !seen.insert(t.id.as_str()) {
                    return Err(format!("{}: test case id {} is not its own", p.id, t.id));
                }
                if let Some(u) = t
                    .functional_units
                    .iter()
                    .find(|u| !t.units.contains_key(*u))
                {
                    return Err(format!(
                        "{}: functional unit {u} is not one of its units",
                        t.id
                    ));
                }
                let letters: String = t.units.keys().map(String::as_str).collect();
                if letters.is_empty() || !"abcdefghij".starts_with(&letters) {
                    return Err(format!("{}: units {letters} are not a, b, c…", t.id));
                }
            }
        }
        Ok(())
    }
}

/// Every built-in catalogue, parsed once.
pub fn built_in() -> &'static [Catalogue] {
    static ALL: OnceLock<Vec<Catalogue>> = OnceLock::new();
    ALL.get_or_init(|| {
        embedded::BUILT_IN
            .iter()
            .map(|(file, text)| {
                let c: Catalogue = serde_saphyr::from_str(text)
                    .unwrap_or_else(|e| panic!("built-in catalogue {file}: {e}"));
                c.check()
                    .unwrap_or_else(|e| panic!("built-in catalogue {file}: {e}"));
                c
            })
            .collect()
    })
}

/// The catalogue of one version of EN 303 645: "V2.1.1", or with its date, "V2.1.1 (2020-06)".
pub fn for_version(version: &str) -> Option<&'static Catalogue> {
    let version = version.split_whitespace().next().unwrap_or_default();
    built_in().iter().find(|c| c.version == version)
}

pub fn versions() -> Vec<&'static str> {
    built_in().iter().map(|c| c.version.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2() -> &'static Catalogue {
        for_version("V2.1.1").expect("V2.1.1 is built in")
    }

    #[test]
    fn v2_1_1_has_annex_b_and_ts_103_701_counts() {
        let c = v2();
        assert_eq!(c.provisions.len(), 68);
        // Clauses 5 and 6: 32 mandatory (conditional ones included), 35 recommended; plus 4-1.
        let clauses = c.provisions.iter().filter(|p| p.id != "4-1");
        let mandatory = clauses
            .clone()
            .filter(|p| p.status == Status::Mandatory)
            .count();
        assert_eq!((mandatory, clauses.count() - mandatory), (32, 35));
        // TS 103 701 V1.1.1: 109 test cases, 226 units. 62 conceptual, 45 functional and 2 with
        // units of both kinds (5.3-10-1; 5.13-1-2, whose unit (b) reads the user manual).
        let cases: Vec<&TestCase> = c.provisions.iter().flat_map(|p| &p.test_cases).collect();
        let count = |k: Kind| cases.iter().filter(|t| t.kind == k).count();
        assert_eq!(cases.len(), 109);
        assert_eq!(
            (
                count(Kind::Conceptual),
                count(Kind::Functional),
                count(Kind::Mixed)
            ),
            (62, 45, 2)
        );
        assert_eq!(cases.iter().map(|t| t.units.len()).sum::<usize>(), 226);
        assert_eq!(c.conditions.len(), 13);
    }

    #[test]
    fn status_reads_as_annex_b_writes_it() {
        let c = v2();
        assert_eq!(c.provision("5.3-6").unwrap().status_text(), "R C (9, 12)");
        assert_eq!(c.provision("5.6-1").unwrap().status_text(), "M");
        assert!(!c.provision("5.6-1").unwrap().may_be_not_applicable());
        assert!(c.provision("5.6-4").unwrap().may_be_not_applicable());
        assert_eq!(c.provision("5.10-1").unwrap().category(), "5.10");
        assert_eq!(
            c.category_title("6"),
            "Data protection provisions for consumer IoT"
        );
    }

    #[test]
    fn a_broken_catalogue_is_caught() {
        let mut c = v2().clone();
        c.provisions[3].test_cases[0].id = "5.9-9-9".into();
        assert!(c.check().unwrap_err().contains("is not its own"));
        let mut c = v2().clone();
        c.provisions[1].conditions.push(99);
        assert!(c.check().unwrap_err().contains("no condition 99"));
        let mut c = v2().clone();
        c.provisions[1].test_cases[0]
            .units
            .insert("d".into(), "?".into());
        assert!(c.check().unwrap_err().contains("are not a, b, c"));
    }
}
