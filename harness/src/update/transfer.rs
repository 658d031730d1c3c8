//! Getting an image to the unit through one declared mechanism: uploaded by hilt (`push_http`)
//! or fetched by the unit from the update server hilt plays (`pull_http`); whole, or stopped
//! part-way for the power cut.

use super::error::Error;
use super::push_http;
use super::server::{Fetch, UpdateServer};
use crate::bench::run_state::Known;
use crate::bench::Sample;
use crate::config::update::{Delivery, UpdateMechanism};
use crate::config::Config;
use crate::evidence::EvidenceLog;
use std::time::Duration;

pub struct Transfer<'a> {
    sample: &'a Sample,
    config: &'a Config,
    mechanism: &'a UpdateMechanism,
    log: EvidenceLog,
    server: Option<UpdateServer>,
}

/// Keeps a stopped transfer open until the unit's power is cut.
pub type Held = Option<crate::transport::http::OpenTransfer>;

impl<'a> Transfer<'a> {
    pub async fn open(
        sample: &'a Sample,
        config: &'a Config,
        mechanism: &'a UpdateMechanism,
        log: EvidenceLog,
    ) -> Result<Transfer<'a>, Error> {
        let server = match &mechanism.delivery {
            Delivery::PushHttp(_) | Delivery::ConsoleXmodem(_) => None,
            Delivery::PullHttp(_) => {
                let bind = sample.unit.serve_from.ok_or_else(|| Error::Config(
                    "the unit pulls its updates, but the rig declares no `network.serve_from` (hilt's address on the unit's network) for this slot".into(),
                ))?;
                Some(UpdateServer::start(bind, sample.unit.address, log.clone()).await?)
            }
        };
        Ok(Transfer {
            sample,
            config,
            mechanism,
            log,
            server,
        })
    }

    /// The whole image; returns the unit's answer for the evidence. An error is the bench's.
    pub async fn whole(&mut self, image: &[u8]) -> Result<String, Error> {
        match &self.mechanism.delivery {
            Delivery::PushHttp(push) => {
                let req = push_http::request(self.sample, &self.config.profile, push, image)?;
                Ok(match self.sample.drivers.http.send(&req).await {
                    Ok(a) => format!(
                        "HTTP {} {}",
                        a.status,
                        crate::evidence::printable(&a.body[..a.body.len().min(200)])
                    ),
                    Err(e) => format!("no answer: {e}"),
                })
            }
            Delivery::PullHttp(_) => self.pull(image, None).await,
            Delivery::ConsoleXmodem(_) => self.xmodem(image, None).await,
        }
    }

    /// Only the first `cut` bytes, returning once the unit has them in hand.
    pub async fn partial(&mut self, image: &[u8], cut: usize) -> Result<(String, Held), Error> {
        let (answer, held) = match &self.mechanism.delivery {
            Delivery::PushHttp(push) => {
                let req = push_http::request(self.sample, &self.config.profile, push, image)?;
                match self.sample.drivers.http.send_cut_off(&req, cut).await {
                    Ok(stream) => (
                        format!("{cut} bytes uploaded, the rest held back"),
                        Some(stream),
                    ),
                    Err(e) => (format!("upload failed before the cut: {e}"), None),
                }
            }
            Delivery::PullHttp(_) => (self.pull(image, Some(cut)).await?, None),
            Delivery::ConsoleXmodem(_) => (self.xmodem(image, Some(cut)).await?, None),
        };
        // Bytes in flight are not yet bytes the unit has taken in: give it a moment to be busy
        // with what it got before the power goes.
        crate::transport::device_time::sleep(Duration::from_millis(300)).await;
        Ok((answer, held))
    }

    async fn xmodem(&mut self, image: &[u8], cut: Option<usize>) -> Result<String, Error> {
        let Delivery::ConsoleXmodem(x) = &self.mechanism.delivery else {
            unreachable!("xmodem on another mechanism")
        };
        let name = format!("{} start", self.mechanism.id);
        if let Err(e) = crate::procedure::run(
            self.sample,
            &self.config.profile,
            &name,
            &x.start,
            &self.log,
        )
        .await
        {
            return Ok(format!("the receiver could not be started: {e}"));
        }
        let death = self.config.profile.death_strings();
        let mut console = self.sample.console(&death).await?;
        let sent = crate::transport::xmodem::send(
            &mut console,
            image,
            x.block_size.value,
            cut,
            x.within.0,
        )
        .await;
        Ok(match (sent, cut) {
            (Ok(n), None) => format!("xmodem: all {n} blocks and the end acknowledged"),
            (Ok(n), Some(c)) => {
                format!("xmodem: {n} blocks ({c} bytes) acknowledged, the rest held back")
            }
            (Err(e), _) => format!("xmodem: {e}"),
        })
    }

    async fn pull(&mut self, image: &[u8], cut: Option<usize>) -> Result<String, Error> {
        let Delivery::PullHttp(pull) = &self.mechanism.delivery else {
            unreachable!("pull on a push mechanism")
        };
        let server = self.server.as_mut().expect("opened with a server");
        let url = server.offer(image, cut);
        self.sample.state.set(Known::UpdateUrl, url.clone());
        let name = format!("{} trigger", self.mechanism.id);
        let trigger = crate::procedure::run(
            self.sample,
            &self.config.profile,
            &name,
            &pull.trigger,
            &self.log,
        )
        .await;
        let mut answer = match trigger {
            Ok(()) => format!("told to fetch {url}; "),
            Err(e) => format!("trigger failed ({e}); "),
        };
        let within = self.mechanism.installed_within.0;
        answer.push_str(&match server.fetched(within).await {
            Some(Fetch::Complete { bytes }) => format!("the unit fetched all {bytes} bytes"),
            Some(Fetch::BrokenOff { bytes }) => {
                format!("the fetch ended after {bytes} of {} bytes", image.len())
            }
            Some(Fetch::HeldAt { bytes }) => format!(
                "the unit has {bytes} of {} bytes, the rest held back",
                image.len()
            ),
            None => format!(
                "the unit did not fetch the image within {:.1}s",
                within.as_secs_f64()
            ),
        });
        Ok(answer)
    }
}
