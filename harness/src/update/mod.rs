//! Update authenticity: tampered images made from the lab's valid ones, delivered through each
//! declared update mechanism, and what the unit runs afterwards.

pub mod battery;
pub mod error;
pub mod layout;
pub mod observe;
pub mod offline;
pub mod push_http;
pub mod server;
pub mod tamper;
pub mod transfer;
