//! A Tasmota relay through its web command API: `/cm?cmnd=Power1 On` switches, `Power1`
//! alone reads the state (`{"POWER1":"ON"}`, or `{"POWER":"ON"}` on a single-relay device).
//! A web password travels as `user` and `password` query parameters, as Tasmota wants; they
//! stay out of every message.

use super::read_back::Relay;
use super::relay_http::{Auth, RelayHttp};
use crate::config::power::TasmotaPower;
use crate::transport::error::Error;
use crate::transport::http::percent;
use futures_util::future::BoxFuture;

pub(super) struct Tasmota {
    http: RelayHttp,
    relay: u8,
}

impl Tasmota {
    pub fn new(config: &TasmotaPower) -> Result<Tasmota, Error> {
        Ok(Tasmota {
            http: RelayHttp::new(&config.host, config.login.clone(), Auth::Query)?,
            relay: config.relay,
        })
    }

    async fn command(&self, command: &str) -> Result<serde_json::Value, Error> {
        let answer = self
            .http
            .json(&format!("/cm?cmnd={}", percent(command)))
            .await?;
        if let Some(warning) = answer.get("WARNING").and_then(|w| w.as_str()) {
            // Tasmota answers a missing or wrong web password this way.
            return Err(Error::Bench(format!(
                "the relay refused the command: {warning}"
            )));
        }
        Ok(answer)
    }
}

impl Relay for Tasmota {
    fn set(&self, on: bool) -> BoxFuture<'_, Result<(), Error>> {
        let word = if on { "On" } else { "Off" };
        Box::pin(async move {
            self.command(&format!("Power{} {word}", self.relay))
                .await
                .map(drop)
        })
    }

    fn is_on(&self) -> BoxFuture<'_, Result<bool, Error>> {
        Box::pin(async move {
            let answer = self.command(&format!("Power{}", self.relay)).await?;
            let key = format!("POWER{}", self.relay);
            let state = answer
                .get(&key)
                .or_else(|| (self.relay == 1).then(|| answer.get("POWER")).flatten())
                .and_then(|v| v.as_str());
            match state {
                Some("ON") => Ok(true),
                Some("OFF") => Ok(false),
                _ => Err(Error::Bench(format!(
                    "no {key} state in the answer {answer}"
                ))),
            }
        })
    }

    fn describe(&self) -> String {
        format!("tasmota {} relay {}", self.http.base, self.relay)
    }
}

#[cfg(test)]
mod tests {
    use super::super::read_back::ReadBack;
    use super::super::relay_tests::*;
    use super::super::Switch;
    use super::*;
    use crate::config::power::RelayLogin;
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
    use std::sync::Arc;

    /// Tasmota's `/cm` API for one relay (`POWER` key) with the web password `s3cret`; a stuck
    /// relay acknowledges commands and does not switch.
    async fn device(stuck: bool) -> String {
        let on = Arc::new(AtomicBool::new(false));
        serve(Arc::new(move |_, path, _| {
            let query = path
                .split_once('?')
                .map_or("", |(_, q)| q)
                .replace("%20", " ");
            let params: Vec<&str> = query.split('&').collect();
            if !params.contains(&"user=admin") || !params.contains(&"password=s3cret") {
                return Answer::status(
                    401,
                    r#"{"WARNING":"Need user=<username>&password=<password>"}"#,
                );
            }
            match params.iter().find_map(|p| p.strip_prefix("cmnd=")) {
                Some("Power1 On") if !stuck => on.store(true, Relaxed),
                Some("Power1 Off") if !stuck => on.store(false, Relaxed),
                Some("Power1" | "Power1 On" | "Power1 Off") => {}
                _ => return Answer::json(r#"{"Command":"Unknown"}"#),
            }
            let state = if on.load(Relaxed) { "ON" } else { "OFF" };
            Answer::json(&format!(r#"{{"POWER":"{state}"}}"#))
        }))
        .await
    }

    fn relay(host: String, password: &str) -> ReadBack<Tasmota> {
        let login = Some(RelayLogin {
            username: "admin".into(),
            password: password.into(),
        });
        ReadBack(
            Tasmota::new(&TasmotaPower {
                host,
                relay: 1,
                login,
            })
            .unwrap(),
        )
    }

    #[tokio::test]
    async fn tasmota_switches_and_reads_back() {
        switches_both_ways(&relay(device(false).await, "s3cret")).await;
    }

    #[tokio::test]
    async fn a_stuck_tasmota_relay_a_wrong_password_and_a_hang_are_the_benchs_errors() {
        bench_error(
            &relay(device(true).await, "s3cret"),
            "switched on but still reads back off",
        )
        .await;
        let wrong = relay(device(false).await, "wrong");
        bench_error(&wrong, "refused the rig's login (HTTP 401").await;
        let e = wrong
            .actuate(crate::transport::switch::Action::PowerOn)
            .await
            .unwrap_err();
        assert!(!e.to_string().contains("password"), "{e}");
        hang_is_bench_error(&relay(hung().await, "s3cret")).await;
    }
}
