//! TLS for the admin API: a self-signed certificate made at start-up (as cameras make one on
//! first boot) and the protocol versions the firmware allows.

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::ssl::{SslAcceptor, SslMethod, SslOptions, SslVersion};
use openssl::x509::extension::SubjectAlternativeName;
use openssl::x509::{X509NameBuilder, X509};
use std::net::IpAddr;

/// The certificate's key pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertKey {
    /// ECDSA P-256, made at start-up: each unit its own.
    Own,
    /// RSA 1024 bits, made at start-up.
    Weak,
    /// ECDSA P-256, the same in every unit: built into the firmware image.
    Shared,
}

/// A P-256 key made once for the simulator (openssl ecparam -genkey | openssl pkcs8 -topk8):
/// the key a firmware build that ships one in its image gives every unit.
const SHARED_KEY: &[u8] = b"-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgavrN0sP6G8t+Ya+E
8UdYXgMrKuRnCrE/YKD0PKfTYKihRANCAAQiuXG+BRICTBVJR57RKEQNwhWrtVin
spTlcwQAWoCr4YCbSd6JjclZpanw2bVpvzyeGPaFy1IUsj7WJQpH4q+y
-----END PRIVATE KEY-----
";

/// Compliant firmware speaks TLS 1.2 and 1.3 only; `legacy` also accepts TLS 1.0 and 1.1 with
/// the old CBC suites (OpenSSL's security level 0 is needed for those); a weak key needs level
/// 0 again, or OpenSSL refuses to serve it.
pub fn acceptor(
    model: &str,
    address: IpAddr,
    legacy: bool,
    key: CertKey,
) -> Result<SslAcceptor, String> {
    let weak_key = key == CertKey::Weak;
    let (cert, key) = self_signed(model, address, key).map_err(|e| format!("certificate: {e}"))?;
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())
        .map_err(|e| format!("TLS context: {e}"))?;
    if weak_key {
        b.set_security_level(0);
    }
    b.set_private_key(&key).map_err(|e| e.to_string())?;
    b.set_certificate(&cert).map_err(|e| e.to_string())?;
    if legacy {
        // Mozilla's profile also switches the old versions off by option, not only by minimum.
        b.clear_options(SslOptions::NO_TLSV1 | SslOptions::NO_TLSV1_1);
        b.set_security_level(0);
        b.set_cipher_list("DEFAULT:@SECLEVEL=0")
            .map_err(|e| e.to_string())?;
        b.set_min_proto_version(Some(SslVersion::TLS1))
            .map_err(|e| e.to_string())?;
    } else {
        b.set_min_proto_version(Some(SslVersion::TLS1_2))
            .map_err(|e| e.to_string())?;
    }
    Ok(b.build())
}

fn self_signed(
    model: &str,
    address: IpAddr,
    key: CertKey,
) -> Result<(X509, PKey<openssl::pkey::Private>), openssl::error::ErrorStack> {
    let key = match key {
        CertKey::Weak => PKey::from_rsa(openssl::rsa::Rsa::generate(1024)?)?,
        CertKey::Own => {
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
            PKey::from_ec_key(EcKey::generate(&group)?)?
        }
        CertKey::Shared => PKey::private_key_from_pem(SHARED_KEY)?,
    };
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("CN", model)?;
    let name = name.build();
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let serial = BigNum::from_u32(1)?.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    b.set_pubkey(&key)?;
    let (from, until) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(3650)?);
    b.set_not_before(&from)?;
    b.set_not_after(&until)?;
    let san = SubjectAlternativeName::new()
        .ip(&address.to_string())
        .build(&b.x509v3_context(None, None))?;
    b.append_extension(san)?;
    b.sign(&key, MessageDigest::sha256())?;
    Ok((b.build(), key))
}
