//! The TLS client side hilt uses to talk to a unit's own services. A unit's certificate is
//! normally self-signed and made on the device, so no lab can check it against a CA: hilt
//! takes whatever certificate is offered here, and 5.5-1-2's probe inventories it instead.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;

/// A TLS session over `tcp` with the unit at `ip`, taking whatever certificate it offers.
pub async fn connect(
    tcp: tokio::net::TcpStream,
    ip: std::net::IpAddr,
) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config()));
    connector
        .connect(ServerName::IpAddress(ip.into()), tcp)
        .await
}

pub fn config() -> rustls::ClientConfig {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let provider = rustls::crypto::ring::default_provider();
    let schemes = provider
        .signature_verification_algorithms
        .supported_schemes();
    rustls::ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate { schemes }))
        .with_no_client_auth()
}

#[derive(Debug)]
struct AnyCertificate {
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    // The handshake signatures are still checked: the peer must hold the certificate's key.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
        .or_else(|e| weak_key_signature(message, cert, dss, e))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
        .or_else(|e| weak_key_signature(message, cert, dss, e))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// ring refuses RSA keys under 2048 bits, so a unit with such a key (which 5.5-1-2 fails) could
/// not be logged in to at all, and every case needing its web API would be INCONCLUSIVE. Its
/// handshake signature is then checked with OpenSSL instead: still a real check that the peer
/// holds the certificate's key, only without ring's size floor.
fn weak_key_signature(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
    ring_said: rustls::Error,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    use openssl::hash::MessageDigest;
    use openssl::rsa::Padding;
    use openssl::sign::{RsaPssSaltlen, Verifier};
    let (digest, pss) = match dss.scheme {
        SignatureScheme::RSA_PKCS1_SHA256 => (MessageDigest::sha256(), false),
        SignatureScheme::RSA_PKCS1_SHA384 => (MessageDigest::sha384(), false),
        SignatureScheme::RSA_PKCS1_SHA512 => (MessageDigest::sha512(), false),
        SignatureScheme::RSA_PSS_SHA256 => (MessageDigest::sha256(), true),
        SignatureScheme::RSA_PSS_SHA384 => (MessageDigest::sha384(), true),
        SignatureScheme::RSA_PSS_SHA512 => (MessageDigest::sha512(), true),
        _ => return Err(ring_said),
    };
    let verified = (|| -> Result<bool, openssl::error::ErrorStack> {
        let key = openssl::x509::X509::from_der(cert.as_ref())?.public_key()?;
        if key.id() != openssl::pkey::Id::RSA || key.bits() >= 2048 {
            return Ok(false);
        }
        let mut v = Verifier::new(digest, &key)?;
        if pss {
            v.set_rsa_padding(Padding::PKCS1_PSS)?;
            v.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
        }
        v.update(message)?;
        v.verify(dss.signature())
    })();
    match verified {
        Ok(true) => Ok(HandshakeSignatureValid::assertion()),
        _ => Err(ring_said),
    }
}
