//! The addresses a rig declares for a slot are the only ones hilt may send traffic to for it.

use std::net::IpAddr;

#[derive(Debug, Clone)]
pub struct Scope {
    allowed: Vec<IpAddr>,
}

impl Scope {
    pub fn new(allowed: Vec<IpAddr>) -> Scope {
        Scope { allowed }
    }

    pub fn check(&self, address: IpAddr) -> Result<IpAddr, String> {
        if self.allowed.contains(&address) {
            Ok(address)
        } else {
            Err(format!(
                "{address} is outside the rig's declared scope for this slot; nothing was sent"
            ))
        }
    }
}
