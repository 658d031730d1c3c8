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
    let forced = spec.forced_change_status.contains(&status)
        || (spec.success_status.contains(&status)
            && spec
                .forced_change_body
                .as_ref()
                .is_some_and(|p| p.regex.is_match(body)));
    if forced {
        return LoginOutcome::ForcedChange;
    }
    if spec.success_status.contains(&status) {
        return match &spec.success_body {
            Some(p) if !p.regex.is_match(body) => LoginOutcome::Rejected,
            _ => LoginOutcome::Accepted,
        };
    }
    LoginOutcome::NotALogin(format!("HTTP status {status}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::pattern::Pattern;
    use rstest::rstest;

    fn spec(forced_status: Vec<u16>, forced_body: Option<&str>) -> HttpLogin {
        HttpLogin {
            method: "GET".into(),
            path: "/api/stream".into(),
            json: None,
            form: None,
            basic_auth: true,
            digest_auth: false,
            success_status: vec![200],
            success_body: None,
            failure_status: vec![401, 403],
            locked_status: vec![429],
            forced_change_status: forced_status,
            forced_change_body: forced_body.map(|b| Pattern::new(b).unwrap()),
            within: crate::config::duration::Dur(std::time::Duration::from_secs(1)),
        }
    }

    #[rstest]
    #[case::undeclared_reads_as_accepted(vec![], None, 200, "{\"change_password_required\":true}", LoginOutcome::Accepted)]
    #[case::declared_body(vec![], Some("change_password_required"), 200, "{\"change_password_required\":true}", LoginOutcome::ForcedChange)]
    #[case::declared_body_absent(vec![], Some("change_password_required"), 200, "{\"stream\":1}", LoginOutcome::Accepted)]
    #[case::declared_status(vec![428], None, 428, "", LoginOutcome::ForcedChange)]
    #[case::failure_first(vec![], Some("change"), 401, "change", LoginOutcome::Rejected)]
    fn a_forced_change_is_told_by_its_declared_answer(
        #[case] forced_status: Vec<u16>,
        #[case] forced_body: Option<&str>,
        #[case] status: u16,
        #[case] body: &str,
        #[case] want: LoginOutcome,
    ) {
        let s = spec(forced_status, forced_body);
        assert_eq!(judge(&s, status, body.as_bytes()), want);
    }
}
