//! What stops an update trial, with whose side it was on: the cause of the INCONCLUSIVE it
//! leads to.

use crate::model::verdict::{Blocker, Cause};
use crate::util::template::TemplateError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Transport(#[from] crate::transport::error::Error),
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A profile procedure (reset, version read-back, trigger) stopped at a step.
    #[error("{0}")]
    Procedure(Blocker),
    /// The profile or the lab's update material lacks what the trial needs.
    #[error("{0}")]
    Config(String),
    /// hilt's side: the update server it plays, a file it keeps.
    #[error("{0}")]
    Bench(String),
    /// The unit stopped answering or broke off.
    #[error("{0}")]
    Unit(String),
}

impl Error {
    pub fn cause(&self) -> Cause {
        match self {
            Error::Transport(e) => e.cause(),
            Error::Template(_) | Error::Config(_) => Cause::Config,
            Error::Procedure(b) => b.cause,
            Error::Bench(_) => Cause::Bench,
            Error::Unit(_) => Cause::Unit,
        }
    }

    /// The same error, its message prefixed with what was being done; the cause is kept.
    pub fn context(self, what: impl std::fmt::Display) -> Error {
        Error::Procedure(Blocker::from(self).context(what))
    }
}

impl From<Blocker> for Error {
    fn from(b: Blocker) -> Error {
        Error::Procedure(b)
    }
}

impl From<Error> for Blocker {
    fn from(e: Error) -> Blocker {
        match e {
            Error::Procedure(b) => b,
            other => Blocker::new(other.cause(), other.to_string()),
        }
    }
}
