//! What can go wrong on a way to the unit, sorted by whose side it is on: that side becomes the
//! cause of the INCONCLUSIVE it leads to.

use crate::model::verdict::{Blocker, Cause};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The unit did not answer in time, closed the connection or broke its protocol.
    #[error("{0}")]
    Unit(String),
    /// hilt's side of the wire: a client, port, thread, file or program of the bench.
    #[error("{0}")]
    Bench(String),
    /// What was asked cannot be done this way: a value of the profile or rig.
    #[error("{0}")]
    Config(String),
}

impl Error {
    pub fn cause(&self) -> Cause {
        match self {
            Error::Unit(_) => Cause::Unit,
            Error::Bench(_) => Cause::Bench,
            Error::Config(_) => Cause::Config,
        }
    }

    /// The same error, its message prefixed with what was being done.
    pub fn context(self, what: impl std::fmt::Display) -> Error {
        let prefix = |m: String| format!("{what}: {m}");
        match self {
            Error::Unit(m) => Error::Unit(prefix(m)),
            Error::Bench(m) => Error::Bench(prefix(m)),
            Error::Config(m) => Error::Config(prefix(m)),
        }
    }
}

impl From<Error> for Blocker {
    fn from(e: Error) -> Blocker {
        Blocker::new(e.cause(), e.to_string())
    }
}

impl From<super::expect::ExpectError> for Error {
    fn from(e: super::expect::ExpectError) -> Error {
        Error::Unit(e.to_string())
    }
}
