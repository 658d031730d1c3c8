//! The JSON Schemas in `harness/schema/` are what `hilt schema` writes, every shipped rig,
//! profile and suite names its schema for editors, and validates against it (checked with the
//! Python `jsonschema` package, an implementation independent of the one that wrote them).
//! `UPDATE_GOLDEN=1` rewrites the schema files.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const KINDS: [(&str, &str); 5] = [
    ("rig", "rigs"),
    ("profile", "device-profiles"),
    ("suite", "suites"),
    ("catalogue", "suites/catalogue"),
    ("evidence", "device-profiles/evidence"),
];

/// Kinds hilt has a schema for but ships no file of (an assessment is the lab's own).
const SCHEMA_ONLY: [&str; 1] = ["assessment"];

fn schema_file(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schema/{kind}.schema.json"))
}

fn shipped(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_checked_in_schemas_are_what_hilt_writes() {
    for kind in KINDS.map(|(k, _)| k).into_iter().chain(SCHEMA_ONLY) {
        let out = Command::new(hilt())
            .args(["schema", kind])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let written = String::from_utf8(out.stdout).unwrap();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(schema_file(kind), &written).unwrap();
        }
        let checked_in = std::fs::read_to_string(schema_file(kind)).unwrap_or_default();
        assert!(
            written == checked_in,
            "{kind}: harness/schema/{kind}.schema.json is stale; run UPDATE_GOLDEN=1 cargo test -p hilt --test schemas"
        );
    }
}

/// Runs Python's jsonschema on JSON files; success and what it printed.
fn validate(dir: &Path, kind: &str, files: &[PathBuf]) -> (bool, String) {
    let validator = dir.join("validate.py");
    std::fs::write(
        &validator,
        "import json, sys, jsonschema\n\
         v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))\n\
         errors = [f\"{p}: {list(e.absolute_path)}: {e.message[:200]}\" for p in sys.argv[2:] for e in v.iter_errors(json.load(open(p)))]\n\
         print('\\n'.join(errors)); sys.exit(1 if errors else 0)\n",
    )
    .unwrap();
    let out = Command::new("python3")
        .arg(&validator)
        .arg(schema_file(kind))
        .args(files)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn every_shipped_config_names_and_meets_its_schema() {
    let dir = TempDir::new("schemas");
    for (kind, folder) in KINDS {
        let mut converted = Vec::new();
        for file in shipped(folder) {
            let text = std::fs::read_to_string(&file).unwrap();
            let up = "../".repeat(folder.split('/').count());
            let modeline =
                format!("# yaml-language-server: $schema={up}harness/schema/{kind}.schema.json");
            assert!(
                text.starts_with(&modeline),
                "{} does not start with {modeline}",
                file.display()
            );
            let options = serde_saphyr::options! { strict_booleans: true };
            let value: serde_json::Value =
                serde_saphyr::from_str_with_options(&text, options).unwrap();
            let name = file.file_name().unwrap().to_string_lossy();
            let json = dir.0.join(format!("{name}.json"));
            std::fs::write(&json, value.to_string()).unwrap();
            converted.push(json);
        }
        assert!(!converted.is_empty(), "no {kind} files shipped");
        let (ok, out) = validate(&dir.0, kind, &converted);
        assert!(
            ok,
            "{kind} files against harness/schema/{kind}.schema.json:\n{out}"
        );
    }
}

/// The validation can fail: a case parameter of the wrong type and an unknown case id.
#[test]
fn a_config_against_its_schema_can_fail() {
    let dir = TempDir::new("schemas-bad");
    let bad = dir.0.join("bad-suite.json");
    let suite = serde_json::json!({
        "suite": "s",
        "standards": { "en_303_645": "V2.1.1", "ts_103_701": "V1.1.1" },
        "cases": { "5.1-5-2": { "max_attempts": "lots", "pace": "20ms" }, "5.6-1-3": {} }
    });
    std::fs::write(&bad, suite.to_string()).unwrap();
    let (ok, out) = validate(&dir.0, "suite", &[bad]);
    assert!(!ok, "{out}");
    assert!(out.contains("'5.1-5-2', 'max_attempts'"), "{out}");
    assert!(out.contains("5.6-1-3"), "{out}");
}
