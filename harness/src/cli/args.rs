//! The command line as clap parses it: subcommands, their flags and defaults.

use clap::{Parser, Subcommand};
use hilt::config::defaults::{self, Surroundings, Wanted};
use hilt::config::ConfigPaths;
use std::path::PathBuf;

/// `hilt --version`: the release, the commit it was built from and the catalogues built in, so
/// a report's method can be traced to one build.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("HILT_GIT_COMMIT"),
    "; catalogues: ",
    env!("HILT_CATALOGUES"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "hilt",
    version = VERSION,
    about = "Hardware-in-the-loop conformance harness: ETSI EN 303 645 through the test cases of ETSI TS 103 701"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Clone)]
pub struct Files {
    /// Rig file: the bench, its sample slots and what is wired to each.
    #[arg(long, long_help = long_help("Rig file: the bench, its sample slots and what is wired to each.", Wanted::Rig))]
    pub rig: Option<PathBuf>,
    /// Device profile: ICS, IXIT and procedures of the product under test.
    #[arg(long, long_help = long_help("Device profile: ICS, IXIT and procedures of the product under test.", Wanted::Profile))]
    pub profile: Option<PathBuf>,
    /// Suite: the test cases to run and their parameters.
    #[arg(long, long_help = long_help("Suite: the test cases to run and their parameters.", Wanted::Suite))]
    pub suite: Option<PathBuf>,
}

/// Where a run's bundle goes and how it is signed.
#[derive(clap::Args, Clone)]
pub struct BundleFlags {
    /// Where run folders are written (reports/<run-id>/, reports/latest).
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Sign the evidence manifest with this ed25519 secret key (see `hilt keygen`).
    #[arg(long)]
    pub sign_key: Option<PathBuf>,
    /// Who ran the tests, for the report.
    #[arg(long)]
    pub operator: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
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
        #[arg(long, long_help = long_help("Rig file.", Wanted::Rig))]
        rig: Option<PathBuf>,
        /// The evidence profile: the product as bought, its published pages, its statement.
        #[arg(long)]
        evidence: PathBuf,
        #[arg(long, long_help = long_help("The PSTI suite.", Wanted::PstiSuite))]
        suite: Option<PathBuf>,
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
        /// Fail unless the manifest carries a valid signature by --public-key: without one, the
        /// hashes show integrity only, and anyone could have rewritten the bundle and its manifest.
        #[arg(long)]
        require_signature: bool,
    },
    /// Write a bench folder to start from: rig.yaml, profile.yaml and suite.yaml (the built-in
    /// suite with its corpora), commented, with the JSON schemas they name. `hilt run` and
    /// `hilt check` in that folder use them.
    Init {
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Observe a unit and write a first device profile from what it shows: its TCP and UDP
    /// services, login surfaces (prompts from its own dialogue), TLS versions and certificate
    /// keys, and the console's login. Every entry is marked for the manufacturer's IXIT to
    /// confirm; the header lists what needs a person. Traffic goes to --address only.
    DraftProfile {
        /// The unit's address: the only one hilt sends traffic to besides --host-baseline.
        #[arg(long, required_unless_present = "rig", conflicts_with = "rig")]
        address: Option<std::net::IpAddr>,
        /// Or a rig and one of its slots: its address, console and launch command, and its
        /// power, with which hilt also watches the unit boot (boot loader lines, boot window).
        #[arg(long, requires = "slot", conflicts_with_all = ["host_baseline", "console", "baud"])]
        rig: Option<PathBuf>,
        #[arg(long, requires = "rig")]
        slot: Option<String>,
        /// An address of the bench host beside the unit: ports open there too are the host's
        /// (as a rig's `network.host_baseline`).
        #[arg(long)]
        host_baseline: Option<std::net::IpAddr>,
        /// The unit's console, to read its login prompt: a tty, or a console server as
        /// `rfc2217://HOST:PORT` or `tcp://HOST:PORT`.
        #[arg(long)]
        console: Option<String>,
        /// The console's rate (default: searched).
        #[arg(long)]
        baud: Option<u32>,
        #[arg(long, long_help = long_help("The suite whose scans observe the unit.", Wanted::Suite))]
        suite: Option<PathBuf>,
        /// Where to write the draft (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Make an ed25519 key pair for signing manifests: FILE (secret, mode 0600) and FILE.pub.
    Keygen { file: PathBuf },
    /// Write the misuse images of the profile's update battery to a folder, without a device.
    UpdateImages {
        #[arg(long, long_help = long_help("Device profile.", Wanted::Profile))]
        profile: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// TCP connect scan of one slot's declared address (the unit must be up), as 5.6-1-2 does it:
    /// for checking a bench's wiring and for benchmarks (scripts/bench-portscan).
    ScanTcp {
        #[arg(long, long_help = long_help("Rig file.", Wanted::Rig))]
        rig: Option<PathBuf>,
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
    /// a rig file takes for each; with --labgrid, also the places a labgrid coordinator knows
    /// and who holds them.
    Hardware {
        /// Also list the labgrid coordinator's places (through `labgrid-client`).
        #[arg(long)]
        labgrid: bool,
        /// The coordinator, HOST:PORT (default: labgrid-client's, LG_COORDINATOR or
        /// 127.0.0.1:20408).
        #[arg(long, requires = "labgrid")]
        coordinator: Option<String>,
    },
    /// Rig files from what a lab already describes.
    Rig {
        #[command(subcommand)]
        action: RigAction,
    },
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
pub enum RigAction {
    /// Print the rig YAML a labgrid place amounts to (its console, network address, power and
    /// label tags), to inspect and check in. The place is acquired for a moment when it is
    /// free, since its console's port is published only while it is held.
    FromLabgrid {
        /// The place's name.
        #[arg(long)]
        place: String,
        /// The coordinator, HOST:PORT (default: labgrid-client's, LG_COORDINATOR or
        /// 127.0.0.1:20408).
        #[arg(long)]
        coordinator: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum AssessAction {
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

impl Files {
    /// The three files, each given or looked up (`config::defaults`).
    pub fn paths(self) -> anyhow::Result<ConfigPaths> {
        let around = Surroundings::of_process();
        Ok(ConfigPaths {
            rig: defaults::locate(Wanted::Rig, self.rig, &around)?,
            profile: defaults::locate(Wanted::Profile, self.profile, &around)?,
            suite: defaults::locate(Wanted::Suite, self.suite, &around)?,
        })
    }
}

/// One file given or looked up, for the commands that take it alone.
pub fn locate(wanted: Wanted, given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    defaults::locate(wanted, given, &Surroundings::of_process())
}

fn long_help(text: &str, wanted: Wanted) -> String {
    format!("{text}\n{}", defaults::help(wanted))
}
