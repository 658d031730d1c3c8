//! `hilt`: the command line. Exit statuses are documented in `hilt::model::exit`.

use clap::{Parser, Subcommand};
use hilt::config::{self, Config, ConfigPaths};
use hilt::model::exit;
use hilt::report::{keys, manifest, merge};
use hilt::run::{self, offline, RunOptions};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "hilt",
    version,
    about = "Hardware-in-the-loop conformance harness: ETSI EN 303 645 through the test cases of ETSI TS 103 701"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Files {
    /// Rig file: the bench, its sample slots and what is wired to each.
    #[arg(long, default_value_os_t = config::default_path("rigs", "virtual.yaml"))]
    rig: PathBuf,
    /// Device profile: ICS, IXIT and procedures of the product under test.
    #[arg(long, default_value_os_t = config::default_path("device-profiles", "virtual-camera.yaml"))]
    profile: PathBuf,
    /// Suite: the test cases to run and their parameters.
    #[arg(long, default_value_os_t = config::default_path("suites", "en303645.yaml"))]
    suite: PathBuf,
}

/// Where a run's bundle goes and how it is signed.
#[derive(clap::Args, Clone)]
struct BundleFlags {
    /// Where run folders are written (reports/<run-id>/, reports/latest).
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// Sign the evidence manifest with this ed25519 secret key (see `hilt keygen`).
    #[arg(long)]
    sign_key: Option<PathBuf>,
    /// Who ran the tests, for the report.
    #[arg(long)]
    operator: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the suite on every sample of the rig (libtest-style options: FILTER, --list, --exact, --skip, --format).
    Run {
        #[command(flatten)]
        files: Files,
        #[command(flatten)]
        bundle: BundleFlags,
        /// The assessor's verdicts for the MANUAL rows (see `hilt assess init`).
        #[arg(long)]
        assessment: Option<PathBuf>,
        #[command(flatten)]
        test: libtest_mimic::Arguments,
    },
    /// PSTI evidence without the manufacturer: an officer's evidence profile instead of a device
    /// profile. Every login surface found on the units gets the universal corpus; the published
    /// pages and the statement of compliance are checked (psti.html).
    Psti {
        #[arg(long, default_value_os_t = config::default_path("rigs", "virtual.yaml"))]
        rig: PathBuf,
        /// The evidence profile: the product as bought, its published pages, its statement.
        #[arg(long)]
        evidence: PathBuf,
        #[arg(long, default_value_os_t = config::default_path("suites", "psti.yaml"))]
        suite: PathBuf,
        #[command(flatten)]
        bundle: BundleFlags,
        #[command(flatten)]
        test: libtest_mimic::Arguments,
    },
    /// The assessor's file: `init` writes it for a profile, `check` validates it.
    Assess {
        #[command(subcommand)]
        action: AssessAction,
    },
    /// Reissue a finished bundle's reports with an assessment, without the device: only MANUAL
    /// rows change; the previous reports and manifest are kept under previous/<n>/.
    Report {
        bundle: PathBuf,
        #[arg(long)]
        assessment: PathBuf,
        /// Sign the new manifest with this ed25519 secret key.
        #[arg(long)]
        sign_key: Option<PathBuf>,
    },
    /// Validate the rig, profile and suite without touching hardware.
    Check {
        #[command(flatten)]
        files: Files,
    },
    /// Check a run folder against its manifest: every file's SHA-256, nothing added or removed,
    /// and, with --public-key, the manifest's signature.
    Verify {
        dir: PathBuf,
        #[arg(long)]
        public_key: Option<PathBuf>,
    },
    /// Make an ed25519 key pair for signing manifests: FILE (secret, mode 0600) and FILE.pub.
    Keygen { file: PathBuf },
    /// Write the misuse images of the profile's update battery to a folder, without a device.
    UpdateImages {
        #[arg(long, default_value_os_t = config::default_path("device-profiles", "virtual-camera.yaml"))]
        profile: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// TCP connect scan of one slot's declared address (the unit must be up), as 5.6-1-2 does it:
    /// for checking a bench's wiring and for benchmarks (scripts/bench-portscan).
    ScanTcp {
        #[arg(long, default_value_os_t = config::default_path("rigs", "virtual.yaml"))]
        rig: PathBuf,
        #[arg(long)]
        slot: String,
        #[arg(long, default_value = "1-65535")]
        ports: String,
        #[arg(long, default_value_t = 1024)]
        concurrency: usize,
        #[arg(long, default_value_t = 1000)]
        connect_timeout_ms: u64,
    },
    /// List the debug probes and serial ports present on this bench, with the selector or path
    /// a rig file takes for each.
    Hardware,
    /// List the provisions of EN 303 645 and the TS 103 701 test cases that assess them; `*`
    /// marks the cases hilt automates.
    Catalogue {
        /// The version of EN 303 645, e.g. V2.1.1 (default: every built-in one).
        #[arg(long)]
        version: Option<String>,
        /// Also print what each test unit asks of the assessor.
        #[arg(long)]
        units: bool,
    },
    /// Print the JSON Schema of a config file (rig, profile or suite) or of a catalogue, for
    /// editors and CI.
    Schema {
        #[arg(value_parser = hilt::schema::KINDS)]
        kind: String,
    },
    /// Merge the JUnit files of several runs (one per rig) into one.
    Merge {
        #[arg(long, short)]
        out: PathBuf,
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AssessAction {
    /// Write the assessment file for the profile's applicable provisions, with each unit's
    /// question, to standard output.
    Init {
        #[command(flatten)]
        files: Files,
    },
    /// Validate an assessment file against the suite's catalogue.
    Check {
        file: PathBuf,
        #[command(flatten)]
        files: Files,
    },
}

fn paths(f: Files) -> ConfigPaths {
    ConfigPaths {
        rig: f.rig,
        profile: f.profile,
        suite: f.suite,
    }
}

fn main() {
    raise_open_file_limit();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = match cli.command {
        Command::Run {
            files,
            bundle,
            assessment,
            test,
        } => run::execute(RunOptions {
            paths: paths(files),
            out: bundle.out,
            args: test,
            sign_key: bundle.sign_key,
            operator: bundle.operator,
            assessment,
            evidence_profile: false,
        }),
        Command::Psti {
            rig,
            evidence,
            suite,
            bundle,
            test,
        } => run::execute(RunOptions {
            paths: ConfigPaths {
                rig,
                profile: evidence,
                suite,
            },
            out: bundle.out,
            args: test,
            sign_key: bundle.sign_key,
            operator: bundle.operator,
            assessment: None,
            evidence_profile: true,
        }),
        Command::Assess { action } => match action {
            AssessAction::Init { files } => offline::assess(&paths(files), None),
            AssessAction::Check { file, files } => offline::assess(&paths(files), Some(&file)),
        },
        Command::Report {
            bundle,
            assessment,
            sign_key,
        } => offline::reissue(&bundle, &assessment, sign_key.as_deref()),
        Command::Check { files } => check(files),
        Command::Verify { dir, public_key } => verify(&dir, public_key),
        Command::Keygen { file } => match keys::generate(&file) {
            Ok(public) => {
                println!(
                    "secret key: {} (keep it private)\npublic key: {}",
                    file.display(),
                    public.display()
                );
                exit::OK
            }
            Err(e) => usage(e),
        },
        Command::UpdateImages { profile, out } => update_images(&profile, &out),
        Command::ScanTcp {
            rig,
            slot,
            ports,
            concurrency,
            connect_timeout_ms,
        } => scan_tcp(&rig, &slot, &ports, concurrency, connect_timeout_ms),
        Command::Hardware => {
            print!("{}", hilt::debug::hardware::survey());
            exit::OK
        }
        Command::Catalogue { version, units } => offline::catalogue(version.as_deref(), units),
        Command::Schema { kind } => match hilt::schema::of(&kind) {
            Some(schema) => {
                let text = serde_json::to_string_pretty(&schema.to_value()).unwrap_or_default();
                println!("{text}");
                exit::OK
            }
            None => usage(format!("no schema for `{kind}`")),
        },
        Command::Merge { out, inputs } => {
            let refs: Vec<&std::path::Path> = inputs.iter().map(PathBuf::as_path).collect();
            match merge::merge(&refs).and_then(|xml| {
                std::fs::write(&out, xml).map_err(|e| format!("{}: {e}", out.display()))
            }) {
                Ok(()) => exit::OK,
                Err(e) => usage(e),
            }
        }
    };
    std::process::exit(code);
}

fn update_images(profile: &std::path::Path, out: &std::path::Path) -> i32 {
    let profile = match config::Profile::load(profile) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    match hilt::update::offline::write(&profile, out) {
        Ok(lines) => {
            lines.iter().for_each(|l| println!("{l}"));
            exit::OK
        }
        Err(e) => usage(e),
    }
}

fn scan_tcp(
    rig: &std::path::Path,
    slot: &str,
    ports: &str,
    concurrency: usize,
    timeout_ms: u64,
) -> i32 {
    let rig = match config::Rig::load(rig) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return exit::USAGE;
        }
    };
    let Some(slot) = rig.slots.iter().find(|s| s.id.value == slot) else {
        let known: Vec<&str> = rig.slots.iter().map(|s| s.id.value.as_str()).collect();
        return usage(format!(
            "no slot `{slot}` in the rig (slots: {})",
            known.join(", ")
        ));
    };
    let ports = match config::suite::parse_port_ranges(ports) {
        Ok(p) => p,
        Err(e) => return usage(format!("--ports: {e}")),
    };
    raise_open_file_limit();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let scan = runtime.block_on(hilt::transport::portscan::scan(
        slot.network.address,
        &ports,
        concurrency,
        std::time::Duration::from_millis(timeout_ms),
    ));
    let list = |p: &[u16]| p.iter().map(u16::to_string).collect::<Vec<_>>().join(",");
    println!("address: {}", scan.address);
    println!("open: {}", list(&scan.open));
    println!("filtered: {}", scan.filtered.len());
    println!("errors: {}", scan.errors);
    println!("seconds: {:.3}", scan.seconds);
    if scan.errors > 0 {
        exit::INCONCLUSIVE
    } else {
        exit::OK
    }
}

fn usage(e: String) -> i32 {
    eprintln!("error: {e}");
    exit::USAGE
}

fn check(files: Files) -> i32 {
    let loaded = Config::load(&paths(files))
        .and_then(|c| hilt::plan::select(&c).map(|selected| (c, selected)));
    match loaded {
        Ok((c, selected)) => {
            println!(
                "ok: rig `{}` ({} slots), profile `{}`, suite `{}` ({} test cases)",
                c.rig.name,
                c.rig.slots.len(),
                c.profile.body.profile,
                c.suite.body.suite,
                selected.len()
            );
            exit::OK
        }
        Err(e) => {
            eprintln!("{e}");
            exit::USAGE
        }
    }
}

fn verify(dir: &std::path::Path, public_key: Option<PathBuf>) -> i32 {
    let key = match public_key.as_deref().map(keys::load_public).transpose() {
        Ok(k) => k,
        Err(e) => return usage(e),
    };
    let v = match manifest::verify(dir, key.as_ref()) {
        Ok(v) => v,
        Err(e) => return usage(e),
    };
    for f in &v.altered {
        println!("altered: {f}");
    }
    for f in &v.missing {
        println!("missing: {f}");
    }
    for f in &v.added {
        println!("added: {f}");
    }
    if v.manifest_altered {
        println!(
            "altered: {} (does not match {})",
            manifest::MANIFEST,
            manifest::DIGEST
        );
    }
    match &v.signature {
        manifest::SignatureCheck::NotAsked => {}
        manifest::SignatureCheck::Valid => println!("signature: valid"),
        manifest::SignatureCheck::Invalid(why) => println!("signature: INVALID: {why}"),
    }
    let partial = std::fs::read_to_string(dir.join("report.json"))
        .map(|t| t.contains("\"partial\": true"))
        .unwrap_or(false);
    if v.ok() {
        println!(
            "ok: {} files match the manifest{}",
            v.checked,
            if partial {
                " (the run is marked partial)"
            } else {
                ""
            }
        );
        exit::OK
    } else {
        println!("FAILED: the folder differs from its manifest");
        exit::FAIL
    }
}

/// A full port scan keeps many sockets open at once; the usual soft limit of 1024 is too low.
fn raise_open_file_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}
