//! Reporters: results in, formats out. Execution never writes a report format itself.

pub mod bundle;
pub mod catalogue;
pub mod error;
pub mod html;
mod html_finding;
mod html_provisions;
mod html_psti;
pub mod json;
mod json_provisions;
pub mod junit;
mod junit_provisions;
mod junit_psti;
pub mod keys;
pub mod live;
pub mod manifest;
pub mod merge;
pub mod psti;
pub mod reissue;
mod reload;
pub mod seal;
mod svg;
pub mod table;
pub mod terminal;
pub mod timeline;

pub use crate::model::record::{CaseRecord, FileRef, RunInfo, SampleIdentity};
