//! Why a login trial could not be built: always the profile's doing, since the bench only needs a
//! declared service and the unit's address to try one.

use crate::model::verdict::{Blocker, Cause};
use crate::util::template::TemplateError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("mechanism names no service")]
    NoService,
    #[error("no service `{0}`")]
    UnknownService(String),
    #[error(transparent)]
    Template(#[from] TemplateError),
}

impl From<Error> for Blocker {
    fn from(e: Error) -> Blocker {
        Blocker::new(Cause::Config, e.to_string())
    }
}
