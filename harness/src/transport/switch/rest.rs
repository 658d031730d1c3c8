//! Any relay with an HTTP call for on, one for off, and a page whose body says the state.

use super::read_back::Relay;
use super::relay_http::{Auth, RelayHttp};
use crate::config::power::{RestCall, RestPower};
use crate::transport::error::Error;
use futures_util::future::BoxFuture;

pub(super) struct Rest {
    http: RelayHttp,
    config: RestPower,
}

impl Rest {
    pub fn new(config: &RestPower) -> Result<Rest, Error> {
        Ok(Rest {
            // Every call names its full URL; the state page stands as the relay's address.
            http: RelayHttp::new(&config.state.url, config.login.clone(), Auth::Basic)?,
            config: config.clone(),
        })
    }
}

impl Relay for Rest {
    fn set(&self, on: bool) -> BoxFuture<'_, Result<(), Error>> {
        let call: &RestCall = if on {
            &self.config.on
        } else {
            &self.config.off
        };
        Box::pin(async move {
            let body = call
                .body
                .as_deref()
                .map(|b| (call.content_type.as_str(), b));
            self.http
                .call(&call.method, &call.url, body)
                .await
                .map(drop)
        })
    }

    fn is_on(&self) -> BoxFuture<'_, Result<bool, Error>> {
        Box::pin(async move {
            let state = &self.config.state;
            let body = self.http.call("GET", &state.url, None).await?;
            Ok(state.on_when.regex.is_match(body.as_bytes()))
        })
    }

    fn describe(&self) -> String {
        format!("rest relay {}", self.config.state.url)
    }
}

#[cfg(test)]
mod tests {
    use super::super::read_back::ReadBack;
    use super::super::relay_tests::*;
    use super::*;
    use crate::config::pattern::Pattern;
    use crate::config::power::{RelayLogin, RestState};
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
    use std::sync::Arc;

    /// A relay board's REST API: PUT /api/relay/2/on|off, GET /api/relay/2, basic auth `lab:pw`.
    async fn device(stuck: bool) -> String {
        let on = Arc::new(AtomicBool::new(false));
        serve(Arc::new(move |method, path, authorization| {
            if authorization != Some("Basic bGFiOnB3") {
                return Answer::status(401, "");
            }
            match (method, path) {
                ("PUT", "/api/relay/2/on") if !stuck => on.store(true, Relaxed),
                ("PUT", "/api/relay/2/off") if !stuck => on.store(false, Relaxed),
                ("PUT", _) | ("GET", "/api/relay/2") => {}
                _ => return Answer::status(405, ""),
            }
            Answer::json(&format!(r#"{{"relay":2,"on": {}}}"#, on.load(Relaxed)))
        }))
        .await
    }

    fn relay(host: &str, password: &str) -> ReadBack<Rest> {
        let call = |what: &str| RestCall {
            url: format!("http://{host}/api/relay/2/{what}"),
            method: "PUT".into(),
            body: None,
            content_type: "application/json".into(),
        };
        let config = RestPower {
            on: call("on"),
            off: call("off"),
            state: RestState {
                url: format!("http://{host}/api/relay/2"),
                on_when: Pattern::new(r#""on":\s*true"#).unwrap(),
            },
            login: Some(RelayLogin {
                username: "lab".into(),
                password: password.into(),
            }),
        };
        ReadBack(Rest::new(&config).unwrap())
    }

    #[tokio::test]
    async fn a_rest_relay_switches_and_reads_back() {
        switches_both_ways(&relay(&device(false).await, "pw")).await;
    }

    #[tokio::test]
    async fn a_stuck_rest_relay_a_wrong_password_and_a_hang_are_the_benchs_errors() {
        bench_error(&relay(&device(true).await, "pw"), "still reads back off").await;
        bench_error(
            &relay(&device(false).await, "no"),
            "refused the rig's login",
        )
        .await;
        hang_is_bench_error(&relay(&hung().await, "pw")).await;
    }
}
