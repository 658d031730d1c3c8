//! Ways to reach a unit. Each is a small piece with a real implementation; none knows a device.

pub mod bounded_io;
pub mod capture;
mod capture_holdback;
pub mod client_tls;
pub mod console;
pub mod device_time;
pub mod digest;
pub mod dns_records;
pub mod error;
pub mod expect;
pub mod http;
pub mod ipv6_sightings;
pub mod portscan;
pub mod published;
pub mod ssh_client;
pub mod switch;
pub mod syn_scan;
pub mod target;
pub mod telnet;
pub mod tls_client;
pub mod tls_hello;
pub mod tls_probe;
mod tls_suites;
pub mod udp_payloads;
pub mod udp_probe;
pub mod udp_reprobe;
pub mod xmodem;
