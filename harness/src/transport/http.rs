//! HTTP and HTTPS to a unit (reqwest over rustls): requests only to the slot's address, answers bounded,
//! every exchange logged as evidence.

use super::error::Error;
use super::target::Target;
use crate::evidence::EvidenceLog;
use crate::util::template::TemplateError;
use std::collections::BTreeMap;
use std::time::Duration;

/// Bodies past this are cut: a login answer or status page is far smaller.
const MAX_BODY: usize = 256 * 1024;

pub use crate::config::endpoint::Endpoint;

pub fn url(endpoint: &Endpoint, target: Target, path: &str) -> String {
    let scheme = if endpoint.tls { "https" } else { "http" };
    format!("{scheme}://{}{path}", target.socket(endpoint.port))
}

pub struct HttpRequest {
    pub method: String,
    pub endpoint: Endpoint,
    pub path: String,
    pub json: Option<serde_json::Value>,
    pub form: Option<BTreeMap<String, String>>,
    pub basic_auth: Option<(String, String)>,
    /// A ready `Authorization` header (HTTP digest), used instead of `basic_auth`.
    pub authorization: Option<String>,
    /// A body as bytes with its content type (a firmware image); logged by size and hash only.
    pub raw_body: Option<(String, Vec<u8>)>,
    pub within: Duration,
}

/// The request parts a profile writes as a template.
pub struct RequestTemplate<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub json: Option<&'a serde_json::Value>,
    pub form: Option<&'a BTreeMap<String, String>>,
}

impl HttpRequest {
    /// A plain `GET` with no body and no credentials.
    pub fn get(endpoint: Endpoint, path: &str, within: Duration) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            endpoint,
            path: path.into(),
            json: None,
            form: None,
            basic_auth: None,
            authorization: None,
            raw_body: None,
            within,
        }
    }

    /// Fills `{name}` placeholders in the path, JSON strings and form values.
    pub fn from_template(
        t: RequestTemplate<'_>,
        endpoint: Endpoint,
        within: Duration,
        fill: &dyn Fn(&str) -> Result<String, TemplateError>,
    ) -> Result<HttpRequest, TemplateError> {
        let json = t
            .json
            .map(|j| crate::util::template::fill_json(j, fill))
            .transpose()?;
        let form = t
            .form
            .map(|f| {
                f.iter()
                    .map(|(k, v)| Ok((k.clone(), fill(v)?)))
                    .collect::<Result<BTreeMap<_, _>, TemplateError>>()
            })
            .transpose()?;
        Ok(HttpRequest {
            method: t.method.to_string(),
            endpoint,
            path: fill(t.path)?,
            json,
            form,
            basic_auth: None,
            authorization: None,
            raw_body: None,
            within,
        })
    }
}

#[derive(Debug, Clone)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server's authentication challenge, if it sent one.
    pub www_authenticate: Option<String>,
    /// Every header, values cut to 2 KiB, at most 64.
    pub headers: Vec<(String, String)>,
}

pub struct Http {
    client: reqwest::Client,
    target: Target,
    log: EvidenceLog,
}

impl Http {
    pub fn new(target: Target, log: EvidenceLog) -> Result<Http, Error> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(super::tls_client::config())
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| Error::Bench(format!("HTTP client: {e}")))?;
        Ok(Http {
            client,
            target,
            log,
        })
    }

    pub async fn send(&self, req: &HttpRequest) -> Result<HttpAnswer, Error> {
        let url = url(&req.endpoint, self.target, &req.path);
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| Error::Config(format!("bad HTTP method {}", req.method)))?;
        let mut builder = self.client.request(method, &url).timeout(req.within);
        let mut shown_body = String::new();
        if let Some(j) = &req.json {
            shown_body = j.to_string();
            builder = builder
                .header("content-type", "application/json")
                .body(shown_body.clone());
        } else if let Some((content_type, bytes)) = &req.raw_body {
            shown_body = describe_bytes(bytes);
            builder = builder
                .header("content-type", content_type)
                .body(bytes.clone());
        } else if let Some(f) = &req.form {
            shown_body = form_encode(f);
            builder = builder
                .header("content-type", "application/x-www-form-urlencoded")
                .body(shown_body.clone());
        }
        if let Some(value) = &req.authorization {
            builder = builder.header(reqwest::header::AUTHORIZATION, value);
        } else if let Some((u, p)) = &req.basic_auth {
            builder = builder.basic_auth(u, Some(p));
        }
        self.log
            .line(">", &format!("{} {url} {shown_body}", req.method));
        let exchange = async {
            let mut resp = builder
                .send()
                .await
                .map_err(|e| Error::Unit(describe(&e)))?;
            let status = resp.status().as_u16();
            let www_authenticate = resp
                .headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(2048).collect());
            let headers = resp
                .headers()
                .iter()
                .take(64)
                .map(|(k, v)| {
                    let value = String::from_utf8_lossy(v.as_bytes());
                    (k.to_string(), value.chars().take(2048).collect())
                })
                .collect();
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| Error::Unit(describe(&e)))? {
                let room = MAX_BODY - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() >= MAX_BODY {
                    break;
                }
            }
            Ok::<_, Error>(HttpAnswer {
                status,
                body,
                www_authenticate,
                headers,
            })
        };
        let result = crate::transport::device_time::timeout(req.within, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(Error::Unit(format!(
                    "no answer within {:.1}s",
                    req.within.as_secs_f64()
                )))
            });
        match &result {
            Ok(a) => self.log.line(
                "<",
                &format!("{} {}", a.status, crate::evidence::printable(&a.body)),
            ),
            Err(e) => self.log.line("#", &format!("{url}: {e}")),
        }
        result.map_err(|e| e.context(format_args!("{} {url}", req.method)))
    }

    /// Sends the request head and only the first `cut_after` body bytes, announcing the full
    /// length, and keeps the connection open: the transfer is under way when the caller cuts the
    /// unit's power. Dropping the returned stream ends it.
    pub async fn send_cut_off(
        &self,
        req: &HttpRequest,
        cut_after: usize,
    ) -> Result<OpenTransfer, Error> {
        use tokio::io::AsyncWriteExt;
        let (content_type, bytes) = req
            .raw_body
            .as_ref()
            .ok_or_else(|| Error::Config("a cut-off transfer needs a byte body".into()))?;
        let addr = self.target.socket(req.endpoint.port);
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
            req.method,
            req.path,
            bytes.len()
        );
        if let Some(value) = &req.authorization {
            head.push_str(&format!("Authorization: {value}\r\n"));
        } else if let Some((u, p)) = &req.basic_auth {
            let token = crate::util::encoding::base64(&format!("{u}:{p}"));
            head.push_str(&format!("Authorization: Basic {token}\r\n"));
        }
        head.push_str("\r\n");
        let cut = cut_after.min(bytes.len());
        let url = url(&req.endpoint, self.target, &req.path);
        self.log.line(
            ">",
            &format!(
                "{} {url} {} (sending only the first {cut} bytes)",
                req.method,
                describe_bytes(bytes)
            ),
        );
        let tls = req.endpoint.tls;
        let write = async {
            let tcp = tokio::net::TcpStream::connect(addr).await?;
            let mut stream: OpenTransfer = if tls {
                Box::new(super::tls_client::connect(tcp, self.target.ip()).await?)
            } else {
                Box::new(tcp)
            };
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&bytes[..cut]).await?;
            stream.flush().await?;
            Ok::<_, std::io::Error>(stream)
        };
        match crate::transport::device_time::timeout(req.within, write).await {
            Ok(Ok(stream)) => Ok(stream),
            Ok(Err(e)) => Err(Error::Unit(format!("{addr}: {e}"))),
            Err(_) => Err(Error::Unit(format!(
                "{addr}: transfer stalled for {:.1}s",
                req.within.as_secs_f64()
            ))),
        }
    }
}

/// A transfer left half-way, over TCP or TLS; dropping it closes the connection.
pub type OpenTransfer = Box<dyn tokio::io::AsyncWrite + Send + Unpin>;

/// How an image body shows in the evidence: its size and SHA-256, never the bytes.
pub fn describe_bytes(bytes: &[u8]) -> String {
    format!(
        "<{} bytes, sha256 {}>",
        bytes.len(),
        crate::util::hash::sha256_hex(bytes)
    )
}

fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

pub fn form_encode(fields: &BTreeMap<String, String>) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
