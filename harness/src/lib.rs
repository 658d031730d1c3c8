//! hilt: drives devices through ETSI EN 303 645 test suites following the test cases of
//! ETSI TS 103 701, and reports verdicts with their evidence.

pub mod config;
pub mod template;
