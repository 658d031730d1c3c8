//! What the reports say about the run and the samples, gathered from the configuration and
//! from what the samples told the run.

use super::Prepared;
use crate::bench::run_state::Known;
use crate::config::Config;
use crate::facts::initialized;
use crate::report::{FileRef, RunInfo, SampleIdentity};
use crate::util::hash::file_sha256;
use std::path::Path;

fn file_ref(name: &str, path: &Path) -> FileRef {
    FileRef {
        name: name.to_string(),
        path: path.display().to_string(),
        sha256: file_sha256(path).unwrap_or_else(|e| format!("unreadable: {e}")),
    }
}

pub fn run_info(
    config: &Config,
    selected: &[crate::plan::Selected],
    run_id: &str,
    started: chrono::DateTime<chrono::Utc>,
    operator: Option<String>,
) -> RunInfo {
    let suite = &config.suite;
    let mut cited: Vec<String> = selected
        .iter()
        .flat_map(|s| s.case.cited_files(&s.params))
        .chain(
            suite
                .body
                .facts
                .factory_default
                .corpus
                .iter()
                .map(|c| c.value.clone()),
        )
        .collect();
    cited.sort();
    cited.dedup();
    let corpora = cited
        .iter()
        .map(|c| file_ref(c, &suite.path_of(c)))
        .collect();
    let product = &config.profile.body.product;
    let ics_rows = config
        .profile
        .body
        .ics
        .iter()
        .map(|(p, row)| {
            (
                p.clone(),
                format!("{:?}", row.support).replace("NotApplicable", "N/A"),
                row.value.detail.clone(),
            )
        })
        .collect();
    let serial_adapters = config
        .rig
        .slots
        .iter()
        .filter_map(|s| {
            s.console.as_ref().map(|c| {
                (
                    s.id.value.clone(),
                    c.path.clone(),
                    c.baud.as_ref().map(|b| b.value),
                )
            })
        })
        .collect();
    let suffix: u32 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    RunInfo {
        run_id: run_id.to_string(),
        report_id: format!("hilt-{run_id}-{suffix:08x}"),
        partial: true,
        operator,
        manufacturer: product.manufacturer.clone(),
        model: product.model.clone(),
        rig: file_ref(&config.rig.name, &config.rig.file),
        profile: file_ref(&config.profile.body.profile, &config.profile.file),
        suite: file_ref(&suite.body.suite, &suite.file),
        corpora,
        serial_adapters,
        debug_probes: debug_probes(config),
        update_images: update_images(config),
        ics_rows,
        started,
        finished: started,
        en_303_645: suite.body.standards.en_303_645.value.clone(),
        ts_103_701: suite.body.standards.ts_103_701.clone(),
        hostname: std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "localhost".into()),
        assessment: None,
        reissue: None,
        psti: None,
    }
}

fn debug_probes(config: &Config) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for slot in &config.rig.slots {
        let Some(swd) = slot.debug.as_ref().and_then(|d| d.swd.as_ref()) else {
            continue;
        };
        let via = match (&swd.probe, &swd.bridge) {
            (Some(p), _) => format!("probe-rs probe {} for {}", p.selector, p.chip),
            (None, Some(b)) => format!("debug bridge at {b}"),
            (None, None) => "nothing".to_string(),
        };
        let interface = swd
            .interface
            .as_ref()
            .map(|i| format!("`{}`", i.value))
            .unwrap_or_else(|| "undeclared interface".into());
        out.push((
            slot.id.value.clone(),
            format!("SWD ({interface}, {:?}): {via}", swd.reached_by).to_lowercase(),
        ));
    }
    out
}

fn update_images(config: &Config) -> Vec<FileRef> {
    let profile = &config.profile;
    let Some(update) = &profile.body.update else {
        return vec![];
    };
    let images = &update.images;
    let valid = images.valid.all().into_iter().map(|i| ("valid", i));
    let others = [
        ("older", &images.older),
        ("other_model", &images.other_model),
        ("wrong_key", &images.wrong_key),
    ]
    .into_iter()
    .filter_map(|(role, i)| Some((role, i.as_ref()?)));
    valid
        .chain(others)
        .map(|(role, i)| file_ref(role, &profile.resolve(&i.file.value)))
        .collect()
}

pub fn identities(config: &Config, prepared: &[Prepared]) -> Vec<SampleIdentity> {
    config
        .rig
        .slots
        .iter()
        .map(|slot| {
            let found = prepared.iter().find_map(|p| {
                p.as_ref()
                    .as_ref()
                    .ok()
                    .filter(|s| s.unit.slot_id == slot.id.value)
            });
            match found {
                Some(s) => {
                    let clean = |text: &str| s.evidence.redactor.clean(text);
                    SampleIdentity {
                        slot: s.unit.slot_id.clone(),
                        serial: Some(clean(&s.unit.label.serial)),
                        mac: Some(clean(&s.unit.label.mac)),
                        // The version the cases were run against, not what an update left.
                        firmware_version: initialized::established(s)
                            .and_then(|st| st.firmware_version.clone())
                            .or_else(|| s.state.get(Known::FirmwareVersion))
                            .map(|v| clean(&v)),
                        redact: Some(s.evidence.redactor.clone()),
                    }
                }
                None => SampleIdentity {
                    slot: slot.id.value.clone(),
                    serial: slot.label.serial.clone(),
                    mac: slot.label.mac.clone(),
                    ..Default::default()
                },
            }
        })
        .collect()
}
