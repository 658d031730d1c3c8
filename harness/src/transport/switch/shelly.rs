//! A Shelly relay. Gen1 devices switch with `/relay/N?turn=on` and report `ison` at
//! `/relay/N`, behind HTTP basic; Gen2 and later take RPC calls, `Switch.Set` and
//! `Switch.GetStatus` (`output`), behind SHA-256 HTTP digest for the user `admin`. Which one a
//! device is, `/shelly` says without a login (`gen` from Gen2 on).

use super::read_back::Relay;
use super::relay_http::{Auth, RelayHttp};
use crate::config::power::{RelayLogin, ShellyPower};
use crate::transport::error::Error;
use futures_util::future::BoxFuture;
use tokio::sync::OnceCell;

pub(super) struct Shelly {
    gen1: RelayHttp,
    gen2: RelayHttp,
    channel: u8,
    generation: OnceCell<u8>,
}

impl Shelly {
    pub fn new(config: &ShellyPower) -> Result<Shelly, Error> {
        let admin = config.login.as_ref().map(|l| RelayLogin {
            username: "admin".into(),
            password: l.password.clone(),
        });
        let generation = OnceCell::new_with(config.generation);
        Ok(Shelly {
            gen1: RelayHttp::new(&config.host, config.login.clone(), Auth::Basic)?,
            gen2: RelayHttp::new(&config.host, admin, Auth::Digest)?,
            channel: config.channel,
            generation,
        })
    }

    async fn generation(&self) -> Result<u8, Error> {
        self.generation
            .get_or_try_init(|| async {
                let about = self.gen1.json("/shelly").await?;
                Ok(about
                    .get("gen")
                    .and_then(|g| g.as_u64())
                    .map_or(1, |g| g.min(9) as u8))
            })
            .await
            .copied()
    }
}

impl Relay for Shelly {
    fn set(&self, on: bool) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let ch = self.channel;
            match self.generation().await? {
                1 => {
                    let turn = if on { "on" } else { "off" };
                    self.gen1.json(&format!("/relay/{ch}?turn={turn}")).await?;
                }
                _ => {
                    self.gen2
                        .json(&format!("/rpc/Switch.Set?id={ch}&on={on}"))
                        .await?;
                }
            }
            Ok(())
        })
    }

    fn is_on(&self) -> BoxFuture<'_, Result<bool, Error>> {
        Box::pin(async move {
            let ch = self.channel;
            let (answer, key) = match self.generation().await? {
                1 => (self.gen1.json(&format!("/relay/{ch}")).await?, "ison"),
                _ => (
                    self.gen2
                        .json(&format!("/rpc/Switch.GetStatus?id={ch}"))
                        .await?,
                    "output",
                ),
            };
            answer
                .get(key)
                .and_then(|v| v.as_bool())
                .ok_or_else(|| Error::Bench(format!("no `{key}` in the answer {answer}")))
        })
    }

    fn describe(&self) -> String {
        format!("shelly {} channel {}", self.gen1.base, self.channel)
    }
}

#[cfg(test)]
mod tests {
    use super::super::read_back::ReadBack;
    use super::super::relay_tests::*;
    use super::*;
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
    use std::sync::Arc;

    const REALM: &str = "shellyplus1pm-a8032ab12345";
    const NONCE: &str = "1733150000";

    fn sha(text: &str) -> String {
        crate::util::hash::hex(&Sha256::digest(text.as_bytes()))
    }

    /// RFC 7616's check of a SHA-256 digest answer with qop=auth for `admin:pw`.
    fn digest_ok(authorization: Option<&str>, method: &str) -> bool {
        let Some(a) = authorization.and_then(|a| a.strip_prefix("Digest ")) else {
            return false;
        };
        let field = |name: &str| {
            a.split(", ").find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k == name).then(|| v.trim_matches('"').to_string())
            })
        };
        let (Some(uri), Some(cnonce), Some(nc), Some(response)) = (
            field("uri"),
            field("cnonce"),
            field("nc"),
            field("response"),
        ) else {
            return false;
        };
        let ha1 = sha(&format!("admin:{REALM}:pw"));
        let ha2 = sha(&format!("{method}:{uri}"));
        response == sha(&format!("{ha1}:{NONCE}:{nc}:{cnonce}:auth:{ha2}"))
    }

    /// A Shelly of generation `gen` with the password `pw`; `stuck` acknowledges and stays off.
    async fn device(gen: u8, stuck: bool) -> String {
        let on = Arc::new(AtomicBool::new(false));
        serve(Arc::new(move |method, path, authorization| {
            if path == "/shelly" {
                return match gen {
                    1 => Answer::json(r#"{"type":"SHSW-1","mac":"A8032AB12345","auth":true}"#),
                    _ => Answer::json(&format!(r#"{{"id":"{REALM}","gen":{gen},"auth_en":true}}"#)),
                };
            }
            let allowed = match gen {
                1 => authorization == Some("Basic YWRtaW46cHc="),
                _ => digest_ok(authorization, method),
            };
            if !allowed {
                let mut a = Answer::status(401, "");
                if gen > 1 {
                    let challenge = format!(
                        r#"Digest qop="auth", realm="{REALM}", nonce="{NONCE}", algorithm=SHA-256"#
                    );
                    a.headers.push(("www-authenticate".into(), challenge));
                }
                return a;
            }
            let turn = |want: bool| {
                if !stuck {
                    on.store(want, Relaxed)
                }
            };
            match path {
                "/relay/0?turn=on" | "/rpc/Switch.Set?id=0&on=true" => turn(true),
                "/relay/0?turn=off" | "/rpc/Switch.Set?id=0&on=false" => turn(false),
                "/relay/0" | "/rpc/Switch.GetStatus?id=0" => {}
                _ => return Answer::status(404, "Not Found"),
            }
            let state = on.load(Relaxed);
            match gen {
                1 => Answer::json(&format!(r#"{{"ison":{state},"has_timer":false}}"#)),
                _ if path.contains("Set") => Answer::json(r#"{"was_on":false}"#),
                _ => Answer::json(&format!(r#"{{"id":0,"source":"http","output":{state}}}"#)),
            }
        }))
        .await
    }

    fn relay(host: String, password: &str, generation: Option<u8>) -> ReadBack<Shelly> {
        let login = Some(RelayLogin {
            username: "admin".into(),
            password: password.into(),
        });
        let config = ShellyPower {
            host,
            channel: 0,
            generation,
            login,
        };
        ReadBack(Shelly::new(&config).unwrap())
    }

    #[tokio::test]
    async fn shelly_gen1_and_gen2_switch_and_read_back_their_generation_found_or_given() {
        switches_both_ways(&relay(device(1, false).await, "pw", None)).await;
        switches_both_ways(&relay(device(2, false).await, "pw", None)).await;
        switches_both_ways(&relay(device(3, false).await, "pw", Some(3))).await;
    }

    #[tokio::test]
    async fn a_stuck_shelly_a_wrong_password_and_a_hang_are_the_benchs_errors() {
        bench_error(
            &relay(device(1, true).await, "pw", None),
            "still reads back off",
        )
        .await;
        bench_error(
            &relay(device(2, true).await, "pw", None),
            "still reads back off",
        )
        .await;
        bench_error(
            &relay(device(1, false).await, "no", None),
            "refused the rig's login",
        )
        .await;
        bench_error(
            &relay(device(2, false).await, "no", None),
            "refused the rig's login",
        )
        .await;
        hang_is_bench_error(&relay(hung().await, "pw", Some(2))).await;
    }
}
