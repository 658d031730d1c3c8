//! One OpenSSL handshake of the TLS probe at exactly one version, and what it learnt: the suite
//! the server chose and the certificate key it presented.

use super::{stopped, CertificateKey, HANDSHAKE, IO_WAIT, TLS13_SUITES};
use crate::config::crypto::TlsVersion;
use crate::transport::bounded_io::{BoundedStream, Stop};
use crate::transport::error::Error;
use openssl::ssl::{
    Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslVerifyMode, SslVersion,
};
use std::net::{SocketAddr, TcpStream};

pub(super) struct Handshake {
    pub suite: String,
    pub certificate: Option<CertificateKey>,
}

/// One handshake at exactly `version`, offering every suite but `excluded`. The outer error is
/// "cannot connect"; the inner one is the server refusing the handshake.
pub(super) fn handshake(
    addr: SocketAddr,
    version: TlsVersion,
    excluded: &[String],
    sigalgs: Option<&str>,
    stop: &Stop,
) -> Result<Result<Handshake, String>, Error> {
    stopped(addr, stop)?;
    let tcp = TcpStream::connect_timeout(&addr, IO_WAIT)
        .map_err(|e| Error::Unit(format!("{addr}: {e}")))?;
    let tcp = BoundedStream::new(tcp, IO_WAIT, HANDSHAKE, stop);
    let began = std::time::Instant::now();
    let context = match context(version, excluded, sigalgs) {
        Ok(c) => c,
        // Every suite of this version is excluded: the inventory is complete.
        Err(e) => return Ok(Err(e)),
    };
    let ssl = match Ssl::new(&context) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e.to_string())),
    };
    Ok(match ssl.connect(tcp) {
        Ok(stream) => {
            let ssl = stream.ssl();
            let suite = ssl
                .current_cipher()
                .map(|c| c.name().to_string())
                .unwrap_or_else(|| "?".into());
            let certificate = ssl.peer_certificate().map(|c| {
                let signature = c.signature_algorithm().object().to_string();
                match c.public_key() {
                    Ok(key) => CertificateKey {
                        kind: key_kind(key.id()),
                        bits: key.bits(),
                        signature,
                        public_key_sha256: key
                            .public_key_to_der()
                            .map(|der| crate::util::hash::sha256_hex(&der))
                            .unwrap_or_default(),
                    },
                    Err(_) => CertificateKey {
                        kind: "unreadable".into(),
                        bits: 0,
                        signature,
                        public_key_sha256: String::new(),
                    },
                }
            });
            Ok(Handshake { suite, certificate })
        }
        Err(e) => {
            // A server still sending when the probe's or the handshake's time ran out refused
            // nothing: it dribbled (a silent one fails after IO_WAIT).
            stopped(addr, stop)?;
            if began.elapsed() >= HANDSHAKE {
                return Err(Error::Unit(format!(
                    "{addr}: a TLS handshake was still not complete after {} s of answers",
                    HANDSHAKE.as_secs()
                )));
            }
            Err(brief(&e.to_string()))
        }
    })
}

/// A context that verifies nothing, so it loads no trust store: `SslConnector::builder` parses
/// every system CA certificate, which cost more CPU than the handshakes themselves. The options
/// and modes are `SslConnector`'s, so the hello is the same. No SNI: the unit is an address.
fn context(
    version: TlsVersion,
    excluded: &[String],
    sigalgs: Option<&str>,
) -> Result<SslContext, String> {
    let v = match version {
        TlsVersion::Tls10 => SslVersion::TLS1,
        TlsVersion::Tls11 => SslVersion::TLS1_1,
        TlsVersion::Tls12 => SslVersion::TLS1_2,
        TlsVersion::Tls13 => SslVersion::TLS1_3,
    };
    let err = |e: openssl::error::ErrorStack| e.to_string();
    let mut b = SslContextBuilder::new(SslMethod::tls()).map_err(err)?;
    b.set_options(
        (SslOptions::ALL
            | SslOptions::NO_COMPRESSION
            | SslOptions::NO_SSLV2
            | SslOptions::NO_SSLV3
            | SslOptions::SINGLE_DH_USE
            | SslOptions::SINGLE_ECDH_USE)
            & !SslOptions::DONT_INSERT_EMPTY_FRAGMENTS,
    );
    b.set_mode(
        SslMode::AUTO_RETRY
            | SslMode::ACCEPT_MOVING_WRITE_BUFFER
            | SslMode::ENABLE_PARTIAL_WRITE
            | SslMode::RELEASE_BUFFERS,
    );
    b.set_verify(SslVerifyMode::NONE);
    b.set_security_level(0);
    b.set_min_proto_version(Some(v)).map_err(err)?;
    b.set_max_proto_version(Some(v)).map_err(err)?;
    if let Some(list) = sigalgs {
        b.set_sigalgs_list(list).map_err(err)?;
    }
    if version == TlsVersion::Tls13 {
        let offer: Vec<&str> = TLS13_SUITES
            .iter()
            .copied()
            .filter(|s| !excluded.iter().any(|e| e == s))
            .collect();
        if offer.is_empty() {
            return Err("no suite left to offer".into());
        }
        b.set_ciphersuites(&offer.join(":")).map_err(err)?;
    } else {
        let mut list = String::from("ALL:COMPLEMENTOFALL:@SECLEVEL=0");
        for e in excluded {
            list.push_str(&format!(":!{e}"));
        }
        b.set_cipher_list(&list)
            .map_err(|_| "no suite left to offer".to_string())?;
    }
    Ok(b.build())
}

fn key_kind(id: openssl::pkey::Id) -> String {
    match id {
        openssl::pkey::Id::RSA => "RSA".into(),
        openssl::pkey::Id::EC => "EC".into(),
        openssl::pkey::Id::ED25519 => "Ed25519".into(),
        openssl::pkey::Id::DSA => "DSA".into(),
        other => format!("key type {}", other.as_raw()),
    }
}

/// OpenSSL's error text, without the long per-frame detail.
fn brief(text: &str) -> String {
    let t: String = text.chars().take(200).collect();
    t.replace('\n', " ")
}
