//! The binary's subcommands: each returns its exit status, or an error that `status_of` turns
//! into one. The statuses are documented in `hilt::model::exit`.

pub mod args;
mod init;
mod inspect;
mod tools;

use args::{locate, AssessAction, Command, RigAction};
use hilt::config::defaults::{self, Wanted};
use hilt::config::{ConfigErrors, ConfigPaths};
use hilt::model::exit;
use hilt::run::{self, offline, RunOptions};

/// What the operator asked for cannot be done as asked (a slot that is not in the rig, a schema
/// kind hilt does not know): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

pub fn run(command: Command) -> i32 {
    match dispatch(command) {
        Ok(status) => status,
        Err(e) => status_of(&e),
    }
}

fn dispatch(command: Command) -> anyhow::Result<i32> {
    Ok(match command {
        Command::Run {
            files,
            bundle,
            assessment,
            test,
        } => run::execute(RunOptions {
            paths: files.paths()?,
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
                rig: locate(Wanted::Rig, rig)?,
                profile: evidence,
                suite: locate(Wanted::PstiSuite, suite)?,
            },
            out: bundle.out,
            args: test,
            sign_key: bundle.sign_key,
            operator: bundle.operator,
            assessment: None,
            evidence_profile: true,
        }),
        Command::Assess { action } => match action {
            AssessAction::Init { files } => offline::assess(&files.paths()?, None),
            AssessAction::Check { file, files } => offline::assess(&files.paths()?, Some(&file)),
        },
        Command::Report {
            bundle,
            assessment,
            sign_key,
        } => offline::reissue(&bundle, &assessment, sign_key.as_deref()),
        Command::Check { files } => inspect::check(files.paths()?)?,
        Command::Verify {
            dir,
            public_key,
            require_signature,
        } => inspect::verify(&dir, public_key.as_deref(), require_signature)?,
        Command::Init { dir } => init::init(&dir)?,
        Command::DraftProfile {
            address,
            rig,
            slot,
            host_baseline,
            console,
            baud,
            suite,
            out,
        } => {
            let from = match (address, rig, slot) {
                (Some(address), _, _) => init::DraftFrom::Unit(
                    hilt::draft::UnitGiven {
                        address,
                        host_baseline,
                    },
                    console.map(|path| hilt::draft::ConsoleGiven { path, baud }),
                ),
                (None, Some(rig), Some(slot)) => init::DraftFrom::Slot(rig, slot),
                _ => return Err(Usage("give --address, or --rig and --slot".into()).into()),
            };
            init::draft_profile(from, &locate(Wanted::Suite, suite)?, out.as_deref())?
        }
        Command::Keygen { file } => tools::keygen(&file)?,
        Command::UpdateImages { profile, out } => {
            tools::update_images(&locate(Wanted::Profile, profile)?, &out)?
        }
        Command::ScanTcp {
            rig,
            slot,
            ports,
            concurrency,
            connect_timeout_ms,
        } => tools::scan_tcp(
            &locate(Wanted::Rig, rig)?,
            &slot,
            &ports,
            concurrency,
            connect_timeout_ms,
        )?,
        Command::Hardware {
            labgrid,
            coordinator,
        } => {
            print!("{}", hilt::debug::hardware::survey());
            match labgrid {
                true => tools::labgrid_places(coordinator.as_deref()),
                false => exit::OK,
            }
        }
        Command::Rig {
            action: RigAction::FromLabgrid { place, coordinator },
        } => tools::rig_from_labgrid(&place, coordinator)?,
        Command::Catalogue { version, units } => offline::catalogue(version.as_deref(), units),
        Command::Schema { kind } => tools::schema(&kind)?,
        Command::Merge { out, inputs } => tools::merge(&out, &inputs)?,
    })
}

/// Prints the error and picks the status: what the operator gave is 2, what hilt could not do
/// itself is 4.
fn status_of(e: &anyhow::Error) -> i32 {
    if let Some(config) = e.downcast_ref::<ConfigErrors>() {
        // Each line already reads `error: file:line:col: …`.
        eprintln!("{config}");
        return exit::USAGE;
    }
    eprintln!("error: {e:#}");
    if e.downcast_ref::<Usage>().is_some()
        || e.downcast_ref::<defaults::NotFound>().is_some()
        || e.downcast_ref::<defaults::BadEnvironment>().is_some()
    {
        exit::USAGE
    } else if let Some(r) = e.downcast_ref::<hilt::report::error::Error>() {
        r.exit_status()
    } else if let Some(u) = e.downcast_ref::<hilt::update::error::Error>() {
        match u.cause() {
            hilt::model::verdict::Cause::Config => exit::USAGE,
            _ => exit::HARNESS,
        }
    } else {
        exit::HARNESS
    }
}

/// A full port scan keeps many sockets open at once; the usual soft limit of 1024 is too low.
pub fn raise_open_file_limit() {
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
