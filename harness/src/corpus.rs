//! Universal default-credential lists shipped as data (CSV: entry,username,password[,more...]).

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Credential {
    /// `file:entry`, how a report cites the credential without printing the password.
    pub citation: String,
    pub username: String,
    pub password: String,
}

/// Several lists as one, in order; the first unreadable list is the error.
pub fn load_all(paths: impl IntoIterator<Item = PathBuf>) -> Result<Vec<Credential>, String> {
    let mut all = Vec::new();
    for path in paths {
        all.extend(load(&path)?);
    }
    Ok(all)
}

pub fn load(path: &Path) -> Result<Vec<Credential>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("entry,") {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() < 3 {
            return Err(format!(
                "{}:{}: expected entry,username,password",
                path.display(),
                n + 1
            ));
        }
        out.push(Credential {
            citation: format!("{name} entry {}", fields[0]),
            username: fields[1].to_string(),
            password: fields[2].to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn shipped_corpora_load_with_citations() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites/credentials");
        let mirai = super::load(&dir.join("mirai-2016.csv")).unwrap();
        assert_eq!(mirai.len(), 62);
        assert_eq!(mirai[5].citation, "mirai-2016.csv entry 6");
        assert_eq!(
            (mirai[5].username.as_str(), mirai[5].password.as_str()),
            ("root", "xmhdipc")
        );
        let vendor = super::load(&dir.join("vendor-defaults.csv")).unwrap();
        assert!(vendor
            .iter()
            .any(|c| c.username == "pi" && c.password == "raspberry"));
    }
}
