//! Login surfaces behind one credential-trial trait. Each tells success, wrong credential,
//! locked out and "not a login at all" apart, using only what the profile says about it.

pub mod detect;
pub mod discovered;
pub mod error;
pub mod ftp;
pub mod http_login;
pub mod mqtt;
pub mod prompt;
pub mod rtsp;
pub mod snmp;
pub mod ssh;

pub use error::Error;

use crate::bench::Sample;
use crate::config::profile::{AuthMechanism, LoginSurface, Profile};
use std::future::Future;
use std::pin::Pin;

pub use prompt::prompt_login;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    Accepted,
    /// Accepted only to make the user set a new password, as the login's declared forced-change
    /// answer shows: nothing else is reachable with that credential.
    ForcedChange,
    Rejected,
    LockedOut,
    /// The answer matched neither the success nor the failure description.
    NotALogin(String),
}

impl std::fmt::Display for LoginOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoginOutcome::Accepted => write!(f, "accepted"),
            LoginOutcome::ForcedChange => write!(f, "accepted only to force a password change"),
            LoginOutcome::Rejected => write!(f, "rejected"),
            LoginOutcome::LockedOut => write!(f, "locked out"),
            LoginOutcome::NotALogin(why) => write!(f, "not a recognisable login answer ({why})"),
        }
    }
}

/// The trial for a mechanism together with its account name as this unit fills it in.
pub fn for_account<'a>(
    sample: &'a Sample,
    profile: &'a Profile,
    mech: &'a AuthMechanism,
    transcript: &str,
) -> Result<(Box<dyn CredentialTrial + 'a>, String), Error> {
    let trial = for_mechanism(sample, profile, mech, transcript)?;
    Ok((trial, sample.fill(&mech.username)?))
}

/// A whole login dialogue under one deadline; an error or the deadline is "not a login".
pub async fn within<F>(deadline: std::time::Duration, what: &str, dialogue: F) -> LoginOutcome
where
    F: Future<Output = Result<LoginOutcome, String>>,
{
    match crate::transport::device_time::timeout(deadline, dialogue).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => LoginOutcome::NotALogin(e),
        Err(_) => {
            LoginOutcome::NotALogin(format!("no {what} within {:.1}s", deadline.as_secs_f64()))
        }
    }
}

pub type TrialFuture<'a> = Pin<Box<dyn Future<Output = LoginOutcome> + Send + 'a>>;

pub trait CredentialTrial: Send + Sync {
    fn try_login<'a>(&'a self, username: &'a str, password: &'a str) -> TrialFuture<'a>;

    /// Lets go of what the trial keeps between attempts (an SSH connection a password failed
    /// on), so the next login is a clean one.
    fn fresh(&self) {}
}

/// The trial for one declared mechanism; `Err` when the bench cannot reach that surface.
pub fn for_mechanism<'a>(
    sample: &'a Sample,
    profile: &'a Profile,
    mech: &'a AuthMechanism,
    transcript: &str,
) -> Result<Box<dyn CredentialTrial + 'a>, Error> {
    let service = || -> Result<&crate::config::profile::Service, Error> {
        let id = mech
            .service
            .as_ref()
            .map(|s| s.value.as_str())
            .ok_or(Error::NoService)?;
        profile
            .service(id)
            .ok_or_else(|| Error::UnknownService(id.to_string()))
    };
    let port = || service().map(|s| s.port.value);
    match &mech.login {
        LoginSurface::Http(spec) => Ok(Box::new(http_login::HttpTrial {
            sample,
            endpoint: service()?.endpoint(),
            spec,
        })),
        LoginSurface::Telnet(spec) => Ok(Box::new(prompt::TelnetTrial {
            address: sample.unit.address,
            port: port()?,
            spec,
            transcript: sample.evidence.log(transcript),
        })),
        LoginSurface::Ftp(spec) => Ok(Box::new(ftp::FtpTrial {
            addr: sample.unit.address.socket(port()?),
            within: spec.within.0,
            transcript: sample.evidence.log(transcript),
        })),
        LoginSurface::Ssh(spec) => Ok(Box::new(ssh::SshTrial::new(
            sample.unit.address.socket(port()?),
            spec.within.0,
            spec.per_connection(),
            sample.evidence.log(transcript),
        ))),
        LoginSurface::Mqtt(spec) => Ok(Box::new(mqtt::MqttTrial {
            addr: sample.unit.address.socket(port()?),
            within: spec.within.0,
            tls: service()?.tls.is_some(),
            transcript: sample.evidence.log(transcript),
        })),
        LoginSurface::Rtsp(spec) => Ok(Box::new(rtsp::RtspTrial {
            addr: sample.unit.address.socket(port()?),
            path: spec.path.clone(),
            within: spec.within.0,
            transcript: sample.evidence.log(transcript),
        })),
        LoginSurface::Console(spec) => {
            let death = profile.death_strings();
            Ok(Box::new(prompt::ConsoleTrial {
                sample,
                spec,
                death,
            }))
        }
    }
}
