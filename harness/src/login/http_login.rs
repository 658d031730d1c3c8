//! HTTP login (JSON or form body, or basic auth) judged by status codes and an optional body
//! marker from the profile.

use super::{CredentialTrial, LoginOutcome, TrialFuture};
use crate::bench::Sample;
use crate::config::profile::HttpLogin;
use crate::transport::digest;
use crate::transport::http::{HttpRequest, RequestTemplate};
use std::collections::BTreeMap;

pub struct HttpTrial<'a> {
    pub sample: &'a Sample,
    pub endpoint: crate::transport::http::Endpoint,
    pub spec: &'a HttpLogin,
}

impl CredentialTrial for HttpTrial<'_> {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a> {
        Box::pin(async move {
            let vars = BTreeMap::from([
                ("username".to_string(), username.to_string()),
                ("password".to_string(), password.to_string()),
            ]);
            let spec = self.spec;
            let template = RequestTemplate {
                method: &spec.method,
                path: &spec.path,
                json: spec.json.as_ref(),
                form: spec.form.as_ref(),
            };
            let mut req =
                match HttpRequest::from_template(template, self.endpoint, spec.within.0, &|t| {
                    crate::util::template::fill(t, &vars)
                }) {
                    Ok(r) => r,
                    Err(e) => return LoginOutcome::NotALogin(e.to_string()),
                };
            if spec.basic_auth {
                req.basic_auth = Some((username.to_string(), password.to_string()));
            }
            if spec.digest_auth {
                // The challenge first: a fresh nonce for every attempt.
                let challenge = match self.sample.drivers.http.send(&req).await {
                    Err(e) => return LoginOutcome::NotALogin(e.to_string()),
                    Ok(a) => match a.www_authenticate.as_deref().and_then(digest::parse) {
                        Some(c) => c,
                        None => {
                            return LoginOutcome::NotALogin(format!(
                                "HTTP status {} without a digest challenge",
                                a.status
                            ))
                        }
                    },
                };
                let cnonce = crate::util::token::fresh();
                req.authorization = Some(digest::answer(
                    &challenge,
                    &req.method,
                    &req.path,
                    username,
                    password,
                    &cnonce,
                ));
            }
            match self.sample.drivers.http.send(&req).await {
                Err(e) => LoginOutcome::NotALogin(e.to_string()),
                Ok(a) => judge(spec, a.status, &a.body),
            }
        })
    }
}

pub fn judge(spec: &HttpLogin, status: u16, body: &[u8]) -> LoginOutcome {
    if spec.locked_status.contains(&status) {
        return LoginOutcome::LockedOut;
    }
    if spec.failure_status.contains(&status) {
        return LoginOutcome::Rejected;
    }
    if spec.success_status.contains(&status) {
        return match &spec.success_body {
            Some(p) if !p.regex.is_match(body) => LoginOutcome::Rejected,
            _ => LoginOutcome::Accepted,
        };
    }
    LoginOutcome::NotALogin(format!("HTTP status {status}"))
}
