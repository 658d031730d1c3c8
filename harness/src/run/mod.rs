//! A run: plan, bring up the samples in parallel, run each sample's cases in order, and feed
//! every reporter the same events as verdicts arrive. No format is written here.

mod board;
mod info;
pub mod offline;
mod progress;
mod sample_task;

use crate::bench::{self, Sample, Unavailable};
use crate::config::{Config, ConfigPaths};
use crate::model::event::{Reporter, ReporterError};
use crate::model::exit;
use crate::plan::{self, PlannedCase};
use crate::report::bundle::{Bundle, BundleWriter};
use crate::report::terminal::{Format, Terminal};
use crate::report::{self, CaseRecord};
use crate::transport::labgrid;
use libtest_mimic::{Arguments, FormatSetting, Trial};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;

pub struct RunOptions {
    pub paths: ConfigPaths,
    pub out: PathBuf,
    pub args: Arguments,
    /// ed25519 secret key (from `hilt keygen`) to sign the manifest with.
    pub sign_key: Option<PathBuf>,
    pub operator: Option<String>,
    /// The assessor's answers for the MANUAL rows (`hilt assess init` writes the file).
    pub assessment: Option<PathBuf>,
    /// `paths.profile` is an officer's evidence profile (`hilt psti`), not a device profile.
    pub evidence_profile: bool,
}

pub type Prepared = Arc<Result<Sample, Unavailable>>;

/// What `execute` needs before anything starts: all of it comes from files and flags.
struct Loaded {
    config: Arc<Config>,
    selected: Vec<plan::Selected>,
    planned: Vec<PlannedCase>,
    filtered_out: usize,
    sign_key: Option<ed25519_dalek::SigningKey>,
    assessment: Option<Arc<crate::config::assessment::Assessment>>,
    /// The labgrid places the rig's slots are in, held until the run ends.
    places: labgrid::resolve::Acquire,
}

pub fn execute(opts: RunOptions) -> i32 {
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
    // Before anything is held: an interrupt while the rig's labgrid places are acquired must
    // still let them go.
    let interrupt = {
        let _inside = rt.enter();
        watch_signals()
    };
    let loaded = match load(&opts) {
        Ok(l) => l,
        Err(message) => {
            eprintln!("{message}");
            return exit::USAGE;
        }
    };
    if *interrupt.borrow() {
        eprintln!("hilt: interrupted before the run started; nothing was run");
        return exit::ABORTED;
    }
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
    let Some((run_id, run_dir)) = new_run_dir(&opts.out, started) else {
        return exit::HARNESS;
    };
    if !loaded.places.record.is_empty() {
        let record = loaded.places.record.join("\n") + "\n";
        if let Err(e) = std::fs::write(run_dir.join("labgrid-places.txt"), record) {
            eprintln!("cannot record the labgrid places in the bundle: {e}");
            return exit::HARNESS;
        }
    }
    let scratch = std::env::temp_dir().join(format!("hilt-{run_id}"));
    let (prepared, psti) = rt.block_on(async {
        tokio::join!(
            bring_up(&loaded, &run_dir, &scratch),
            gather_psti(&loaded.config, &run_dir)
        )
    });
    let mut info = info::run_info(
        &loaded.config,
        &loaded.selected,
        &run_id,
        started,
        opts.operator.clone(),
    );
    if let Some(a) = &loaded.assessment {
        if let Err(e) = report::reissue::copy_documents(&run_dir, a) {
            eprintln!("cannot copy the assessment's documents into the bundle: {e}");
            return exit::HARNESS;
        }
        info.assessment = Some(a.clone());
    }
    info.psti = psti.map(Arc::new);
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
    let mut reporters = reporters(&opts.args, &bundle);
    let (interrupted, report_errors) = rt.block_on(async {
        let reporting = progress::report(&loaded, &prepared, interrupt, &mut reporters);
        let (interrupted, errors) = reporting.await;
        stop_units(&prepared).await;
        (interrupted, errors)
    });
    // Blocking work a case gave up on (a TLS probe, a debug probe) is told to stop, but the
    // process does not wait for it longer than this: an interrupt ends the run within seconds.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    let _ = std::fs::remove_dir_all(&scratch);
    let records = bundle.records();
    let table = summary(&run_dir, &bundle, &records, &report_errors, interrupted);
    if json {
        eprint!("{table}");
    } else {
        print!("{table}");
    }
    exit_code(&records, report_errors.is_empty())
}

/// `reports/<run-id>/`, made with its `samples/` folder, and `reports/latest` pointing at it.
fn new_run_dir(out: &Path, started: chrono::DateTime<chrono::Utc>) -> Option<(String, PathBuf)> {
    // Random, not the PID: containers started together share PIDs and seconds.
    let mut tag = [0u8; 4];
    crate::util::random::fill(&mut tag);
    let run_id = format!(
        "{}-{}",
        started.format("%Y%m%dT%H%M%SZ"),
        crate::util::hash::hex(&tag)
    );
    let run_dir = out.join(&run_id);
    if let Err(e) = std::fs::create_dir_all(run_dir.join("samples")) {
        eprintln!("cannot create the report folder {}: {e}", run_dir.display());
        return None;
    }
    point_latest(out, &run_id);
    Some((run_id, run_dir))
}

/// The live view and the timeline on standard error, the terminal in the format asked for, and
/// the bundle. The live view comes first: on a terminal it makes way before the others write.
fn reporters(args: &Arguments, bundle: &Arc<Bundle>) -> Vec<Box<dyn Reporter>> {
    let format = match args.format {
        Some(FormatSetting::Json) => Format::Json,
        Some(FormatSetting::Terse) => Format::Terse,
        _ if args.quiet => Format::Terse,
        _ => Format::Pretty,
    };
    use std::io::IsTerminal;
    let live = match format != Format::Json && std::io::stderr().is_terminal() {
        true => report::live::Live::in_place(),
        false => report::live::Live::plain(
            Box::new(std::io::stderr()),
            std::time::Duration::from_secs(30),
        ),
    };
    vec![
        Box::new(live),
        Box::new(Terminal::new(std::io::stdout(), format)),
        Box::new(BundleWriter::new(bundle.clone())),
        Box::new(report::timeline::Timeline::new(std::io::stderr())),
    ]
}

/// The verdict table, then the manifest's digest or why the report could not be written.
fn summary(
    run_dir: &Path,
    bundle: &Bundle,
    records: &[CaseRecord],
    report_errors: &[ReporterError],
    interrupted: bool,
) -> String {
    let mut table = report::table::render(
        &bundle.info(),
        &bundle.identities(),
        records,
        &run_dir.join("junit.xml").display().to_string(),
    );
    match (report_errors, bundle.digest()) {
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
    table
}

fn load(opts: &RunOptions) -> Result<Loaded, String> {
    // Listing the cases touches no unit, so it holds no place.
    let mut places = labgrid::resolve::Acquire::default();
    let mut listing = labgrid::resolve::Describe;
    let resolver: &mut dyn crate::config::rig::PlaceResolver = match opts.args.list {
        true => &mut listing,
        false => &mut places,
    };
    let config = match opts.evidence_profile {
        true => Config::load_evidence(&opts.paths, resolver),
        false => Config::load_with(&opts.paths, resolver),
    };
    let config = Arc::new(config.map_err(|e| e.to_string())?);
    let sign_key = opts
        .sign_key
        .as_deref()
        .map(report::keys::load_secret)
        .transpose()
        .map_err(|e| format!("error: --sign-key {e}"))?;
    let selected = plan::select(&config).map_err(|e| e.to_string())?;
    let assessment = match &opts.assessment {
        Some(file) => Some(Arc::new(load_assessment(file, &config)?)),
        None => None,
    };
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
        assessment,
        places,
    })
}

/// The assessment, checked against the suite's catalogue and this hilt's cases.
pub fn load_assessment(
    file: &Path,
    config: &Config,
) -> Result<crate::config::assessment::Assessment, String> {
    let automated: Vec<&str> = crate::cases::ALL.iter().map(|c| c.spec().id).collect();
    let assessment =
        crate::config::assessment::Assessment::load(file, &automated).map_err(|e| e.to_string())?;
    assessment.of_version(&config.suite.body.standards.en_303_645, "the suite's")?;
    Ok(assessment)
}

/// Every slot that has something to run, all at once, in rig order.
async fn bring_up(loaded: &Loaded, run_dir: &Path, scratch: &Path) -> Arc<Vec<Prepared>> {
    let needed: Vec<&str> = loaded
        .planned
        .iter()
        .filter(|p| p.decided.is_none())
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

/// The manufacturer's published pages, fetched while the samples come up (the profile names
/// them; they are not the units', so the rig's scope does not cover them).
async fn gather_psti(config: &Config, run_dir: &Path) -> Option<crate::model::psti::Gathered> {
    let profile = &config.profile;
    let section = profile.body.psti.as_ref()?;
    eprintln!("hilt: fetching the manufacturer's published information (PSTI)");
    Some(crate::psti::gather(section, &profile.body.product, &profile.file, run_dir).await)
}

/// Ctrl-C, or SIGTERM from a CI runner cancelling the job: the samples stop and what was seen
/// is kept. A second signal ends the process at once, letting go of the labgrid places first.
/// The handlers are in place when this returns (it must be called inside the runtime).
fn watch_signals() -> watch::Receiver<bool> {
    use tokio::signal::unix::{signal, SignalKind};
    let (tx, rx) = watch::channel(false);
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return rx;
    };
    tokio::spawn(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        eprintln!("\nhilt: interrupted; stopping the samples and writing a partial report (Ctrl-C again to abort at once)");
        let _ = tx.send(true);
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        labgrid::hold::release_all();
        std::process::exit(exit::ABORTED);
    });
    rx
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
