//! HTTP login (JSON or form body, or basic auth) judged by status codes and an optional body
//! marker from the profile.

use super::{CredentialTrial, LoginOutcome, TrialFuture};
use crate::bench::Sample;
use crate::config::profile::HttpLogin;
use crate::transport::http::HttpRequest;
use std::collections::BTreeMap;

pub struct HttpTrial<'a> {
    pub sample: &'a Sample,
    pub port: u16,
    pub spec: &'a HttpLogin,
}

impl CredentialTrial for HttpTrial<'_> {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a> {
        Box::pin(async move {
            let vars = BTreeMap::from([
                ("username".to_string(), username.to_string()),
                ("password".to_string(), password.to_string()),
            ]);
            let fill = |s: &str| crate::template::fill(s, &vars);
            let json = match &self.spec.json {
                Some(j) => match super::map_json(j, &fill) {
                    Ok(v) => Some(v),
                    Err(e) => return LoginOutcome::NotALogin(e),
                },
                None => None,
            };
            let form = self.spec.form.as_ref().map(|f| {
                f.iter()
                    .map(|(k, v)| (k.clone(), fill(v).unwrap_or_default()))
                    .collect()
            });
            let req = HttpRequest {
                method: self.spec.method.clone(),
                port: self.port,
                path: self.spec.path.clone(),
                json,
                form,
                basic_auth: self
                    .spec
                    .basic_auth
                    .then(|| (username.to_string(), password.to_string())),
                within: self.spec.within.0,
            };
            if let Err(e) = self.sample.scope.check(self.sample.address) {
                return LoginOutcome::NotALogin(e);
            }
            match self.sample.http.send(&req).await {
                Err(e) => LoginOutcome::NotALogin(e),
                Ok(a) => judge(self.spec, a.status, &a.body),
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
