//! hilt: drives devices through ETSI EN 303 645 test suites following the test cases of
//! ETSI TS 103 701, and reports verdicts with their evidence.

pub mod bench;
pub mod cases;
pub mod config;
pub mod corpus;
pub mod debug;
pub mod evidence;
pub mod facts;
pub mod login;
pub mod plan;
pub mod procedure;
pub mod random;
pub mod report;
pub mod run;
pub mod secrets;
pub mod template;
#[cfg(test)]
mod test_dir;
pub mod transport;
pub mod update;
pub mod verdict;
