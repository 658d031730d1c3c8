//! The run's vocabulary, below both the cases that produce it and the reporters that write it:
//! verdicts, case specs and records.

pub mod activity;
pub mod case;
pub mod event;
pub mod exit;
pub mod figure;
pub mod provisions;
pub mod psti;
pub mod record;
pub mod unit;
pub mod verdict;
