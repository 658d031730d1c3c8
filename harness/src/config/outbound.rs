//! IXIT 11 communication mechanisms the unit opens itself (cloud, update, time servers): where it
//! connects and with which cryptographic details. 5.5-1-2 compares the sessions the capture
//! shows the unit opening with these.

use super::crypto::TlsDetails;
use super::located::Located;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outbound {
    pub id: Located<String>,
    #[serde(default)]
    pub purpose: String,
    /// The server: the host name the unit asks for in TLS (SNI) or its address. Absent: any
    /// server on `port`.
    #[serde(default)]
    pub server: Option<String>,
    pub port: u16,
    /// The session runs over TLS with these details; absent: the mechanism is clear text.
    #[serde(default)]
    pub tls: Option<TlsDetails>,
}

impl Outbound {
    /// Does a connection to `address` (asking for `server_name`, if TLS) belong to this entry?
    pub fn covers(&self, address: std::net::SocketAddr, server_name: Option<&str>) -> bool {
        address.port() == self.port
            && self.server.as_deref().is_none_or(|s| {
                server_name.is_some_and(|n| n.eq_ignore_ascii_case(s))
                    || s.parse::<std::net::IpAddr>() == Ok(address.ip())
            })
    }
}
