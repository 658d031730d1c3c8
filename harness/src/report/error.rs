//! Why a report, key or bundle could not be made or read. What the operator handed in is a usage
//! error; a file hilt could not write is hilt's own failure. The two exit differently.

use crate::model::exit;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file the operator named is missing, unreadable or not what it should be.
    #[error("{0}")]
    Input(String),
    /// hilt could not write its own output.
    #[error("{}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Building a report failed inside hilt (a serializer refused what hilt gave it).
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn unreadable(path: &Path, e: impl std::fmt::Display) -> Error {
        Error::Input(format!("{}: {e}", path.display()))
    }

    pub fn unwritable(path: &Path, source: std::io::Error) -> Error {
        Error::Write {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The exit status a command ends with on this error (see `model::exit`).
    pub fn exit_status(&self) -> i32 {
        match self {
            Error::Input(_) => exit::USAGE,
            Error::Write { .. } | Error::Internal(_) => exit::HARNESS,
        }
    }
}
