//! The assessor's work on the test units hilt cannot run: per unit a verdict, the rationale, the
//! documents relied on (file and section), who decided and when. `hilt assess init` writes the
//! file with the questions; `hilt assess check` validates it like every config; a run or a
//! reissued report applies it to the MANUAL rows only. Verdicts of the units hilt runs on the
//! device cannot be set here.

use super::error::{ConfigError, ConfigErrors};
use super::located::Located;
use super::yaml;
use crate::standard::catalogue;
use crate::util::hash::file_sha256;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentFile {
    /// The version of EN 303 645 assessed, e.g. V2.1.1 (its catalogue names the units).
    pub standard: Located<String>,
    /// The default for every unit's `assessor`.
    #[serde(default)]
    pub assessor: String,
    /// The default for every unit's `date` (YYYY-MM-DD).
    #[serde(default)]
    pub date: String,
    /// Test case id -> unit letter -> the assessor's answer.
    pub test_cases: BTreeMap<String, Located<BTreeMap<String, Located<UnitAnswer>>>>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitAnswer {
    /// The unit's question, as `hilt assess init` wrote it (for the reader; not read).
    #[serde(default)]
    pub asks: String,
    /// The IXIT pro formas the unit reads (for the reader; not read).
    #[serde(default)]
    pub ixit: Vec<u8>,
    /// PASS or FAIL; left out (or `~`) while the unit is not yet assessed.
    #[serde(default)]
    pub verdict: Option<Located<AnsweredVerdict>>,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub documents: Vec<Located<DocumentRef>>,
    #[serde(default)]
    pub assessor: String,
    #[serde(default)]
    pub date: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum AnsweredVerdict {
    #[serde(rename = "PASS")]
    Pass,
    #[serde(rename = "FAIL")]
    Fail,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    /// Path relative to the assessment file.
    pub file: String,
    /// Where in the document: section, page or table.
    pub section: String,
}

/// A decided unit, ready for the reports.
#[derive(Debug, Clone)]
pub struct Answer {
    pub unit: String,
    pub pass: bool,
    pub rationale: String,
    pub assessor: String,
    pub date: String,
    pub documents: Vec<Document>,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub source: PathBuf,
    pub section: String,
    pub sha256: String,
}

impl Document {
    /// Where a bundle keeps its copy: named by hash, so two documents of one name both fit.
    pub fn bundle_path(&self) -> String {
        let name = self
            .source
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        format!(
            "assessment/{}-{name}",
            &self.sha256[..12.min(self.sha256.len())]
        )
    }
}

#[derive(Debug, Clone)]
pub struct Assessment {
    pub file: PathBuf,
    pub body: AssessmentFile,
    /// Test case id -> its decided units.
    pub answers: BTreeMap<String, Vec<Answer>>,
}

impl Assessment {
    /// Reads and checks the file against the catalogue; `automated` names the test cases this
    /// hilt runs, whose device-side units the assessor may not decide.
    pub fn load(file: &Path, automated: &[&str]) -> Result<Assessment, ConfigErrors> {
        let body: AssessmentFile = yaml::load(file).map_err(|e| ConfigErrors(vec![e]))?;
        let Some(catalogue) = catalogue::for_version(&body.standard) else {
            return Err(ConfigErrors(vec![yaml::at(
                file,
                &body.standard,
                "standard",
                format!(
                    "no catalogue of EN 303 645 {}; expected one of {}",
                    body.standard.value,
                    catalogue::versions().join(", ")
                ),
            )]));
        };
        let mut errors = Vec::new();
        let mut answers = BTreeMap::new();
        for (id, units) in &body.test_cases {
            let Some(case) = catalogue
                .provisions
                .iter()
                .flat_map(|p| &p.test_cases)
                .find(|t| t.id == *id)
            else {
                errors.push(yaml::at(
                    file,
                    units,
                    format!("test_cases.{id}"),
                    format!(
                        "{} {} has no test case `{id}`; expected an id `hilt catalogue` lists",
                        catalogue.standard, catalogue.version
                    ),
                ));
                continue;
            };
            let mut decided = Vec::new();
            for (unit, answer) in units.iter() {
                let key = format!("test_cases.{id}.{unit}");
                if !case.units.contains_key(unit) {
                    let known: Vec<&str> = case.units.keys().map(String::as_str).collect();
                    errors.push(yaml::at(
                        file,
                        answer,
                        key,
                        format!(
                            "{id} has no unit ({unit}); expected one of {}",
                            known.join(", ")
                        ),
                    ));
                    continue;
                }
                let Some(verdict) = &answer.verdict else {
                    continue;
                };
                if automated.contains(&id.as_str()) && case.is_functional_unit(unit) {
                    errors.push(yaml::at(file, verdict, format!("{key}.verdict"), format!("{id} ({unit}) examines the device and hilt runs it: its verdict comes from the run and cannot be set by an assessment; expected no verdict here")));
                    continue;
                }
                match decide(file, &body, &key, answer, verdict) {
                    Ok(a) => decided.push(a),
                    Err(mut e) => errors.append(&mut e),
                }
            }
            if !decided.is_empty() {
                answers.insert(id.clone(), decided);
            }
        }
        if errors.is_empty() {
            Ok(Assessment {
                file: file.to_path_buf(),
                body,
                answers,
            })
        } else {
            Err(ConfigErrors(errors))
        }
    }
}

impl Assessment {
    /// The assessment must be of the version the run tested (`what` names whose: the suite's,
    /// the bundle's), located at its `standard:` key.
    pub fn of_version(&self, version: &str, what: &str) -> Result<(), String> {
        let mine = catalogue::for_version(&self.body.standard).map(|c| &c.id);
        if mine.is_some() && mine == catalogue::for_version(version).map(|c| &c.id) {
            return Ok(());
        }
        Err(format!(
            "error: {}:{}:{}: standard: the assessment is of EN 303 645 {}; expected {what}, {version}",
            self.file.display(),
            self.body.standard.at.line(),
            self.body.standard.at.column(),
            self.body.standard.value
        ))
    }
}

/// A unit with a verdict needs its rationale, documents, assessor and date.
fn decide(
    file: &Path,
    body: &AssessmentFile,
    key: &str,
    answer: &Located<UnitAnswer>,
    verdict: &Located<AnsweredVerdict>,
) -> Result<Answer, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let assessor = first_non_empty(&answer.assessor, &body.assessor);
    let date = first_non_empty(&answer.date, &body.date);
    let mut missing = |what: &str, expected: &str| {
        errors.push(yaml::at(
            file,
            answer,
            format!("{key}.{what}"),
            format!("a unit with a verdict needs its {what}; expected {expected}"),
        ));
    };
    if answer.rationale.trim().is_empty() {
        missing(
            "rationale",
            "why the documentation (or what was observed) meets the unit or not",
        );
    }
    if answer.documents.is_empty() {
        missing(
            "documents",
            "at least one `{ file: ..., section: ... }` the verdict relies on",
        );
    }
    if assessor.is_empty() {
        missing(
            "assessor",
            "the assessor's name (here or at the top of the file)",
        );
    }
    if chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_err() {
        missing(
            "date",
            "the date decided, YYYY-MM-DD (here or at the top of the file)",
        );
    }
    let mut documents = Vec::new();
    for (i, d) in answer.documents.iter().enumerate() {
        let source = file.parent().unwrap_or(Path::new(".")).join(&d.file);
        match file_sha256(&source) {
            Ok(sha256) if source.is_file() && !d.section.trim().is_empty() => {
                documents.push(Document {
                    source,
                    section: d.section.clone(),
                    sha256,
                })
            }
            Ok(_) if source.is_file() => errors.push(yaml::at(
                file,
                d,
                format!("{key}.documents[{i}].section"),
                "expected the section, page or table relied on",
            )),
            _ => errors.push(yaml::at(
                file,
                d,
                format!("{key}.documents[{i}].file"),
                format!(
                    "no document at {}; expected a file relative to the assessment",
                    source.display()
                ),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Answer {
        unit: key.rsplit('.').next().unwrap_or_default().to_string(),
        pass: verdict.value == AnsweredVerdict::Pass,
        rationale: answer.rationale.clone(),
        assessor,
        date,
        documents,
    })
}

fn first_non_empty(a: &str, b: &str) -> String {
    if a.trim().is_empty() {
        b.trim()
    } else {
        a.trim()
    }
    .to_string()
}
