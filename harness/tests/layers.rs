//! The layers listed in `src/lib.rs` form a tree: every `crate::` and `super::` path in
//! `src/` goes to a module of a strictly lower layer, or stays inside its own module.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Module name -> layer number, read from the numbered list in lib.rs's module doc.
fn layers(lib: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(item) = line.strip_prefix("//! ") else {
            continue;
        };
        let Some((number, rest)) = item.split_once(". ") else {
            continue;
        };
        let Ok(number) = number.parse::<usize>() else {
            continue;
        };
        let names = rest.split(" — ").next().unwrap_or_default();
        for name in names.split(", ") {
            out.insert(name.trim().to_string(), number);
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/a/b.rs` and `src/a/b/mod.rs` are both `[a, b]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The top-level module each `crate::`/`super::` path in `text` reaches, with its line number.
/// Lines after an inline `mod tests {` are one level deeper, as `super::` sees them.
fn targets(module: &[String], text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut depth_extra = 0;
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        if code.trim_start().starts_with("mod ") && code.trim_end().ends_with('{') {
            depth_extra = 1;
        }
        for (i, _) in code.match_indices("crate::") {
            let before = code[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            for name in first_segments(&code[i + "crate::".len()..]) {
                out.push((n + 1, name));
            }
        }
        for (i, _) in code.match_indices("super::") {
            let before = code[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut rest = &code[i..];
            let mut ups = 0;
            while let Some(r) = rest.strip_prefix("super::") {
                ups += 1;
                rest = r;
            }
            let depth = module.len() + depth_extra;
            if ups < depth {
                // Still inside the file's own top-level module.
                continue;
            }
            for name in first_segments(rest) {
                out.push((n + 1, name));
            }
        }
    }
    out
}

/// The first path segment after `crate::` or an escaping `super::`: one name, or each name of a
/// `{a, b::c}` group on the same line.
fn first_segments(rest: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    match rest.strip_prefix('{') {
        Some(group) => group
            .split('}')
            .next()
            .unwrap_or_default()
            .split(',')
            .map(ident)
            .filter(|n| !n.is_empty())
            .collect(),
        None => vec![ident(rest)],
    }
}

fn upward_edges(src: &Path) -> Vec<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let layer = layers(&lib);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for file in files {
        let module = module_of(src, &file);
        let Some(top) = module.first() else { continue };
        // The binary and its own modules sit above every layer.
        if top == "lib" || top == "main" || top == "cli" {
            continue;
        }
        let Some(&own) = layer.get(top) else {
            bad.push(format!(
                "{top} ({}) is in no layer of lib.rs",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, target) in targets(&module, &text) {
            if &target == top {
                continue;
            }
            match layer.get(&target) {
                Some(&other) if other < own => {}
                Some(&other) => bad.push(format!(
                    "{}:{line}: {top} (layer {own}) uses {target} (layer {other})",
                    file.display()
                )),
                None => bad.push(format!(
                    "{}:{line}: {top} uses `{target}`, which is in no layer of lib.rs",
                    file.display()
                )),
            }
        }
    }
    bad
}

#[test]
fn every_use_goes_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = upward_edges(&src);
    assert!(
        bad.is_empty(),
        "edges against the layers:\n{}",
        bad.join("\n")
    );
}

/// The check itself can fail: an upward `use` in a scratch copy of a lower layer is caught.
#[test]
fn an_upward_use_is_caught() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let scratch = std::env::temp_dir().join(format!("hilt-layers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("util")).unwrap();
    std::fs::copy(src.join("lib.rs"), scratch.join("lib.rs")).unwrap();
    std::fs::write(
        scratch.join("util/hash.rs"),
        "use crate::{report::manifest, util};\nfn f() { super::super::cases::run(); }\n",
    )
    .unwrap();
    std::fs::write(
        scratch.join("evidence.rs"),
        "fn f() { super::bench::x(); }\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
    )
    .unwrap();
    let bad = upward_edges(&scratch);
    std::fs::remove_dir_all(&scratch).unwrap();
    assert_eq!(bad.len(), 3, "{bad:#?}");
    assert!(
        bad[0].contains("evidence (layer 3) uses bench (layer 7)"),
        "{bad:#?}"
    );
    assert!(
        bad[1].contains("util (layer 1) uses report (layer 14)"),
        "{bad:#?}"
    );
    assert!(
        bad[2].contains("util (layer 1) uses cases (layer 12)"),
        "{bad:#?}"
    );
}
