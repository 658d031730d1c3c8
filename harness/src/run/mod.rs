//! A run: plan, bring up the samples in parallel, run each sample's cases in order, feed the
//! libtest-style reporter and the evidence bundle as verdicts arrive.

mod info;
mod sample_task;
mod trials;

use crate::bench::{self, label::UnitLabel, Sample, Unavailable};
use crate::config::{Config, ConfigPaths};
use crate::model::exit;
use crate::plan::{self, PlannedCase};
use crate::report::bundle::Bundle;
use crate::report::{self, CaseRecord};
use libtest_mimic::{Arguments, Trial};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct RunOptions {
    pub paths: ConfigPaths,
    pub out: PathBuf,
    pub args: Arguments,
    /// ed25519 secret key (from `hilt keygen`) to sign the manifest with.
    pub sign_key: Option<PathBuf>,
    pub operator: Option<String>,
}

pub type Prepared = Arc<Result<Sample, Unavailable>>;

pub fn execute(opts: RunOptions) -> i32 {
    let config = match Config::load(&opts.paths) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    let sign_key = match opts
        .sign_key
        .as_deref()
        .map(report::keys::load_secret)
        .transpose()
    {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: --sign-key {e}");
            return exit::USAGE;
        }
    };
    let selected = match plan::select(&config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    let planned: Vec<PlannedCase> = plan::plan(&config, &selected)
        .into_iter()
        .filter(|p| !opts.args.is_filtered_out(&Trial::test(p.name(), || Ok(()))))
        .collect();
    if opts.args.list {
        let trials = planned
            .iter()
            .map(|p| Trial::test(p.name(), || Ok(())))
            .collect();
        let _ = libtest_mimic::run(&opts.args, trials);
        return exit::OK;
    }

    let started = chrono::Utc::now();
    let run_id = format!(
        "{}-{:04x}",
        started.format("%Y%m%dT%H%M%SZ"),
        std::process::id() & 0xffff
    );
    let run_dir = opts.out.join(&run_id);
    if let Err(e) = std::fs::create_dir_all(run_dir.join("samples")) {
        eprintln!("cannot create the report folder {}: {e}", run_dir.display());
        return exit::HARNESS;
    }
    point_latest(&opts.out, &run_id);
    let scratch = std::env::temp_dir().join(format!("hilt-{run_id}"));
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return exit::HARNESS;
        }
    };

    // Bring up every slot that has something to run, all at once.
    let needed: Vec<&str> = planned
        .iter()
        .filter(|p| p.not_applicable.is_none())
        .map(|p| p.slot.as_str())
        .collect();
    let slots: Vec<_> = config
        .rig
        .slots
        .iter()
        .filter(|s| needed.contains(&s.id.value.as_str()))
        .cloned()
        .collect();
    eprintln!(
        "hilt: bringing up {} sample(s) of rig `{}`",
        slots.len(),
        config.rig.name
    );
    let prepared: Arc<Vec<Prepared>> = Arc::new(rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (i, slot) in slots.into_iter().enumerate() {
            let (config, run_dir, scratch) = (config.clone(), run_dir.clone(), scratch.clone());
            set.spawn(async move { (i, bench::prepare(&config, &slot, &run_dir, &scratch).await) });
        }
        let mut out = set.join_all().await;
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, r)| Arc::new(r)).collect()
    }));
    let peers: Arc<Vec<(String, UnitLabel)>> = Arc::new(
        prepared
            .iter()
            .filter_map(|p| {
                p.as_ref()
                    .as_ref()
                    .ok()
                    .map(|s| (s.slot_id.clone(), s.label.clone()))
            })
            .collect(),
    );

    let pool = Arc::new(crate::cases::across_units::SecretPool::new(
        peers.iter().map(|(slot, _)| slot.clone()),
    ));

    let info = info::run_info(&config, &selected, &run_id, started, opts.operator.clone());
    let ids = {
        let (config, prepared) = (config.clone(), prepared.clone());
        Box::new(move || info::identities(&config, &prepared))
    };
    let order = planned
        .iter()
        .map(|p| (p.slot.clone(), p.spec.id))
        .collect();
    let bundle = Arc::new(Bundle::new(&run_dir, info, ids, order, sign_key));

    let (interrupt_tx, interrupt) = tokio::sync::watch::channel(false);
    rt.spawn(async move {
        // Ctrl-C, or SIGTERM from a CI runner cancelling the job: stop and keep what was seen.
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else { return };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        eprintln!("\nhilt: interrupted; stopping the samples and writing a partial report (Ctrl-C again to abort at once)");
        let _ = interrupt_tx.send(true);
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        std::process::exit(exit::ABORTED);
    });

    let (trials, mut senders) = trials::for_plan(&planned, bundle.clone());
    for sample in prepared.iter() {
        let slot = match sample.as_ref() {
            Ok(s) => s.slot_id.clone(),
            Err(u) => u.slot_id.clone(),
        };
        let mine = planned
            .iter()
            .enumerate()
            .filter(|(_, p)| p.slot == slot && p.not_applicable.is_none())
            .filter_map(|(i, p)| senders[i].take().map(|tx| (p.clone(), tx)))
            .collect();
        let task = sample_task::SampleTask {
            sample: sample.clone(),
            peers: peers.clone(),
            pool: pool.clone(),
            config: config.clone(),
            interrupt: interrupt.clone(),
        };
        rt.spawn(task.run(mine));
    }
    let mut args = opts.args.clone();
    args.test_threads = Some(trials.len().max(1));
    let _ = libtest_mimic::run(&args, trials);

    rt.block_on(async {
        for p in prepared.iter() {
            let launched = match p.as_ref() {
                Ok(s) => s.launched.as_ref(),
                Err(u) => u.launched.as_ref(),
            };
            if let Some(l) = launched {
                l.stop().await;
            }
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let interrupted = *interrupt.borrow();
    let digest = bundle.finish(interrupted);
    let records = bundle.records();
    let mut table = report::table::render(
        &bundle.identities(),
        &records,
        &run_dir.join("junit.xml").display().to_string(),
    );
    let report_written = digest.is_ok();
    match digest {
        Ok(d) => table.push_str(&format!(
            "manifest: {} sha256 {d}{}\n",
            run_dir.join(report::manifest::MANIFEST).display(),
            if interrupted { " (partial run)" } else { "" }
        )),
        Err(e) => table.push_str(&format!("cannot write the report: {e}\n")),
    }
    if matches!(opts.args.format, Some(libtest_mimic::FormatSetting::Json)) {
        eprint!("{table}");
    } else {
        print!("{table}");
    }
    exit_code(&records, report_written)
}

/// The run's status: its verdicts, unless the report that records them could not be written.
pub fn exit_code(records: &[CaseRecord], report_written: bool) -> i32 {
    if !report_written {
        return exit::HARNESS;
    }
    exit::for_verdicts(records.iter().map(|r| r.result.verdict))
}

/// `reports/latest` -> the newest run, replaced atomically.
fn point_latest(out: &Path, run_id: &str) {
    let tmp = out.join(format!(".latest-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    if std::os::unix::fs::symlink(run_id, &tmp).is_ok() {
        let _ = std::fs::rename(&tmp, out.join("latest"));
    }
}
