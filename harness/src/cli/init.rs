//! `hilt init DIR`: a bench folder to start from. A rig and a device profile to fill in, the
//! built-in suite with its corpora to adjust, and the schemas they name for editors. `hilt run`
//! and `hilt check` inside the folder find all three by their names (`config::defaults`).

use super::Usage;
use hilt::config::built_in;
use hilt::model::exit;
use hilt::standard::catalogue::{self, Catalogue};
use std::path::{Path, PathBuf};

const RIG: &str = include_str!("../../templates/rig.yaml");
const PROFILE: &str = include_str!("../../templates/profile.yaml");

/// The schema reference the source tree's suite carries, and the one a bench folder needs.
const SUITE_SCHEMA_IN_TREE: &str = "$schema=../harness/schema/suite.schema.json";
const SUITE_SCHEMA_HERE: &str = "$schema=schema/suite.schema.json";

pub fn init(dir: &Path) -> anyhow::Result<i32> {
    let files = bench_files();
    let taken: Vec<String> = files
        .iter()
        .map(|(relative, _)| dir.join(relative))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !taken.is_empty() {
        return Err(Usage(format!(
            "{} already holds {}; hilt init writes only into a folder without them",
            dir.display(),
            taken.join(", ")
        ))
        .into());
    }
    for (relative, bytes) in &files {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
        std::fs::write(&path, bytes)?;
    }
    println!(
        "wrote a bench folder in {}:\n  rig.yaml      edit first: each slot's address, console, power and label\n  profile.yaml  then: the services, the logins and the ICS rows, from the manufacturer's ICS and IXIT\n  suite.yaml    the built-in EN 303 645 suite, with its corpora in credentials/ and update/\n  schema/       JSON schemas for editors\nthen, in that folder: hilt check, and hilt run",
        dir.display()
    );
    Ok(exit::OK)
}

/// Every file of a bench folder, by its path in the folder.
fn bench_files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = vec![
        (PathBuf::from("rig.yaml"), RIG.as_bytes().to_vec()),
        (PathBuf::from("profile.yaml"), profile().into_bytes()),
    ];
    for (relative, bytes) in built_in::files() {
        match *relative {
            "en303645.yaml" => files.push((
                "suite.yaml".into(),
                String::from_utf8_lossy(bytes)
                    .replace(SUITE_SCHEMA_IN_TREE, SUITE_SCHEMA_HERE)
                    .into_bytes(),
            )),
            // The PSTI suite takes an evidence profile, not this bench's device profile.
            "psti.yaml" => {}
            _ => files.push((relative.into(), bytes.to_vec())),
        }
    }
    for kind in ["rig", "profile", "suite"] {
        let schema = hilt::schema::of(kind)
            .map(|s| s.to_value())
            .unwrap_or_default();
        let text = serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n";
        files.push((
            format!("schema/{kind}.schema.json").into(),
            text.into_bytes(),
        ));
    }
    files
}

/// The profile template with an ICS row for every provision of the newest built-in catalogue.
fn profile() -> String {
    let Some(catalogue) = catalogue::built_in().last() else {
        return PROFILE.replace("{ics}\n", "");
    };
    PROFILE.replace("{ics}", &ics_rows(catalogue).join("\n"))
}

/// Y for the provisions hilt tests, so that it tests them; N, to be replaced, for the rest.
fn ics_rows(catalogue: &Catalogue) -> Vec<String> {
    let automated: Vec<&str> = hilt::cases::ALL.iter().map(|c| c.spec().id).collect();
    catalogue
        .provisions
        .iter()
        .map(|p| {
            let tested = p
                .test_cases
                .iter()
                .any(|t| automated.contains(&t.id.as_str()));
            let (support, detail) = if tested {
                (
                    "Y",
                    "tested by hilt: replace with the manufacturer's statement",
                )
            } else {
                ("N", "to be replaced from the manufacturer's ICS")
            };
            let id = format!("{:?}:", p.id);
            format!("  {id:<9} {{ support: {support}, detail: \"{detail}\" }}")
        })
        .collect()
}
