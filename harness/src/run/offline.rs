//! The subcommands that need no device: the catalogue listing, the assessor's file and the
//! reissue of a finished bundle's reports. Each returns its exit status (`model::exit`).

use crate::config::{assessment_template, Config, ConfigPaths};
use crate::model::exit;
use crate::report::{catalogue as listing, keys, reissue as reissuing};
use crate::standard::catalogue::{self, Catalogue};
use std::path::Path;

fn automated() -> Vec<&'static str> {
    crate::cases::ALL.iter().map(|c| c.spec().id).collect()
}

fn usage(e: String) -> i32 {
    eprintln!("error: {e}");
    exit::USAGE
}

/// `hilt catalogue`: one version, or every built-in one.
pub fn catalogue(version: Option<&str>, units: bool) -> i32 {
    let chosen: Vec<&Catalogue> = match version {
        None => catalogue::built_in().iter().collect(),
        Some(v) => match catalogue::for_version(v) {
            Some(c) => vec![c],
            None => {
                return usage(format!(
                    "no catalogue of EN 303 645 {v}; built in: {}",
                    catalogue::versions().join(", ")
                ))
            }
        },
    };
    for c in chosen {
        print!("{}", listing::render(c, &automated(), units));
    }
    exit::OK
}

/// `hilt assess init` (no file: the template on standard output) or `hilt assess check FILE`.
pub fn assess(paths: &ConfigPaths, file: Option<&Path>) -> i32 {
    let config = match Config::load_with(paths, &mut crate::transport::labgrid::resolve::Describe) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{e}");
            return exit::USAGE;
        }
    };
    let Some(file) = file else {
        let catalogue = config.suite.catalogue();
        print!(
            "{}",
            assessment_template::template(catalogue, &config.profile, &automated())
        );
        return exit::OK;
    };
    match super::load_assessment(file, &config) {
        Ok(a) => {
            let units: usize = a.answers.values().map(Vec::len).sum();
            println!("ok: {} ({units} unit(s) decided)", file.display());
            exit::OK
        }
        Err(e) => {
            eprintln!("{}", e.trim_end());
            exit::USAGE
        }
    }
}

/// `hilt report BUNDLE --assessment F [--sign-key K]`.
pub fn reissue(bundle: &Path, assessment: &Path, sign_key: Option<&Path>) -> i32 {
    let key = match sign_key.map(keys::load_secret).transpose() {
        Ok(k) => k,
        Err(e) => return usage(format!("--sign-key {e}")),
    };
    match reissuing::reissue(bundle, assessment, key.as_ref()) {
        Ok(summary) => {
            println!("{}: {summary}", bundle.display());
            exit::OK
        }
        Err(e) => {
            eprintln!("{}", e.to_string().trim_end());
            e.exit_status()
        }
    }
}
