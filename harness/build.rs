//! Records the git commit hilt was built from, for the method section of reports, and embeds
//! every catalogue in `suites/catalogue/`, so a new version of the standard is a new file there,
//! and the rest of `suites/` (the suites and their corpora), so an installed hilt needs no
//! source tree.

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=HILT_GIT_COMMIT={commit}");
    embed_catalogues();
    embed_suites();
    for path in ["../.git/HEAD", "../.git/refs/heads", "../.git/packed-refs"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

fn embed_catalogues() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites/catalogue");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| Some(f.file_stem()?.to_string_lossy().into_owned()))
        .collect();
    // For `hilt --version`: which versions of the standard this build can judge by.
    println!("cargo:rustc-env=HILT_CATALOGUES={}", names.join(", "));
    let mut code = String::from("pub const BUILT_IN: &[(&str, &str)] = &[\n");
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        code.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("catalogues.rs");
    std::fs::write(out, code).unwrap();
}

/// Every file under `suites/` but the catalogues, by its path relative to `suites/`.
fn embed_suites() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        println!("cargo:rerun-if-changed={}", dir.display());
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path != root.join("catalogue") {
                    dirs.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut code = String::from("pub const SUITE_FILES: &[(&str, &[u8])] = &[\n");
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let relative = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        code.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("suites.rs");
    std::fs::write(out, code).unwrap();
}
