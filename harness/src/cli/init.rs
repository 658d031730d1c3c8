//! Starting points. `hilt init DIR`: a bench folder, with a rig and a device profile to fill in,
//! the built-in suite with its corpora to adjust, and the schemas they name for editors; `hilt
//! run` and `hilt check` inside the folder find all three by their names (`config::defaults`).
//! `hilt draft-profile`: a device profile drafted from what a unit shows (`hilt::draft`).

use super::Usage;
use hilt::config::built_in;
use hilt::model::exit;
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
    PROFILE.replace("{ics}", &hilt::draft::ics::newest().join("\n"))
}

/// What `hilt draft-profile` observes: an address (and console), or a rig's slot.
pub enum DraftFrom {
    Unit(hilt::draft::UnitGiven, Option<hilt::draft::ConsoleGiven>),
    Slot(PathBuf, String),
}

pub fn draft_profile(from: DraftFrom, suite: &Path, out: Option<&Path>) -> anyhow::Result<i32> {
    let work = std::env::temp_dir().join(format!("hilt-draft-{}", std::process::id()));
    let runtime = tokio::runtime::Runtime::new()?;
    let (address, drafted) = match &from {
        DraftFrom::Unit(unit, console) => (
            unit.address.to_string(),
            runtime.block_on(hilt::draft::from_unit(unit, console.as_ref(), suite, &work)),
        ),
        DraftFrom::Slot(rig, slot) => (
            format!("slot {slot} of {}", rig.display()),
            runtime.block_on(hilt::draft::from_slot(rig, slot, suite, &work)),
        ),
    };
    let _ = std::fs::remove_dir_all(&work);
    let (text, draft) =
        drafted.map_err(|e| anyhow::anyhow!("drafting a profile from {address}: {e}"))?;
    match out {
        Some(path) => std::fs::write(path, &text)?,
        None => print!("{text}"),
    }
    eprintln!(
        "drafted: {} service(s), {} login(s){}{}; {} item(s) need a person (listed at the top)",
        draft.services.len(),
        draft.mechanisms.len(),
        match &draft.console {
            Some(d) if d.login_prompt.is_some() => ", a console login",
            Some(_) => ", a console without a login prompt",
            None => "",
        },
        match &draft.boot {
            Some(b) if b.problem.is_none() => format!(
                ", the boot watched ({} boot-loader line(s){})",
                b.loader_lines.len(),
                b.login_after
                    .map(|s| format!(", login prompt after {s:.1} s"))
                    .unwrap_or_default()
            ),
            Some(b) => format!(
                ", the boot not watched ({})",
                b.problem.as_deref().unwrap_or("")
            ),
            None => String::new(),
        },
        hilt::draft::for_a_person(&draft).len()
    );
    Ok(exit::OK)
}
