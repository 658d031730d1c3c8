//! The camera maker's public web site, for PSTI tests that must not touch the internet: real
//! HTTPS under a test CA made at start-up, serving a security.txt, a vulnerability disclosure
//! policy and a support-period page. Site faults break one thing each, as a careless web team
//! would.
//!
//! `hilt-simdevice vendor-site --dir DIR --host NAME [--fault NAME]...` listens on 127.0.0.1 at
//! a free port and writes `DIR/ca.pem` (the CA to trust) and then `DIR/port`.

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{SslAcceptor, SslMethod};
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509NameBuilder, X509};
use std::path::PathBuf;
use std::sync::Arc;

pub const FAULTS: &[(&str, &str)] = &[
    ("security-txt-missing", "no /.well-known/security.txt (404)"),
    (
        "security-txt-expired",
        "security.txt's Expires is a year in the past",
    ),
    (
        "security-txt-no-contact",
        "security.txt has no Contact field",
    ),
    (
        "support-page-login",
        "the support-period page redirects to a sign-in form",
    ),
];

struct Site {
    faults: Vec<String>,
}

pub fn main(args: Vec<String>) -> i32 {
    let (mut dir, mut host, mut faults) = (None, None, Vec::new());
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        match (flag.as_str(), it.next()) {
            ("--dir", Some(v)) => dir = Some(PathBuf::from(v)),
            ("--host", Some(v)) => host = Some(v),
            ("--fault", Some(v)) if FAULTS.iter().any(|(n, _)| *n == v) => faults.push(v),
            _ => {
                let known: Vec<&str> = FAULTS.iter().map(|(n, _)| *n).collect();
                eprintln!("usage: hilt-simdevice vendor-site --dir DIR --host NAME [--fault NAME]... (faults: {})", known.join(", "));
                return 2;
            }
        }
    }
    let (Some(dir), Some(host)) = (dir, host) else {
        eprintln!("vendor-site: --dir and --host are required");
        return 2;
    };
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    match rt.block_on(serve(dir, host, Site { faults })) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("vendor-site: {e}");
            1
        }
    }
}

async fn serve(dir: PathBuf, host: String, site: Site) -> Result<(), String> {
    let (ca, ca_key) = certificate(&host, None).map_err(|e| e.to_string())?;
    let (leaf, leaf_key) = certificate(&host, Some((&ca, &ca_key))).map_err(|e| e.to_string())?;
    let mut b =
        SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).map_err(|e| e.to_string())?;
    b.set_private_key(&leaf_key).map_err(|e| e.to_string())?;
    b.set_certificate(&leaf).map_err(|e| e.to_string())?;
    b.add_extra_chain_cert(ca.clone())
        .map_err(|e| e.to_string())?;
    let acceptor = Arc::new(b.build());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let pem = ca.to_pem().map_err(|e| e.to_string())?;
    std::fs::write(dir.join("ca.pem"), pem).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("port"), port.to_string()).map_err(|e| e.to_string())?;
    let site = Arc::new(site);
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let (acceptor, site) = (acceptor.clone(), site.clone());
        tokio::spawn(async move {
            let Ok(ssl) = openssl::ssl::Ssl::new(acceptor.context()) else {
                return;
            };
            let Ok(mut tls) = tokio_openssl::SslStream::new(ssl, tcp) else {
                return;
            };
            if std::pin::Pin::new(&mut tls).accept().await.is_err() {
                return;
            }
            let service = hyper::service::service_fn(move |req| {
                let site = site.clone();
                async move { Ok::<_, std::convert::Infallible>(page(&site, req)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

fn page(site: &Site, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let has = |f: &str| site.faults.iter().any(|x| x == f);
    let html = |body: &str| {
        answer(
            StatusCode::OK,
            "text/html; charset=utf-8",
            format!("<!DOCTYPE html><html lang=\"en\"><head><title>Acme</title></head><body>{body}</body></html>"),
        )
    };
    match req.uri().path() {
        "/.well-known/security.txt" if has("security-txt-missing") => {
            answer(StatusCode::NOT_FOUND, "text/plain", "not found".into())
        }
        "/.well-known/security.txt" => {
            let days: i64 = if has("security-txt-expired") { -365 } else { 180 };
            let expires = rfc3339(now_secs() + days * 86_400);
            let mut t = String::from("# Acme product security\n");
            if !has("security-txt-no-contact") {
                t.push_str("Contact: mailto:psirt@vendor.example\n");
            }
            t.push_str(&format!("Expires: {}\nPolicy: https://vendor.example/security/disclosure\n", expires));
            answer(StatusCode::OK, "text/plain; charset=utf-8", t)
        }
        "/security/disclosure" => html("<h1>Reporting a vulnerability</h1><p>Send reports to <a href=\"mailto:psirt@vendor.example\">psirt@vendor.example</a>. We acknowledge every report within 5 working days and send status updates at least every 30 days until it is resolved.</p>"),
        "/support/period" if has("support-page-login") => {
            let mut r = answer(StatusCode::FOUND, "text/plain", String::new());
            r.headers_mut().insert(
                hyper::header::LOCATION,
                hyper::header::HeaderValue::from_static("/account/login?next=/support/period"),
            );
            r
        }
        "/support/period" => html("<h1>Security updates</h1><p>The VC-100 camera receives security updates until 31 December 2030.</p>"),
        "/account/login" => html("<form method=\"post\"><input name=\"user\"><input type=\"password\" name=\"pw\"></form>"),
        _ => answer(StatusCode::NOT_FOUND, "text/plain", "not found".into()),
    }
}

fn answer(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    r
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, no calendar crate).
fn rfc3339(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A CA (no issuer given) or a leaf for `host` signed by the given CA.
fn certificate(
    host: &str,
    issuer: Option<(&X509, &PKey<Private>)>,
) -> Result<(X509, PKey<Private>), openssl::error::ErrorStack> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let key = PKey::from_ec_key(EcKey::generate(&group)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text(
        "CN",
        if issuer.is_some() {
            host
        } else {
            "hilt test CA"
        },
    )?;
    let name = name.build();
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let serial = BigNum::from_u32(if issuer.is_some() { 2 } else { 1 })?.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_pubkey(&key)?;
    let (from, until) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(30)?);
    b.set_not_before(&from)?;
    b.set_not_after(&until)?;
    match issuer {
        None => {
            b.set_issuer_name(&name)?;
            b.append_extension(BasicConstraints::new().critical().ca().build()?)?;
            b.sign(&key, MessageDigest::sha256())?;
        }
        Some((ca, ca_key)) => {
            b.set_issuer_name(ca.subject_name())?;
            let san = SubjectAlternativeName::new()
                .dns(host)
                .build(&b.x509v3_context(Some(ca), None))?;
            b.append_extension(san)?;
            b.sign(ca_key, MessageDigest::sha256())?;
        }
    }
    Ok((b.build(), key))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_civil() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_798_675_200), "2026-12-31T00:00:00Z");
    }
}
