//! Prompt-driven logins (`login:` / `Password:`) over telnet or the console.

use super::{CredentialTrial, LoginOutcome, TrialFuture};
use crate::bench::Sample;
use crate::config::pattern::Pattern;
use crate::config::profile::PromptLogin;
use crate::evidence::EvidenceLog;
use crate::transport::expect::{Channel, ExpectError};
use std::time::Duration;

/// Drives one login dialogue on an open channel. Expects the channel to be at (or about to show)
/// a login prompt.
pub async fn prompt_login(
    ch: &mut Channel,
    spec: &PromptLogin,
    username: &str,
    password: &str,
    within: Duration,
) -> LoginOutcome {
    if let Err(e) = reach_login_prompt(ch, spec, within).await {
        return LoginOutcome::NotALogin(format!("waiting for the login prompt: {e}"));
    }
    answer(ch, spec, username, password, within).await
}

/// A login program that refused a password prompts again by itself, after its delay (PAM's
/// pam_faildelay): a prompt already shown is answered as it is. Otherwise a newline makes it
/// appear; where that newline was taken as an empty user name (util-linux and shadow `login`
/// then ask for a password), an empty password ends that round.
async fn reach_login_prompt(
    ch: &mut Channel,
    spec: &PromptLogin,
    within: Duration,
) -> Result<(), ExpectError> {
    if ch
        .expect(&[&spec.login_prompt], Duration::from_millis(300))
        .await
        .is_ok()
    {
        return Ok(());
    }
    ch.clear();
    ch.send("\r\n", false).await?;
    if ch
        .expect(&[&spec.login_prompt, &spec.password_prompt], within)
        .await?
        == 0
    {
        return Ok(());
    }
    ch.send("\r\n", false).await?;
    ch.expect(&[&spec.login_prompt], within).await.map(|_| ())
}

async fn answer(
    ch: &mut Channel,
    spec: &PromptLogin,
    username: &str,
    password: &str,
    within: Duration,
) -> LoginOutcome {
    if let Err(e) = ch.send(&format!("{username}\r\n"), false).await {
        return LoginOutcome::NotALogin(e.to_string());
    }
    if let Err(e) = ch.expect(&[&spec.password_prompt], within).await {
        return LoginOutcome::NotALogin(format!("waiting for the password prompt: {e}"));
    }
    if let Err(e) = ch.send(&format!("{password}\r\n"), true).await {
        return LoginOutcome::NotALogin(e.to_string());
    }
    // Success, failure, then the optional answers, each known by its place in the list.
    let mut outcomes: Vec<(&Pattern, LoginOutcome)> = vec![
        (&spec.success, LoginOutcome::Accepted),
        (&spec.failure, LoginOutcome::Rejected),
    ];
    if let Some(l) = &spec.locked {
        outcomes.push((l, LoginOutcome::LockedOut));
    }
    if let Some(f) = &spec.forced_change {
        outcomes.push((f, LoginOutcome::ForcedChange));
    }
    // A login prompt again, with no failure message first, is a refusal too (busybox login
    // exits on an account it cannot check, "bad salt", and the getty prompts anew), once
    // nothing follows it: a real prompt waits for input.
    let reprompt = outcomes.len();
    outcomes.push((&spec.login_prompt, LoginOutcome::Rejected));
    let patterns: Vec<&Pattern> = outcomes.iter().map(|(p, _)| *p).collect();
    let deadline = std::time::Instant::now() + within;
    let answered = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match ch.expect(&patterns, left).await {
            Ok(i) if i == reprompt => {
                if ch.quiet_for(Duration::from_millis(500)).await {
                    break Ok(i);
                }
            }
            other => break other,
        }
    };
    match answered {
        Ok(i) => outcomes[i].1.clone(),
        Err(ExpectError::Timeout { tail, .. }) => by_behaviour(ch, spec, &tail, within).await,
        Err(e) => LoginOutcome::NotALogin(format!("waiting for the login result: {e}")),
    }
}

/// An answer that neither the success nor the failure pattern names (a root prompt `# `, a
/// prompt in another language) is settled by what the other end does: asked to work out a
/// product only a shell computes, a shell answers with the result, which the echo of the typed
/// command cannot contain; a login prompt coming back is a refusal.
async fn by_behaviour(
    ch: &mut Channel,
    spec: &PromptLogin,
    tail: &str,
    within: Duration,
) -> LoginOutcome {
    let mut r = [0u8; 2];
    crate::util::random::fill(&mut r);
    let (a, b) = (u32::from(r[0]) + 100, u32::from(r[1]) + 100);
    let answer = format!("hilt{}z", a * b);
    let Ok(shell) = Pattern::new(&regex::escape(&answer)) else {
        return LoginOutcome::NotALogin("no pattern for the shell check".into());
    };
    if let Err(e) = ch.send(&format!("echo hilt$(({a}*{b}))z\r\n"), false).await {
        return LoginOutcome::NotALogin(e.to_string());
    }
    match ch.expect(&[&shell, &spec.login_prompt], within).await {
        Ok(0) => LoginOutcome::Accepted,
        Ok(_) => LoginOutcome::Rejected,
        Err(e) => LoginOutcome::NotALogin(format!(
            "the answer matched neither the success nor the failure pattern (last output: {tail}), and no shell answered a command: {e}"
        )),
    }
}

/// One telnet connection per attempt, so one attempt's state never leaks into the next.
pub struct TelnetTrial<'a> {
    pub address: crate::transport::target::Target,
    pub port: u16,
    pub spec: &'a PromptLogin,
    pub transcript: EvidenceLog,
}

impl CredentialTrial for TelnetTrial<'_> {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a> {
        // Each step has its deadline; the whole dialogue has one too (connect, the prompt and
        // a second try at it, the password prompt, the answer, a shell check), so a unit
        // answering each step just in time cannot hold it longer.
        let whole = self.spec.within.0 * 6;
        Box::pin(super::within(whole, "telnet login", async move {
            let addr = self.address.socket(self.port);
            let mut ch = match crate::transport::telnet::connect(
                addr,
                self.spec.within.0,
                self.transcript.clone(),
            )
            .await
            {
                Ok(c) => c,
                Err(e) => return Ok(LoginOutcome::NotALogin(e.to_string())),
            };
            if let Err(e) = ch
                .expect(&[&self.spec.login_prompt], self.spec.within.0)
                .await
            {
                return Ok(LoginOutcome::NotALogin(format!(
                    "waiting for the login prompt: {e}"
                )));
            }
            Ok(answer(&mut ch, self.spec, username, password, self.spec.within.0).await)
        }))
    }
}

pub struct ConsoleTrial<'a> {
    pub sample: &'a Sample,
    pub spec: &'a PromptLogin,
    pub death: Vec<Pattern>,
}

impl CredentialTrial for ConsoleTrial<'_> {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a> {
        let whole = self.spec.within.0 * 6;
        Box::pin(super::within(whole, "console login", async move {
            Ok(match self.sample.console(&self.death).await {
                Ok(mut ch) => login_and_leave(&mut ch, self.spec, username, password).await,
                Err(e) => LoginOutcome::NotALogin(e.to_string()),
            })
        }))
    }
}

/// Logins on a UART hilt opened itself (a debug header besides the console).
pub struct ChannelTrial<'a> {
    pub channel: tokio::sync::Mutex<Channel>,
    pub spec: &'a PromptLogin,
}

impl CredentialTrial for ChannelTrial<'_> {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a> {
        let whole = self.spec.within.0 * 6;
        Box::pin(super::within(whole, "login on the UART", async move {
            let mut ch = self.channel.lock().await;
            Ok(login_and_leave(&mut ch, self.spec, username, password).await)
        }))
    }
}

/// A trial login that logs out again, so the next trial meets the login prompt.
async fn login_and_leave(
    ch: &mut Channel,
    spec: &PromptLogin,
    username: &str,
    password: &str,
) -> LoginOutcome {
    let outcome = prompt_login(ch, spec, username, password, spec.within.0).await;
    if outcome == LoginOutcome::Accepted {
        if let Some(logout) = &spec.logout {
            let _ = ch.send(logout, false).await;
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::expect::Writer;
    use std::sync::Arc;
    use tokio::sync::{mpsc, Mutex};

    fn spec() -> PromptLogin {
        let p = |s: &str| Pattern::new(s).unwrap();
        PromptLogin {
            login_prompt: p("login: $"),
            password_prompt: p("Password: $"),
            success: p(r"\$ $"),
            failure: p("Login incorrect"),
            locked: None,
            forced_change: None,
            logout: None,
            within: crate::config::duration::Dur(Duration::from_secs(2)),
        }
    }

    /// The device's side: the password prompt, then `chunks` with the pause before each.
    async fn answered(chunks: Vec<(u64, &'static str)>) -> LoginOutcome {
        let dir = crate::util::test_dir::TestDir::new("prompt");
        let ev = crate::evidence::SampleEvidence::new(&dir.0, "s").unwrap();
        let (tx, rx) = mpsc::channel(8);
        let writer: Writer = Arc::new(Mutex::new(Box::new(tokio::io::sink())));
        let mut ch = Channel::new(rx, writer, ev.log("t.log"), vec![]);
        tokio::spawn(async move {
            tx.send(b"Password: ".to_vec()).await.unwrap();
            for (pause, text) in chunks {
                crate::transport::device_time::sleep(Duration::from_millis(pause)).await;
                let _ = tx.send(text.as_bytes().to_vec()).await;
            }
            crate::transport::device_time::sleep(Duration::from_secs(5)).await;
        });
        answer(&mut ch, &spec(), "root", "pw", Duration::from_secs(2)).await
    }

    #[tokio::test]
    async fn a_login_prompt_again_is_a_refusal() {
        let got = answered(vec![(
            10,
            "\r\nlogin: bad salt\r\n\r\r\nDebian\r\n\rvm login: ",
        )])
        .await;
        assert_eq!(got, LoginOutcome::Rejected);
    }

    #[tokio::test]
    async fn text_that_only_ends_like_a_login_prompt_is_read_on() {
        let got = answered(vec![
            (10, "\r\nLast login: "),
            (100, "Tue Dec  1 on pts/1\r\n$ "),
        ])
        .await;
        assert_eq!(got, LoginOutcome::Accepted);
    }
}
