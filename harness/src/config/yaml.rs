//! YAML text -> typed value, with every parse or type error mapped to file:line:col + key path.

use super::error::ConfigError;
use super::located::Located;
use serde::de::DeserializeOwned;
use serde_saphyr::Location;
use std::cell::RefCell;
use std::path::Path;

mod entry;

/// Config files are small; anything larger is a mistake (or hostile) and is refused before parsing.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

pub fn load<T: DeserializeOwned>(file: &Path) -> Result<T, ConfigError> {
    parse(file, &read(file)?)
}

/// The file's text, refused when it is too large to be a config file or not UTF-8.
pub fn read(file: &Path) -> Result<String, ConfigError> {
    let meta = std::fs::metadata(file)
        .map_err(|e| ConfigError::whole_file(file, format!("cannot read file: {e}")))?;
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::whole_file(
            file,
            format!(
                "file is {} bytes; a config file may be at most {MAX_CONFIG_BYTES}",
                meta.len()
            ),
        ));
    }
    std::fs::read_to_string(file)
        .map_err(|e| ConfigError::whole_file(file, format!("cannot read file as UTF-8 text: {e}")))
}

pub fn parse<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T, ConfigError> {
    if text.trim().is_empty() {
        return Err(ConfigError::whole_file(
            file,
            "file is empty; expected a YAML mapping",
        ));
    }
    // serde_path_to_error sees the key path; serde-saphyr sees the position. The closure must hand
    // back serde-saphyr's own error, so the path travels out through this cell.
    let path_seen = RefCell::new(String::new());
    let options = serde_saphyr::options! { strict_booleans: true, with_snippet: false };
    let result = serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        serde_path_to_error::deserialize(de).map_err(|e| {
            *path_seen.borrow_mut() = e.path().to_string();
            e.into_inner()
        })
    });
    result.map_err(|e| error_at(file, &e, &path_seen.into_inner()))
}

/// One entry of a YAML document, by its key path (`["cases", "5.1-1-2"]`), read as `T` with the
/// same file:line:col and key-path errors as a whole file; `None` when the entry is absent. The
/// rest of the document is skipped, so each owner (a test case) reads its own entry.
pub fn parse_entry<T: DeserializeOwned>(
    file: &Path,
    text: &str,
    keys: &[&str],
) -> Result<Option<T>, ConfigError> {
    let path_seen = RefCell::new(String::new());
    let options = serde_saphyr::options! { strict_booleans: true, with_snippet: false };
    let result = serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        let mut track = serde_path_to_error::Track::new();
        let seed = entry::Seed::<T>::new(keys);
        let out = serde::de::DeserializeSeed::deserialize(
            seed,
            serde_path_to_error::Deserializer::new(de, &mut track),
        );
        if out.is_err() {
            *path_seen.borrow_mut() = track.path().to_string();
        }
        out
    });
    result.map_err(|e| error_at(file, &e, &path_seen.into_inner()))
}

fn error_at(file: &Path, e: &serde_saphyr::Error, key_path: &str) -> ConfigError {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    ConfigError {
        file: file.to_path_buf(),
        line,
        column,
        key_path: clean_path(key_path),
        problem: problem_text(e),
    }
}

/// `Located<T>` fields show up as `.value` in serde's path; the user never wrote that key.
fn clean_path(path: &str) -> String {
    if path == "." || path == "?" {
        return String::new();
    }
    // `?` marks a position serde never reached (a syntax error inside it).
    path.replace(".value", "").replace(".?", "")
}

/// Scalar type errors say only "invalid u32"; say what was expected in the user's terms.
fn explain(message: &str) -> String {
    let expected = match message.trim() {
        "invalid u8" => "a whole number from 0 to 255",
        "invalid u16" => "a whole number from 0 to 65535",
        "invalid u32" => "a whole number from 0 to 4294967295",
        "invalid u64" | "invalid usize" => "a whole number, 0 or more",
        "invalid i64" | "invalid i32" => "a whole number",
        "invalid bool" | "invalid boolean" => "true or false",
        "invalid f64" | "invalid f32" => "a number",
        _ => return message.to_string(),
    };
    format!("{message}; expected {expected}")
}

/// serde-saphyr's message without its own "at line X column Y" suffix, which we print in front.
fn problem_text(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("").trim();
    let cut = first
        .find(" at line ")
        .map(|i| &first[..i])
        .unwrap_or(first);
    explain(cut.trim_end_matches(':'))
}

/// Error for a value that parsed but is wrong in context (a dangling reference, a duplicate id).
pub fn at<T>(
    file: &Path,
    spanned: &Located<T>,
    key_path: impl Into<String>,
    problem: impl Into<String>,
) -> ConfigError {
    at_location(file, &spanned.at, key_path, problem)
}

pub fn at_location(
    file: &Path,
    loc: &Location,
    key_path: impl Into<String>,
    problem: impl Into<String>,
) -> ConfigError {
    ConfigError {
        file: file.to_path_buf(),
        line: loc.line(),
        column: loc.column(),
        key_path: key_path.into(),
        problem: problem.into(),
    }
}
