//! A configuration problem, always pointing at the file, line, column and key path that caused it.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the file as a whole (unreadable, empty).
    pub line: u64,
    pub column: u64,
    /// Dotted key path with `[i]` for sequence items, e.g. `slots[1].network.address`.
    pub key_path: String,
    pub problem: String,
}

impl ConfigError {
    pub fn whole_file(file: impl Into<PathBuf>, problem: impl Into<String>) -> Self {
        ConfigError {
            file: file.into(),
            line: 0,
            column: 0,
            key_path: String::new(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        let path = if self.key_path.is_empty() {
            "(document root)"
        } else {
            &self.key_path
        };
        write!(f, ": {}: {}", path, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// Several problems found in one pass, so a user fixes a file in one go rather than one error a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl From<ConfigError> for ConfigErrors {
    fn from(e: ConfigError) -> Self {
        ConfigErrors(vec![e])
    }
}
