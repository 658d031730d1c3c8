//! What EN 303 645 itself says, as data: the provisions and their ICS status.

pub mod provisions;
