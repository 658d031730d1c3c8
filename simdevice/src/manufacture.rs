//! "Manufacture": the label data a unit leaves the factory with, and its pre-installed password.

use crate::firmware::{Fault, Firmware};
use std::io::Read;

#[derive(Debug, Clone)]
pub struct Label {
    pub serial: String,
    pub mac: String,
    /// What the camera calls itself on the network (DHCP, mDNS): a public identifier.
    pub hostname: String,
    pub username: String,
    pub password: String,
}

pub fn manufacture(fw: &Firmware, unit: u32, faults: &[Fault]) -> Label {
    // Units of a sample set come from different batches: identifiers are not consecutive.
    let spread = mix(unit);
    let serial = format!("VC100-{:07}", spread % 10_000_000);
    let mac_tail = spread.to_be_bytes();
    let mac = format!(
        "02:56:43:{:02x}:{:02x}:{:02x}",
        mac_tail[1], mac_tail[2], mac_tail[3]
    );
    let password = if faults.contains(&Fault::SamePassword) {
        fw.shared_password.clone()
    } else if faults.contains(&Fault::DefaultLabelPassword) {
        // Printed on every label of the batch, and on Mirai's list (entry 8).
        "juantech".to_string()
    } else if faults.contains(&Fault::MacDerivedPassword) {
        // The last three MAC bytes, as many cheap routers and cameras did.
        format!("Cam{}Q7", mac.replace(':', "")[6..].to_uppercase())
    } else if faults.contains(&Fault::SerialDerivedPassword) {
        // The serial's digits reversed, dressed up to meet the character rule.
        format!(
            "Sn{}x",
            serial
                .chars()
                .rev()
                .filter(char::is_ascii_digit)
                .take(9)
                .collect::<String>()
        )
    } else if faults.contains(&Fault::WeakPassword) {
        // Unique per unit, but shorter than documented and without capitals.
        format!("cam{:05}", spread % 100_000)
    } else if faults.contains(&Fault::SequentialPasswords) {
        format!("Vc100pw{:05}", 1000 + unit)
    } else {
        random_password(12)
    };
    let hostname = format!("vc100-{}", &mac.replace(':', "")[6..]);
    Label {
        hostname,
        serial,
        mac,
        username: fw.admin_username.clone(),
        password,
    }
}

fn mix(unit: u32) -> u32 {
    let mut x = unit.wrapping_mul(0x9E37_79B9) ^ 0x5bd1_e995;
    x ^= x >> 15;
    x = x.wrapping_mul(0x2c1b_3c6d);
    x ^ (x >> 12)
}

/// Random over [A-Za-z0-9], with at least one of each class, as the profile documents.
pub fn random_password(len: usize) -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    let mut bytes = vec![0u8; len];
    loop {
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut bytes))
            .expect("the simulated factory needs /dev/urandom");
        let all: Vec<u8> = [UPPER, LOWER, DIGIT].concat();
        let pw: String = bytes
            .iter()
            .map(|b| all[*b as usize % all.len()] as char)
            .collect();
        let has = |set: &[u8]| pw.bytes().any(|c| set.contains(&c));
        if has(UPPER) && has(LOWER) && has(DIGIT) {
            return pw;
        }
    }
}
