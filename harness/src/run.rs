//! A run: plan, bring up the samples in parallel, run each sample's cases in order, feed the
//! libtest-style reporter as verdicts arrive, then write the reports.

use crate::bench::{self, label::UnitLabel, Sample, Unavailable};
use crate::cases::{self, CaseContext, CaseSpec};
use crate::config::{Config, ConfigPaths};
use crate::plan::{self, PlannedCase};
use crate::report::{self, CaseRecord, RunInfo, SampleIdentity};
use crate::verdict::{CaseResult, Verdict};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::oneshot;

pub struct RunOptions {
    pub paths: ConfigPaths,
    pub out: PathBuf,
    pub args: Arguments,
}

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAIL: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_INCONCLUSIVE: i32 = 3;

pub fn execute(opts: RunOptions) -> i32 {
    let config = match Config::load(&opts.paths) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    let planned: Vec<PlannedCase> = plan::plan(&config)
        .into_iter()
        .filter(|p| !opts.args.is_filtered_out(&Trial::test(p.name(), || Ok(()))))
        .collect();
    if opts.args.list {
        let trials = planned
            .iter()
            .map(|p| Trial::test(p.name(), || Ok(())))
            .collect();
        let _ = libtest_mimic::run(&opts.args, trials);
        return EXIT_OK;
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
        return EXIT_USAGE;
    }
    let scratch = std::env::temp_dir().join(format!("hilt-{run_id}"));

    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return EXIT_USAGE;
        }
    };
    let records: Arc<Mutex<Vec<CaseRecord>>> = Arc::default();
    let (trials, senders) = trials_for(&planned, records.clone());

    // Bring up every slot that has something to run, all at once.
    let slots_needed: Vec<String> = dedup(
        planned
            .iter()
            .filter(|p| p.not_applicable.is_none())
            .map(|p| p.slot.clone()),
    );
    eprintln!(
        "hilt: bringing up {} sample(s) of rig `{}`",
        slots_needed.len(),
        config.rig.name
    );
    let prepared: Vec<Result<Sample, Unavailable>> = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (i, slot) in config
            .rig
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| slots_needed.contains(&s.id.value))
        {
            let (config, run_dir, scratch, slot) = (
                config.clone(),
                run_dir.clone(),
                scratch.clone(),
                slot.clone(),
            );
            set.spawn(async move { (i, bench::prepare(&config, &slot, &run_dir, &scratch).await) });
        }
        let mut out: Vec<(usize, Result<Sample, Unavailable>)> = set.join_all().await;
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, r)| r).collect()
    });
    let prepared: Vec<Arc<Result<Sample, Unavailable>>> =
        prepared.into_iter().map(Arc::new).collect();
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

    for sample in &prepared {
        let slot = match sample.as_ref() {
            Ok(s) => s.slot_id.clone(),
            Err(u) => u.slot_id.clone(),
        };
        let mine: Vec<(usize, PlannedCase)> = planned
            .iter()
            .enumerate()
            .filter(|(_, p)| p.slot == slot && p.not_applicable.is_none())
            .map(|(i, p)| (i, p.clone()))
            .collect();
        let my_senders: Vec<(PlannedCase, oneshot::Sender<CaseResult>)> = mine
            .into_iter()
            .filter_map(|(i, p)| senders.lock().unwrap()[i].take().map(|s| (p, s)))
            .collect();
        let (sample, peers, config) = (sample.clone(), peers.clone(), config.clone());
        rt.spawn(async move { run_sample(sample, peers, config, my_senders).await });
    }

    let mut args = opts.args.clone();
    args.test_threads = Some(trials.len().max(1));
    let _ = libtest_mimic::run(&args, trials);

    let finished = chrono::Utc::now();
    let identities = identities(&config, &prepared);
    rt.block_on(async {
        for p in &prepared {
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

    let mut records = records.lock().unwrap().clone();
    let order = |r: &CaseRecord| {
        planned
            .iter()
            .position(|p| p.slot == r.slot && p.spec.id == r.spec.id)
    };
    records.sort_by_key(order);
    let info = run_info(&config, &run_id, started, finished);
    let junit_path = run_dir.join("junit.xml");
    match report::junit::render(&info, &identities, &records) {
        Ok(xml) => {
            if let Err(e) = std::fs::write(&junit_path, xml) {
                eprintln!("cannot write {}: {e}", junit_path.display());
            }
        }
        Err(e) => eprintln!("{e}"),
    }
    point_latest(&opts.out, &run_id);
    let table = report::table::render(&identities, &records, &junit_path.display().to_string());
    if matches!(opts.args.format, Some(libtest_mimic::FormatSetting::Json)) {
        eprint!("{table}");
    } else {
        print!("{table}");
    }
    exit_code(&records)
}

pub fn exit_code(records: &[CaseRecord]) -> i32 {
    if records.iter().any(|r| r.result.verdict == Verdict::Fail) {
        EXIT_FAIL
    } else if records
        .iter()
        .any(|r| r.result.verdict == Verdict::Inconclusive)
    {
        EXIT_INCONCLUSIVE
    } else {
        EXIT_OK
    }
}

type Senders = Arc<Mutex<Vec<Option<oneshot::Sender<CaseResult>>>>>;

/// One trial per planned case; each waits for its verdict from the sample's task.
fn trials_for(
    planned: &[PlannedCase],
    records: Arc<Mutex<Vec<CaseRecord>>>,
) -> (Vec<Trial>, Senders) {
    let mut trials = Vec::new();
    let mut senders = Vec::new();
    for p in planned {
        let (tx, rx) = oneshot::channel::<CaseResult>();
        senders.push(Some(tx));
        let (p, records) = (p.clone(), records.clone());
        trials.push(Trial::ignorable_test(p.name(), move || {
            let result = match &p.not_applicable {
                Some(reason) => CaseResult::new(Verdict::NotApplicable, reason.clone()),
                None => rx.blocking_recv().unwrap_or_else(|_| {
                    CaseResult::inconclusive("the sample's task ended without a verdict")
                }),
            };
            let evidence = result
                .evidence
                .iter()
                .map(|e| e.display().to_string())
                .collect();
            records.lock().unwrap().push(CaseRecord {
                slot: p.slot.clone(),
                spec: p.spec,
                result: result.clone(),
                evidence,
            });
            match result.verdict {
                Verdict::Pass => Ok(Completion::Completed),
                Verdict::NotApplicable | Verdict::Manual => Ok(Completion::ignored_with(format!(
                    "{}: {}",
                    result.verdict.label(),
                    result.message
                ))),
                Verdict::Fail => Err(Failed::from(format!("FAIL: {}", result.message))),
                Verdict::Inconclusive => {
                    Err(Failed::from(format!("INCONCLUSIVE: {}", result.message)))
                }
            }
        }));
    }
    (trials, Arc::new(Mutex::new(senders)))
}

async fn run_sample(
    sample: Arc<Result<Sample, Unavailable>>,
    peers: Arc<Vec<(String, UnitLabel)>>,
    config: Arc<Config>,
    cases: Vec<(PlannedCase, oneshot::Sender<CaseResult>)>,
) {
    let s = match sample.as_ref() {
        Ok(s) => s,
        Err(u) => {
            for (_, tx) in cases {
                let _ = tx.send(CaseResult::inconclusive(format!(
                    "sample could not be brought up: {}",
                    u.reason
                )));
            }
            return;
        }
    };
    for (planned, tx) in cases {
        let started = chrono::Utc::now();
        let clock = Instant::now();
        let mut result = match s.broken_reason() {
            Some(reason) => CaseResult::inconclusive(reason),
            None => run_isolated(planned.spec, sample.clone(), peers.clone(), config.clone()).await,
        };
        // A verdict reached while the unit was dying is not trusted, and an INCONCLUSIVE says
        // first that the unit is gone.
        if let Some(l) = &s.launched {
            l.poll_exit().await;
        }
        if let Some(reason) = s.broken_reason() {
            match result.verdict {
                Verdict::Pass => result = CaseResult::inconclusive(reason),
                Verdict::Inconclusive if !result.message.contains(&reason) => {
                    result.message = format!("{reason}; {}", result.message)
                }
                _ => {}
            }
        }
        result.started = started;
        result.duration = clock.elapsed();
        result.evidence = result
            .evidence
            .iter()
            .filter(|p| p.exists())
            .map(|p| PathBuf::from(s.evidence.cite(p)))
            .collect();
        let _ = tx.send(result);
    }
}

/// Runs one case in its own task, so a bug that panics costs that case (INCONCLUSIVE), not the
/// sample's remaining cases.
async fn run_isolated(
    spec: CaseSpec,
    sample: Arc<Result<Sample, Unavailable>>,
    peers: Arc<Vec<(String, UnitLabel)>>,
    config: Arc<Config>,
) -> CaseResult {
    let task = tokio::spawn(async move {
        let Ok(sample) = sample.as_ref() else {
            return CaseResult::inconclusive("sample unavailable");
        };
        let ctx = CaseContext {
            sample,
            peers: &peers,
            config: &config,
        };
        cases::run(&spec, &ctx).await
    });
    match task.await {
        Ok(r) => r,
        Err(e) => CaseResult::inconclusive(format!(
            "hilt error: the test case stopped unexpectedly ({e}); please report it"
        )),
    }
}

fn identities(
    config: &Config,
    prepared: &[Arc<Result<Sample, Unavailable>>],
) -> Vec<SampleIdentity> {
    config
        .rig
        .slots
        .iter()
        .map(|slot| {
            let found = prepared.iter().find_map(|p| {
                p.as_ref()
                    .as_ref()
                    .ok()
                    .filter(|s| s.slot_id == slot.id.value)
            });
            match found {
                Some(s) => SampleIdentity {
                    slot: s.slot_id.clone(),
                    serial: Some(s.label.serial.clone()),
                    mac: Some(s.label.mac.clone()),
                    firmware_version: s.var("firmware_version"),
                    redact: Some(s.evidence.redactor.clone()),
                },
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

fn run_info(
    config: &Config,
    run_id: &str,
    started: chrono::DateTime<chrono::Utc>,
    finished: chrono::DateTime<chrono::Utc>,
) -> RunInfo {
    let show = |p: &Path| p.display().to_string();
    RunInfo {
        run_id: run_id.to_string(),
        started,
        finished,
        rig_name: config.rig.name.clone(),
        rig_file: show(&config.rig.file),
        profile_name: config.profile.body.profile.clone(),
        profile_file: show(&config.profile.file),
        suite_name: config.suite.body.suite.clone(),
        suite_file: show(&config.suite.file),
        en_303_645: config.suite.body.standards.en_303_645.clone(),
        ts_103_701: config.suite.body.standards.ts_103_701.clone(),
        hostname: std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "localhost".into()),
    }
}

/// `reports/latest` -> the newest run, replaced atomically.
fn point_latest(out: &Path, run_id: &str) {
    let tmp = out.join(format!(".latest-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    if std::os::unix::fs::symlink(run_id, &tmp).is_ok() {
        let _ = std::fs::rename(&tmp, out.join("latest"));
    }
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for i in items {
        if !v.contains(&i) {
            v.push(i);
        }
    }
    v
}
