//! `hilt`: the command line. Exit status: 0 nothing failed or inconclusive, 1 a FAIL,
//! 2 bad usage or configuration, 3 INCONCLUSIVE only.

use clap::{Parser, Subcommand};
use hilt::config::{self, Config, ConfigPaths};
use hilt::run::{self, RunOptions};
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

#[derive(Subcommand)]
enum Command {
    /// Run the suite on every sample of the rig (libtest-style options: FILTER, --list, --exact, --skip, --format).
    Run {
        #[command(flatten)]
        files: Files,
        /// Where run folders are written (reports/<run-id>/, reports/latest).
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        #[command(flatten)]
        test: libtest_mimic::Arguments,
    },
    /// Validate the rig, profile and suite without touching hardware.
    Check {
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

fn main() {
    raise_open_file_limit();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                run::EXIT_USAGE
            } else {
                run::EXIT_OK
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = match cli.command {
        Command::Run { files, out, test } => run::execute(RunOptions {
            paths: paths(files),
            out,
            args: test,
        }),
        Command::Check { files } => match Config::load(&paths(files)) {
            Ok(c) => {
                println!(
                    "ok: rig `{}` ({} slots), profile `{}`, suite `{}`",
                    c.rig.name,
                    c.rig.slots.len(),
                    c.profile.body.profile,
                    c.suite.body.suite
                );
                run::EXIT_OK
            }
            Err(e) => {
                eprintln!("{e}");
                run::EXIT_USAGE
            }
        },
    };
    std::process::exit(code);
}
