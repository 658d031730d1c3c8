//! The HTTP side of networked relays: one GET or call with a deadline, HTTP basic or digest
//! login (Shelly Gen2 asks for SHA-256 digest), a bounded answer, and a refused login said as
//! such.

use crate::config::power::RelayLogin;
use crate::transport::error::Error;
use std::time::Duration;

/// A relay on the bench's own network answers at once; one that does not is a bench fault.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);
const ANSWER_LIMIT: usize = 64 * 1024;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Auth {
    Basic,
    Digest,
    /// `user` and `password` query parameters (Tasmota), kept out of every message.
    Query,
}

pub(super) struct RelayHttp {
    client: reqwest::Client,
    /// `http://HOST[:PORT]`, or what the rig gave when it names a scheme.
    pub base: String,
    login: Option<RelayLogin>,
    auth: Auth,
}

impl RelayHttp {
    pub fn new(host: &str, login: Option<RelayLogin>, auth: Auth) -> Result<RelayHttp, Error> {
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(crate::transport::tls_client::config())
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ANSWER_WITHIN)
            .build()
            .map_err(|e| Error::Bench(format!("HTTP client: {e}")))?;
        let base = match host.contains("://") {
            true => host.trim_end_matches('/').to_string(),
            false => format!("http://{host}"),
        };
        Ok(RelayHttp {
            client,
            base,
            login,
            auth,
        })
    }

    /// GET `path` (with its query) on the relay; the answer's body.
    pub async fn get(&self, path: &str) -> Result<String, Error> {
        self.call("GET", &format!("{}{path}", self.base), None)
            .await
    }

    /// GET `path`, read as JSON.
    pub async fn json(&self, path: &str) -> Result<serde_json::Value, Error> {
        let body = self.get(path).await?;
        serde_json::from_str(&body).map_err(|e| {
            Error::Bench(format!(
                "{}{path}: not JSON ({e}): {}",
                self.base,
                crate::evidence::printable(&body.as_bytes()[..body.len().min(120)])
            ))
        })
    }

    /// One request to `url` with an optional (content type, body); the body of a 2xx answer.
    pub async fn call(
        &self,
        method: &str,
        url: &str,
        body: Option<(&str, &str)>,
    ) -> Result<String, Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::Config(format!("bad HTTP method {method}")))?;
        let sent_url = match (&self.login, self.auth) {
            (Some(l), Auth::Query) => format!(
                "{url}{}user={}&password={}",
                if url.contains('?') { "&" } else { "?" },
                crate::transport::http::percent(&l.username),
                crate::transport::http::percent(&l.password)
            ),
            _ => url.to_string(),
        };
        let send = |authorization: Option<String>| {
            let mut req = self.client.request(method.clone(), &sent_url);
            if let Some((kind, text)) = body {
                req = req.header("content-type", kind).body(text.to_string());
            }
            match (&self.login, self.auth, authorization) {
                (_, _, Some(a)) => req = req.header("authorization", a),
                (Some(l), Auth::Basic, None) => {
                    req = req.basic_auth(&l.username, Some(&l.password))
                }
                _ => {}
            }
            req.send()
        };
        // reqwest's messages name the URL, which may carry the login: said without it.
        let bench = |e: reqwest::Error| Error::Bench(format!("{url}: {}", e.without_url()));
        let mut answer = send(None).await.map_err(bench)?;
        if answer.status() == 401 && self.auth == Auth::Digest {
            if let Some(login) = &self.login {
                let challenge = answer
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .and_then(crate::transport::digest::parse);
                if let Some(c) = challenge {
                    let uri = reqwest::Url::parse(url)
                        .map(|u| match u.query() {
                            Some(q) => format!("{}?{q}", u.path()),
                            None => u.path().to_string(),
                        })
                        .unwrap_or_default();
                    let mut nonce = [0u8; 8];
                    crate::util::random::fill(&mut nonce);
                    let cnonce = crate::util::hash::hex(&nonce);
                    let authorization = crate::transport::digest::answer(
                        &c,
                        method.as_str(),
                        &uri,
                        &login.username,
                        &login.password,
                        &cnonce,
                    );
                    answer = send(Some(authorization)).await.map_err(bench)?;
                }
            }
        }
        let status = answer.status();
        if status == 401 || status == 403 {
            let why = match self.login {
                Some(_) => "refused the rig's login",
                None => "asks for a login the rig does not give (`login:`)",
            };
            return Err(Error::Bench(format!(
                "{url}: the relay {why} (HTTP {status})"
            )));
        }
        let mut text = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(bench)? {
            text.extend_from_slice(&chunk);
            if text.len() > ANSWER_LIMIT {
                return Err(Error::Bench(format!(
                    "{url}: an answer over {ANSWER_LIMIT} bytes"
                )));
            }
        }
        let text = String::from_utf8_lossy(&text).into_owned();
        if !status.is_success() {
            return Err(Error::Bench(format!(
                "{url}: HTTP {status}: {}",
                crate::evidence::printable(&text.as_bytes()[..text.len().min(120)])
            )));
        }
        Ok(text)
    }
}
