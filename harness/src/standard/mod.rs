//! What EN 303 645 itself says, as data: the provisions, their ICS status and the TS 103 701
//! test cases that assess them (`suites/catalogue/`, one file per version of the standard).

pub mod catalogue;
