//! Where hilt finds a rig, profile or suite it was not given on the command line. Never in the
//! tree it was built from: a copied or installed binary behaves the same as one in a checkout.
//!
//! For each file, the first of:
//! 1. the flag (`--rig`, `--profile`, `--suite`);
//! 2. the environment (`HILT_RIG`, `HILT_PROFILE`, `HILT_SUITE`, `HILT_PSTI_SUITE`), which must
//!    name a file that exists;
//! 3. the current folder: a bench folder's name (`rig.yaml`, `profile.yaml`, `suite.yaml`, as
//!    `hilt init` writes them), then the source layout (`rigs/virtual.yaml`, …);
//! 4. the XDG config folders, `$XDG_CONFIG_HOME/hilt/` (default `~/.config/hilt/`) then each of
//!    `$XDG_CONFIG_DIRS` (default `/etc/xdg`) + `/hilt/`, by the bench folder's name;
//! 5. the XDG data folders, each of `$XDG_DATA_DIRS` (default `/usr/local/share:/usr/share`) +
//!    `/hilt/`, by the source layout: where a package installs its examples;
//! 6. built in (the suites only), written out once under `$XDG_CACHE_HOME/hilt/`.

use super::built_in;
use std::ffi::OsString;
use std::path::PathBuf;

/// A file a command may be given, and the names it goes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Rig,
    Profile,
    Suite,
    PstiSuite,
}

struct Names {
    what: &'static str,
    flag: &'static str,
    env: &'static str,
    /// In a bench folder (`hilt init`) and the XDG config folders.
    bench: Option<&'static str>,
    /// In the source layout and the XDG data folders.
    layout: &'static str,
    /// Relative to the built-in `suites/`.
    built_in: Option<&'static str>,
}

impl Wanted {
    fn names(self) -> Names {
        match self {
            Wanted::Rig => Names {
                what: "rig",
                flag: "--rig",
                env: "HILT_RIG",
                bench: Some("rig.yaml"),
                layout: "rigs/virtual.yaml",
                built_in: None,
            },
            Wanted::Profile => Names {
                what: "device profile",
                flag: "--profile",
                env: "HILT_PROFILE",
                bench: Some("profile.yaml"),
                layout: "device-profiles/virtual-camera.yaml",
                built_in: None,
            },
            Wanted::Suite => Names {
                what: "suite",
                flag: "--suite",
                env: "HILT_SUITE",
                bench: Some("suite.yaml"),
                layout: "suites/en303645.yaml",
                built_in: Some("en303645.yaml"),
            },
            Wanted::PstiSuite => Names {
                what: "PSTI suite",
                flag: "--suite",
                env: "HILT_PSTI_SUITE",
                bench: None,
                layout: "suites/psti.yaml",
                built_in: Some("psti.yaml"),
            },
        }
    }
}

/// Reads one environment variable (unset and empty alike are None).
pub type EnvReader = Box<dyn Fn(&str) -> Option<OsString>>;

/// What the lookup reads from the process: its environment and current folder.
pub struct Surroundings {
    pub var: EnvReader,
    pub current_dir: PathBuf,
}

impl Surroundings {
    pub fn of_process() -> Surroundings {
        Surroundings {
            var: Box::new(|name| std::env::var_os(name).filter(|v| !v.is_empty())),
            // Empty, so a file found here reads `rigs/virtual.yaml` in messages, not `./rigs/…`.
            current_dir: PathBuf::new(),
        }
    }

    fn home(&self) -> Option<PathBuf> {
        (self.var)("HOME").map(PathBuf::from)
    }

    fn dir_or(&self, var: &str, under_home: &str) -> Option<PathBuf> {
        (self.var)(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| Some(self.home()?.join(under_home)))
    }

    fn dirs_or(&self, var: &str, default: &str) -> Vec<PathBuf> {
        let list = (self.var)(var).unwrap_or_else(|| default.into());
        std::env::split_paths(&list)
            .filter(|p| p.is_absolute())
            .collect()
    }

    /// Where built-in files are written out: `$XDG_CACHE_HOME/hilt` (default `~/.cache/hilt`),
    /// else the temporary folder.
    fn cache(&self) -> PathBuf {
        match self.dir_or("XDG_CACHE_HOME", ".cache") {
            Some(dir) => dir.join("hilt"),
            // SAFETY: getuid has no preconditions and cannot fail.
            None => std::env::temp_dir().join(format!("hilt-{}", unsafe { libc::getuid() })),
        }
    }
}

/// Where a file was looked for, in order, when none was found.
#[derive(Debug, thiserror::Error)]
#[error("no {what} given and none found; looked for {looked}. Pass {flag} FILE, set {env}, or write a bench folder with `hilt init DIR`")]
pub struct NotFound {
    what: &'static str,
    flag: &'static str,
    env: &'static str,
    looked: String,
}

/// An environment variable that names no file: an explicit choice, so not passed over.
#[derive(Debug, thiserror::Error)]
#[error("{env} names {path}, which is not a file")]
pub struct BadEnvironment {
    env: &'static str,
    path: String,
}

/// The file to use for `wanted` when the command line gave `given`.
pub fn locate(
    wanted: Wanted,
    given: Option<PathBuf>,
    around: &Surroundings,
) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return Ok(path);
    }
    let names = wanted.names();
    if let Some(path) = (around.var)(names.env).map(PathBuf::from) {
        if !path.is_file() {
            return Err(BadEnvironment {
                env: names.env,
                path: path.display().to_string(),
            }
            .into());
        }
        return Ok(path);
    }
    let places = places(&names, around);
    if let Some(found) = places.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    if let Some(relative) = names.built_in {
        return Ok(built_in::extract(&around.cache())?.join(relative));
    }
    Err(NotFound {
        what: names.what,
        flag: names.flag,
        env: names.env,
        looked: places
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
    .into())
}

/// The files looked for after the flag and the environment, in order.
fn places(names: &Names, around: &Surroundings) -> Vec<PathBuf> {
    let here = &around.current_dir;
    let mut places: Vec<PathBuf> = names.bench.iter().map(|b| here.join(b)).collect();
    places.push(here.join(names.layout));
    if let Some(bench) = names.bench {
        let config_home = around.dir_or("XDG_CONFIG_HOME", ".config");
        let config_dirs = around.dirs_or("XDG_CONFIG_DIRS", "/etc/xdg");
        for dir in config_home.into_iter().chain(config_dirs) {
            places.push(dir.join("hilt").join(bench));
        }
    }
    for dir in around.dirs_or("XDG_DATA_DIRS", "/usr/local/share:/usr/share") {
        places.push(dir.join("hilt").join(names.layout));
    }
    places
}

/// How `--help` states a default: the lookup in one line.
pub fn help(wanted: Wanted) -> String {
    let names = wanted.names();
    let bench = names.bench.map(|b| format!("./{b}, ")).unwrap_or_default();
    let config = names
        .bench
        .map(|b| format!(", ~/.config/hilt/{b}"))
        .unwrap_or_default();
    let built_in = if names.built_in.is_some() {
        ", built in"
    } else {
        ""
    };
    format!(
        "[default: ${}, {bench}./{}{config}, /usr/share/hilt/{}{built_in}]",
        names.env, names.layout, names.layout
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::Path;

    fn around(dir: &Path, vars: &[(&str, &Path)]) -> Surroundings {
        let vars: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_os_str().to_owned()))
            .collect();
        Surroundings {
            var: Box::new(move |name| vars.get(name).cloned()),
            current_dir: dir.join("cwd"),
        }
    }

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hilt-defaults-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["cwd", "home", "config", "etc", "share"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        dir
    }

    fn put(path: PathBuf) -> PathBuf {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "x").unwrap();
        path
    }

    fn xdg(dir: &Path) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("HOME", dir.join("home")),
            ("XDG_CONFIG_DIRS", dir.join("etc")),
            ("XDG_DATA_DIRS", dir.join("share")),
            ("XDG_CACHE_HOME", dir.join("cache")),
        ]
    }

    fn locate_in(
        dir: &Path,
        extra: &[(&'static str, PathBuf)],
        wanted: Wanted,
    ) -> anyhow::Result<PathBuf> {
        let mut vars = xdg(dir);
        vars.extend(extra.iter().cloned());
        let refs: Vec<(&str, &Path)> = vars.iter().map(|(k, v)| (*k, v.as_path())).collect();
        locate(wanted, None, &around(dir, &refs))
    }

    #[test]
    fn each_place_wins_over_the_ones_after_it() {
        let dir = scratch("order");
        let data = put(dir.join("share/hilt/rigs/virtual.yaml"));
        assert_eq!(locate_in(&dir, &[], Wanted::Rig).unwrap(), data);
        let system = put(dir.join("etc/hilt/rig.yaml"));
        assert_eq!(locate_in(&dir, &[], Wanted::Rig).unwrap(), system);
        let user = put(dir.join("home/.config/hilt/rig.yaml"));
        assert_eq!(locate_in(&dir, &[], Wanted::Rig).unwrap(), user);
        let layout = put(dir.join("cwd/rigs/virtual.yaml"));
        assert_eq!(locate_in(&dir, &[], Wanted::Rig).unwrap(), layout);
        let bench = put(dir.join("cwd/rig.yaml"));
        assert_eq!(locate_in(&dir, &[], Wanted::Rig).unwrap(), bench);
        let named = put(dir.join("elsewhere.yaml"));
        assert_eq!(
            locate_in(&dir, &[("HILT_RIG", named.clone())], Wanted::Rig).unwrap(),
            named
        );
        let given = PathBuf::from("given.yaml");
        assert_eq!(
            locate(Wanted::Rig, Some(given.clone()), &around(&dir, &[])).unwrap(),
            given
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn xdg_config_home_replaces_the_home_default() {
        let dir = scratch("config-home");
        put(dir.join("home/.config/hilt/profile.yaml"));
        let chosen = put(dir.join("config/hilt/profile.yaml"));
        let found = locate_in(
            &dir,
            &[("XDG_CONFIG_HOME", dir.join("config"))],
            Wanted::Profile,
        );
        assert_eq!(found.unwrap(), chosen);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_environment_variable_naming_no_file_is_an_error_not_passed_over() {
        let dir = scratch("bad-env");
        put(dir.join("cwd/suite.yaml"));
        let err = locate_in(
            &dir,
            &[("HILT_SUITE", dir.join("missing.yaml"))],
            Wanted::Suite,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("HILT_SUITE names") && err.contains("missing.yaml"),
            "{err}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_suites_fall_back_to_the_built_in_ones_and_their_corpora_come_along() {
        let dir = scratch("built-in");
        for (wanted, name) in [
            (Wanted::Suite, "en303645.yaml"),
            (Wanted::PstiSuite, "psti.yaml"),
        ] {
            let found = locate_in(&dir, &[], wanted).unwrap();
            assert!(
                found.starts_with(dir.join("cache/hilt")),
                "{}",
                found.display()
            );
            assert_eq!(
                std::fs::read(&found).unwrap(),
                built_in::file(name).unwrap()
            );
            assert!(found.with_file_name("credentials/mirai-2016.csv").is_file());
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_rig_found_nowhere_names_every_place_looked_and_the_ways_out() {
        let dir = scratch("nowhere");
        let err = locate_in(&dir, &[], Wanted::Rig).unwrap_err().to_string();
        for part in [
            "cwd/rig.yaml",
            "cwd/rigs/virtual.yaml",
            "home/.config/hilt/rig.yaml",
            "etc/hilt/rig.yaml",
            "share/hilt/rigs/virtual.yaml",
            "--rig FILE",
            "HILT_RIG",
            "hilt init",
        ] {
            assert!(err.contains(part), "{part} missing from: {err}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
