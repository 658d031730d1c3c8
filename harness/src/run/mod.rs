//! A run: plan, bring up the samples in parallel, run each sample's cases in order, and feed
//! every reporter the same events as verdicts arrive. No format is written here.

mod info;
mod sample_task;

use crate::bench::{self, label::UnitLabel, Sample, Unavailable};
use crate::cases::across_units::SecretPool;
use crate::config::{Config, ConfigPaths};
use crate::model::event::{Event, Reporter};
use crate::model::exit;
use crate::model::verdict::{CaseResult, Cause, Verdict};
use crate::plan::{self, PlannedCase};
use crate::report::bundle::{Bundle, BundleWriter};
use crate::report::terminal::{Format, Terminal};
use crate::report::{self, CaseRecord};
use libtest_mimic::{Arguments, FormatSetting, Trial};
use sample_task::{Progress, SampleTask};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, watch};

pub struct RunOptions {
    pub paths: ConfigPaths,
    pub out: PathBuf,
    pub args: Arguments,
    /// ed25519 secret key (from `hilt keygen`) to sign the manifest with.
    pub sign_key: Option<PathBuf>,
    pub operator: Option<String>,
}

pub type Prepared = Arc<Result<Sample, Unavailable>>;

/// What `execute` needs before anything starts: all of it comes from files and flags.
struct Loaded {
    config: Arc<Config>,
    selected: Vec<plan::Selected>,
    planned: Vec<PlannedCase>,
    filtered_out: usize,
    sign_key: Option<ed25519_dalek::SigningKey>,
}

pub fn execute(opts: RunOptions) -> i32 {
    let loaded = match load(&opts) {
        Ok(l) => l,
        Err(message) => {
            eprintln!("{message}");
            return exit::USAGE;
        }
    };
    if opts.args.list {
        let trials = loaded
            .planned
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
    let scratch = std::env::temp_dir().join(format!("hilt-{run_id}"));
    let prepared = rt.block_on(bring_up(&loaded, &run_dir, &scratch));
    let info = info::run_info(
        &loaded.config,
        &loaded.selected,
        &run_id,
        started,
        opts.operator.clone(),
    );
    let ids = {
        let (config, prepared) = (loaded.config.clone(), prepared.clone());
        Box::new(move || info::identities(&config, &prepared))
    };
    let order = loaded
        .planned
        .iter()
        .map(|p| (p.slot.clone(), p.spec.id))
        .collect();
    let bundle = Arc::new(Bundle::new(
        &run_dir,
        info,
        ids,
        order,
        loaded.sign_key.clone(),
    ));
    let json = matches!(opts.args.format, Some(FormatSetting::Json));
    let format = match opts.args.format {
        Some(FormatSetting::Json) => Format::Json,
        Some(FormatSetting::Terse) => Format::Terse,
        _ if opts.args.quiet => Format::Terse,
        _ => Format::Pretty,
    };
    let mut reporters: Vec<Box<dyn Reporter>> = vec![
        Box::new(Terminal::new(std::io::stdout(), format)),
        Box::new(BundleWriter(bundle.clone())),
    ];
    let (interrupted, report_errors) = rt.block_on(async {
        let interrupt = watch_signals();
        let reporting = report_progress(&loaded, &prepared, interrupt, &mut reporters);
        let (interrupted, errors) = reporting.await;
        stop_units(&prepared).await;
        (interrupted, errors)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let records = bundle.records();
    let mut table = report::table::render(
        &bundle.identities(),
        &records,
        &run_dir.join("junit.xml").display().to_string(),
    );
    match (&report_errors[..], bundle.digest()) {
        ([], Some(d)) => table.push_str(&format!(
            "manifest: {} sha256 {d}{}\n",
            run_dir.join(report::manifest::MANIFEST).display(),
            if interrupted { " (partial run)" } else { "" }
        )),
        (errors, _) => {
            for e in errors {
                table.push_str(&format!("cannot write the report: {e}\n"));
            }
        }
    }
    if json {
        eprint!("{table}");
    } else {
        print!("{table}");
    }
    exit_code(&records, report_errors.is_empty())
}

fn load(opts: &RunOptions) -> Result<Loaded, String> {
    let config = Arc::new(Config::load(&opts.paths).map_err(|e| e.to_string())?);
    let sign_key = opts
        .sign_key
        .as_deref()
        .map(report::keys::load_secret)
        .transpose()
        .map_err(|e| format!("error: --sign-key {e}"))?;
    let selected = plan::select(&config).map_err(|e| e.to_string())?;
    let all = plan::plan(&config, &selected);
    let total = all.len();
    let planned: Vec<PlannedCase> = all
        .into_iter()
        .filter(|p| !opts.args.is_filtered_out(&Trial::test(p.name(), || Ok(()))))
        .collect();
    Ok(Loaded {
        config,
        selected,
        filtered_out: total - planned.len(),
        planned,
        sign_key,
    })
}

/// Every slot that has something to run, all at once, in rig order.
async fn bring_up(loaded: &Loaded, run_dir: &Path, scratch: &Path) -> Arc<Vec<Prepared>> {
    let needed: Vec<&str> = loaded
        .planned
        .iter()
        .filter(|p| p.not_applicable.is_none())
        .map(|p| p.slot.as_str())
        .collect();
    let config = &loaded.config;
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
    let mut set = tokio::task::JoinSet::new();
    for (i, slot) in slots.into_iter().enumerate() {
        let (config, run_dir, scratch) =
            (config.clone(), run_dir.to_path_buf(), scratch.to_path_buf());
        set.spawn(async move { (i, bench::prepare(&config, &slot, &run_dir, &scratch).await) });
    }
    let mut out = set.join_all().await;
    out.sort_by_key(|(i, _)| *i);
    Arc::new(out.into_iter().map(|(_, r)| Arc::new(r)).collect())
}

/// Ctrl-C, or SIGTERM from a CI runner cancelling the job: the samples stop and what was seen
/// is kept. A second signal ends the process at once.
fn watch_signals() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        eprintln!("\nhilt: interrupted; stopping the samples and writing a partial report (Ctrl-C again to abort at once)");
        let _ = tx.send(true);
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        std::process::exit(exit::ABORTED);
    });
    rx
}

/// Starts each sample's task and hands every event to every reporter until all verdicts are
/// in. Returns whether the operator interrupted, and the reporters' errors at the end.
async fn report_progress(
    loaded: &Loaded,
    prepared: &Arc<Vec<Prepared>>,
    mut interrupt: watch::Receiver<bool>,
    reporters: &mut [Box<dyn Reporter>],
) -> (bool, Vec<String>) {
    let planned = &loaded.planned;
    let clock = Instant::now();
    let mut emit = |event: Event<'_>| -> Vec<String> {
        reporters
            .iter_mut()
            .filter_map(|r| r.on(&event).err())
            .collect()
    };
    let name_width = planned.iter().map(|p| p.name().len()).max().unwrap_or(0);
    warn(emit(Event::Started {
        planned: planned.len(),
        filtered_out: loaded.filtered_out,
        name_width,
    }));
    for p in prepared.iter() {
        let (slot, outcome) = match p.as_ref() {
            Ok(s) => (s.slot_id.as_str(), Ok(())),
            Err(u) => (u.slot_id.as_str(), Err(u.reason.as_str())),
        };
        warn(emit(Event::SampleUp { slot, outcome }));
    }
    let mut rx = start_samples(loaded, prepared, &interrupt);
    let mut pending: Vec<bool> = planned.iter().map(|p| p.not_applicable.is_none()).collect();
    for p in planned {
        if let Some(reason) = &p.not_applicable {
            let result = CaseResult::new(Verdict::NotApplicable, reason.clone());
            warn(emit(verdict_event(p, result).as_event()));
        }
    }
    let (mut interrupted, mut watching) = (false, true);
    loop {
        tokio::select! {
            progress = rx.recv() => match progress {
                Some(Progress::Started(i)) => {
                    let p = &planned[i];
                    warn(emit(Event::CaseStarted { slot: &p.slot, case: p.spec.id }));
                }
                Some(Progress::Done(i, result)) => {
                    pending[i] = false;
                    warn(emit(verdict_event(&planned[i], result).as_event()));
                }
                None => break,
            },
            stop = interrupt.wait_for(|stop| *stop), if watching => {
                // Once only; an error means no signal can come any more.
                watching = false;
                if stop.is_ok() {
                    interrupted = true;
                    warn(emit(Event::Interrupted));
                }
            }
        }
    }
    for (i, _) in pending.iter().enumerate().filter(|(_, p)| **p) {
        let result =
            CaseResult::not_performed(Cause::Bench, "the sample's task ended without a verdict");
        warn(emit(verdict_event(&planned[i], result).as_event()));
    }
    let errors = emit(Event::Finished {
        interrupted,
        elapsed: clock.elapsed(),
    });
    (interrupted, errors)
}

/// One task per sample, each with its cases in plan order; the channel closes when all end.
fn start_samples(
    loaded: &Loaded,
    prepared: &Arc<Vec<Prepared>>,
    interrupt: &watch::Receiver<bool>,
) -> mpsc::UnboundedReceiver<Progress> {
    let peers: Arc<Vec<(String, UnitLabel)>> = Arc::new(
        prepared
            .iter()
            .filter_map(|p| p.as_ref().as_ref().ok())
            .map(|s| (s.slot_id.clone(), s.label.clone()))
            .collect(),
    );
    let pool = Arc::new(SecretPool::new(peers.iter().map(|(slot, _)| slot.clone())));
    let (tx, rx) = mpsc::unbounded_channel();
    for sample in prepared.iter() {
        let slot = match sample.as_ref() {
            Ok(s) => s.slot_id.clone(),
            Err(u) => u.slot_id.clone(),
        };
        let mine = loaded
            .planned
            .iter()
            .enumerate()
            .filter(|(_, p)| p.slot == slot && p.not_applicable.is_none())
            .map(|(i, p)| (i, p.clone()))
            .collect();
        let task = SampleTask {
            sample: sample.clone(),
            peers: peers.clone(),
            pool: pool.clone(),
            config: loaded.config.clone(),
            interrupt: interrupt.clone(),
        };
        tokio::spawn(task.run(mine, tx.clone()));
    }
    rx
}

/// A verdict with the name reporters show, kept alive while the event borrows it.
struct VerdictEvent {
    name: String,
    record: CaseRecord,
}

impl VerdictEvent {
    fn as_event(&self) -> Event<'_> {
        Event::Verdict {
            name: &self.name,
            record: &self.record,
        }
    }
}

fn verdict_event(p: &PlannedCase, result: CaseResult) -> VerdictEvent {
    let evidence = result
        .evidence
        .iter()
        .map(|e| e.display().to_string())
        .collect();
    VerdictEvent {
        name: p.name(),
        record: CaseRecord {
            slot: p.slot.clone(),
            spec: p.spec,
            result,
            evidence,
        },
    }
}

/// A report that could not be updated mid-run is rewritten at the end; say so meanwhile.
fn warn(errors: Vec<String>) {
    for e in errors {
        eprintln!("hilt: cannot update {e}");
    }
}

async fn stop_units(prepared: &[Prepared]) {
    for p in prepared {
        let launched = match p.as_ref() {
            Ok(s) => s.launched.as_ref(),
            Err(u) => u.launched.as_ref(),
        };
        if let Some(l) = launched {
            l.stop().await;
        }
    }
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
