//! Active TLS probe of one TCP port: which protocol versions the server completes a handshake
//! with, which cipher suites it picks under each, and its certificate's key. OpenSSL does the
//! handshakes because the probe must offer TLS 1.0 and 1.1, which rustls cannot; security level 0
//! lets OpenSSL 3 offer them at all. Nothing is sent after a handshake.

#[path = "tls_probe_handshake.rs"]
mod handshake;

use super::bounded_io::Stop;
use super::error::Error;
use crate::config::crypto::TlsVersion;
use handshake::handshake;
use std::net::SocketAddr;
use std::time::Duration;

/// One socket operation never waits longer than this.
const IO_WAIT: Duration = Duration::from_secs(3);
/// Nor one handshake, however the server dribbles it.
const HANDSHAKE: Duration = Duration::from_secs(10);
/// Nor the whole probe of one port (a normal one takes seconds; each suite learnt costs a
/// handshake).
const WHOLE_PROBE: Duration = Duration::from_secs(120);
/// Suites learnt per version at most: each costs a handshake.
const MAX_SUITES: usize = 40;
const TLS13_SUITES: [&str; 5] = [
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_128_CCM_SHA256",
    "TLS_AES_128_CCM_8_SHA256",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateKey {
    /// `RSA`, `EC` or another OpenSSL key type name; `unreadable` when the certificate's
    /// public key could not be parsed (then `bits` is 0).
    pub kind: String,
    pub bits: u32,
    pub signature: String,
    /// SHA-256 of the public key (its SubjectPublicKeyInfo DER), hex; empty when unreadable.
    /// The same one on two units means one key pair for both, whatever the certificates say.
    pub public_key_sha256: String,
}

/// What a client that can verify only RSA, or only ECDSA, signatures offers: a server with a
/// certificate of each kind has to show the other one.
const SIGALGS: [&str; 2] = [
    "RSA+SHA256:RSA+SHA384:RSA+SHA512:rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512",
    "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsInventory {
    /// Versions the server completed a handshake with, and the suites it chose under each.
    pub accepted: Vec<(TlsVersion, Vec<String>)>,
    /// Versions it refused, with OpenSSL's reason.
    pub refused: Vec<(TlsVersion, String)>,
    /// Every distinct certificate key the server presented: to the version probes, and to a
    /// client offering only RSA and then only ECDSA signature algorithms.
    pub certificates: Vec<CertificateKey>,
    /// Suites the server chose under SSL 3.0, which OpenSSL cannot offer: asked with a
    /// ClientHello of hilt's own (`tls_hello`).
    pub ssl3: Vec<String>,
}

impl TlsInventory {
    pub fn speaks_tls(&self) -> bool {
        !self.accepted.is_empty() || !self.ssl3.is_empty()
    }

    pub fn accepts(&self, v: TlsVersion) -> bool {
        self.accepted.iter().any(|(a, _)| *a == v)
    }
}

/// Probes every version; an error means the port could not be reached at all, or the probe
/// ran past its time. Dropping the future stops the blocking work within about a second.
pub async fn probe(target: super::target::Target, port: u16) -> Result<TlsInventory, Error> {
    off_the_runtime(target.socket(port), probe_blocking).await
}

/// OpenSSL's handshakes block: `work` runs on a blocking thread, within WHOLE_PROBE.
async fn off_the_runtime<T: Send + 'static>(
    addr: SocketAddr,
    work: fn(SocketAddr, &Stop) -> Result<T, Error>,
) -> Result<T, Error> {
    let stop = Stop::within(WHOLE_PROBE);
    let _stop_when_dropped = stop.on_drop();
    let handshakes = tokio::task::spawn_blocking(move || work(addr, &stop));
    super::device_time::waiting(handshakes)
        .await
        .map_err(|e| Error::Bench(format!("TLS probe: {e}")))?
}

/// Only the certificate keys the server presents: to a client at each version it takes (TLS 1.3
/// and 1.2 first, the older ones only when neither is spoken), and from TLS 1.2 on to a client
/// offering only RSA, then only ECDSA signatures. Far fewer handshakes than `probe`. An empty
/// list: no TLS handshake completed.
pub async fn presented_keys(
    target: super::target::Target,
    port: u16,
) -> Result<Vec<CertificateKey>, Error> {
    off_the_runtime(target.socket(port), keys_blocking).await
}

fn keys_blocking(addr: SocketAddr, stop: &Stop) -> Result<Vec<CertificateKey>, Error> {
    let mut inv = TlsInventory::default();
    let mut spoken = Vec::new();
    for v in [
        TlsVersion::Tls13,
        TlsVersion::Tls12,
        TlsVersion::Tls11,
        TlsVersion::Tls10,
    ] {
        if matches!(v, TlsVersion::Tls11 | TlsVersion::Tls10) && !spoken.is_empty() {
            break;
        }
        if let Ok(done) = handshake(addr, v, &[], None, stop)? {
            inv.add_certificate(done.certificate);
            spoken.push(v);
        }
    }
    let modern = spoken
        .into_iter()
        .find(|v| matches!(v, TlsVersion::Tls13 | TlsVersion::Tls12));
    if let Some(v) = modern {
        for sigalgs in SIGALGS {
            if let Ok(done) = handshake(addr, v, &[], Some(sigalgs), stop)? {
                inv.add_certificate(done.certificate);
            }
        }
    }
    Ok(inv.certificates)
}

fn probe_blocking(addr: SocketAddr, stop: &Stop) -> Result<TlsInventory, Error> {
    let mut inv = TlsInventory::default();
    for v in TlsVersion::ALL {
        let mut suites: Vec<String> = Vec::new();
        loop {
            match handshake(addr, v, &suites, None, stop)? {
                Ok(done) => {
                    inv.add_certificate(done.certificate);
                    if suites.contains(&done.suite) {
                        break; // the server ignored the exclusion; nothing more to learn
                    }
                    suites.push(done.suite);
                    if suites.len() >= MAX_SUITES {
                        break;
                    }
                }
                Err(reason) => {
                    if suites.is_empty() {
                        inv.refused.push((v, reason));
                    }
                    break;
                }
            }
        }
        if !suites.is_empty() {
            inv.accepted.push((v, suites));
        }
    }
    legacy_suites(addr, &mut inv, stop)?;
    // Signature algorithms choose the certificate from TLS 1.2 on.
    let modern = [TlsVersion::Tls13, TlsVersion::Tls12]
        .into_iter()
        .find(|v| inv.accepts(*v));
    if let Some(v) = modern {
        for sigalgs in SIGALGS {
            if let Ok(done) = handshake(addr, v, &[], Some(sigalgs), stop)? {
                inv.add_certificate(done.certificate);
            }
        }
    }
    Ok(inv)
}

/// What OpenSSL can no longer offer, asked with hilt's own ClientHello: SSL 3.0 with any old
/// suite, and RC4, DES, 3DES and export suites under TLS 1.0 to 1.2. Each suite the server
/// chooses is taken out of the next offer, so every one it accepts is named.
fn legacy_suites(addr: SocketAddr, inv: &mut TlsInventory, stop: &Stop) -> Result<(), Error> {
    use super::tls_hello::{self, Answer};
    let versions = [
        (tls_hello::SSL3, None),
        (tls_hello::TLS10, Some(TlsVersion::Tls10)),
        (tls_hello::TLS11, Some(TlsVersion::Tls11)),
        (tls_hello::TLS12, Some(TlsVersion::Tls12)),
    ];
    // Past SSL 3.0, only a port that answered some hello like a TLS server is asked again.
    let mut tls_like = inv.speaks_tls();
    for (wire, version) in versions {
        if version.is_some() && !tls_like {
            break;
        }
        let mut offer: Vec<u16> = tls_hello::LEGACY_SUITES.iter().map(|(c, _)| *c).collect();
        if version.is_none() {
            offer.extend(tls_hello::CBC_SHA1_SUITES.iter().map(|(c, _)| *c));
        }
        let mut chosen = Vec::new();
        while chosen.len() < MAX_SUITES {
            stopped(addr, stop)?;
            let answer = tls_hello::ask(addr, wire, &offer, IO_WAIT)
                .map_err(|e| Error::Unit(format!("{addr}: {e}")))?;
            tls_like |= matches!(answer, Answer::Hello { .. } | Answer::Alert(..));
            let Answer::Hello { version: v, suite } = answer else {
                break;
            };
            // A server answering another version, or a suite not offered, accepts none of these.
            if v != wire || !offer.contains(&suite) {
                break;
            }
            offer.retain(|c| *c != suite);
            chosen.push(tls_hello::suite_name(suite));
        }
        match version {
            None => inv.ssl3 = chosen,
            Some(v) if !chosen.is_empty() => inv.add_accepted(v, chosen),
            Some(_) => {}
        }
    }
    Ok(())
}

impl TlsInventory {
    fn add_accepted(&mut self, v: TlsVersion, suites: Vec<String>) {
        self.refused.retain(|(r, _)| *r != v);
        match self.accepted.iter_mut().find(|(a, _)| *a == v) {
            Some((_, known)) => {
                for s in suites {
                    if !known.contains(&s) {
                        known.push(s);
                    }
                }
            }
            None => {
                self.accepted.push((v, suites));
                self.accepted.sort_by_key(|(a, _)| *a);
            }
        }
    }

    fn add_certificate(&mut self, key: Option<CertificateKey>) {
        if let Some(key) = key {
            if !self.certificates.contains(&key) {
                self.certificates.push(key);
            }
        }
    }
}

fn stopped(addr: SocketAddr, stop: &Stop) -> Result<(), Error> {
    stop.check()
        .map_err(|e| Error::Unit(format!("{addr}: TLS probe stopped: {e}")))
}

/// Suites no one should negotiate today, by what their OpenSSL name contains.
pub fn is_weak_suite(name: &str) -> bool {
    const WEAK: [&str; 9] = [
        "NULL", "EXP", "RC4", "DES-CBC", "3DES", "ADH", "AECDH", "MD5", "anon",
    ];
    WEAK.iter().any(|w| name.contains(w)) || name.starts_with("DES")
}

#[cfg(test)]
#[path = "tls_probe_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "tls_probe_servers.rs"]
mod servers;
