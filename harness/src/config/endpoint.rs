//! Where on the unit a request goes: a TCP port, over TLS or not.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub port: u16,
    pub tls: bool,
}

impl Endpoint {
    pub fn plain(port: u16) -> Endpoint {
        Endpoint { port, tls: false }
    }
}
