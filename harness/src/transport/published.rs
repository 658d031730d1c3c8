//! Fetching what a manufacturer publishes (a disclosure policy, a support-period page, a
//! security.txt) as evidence: the bytes as served, the headers, the final URL after redirects,
//! the certificate chain the server presented and when it was fetched. Unlike a unit's own
//! services, these are public web pages: their certificates are verified against the system's
//! CAs and the ones the profile trusts. Bounded in size and time, as any answer from outside.

use super::error::Error;
use rustls::pki_types::{CertificateDer, ServerName};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Pages larger than this are cut (and the cut is recorded); policies are a few KiB.
pub const MAX_BODY: usize = 2 << 20;
const MAX_REDIRECTS: usize = 10;

pub struct Fetcher {
    tls: Arc<rustls::ClientConfig>,
    resolve: Vec<(String, IpAddr)>,
    within: Duration,
}

#[derive(Debug, Clone, Default)]
pub struct Fetched {
    pub url: String,
    /// Where the redirects ended.
    pub final_url: String,
    /// Every URL the client was sent to after the first, in order.
    pub redirects: Vec<String>,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub truncated: bool,
    pub fetched_at: String,
    /// DER certificates as the final host presented them, leaf first (https only).
    pub chain: Vec<Vec<u8>>,
    /// Why no answer came (DNS, TCP, TLS verification, timeout).
    pub error: Option<String>,
}

impl Fetched {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| k.to_ascii_lowercase() == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Fetcher {
    /// `extra_roots`: PEM files of CAs to trust besides the system's.
    pub fn new(
        extra_roots: &[std::path::PathBuf],
        resolve: Vec<(String, IpAddr)>,
        within: Duration,
    ) -> Result<Fetcher, Error> {
        use rustls::pki_types::pem::PemObject;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        for file in extra_roots {
            let certs = CertificateDer::pem_file_iter(file)
                .map_err(|e| Error::Config(format!("{}: {e}", file.display())))?;
            for cert in certs {
                let cert = cert.map_err(|e| Error::Config(format!("{}: {e}", file.display())))?;
                roots
                    .add(cert)
                    .map_err(|e| Error::Config(format!("{}: {e}", file.display())))?;
            }
        }
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Fetcher {
            tls: Arc::new(tls),
            resolve,
            within,
        })
    }

    pub async fn fetch(&self, url: &str) -> Fetched {
        let mut out = Fetched {
            url: url.to_string(),
            final_url: url.to_string(),
            fetched_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ..Fetched::default()
        };
        let hops = Arc::new(Mutex::new(Vec::new()));
        let client = match self.client(hops.clone()) {
            Ok(c) => c,
            Err(e) => {
                out.error = Some(e.to_string());
                return out;
            }
        };
        let answer = tokio::time::timeout(self.within, async {
            let mut response = client.get(url).send().await.map_err(describe)?;
            out.final_url = response.url().to_string();
            out.status = Some(response.status().as_u16());
            out.headers = response
                .headers()
                .iter()
                .take(64)
                .map(|(k, v)| {
                    let v = String::from_utf8_lossy(v.as_bytes());
                    (k.to_string(), v.chars().take(2048).collect())
                })
                .collect();
            while let Some(chunk) = response.chunk().await.map_err(describe)? {
                let room = MAX_BODY - out.body.len();
                if chunk.len() > room {
                    out.body.extend_from_slice(&chunk[..room]);
                    out.truncated = true;
                    break;
                }
                out.body.extend_from_slice(&chunk);
            }
            Ok::<(), String>(())
        })
        .await;
        match answer {
            Ok(Ok(())) => {}
            Ok(Err(e)) => out.error = Some(e),
            Err(_) => {
                out.error = Some(format!(
                    "no complete answer within {:.0}s",
                    self.within.as_secs_f64()
                ))
            }
        }
        out.redirects = hops.lock().map(|h| h.clone()).unwrap_or_default();
        if out.error.is_none() {
            match self.chain(&out.final_url).await {
                Ok(chain) => out.chain = chain,
                Err(e) => out.error = Some(format!("certificate chain: {e}")),
            }
        }
        out
    }

    fn client(&self, hops: Arc<Mutex<Vec<String>>>) -> Result<reqwest::Client, Error> {
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if let Ok(mut h) = hops.lock() {
                h.push(attempt.url().to_string());
            }
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else {
                attempt.follow()
            }
        });
        let mut b = reqwest::Client::builder()
            .use_preconfigured_tls((*self.tls).clone())
            .no_proxy()
            .redirect(policy)
            .user_agent(concat!("hilt/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10));
        for (host, addr) in &self.resolve {
            // The port comes from the URL; only the address replaces DNS.
            b = b.resolve(host, SocketAddr::new(*addr, 0));
        }
        b.build()
            .map_err(|e| Error::Bench(format!("HTTP client: {e}")))
    }

    /// The chain the final host presents, from a handshake of its own (an HTTP client does not
    /// hand out intermediates). Verified as the fetch was.
    async fn chain(&self, url: &str) -> Result<Vec<Vec<u8>>, String> {
        let url = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
        if url.scheme() != "https" {
            return Ok(vec![]);
        }
        let host = url.host_str().ok_or("no host")?.to_string();
        let port = url.port_or_known_default().unwrap_or(443);
        let resolved = self
            .resolve
            .iter()
            .find(|(h, _)| *h == host)
            .map(|(_, a)| *a);
        let tcp = async {
            match resolved {
                Some(addr) => tokio::net::TcpStream::connect(SocketAddr::new(addr, port)).await,
                None => tokio::net::TcpStream::connect((host.as_str(), port)).await,
            }
        };
        let name = ServerName::try_from(host.clone()).map_err(|e| e.to_string())?;
        let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
        let handshake = async {
            let tcp = tcp.await.map_err(|e| e.to_string())?;
            let tls = connector
                .connect(name, tcp)
                .await
                .map_err(|e| e.to_string())?;
            let (_, session) = tls.get_ref();
            Ok::<_, String>(
                session
                    .peer_certificates()
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c.as_ref().to_vec())
                    .collect(),
            )
        };
        tokio::time::timeout(self.within, handshake)
            .await
            .map_err(|_| "no handshake in time".to_string())?
    }
}

/// The whole cause chain: reqwest's top-level message alone hides a certificate error.
fn describe(e: reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// PEM text of a DER chain, for the bundle.
pub fn chain_pem(chain: &[Vec<u8>]) -> String {
    use base64::Engine;
    let mut out = String::new();
    for der in chain {
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        for line in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A plain-HTTP server on 127.0.0.1 that answers every connection with `answer` (or never).
    async fn server(answer: Option<Vec<u8>>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    let _ = s.read(&mut buf).await;
                    match answer {
                        Some(a) => {
                            let _ = s.write_all(&a).await;
                        }
                        None => tokio::time::sleep(Duration::from_secs(30)).await,
                    }
                });
            }
        });
        format!("http://{addr}/policy")
    }

    fn fetcher() -> Fetcher {
        Fetcher::new(&[], vec![], Duration::from_secs(1)).unwrap()
    }

    #[tokio::test]
    async fn a_page_too_large_is_cut_and_the_cut_recorded() {
        let mut answer =
            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", 3 << 20).into_bytes();
        answer.extend(std::iter::repeat_n(b'x', 3 << 20));
        let f = fetcher().fetch(&server(Some(answer)).await).await;
        assert_eq!(f.status, Some(200));
        assert!(f.truncated);
        assert_eq!(f.body.len(), MAX_BODY);
        assert!(f.chain.is_empty(), "plain HTTP has no chain");
    }

    #[tokio::test]
    async fn a_server_that_never_answers_is_an_error_in_time() {
        let started = std::time::Instant::now();
        let f = fetcher().fetch(&server(None).await).await;
        assert!(f.error.unwrap().contains("no complete answer within"));
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    /// A TLS server on 127.0.0.1 with a self-signed certificate for `localhost`.
    async fn self_signed_server() -> String {
        use openssl::{ec, nid::Nid, pkey::PKey, x509};
        let group = ec::EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let key = PKey::from_ec_key(ec::EcKey::generate(&group).unwrap()).unwrap();
        let mut name = x509::X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "localhost").unwrap();
        let name = name.build();
        let mut b = x509::X509::builder().unwrap();
        b.set_version(2).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(&key).unwrap();
        let (from, until) = (
            openssl::asn1::Asn1Time::days_from_now(0).unwrap(),
            openssl::asn1::Asn1Time::days_from_now(2).unwrap(),
        );
        b.set_not_before(&from).unwrap();
        b.set_not_after(&until).unwrap();
        let san = x509::extension::SubjectAlternativeName::new()
            .dns("localhost")
            .build(&b.x509v3_context(None, None))
            .unwrap();
        b.append_extension(san).unwrap();
        b.sign(&key, openssl::hash::MessageDigest::sha256())
            .unwrap();
        let cert = CertificateDer::from(b.build().to_der().unwrap());
        let key =
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.private_key_to_pkcs8().unwrap().into());
        let _ = rustls::crypto::ring::default_provider().install_default();
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                if let Ok(mut s) = acceptor.accept(tcp).await {
                    let _ = s
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        .await;
                }
            }
        });
        format!("https://localhost:{port}/policy")
    }

    #[tokio::test]
    async fn a_certificate_nobody_trusts_is_refused() {
        // Self-signed, as a unit's own is: not how a manufacturer's published page is served.
        let url = self_signed_server().await;
        let loopback = vec![("localhost".to_string(), "127.0.0.1".parse().unwrap())];
        let f = Fetcher::new(&[], loopback, Duration::from_secs(2))
            .unwrap()
            .fetch(&url)
            .await;
        let error = f.error.expect("refused");
        assert!(error.to_lowercase().contains("certificate"), "{error}");
        assert_eq!(f.status, None);
    }
}
