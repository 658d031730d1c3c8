//! The misuse battery against one declared update mechanism: every tampered image, then the
//! valid image (the positive control), then a power cut in the middle of a valid transfer.

use super::error::Error;
use super::observe;
use super::tamper::{self, Attack, LabBytes, Prepared};
use super::transfer::Transfer;
use crate::bench::Sample;
use crate::config::update::{UpdateMaterial, UpdateMechanism};
use crate::config::{Config, Profile};
use crate::evidence::EvidenceLog;
use crate::model::verdict::{Blocker, Cause};
use crate::transport::switch::Action;
use crate::util::hash::sha256_hex;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The unit kept running the firmware it ran before.
    Refused,
    /// The unit runs a different version afterwards.
    Installed(String),
    /// The unit did not answer afterwards, even after a power cycle.
    Unresponsive(String),
    /// The attack could not be made (no image for it, a signature scheme hilt cannot produce).
    NotPerformed(String),
    /// Left out because an earlier step changed the unit.
    NotAttempted(String),
}

#[derive(Debug, Clone)]
pub struct Trial {
    pub name: &'static str,
    pub how: String,
    /// The image sent, kept as evidence, with its SHA-256.
    pub image: Option<(PathBuf, String)>,
    /// The unit's answer to the transfer, as logged.
    pub answer: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
pub struct MechanismReport {
    pub mechanism: String,
    pub version_before: String,
    pub misuse: Vec<Trial>,
    pub valid: Trial,
    pub power_cut: Trial,
    pub log: PathBuf,
}

/// Settings of the battery from the suite.
pub struct Options {
    /// Share of the valid image sent before the power is cut.
    pub power_cut_at: f64,
    pub power_off_for: Duration,
}

pub async fn run(
    sample: &Sample,
    config: &Config,
    mechanism: &UpdateMechanism,
    index: usize,
    material: &UpdateMaterial,
    options: &Options,
) -> Result<MechanismReport, Blocker> {
    let log = sample.evidence.log(&format!("update/{}.log", mechanism.id));
    let lab = load_lab_images(&config.profile, material, index)?;
    let before = observe::read_version(sample, config, &log)
        .await
        .map_err(|e| e.context("firmware version before the battery"))?;
    log.line("#", &format!("unit runs firmware {before}"));
    let valid_version = material
        .images
        .valid
        .for_mechanism(index)
        .and_then(|v| v.version.clone());
    if valid_version.as_deref() == Some(before.as_str()) {
        return Err(Blocker::new(Cause::Config, format!(
            "the unit already runs {before}, the valid image's version: an install could not be seen (each update mechanism needs a newer valid image than the one before it: update.images.valid as a list)"
        )));
    }
    let transfer = Transfer::open(sample, config, mechanism, log.clone()).await?;
    let mut ctx = Battery {
        sample,
        config,
        mechanism,
        transfer,
        log: log.clone(),
        serial: 0,
        valid_secrets: secrets_in(&lab.valid).await,
    };
    let mut misuse = Vec::new();
    let mut changed: Option<String> = None;
    let images = Attack::ALL.len() as u64 + 2;
    let phase = format!("update battery on {}", mechanism.id);
    sample.activity.phase(phase, Some(images));
    for attack in Attack::ALL {
        let trial = match &changed {
            Some(why) => skipped(attack.name(), why),
            None => match unseeable(attack, material, &before)
                .map(Prepared::NotPerformed)
                .unwrap_or_else(|| tamper::prepare(attack, &material.image, &lab))
            {
                Prepared::NotPerformed(why) => Trial {
                    name: attack.name(),
                    how: String::new(),
                    image: None,
                    answer: String::new(),
                    outcome: Outcome::NotPerformed(why),
                },
                Prepared::Image { bytes, how } => {
                    let from_valid = tamper::derived_from_valid(attack, &lab);
                    ctx.attempt(attack.name(), how, &bytes, from_valid, &before)
                        .await?
                }
            },
        };
        // Once the unit runs something else, or nothing, the rest cannot be judged against `before`.
        match &trial.outcome {
            Outcome::Installed(v) => {
                changed = Some(format!("the unit runs {v} after `{}`", trial.name))
            }
            Outcome::Unresponsive(_) => {
                changed = Some(format!("the unit stopped answering after `{}`", trial.name))
            }
            _ => {}
        }
        misuse.push(trial);
        sample.activity.step();
    }
    let valid = match &changed {
        Some(why) => skipped("valid-image", why),
        None => {
            ctx.attempt(
                "valid-image",
                "the lab's valid image, unchanged".into(),
                &lab.valid,
                true,
                &before,
            )
            .await?
        }
    };
    sample.activity.step();
    let power_cut = match (&changed, &valid.outcome) {
        (Some(why), _) => skipped("power-cut-mid-transfer", why),
        (None, Outcome::Installed(now)) => ctx.power_cut(&lab.valid, now, options).await?,
        (None, _) => skipped(
            "power-cut-mid-transfer",
            "the valid image was not installed",
        ),
    };
    Ok(MechanismReport {
        mechanism: mechanism.id.clone(),
        version_before: before,
        misuse,
        valid,
        power_cut,
        log: log.path,
    })
}

/// A lab image that carries the version the unit runs could be installed without the read-back
/// showing it.
fn unseeable(attack: Attack, material: &UpdateMaterial, running: &str) -> Option<String> {
    let image = match attack {
        Attack::OtherModel => material.images.other_model.as_ref(),
        Attack::Rollback => material.images.older.as_ref(),
        Attack::WrongKey => material.images.wrong_key.as_ref(),
        _ => None,
    }?;
    (image.version.as_deref() == Some(running)).then(|| {
        format!(
            "the image's version {running} is the one the unit runs: an install could not be seen"
        )
    })
}

fn skipped(name: &'static str, why: &str) -> Trial {
    Trial {
        name,
        how: String::new(),
        image: None,
        answer: String::new(),
        outcome: Outcome::NotAttempted(why.to_string()),
    }
}

/// The lab's images for the `index`th mechanism.
pub fn load_lab_images(
    profile: &Profile,
    material: &UpdateMaterial,
    index: usize,
) -> Result<LabBytes, Error> {
    let read = |file: &str| {
        let path = profile.resolve(file);
        std::fs::read(&path).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    };
    let images = &material.images;
    Ok(LabBytes {
        valid: read(
            &images
                .valid
                .for_mechanism(index)
                .ok_or_else(|| Error::Config("no valid image is given".into()))?
                .file
                .value,
        )?,
        older: images
            .older
            .as_ref()
            .map(|i| read(&i.file.value))
            .transpose()?,
        other_model: images
            .other_model
            .as_ref()
            .map(|i| read(&i.file.value))
            .transpose()?,
        wrong_key: images
            .wrong_key
            .as_ref()
            .map(|i| read(&i.file.value))
            .transpose()?,
    })
}

struct Battery<'a> {
    sample: &'a Sample,
    config: &'a Config,
    mechanism: &'a UpdateMechanism,
    transfer: Transfer<'a>,
    log: EvidenceLog,
    serial: usize,
    /// What the valid image holds that stays out of the evidence; the images made from it hold
    /// the same, so a large image is scanned once, not once per attack.
    valid_secrets: Vec<String>,
}

/// The secrets 5.4-3-2 would flag in an image, found off the runtime's threads (a firmware image
/// takes seconds).
async fn secrets_in(bytes: &[u8]) -> Vec<String> {
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || crate::secrets::flagged(&bytes))
        .await
        .unwrap_or_else(|e| vec![format!("the scan stopped: {e}")])
}

impl Battery<'_> {
    async fn keep(&mut self, name: &str, bytes: &[u8], from_valid: bool) -> (PathBuf, String) {
        self.serial += 1;
        let path = self.sample.evidence.dir.join(format!(
            "update/{}/{:02}-{name}.img",
            self.mechanism.id, self.serial
        ));
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let digest = sha256_hex(bytes);
        // Lab firmware holding a key or a password stays with the lab: cited by its digest.
        let flagged = if from_valid {
            self.valid_secrets.clone()
        } else {
            secrets_in(bytes).await
        };
        if !flagged.is_empty() {
            let note = path.with_extension("img.not-copied.txt");
            let text = format!(
                "{name}: {} bytes, SHA-256 {digest}. Not copied into the evidence: it holds {} secret(s) 5.4-3-2 flags ({}); the lab's copy is cited by this digest.\n",
                bytes.len(),
                flagged.len(),
                flagged.join("; ")
            );
            let _ = std::fs::write(&note, text);
            return (note, digest);
        }
        let _ = std::fs::write(&path, bytes);
        (path, digest)
    }

    async fn attempt(
        &mut self,
        name: &'static str,
        how: String,
        bytes: &[u8],
        from_valid: bool,
        before: &str,
    ) -> Result<Trial, Error> {
        let image = self.keep(name, bytes, from_valid).await;
        self.log
            .line("#", &format!("{name}: {how}; sha256 {}", image.1));
        let answer = self.transfer.whole(bytes).await?;
        let outcome = self.outcome(before).await?;
        Ok(self.record(name, how, image, answer, outcome))
    }

    fn record(
        &self,
        name: &'static str,
        how: String,
        image: (PathBuf, String),
        answer: String,
        outcome: Outcome,
    ) -> Trial {
        self.log
            .line("#", &format!("{name}: {answer}; {outcome:?}"));
        Trial {
            name,
            how,
            image: Some(image),
            answer,
            outcome,
        }
    }

    /// What the unit runs now, against what it ran before.
    async fn outcome(&self, before: &str) -> Result<Outcome, Error> {
        let m = self.mechanism;
        let read = observe::version_after(
            self.sample,
            self.config,
            m.settle.0,
            m.installed_within.0,
            &self.log,
        )
        .await;
        Ok(match read {
            Ok(v) if v == before => Outcome::Refused,
            Ok(v) => Outcome::Installed(v),
            Err(e) => {
                if let Some(reason) = self.sample.broken_reason() {
                    return Err(Error::Unit(reason));
                }
                Outcome::Unresponsive(e.to_string())
            }
        })
    }

    /// The valid image again, its power cut part-way: the unit must still boot a valid firmware.
    async fn power_cut(
        &mut self,
        valid: &[u8],
        running: &str,
        options: &Options,
    ) -> Result<Trial, Error> {
        let name = "power-cut-mid-transfer";
        let Some(power) = self.sample.drivers.power.as_deref() else {
            return Ok(Trial {
                name,
                how: String::new(),
                image: None,
                answer: String::new(),
                outcome: Outcome::NotPerformed(
                    "the rig wires no power backend to this slot".into(),
                ),
            });
        };
        let cut_at = ((valid.len() as f64) * options.power_cut_at.clamp(0.0, 1.0)) as usize;
        let how = format!(
            "valid image, power cut after {cut_at} of {} bytes",
            valid.len()
        );
        let image = self.keep(name, valid, true).await;
        self.log.line("#", &format!("{name}: {how}"));
        let (answer, held) = self.transfer.partial(valid, cut_at).await?;
        let actuate = |action| async move {
            let within = Duration::from_secs(10);
            crate::transport::switch::actuate_within(power, "power", action, within).await
        };
        actuate(Action::PowerOff).await?;
        drop(held);
        crate::transport::device_time::sleep(options.power_off_for).await;
        actuate(Action::PowerOn).await?;
        let outcome = self.outcome(running).await?;
        Ok(self.record(name, how, image, answer, outcome))
    }
}
