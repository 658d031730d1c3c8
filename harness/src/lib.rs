//! hilt: drives devices through ETSI EN 303 645 test suites following the test cases of
//! ETSI TS 103 701, and reports verdicts with their evidence.
//!
//! # Layers
//!
//! Data flows one way, from configuration to reports. A module may use the modules of lower
//! layers and its own children, never a peer or a higher layer, so the modules form a tree
//! (`tests/layers.rs` holds the code to this list). Lowest first:
//!
//! 1. util, standard — encodings, digests, randomness, tokens, templates, test scaffolding;
//!    EN 303 645's provisions as data
//! 2. config, corpus — validated rig, profile and suite; credential lists
//! 3. evidence — what is written as it is observed, and the redaction of secrets
//! 4. model — verdicts, case specs and records, shared by the cases and the reporters
//! 5. transport, secrets — console, network, capture, power, and the `Target` address type that
//!    keeps traffic inside the rig's declared scope; secret scanning of byte images
//! 6. debug — debug ports (SWD through probe-rs or a bridge, UART boot probing)
//! 7. bench — a rig's slots bound to their drivers: one `Sample` per unit, made of the `Unit` the
//!    rig describes, its `Drivers`, its evidence and the run's `RunState` of it
//! 8. login — one trial per login protocol
//! 9. procedure — the profile's procedures, run step by step
//! 10. update — update images, their delivery and what the unit made of them
//! 11. facts — what is learnt once per sample and shared by cases
//! 12. cases — one module per TS 103 701 test case
//! 13. plan, schema, psti, draft — suite × ICS × samples, decided without hardware; the config
//!     files' JSON Schemas, each case's parameters included; the manufacturer's published pages
//!     and statement of compliance gathered for the PSTI view; a first profile drafted from
//!     what a unit shows
//! 14. report — JUnit, JSON, HTML, the terminal table, the bundle and its manifest
//! 15. run — samples in parallel, cases in order, records to the reporters
//! 16. fuzz — test-only: every decoder of device bytes and the config loader, fed mutations
//!
//! The binary (`main.rs`) sits above them all.

pub mod bench;
pub mod cases;
pub mod config;
pub mod corpus;
pub mod debug;
pub mod draft;
pub mod evidence;
pub mod facts;
#[cfg(test)]
mod fuzz;
pub mod login;
pub mod model;
pub mod plan;
pub mod procedure;
pub mod psti;
pub mod report;
pub mod run;
pub mod schema;
pub mod secrets;
pub mod standard;
pub mod transport;
pub mod update;
pub mod util;
