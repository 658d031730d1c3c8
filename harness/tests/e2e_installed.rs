//! hilt copied out of the build tree, as `cargo install` or a package leaves it: it looks for
//! its files only where `config::defaults` says, writes a bench folder with `hilt init`, and
//! runs with the built-in suite and corpora.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A folder with `bin/` (hilt and the simulator, copied), a home and a working folder, and the
/// XDG folders pointed inside it so nothing on this machine is found by accident.
struct Installed {
    dir: TempDir,
}

impl Installed {
    fn new(tag: &str) -> Installed {
        ensure_simdevice();
        let dir = TempDir::new(tag);
        std::fs::create_dir_all(dir.0.join("bin")).unwrap();
        std::fs::create_dir_all(dir.0.join("home")).unwrap();
        std::fs::create_dir_all(dir.0.join("work")).unwrap();
        for name in ["hilt", "hilt-simdevice"] {
            std::fs::copy(hilt().with_file_name(name), dir.0.join("bin").join(name)).unwrap();
        }
        Installed { dir }
    }

    fn root(&self) -> &Path {
        &self.dir.0
    }

    fn hilt(&self, cwd: &Path, args: &[&str]) -> Output {
        Command::new(self.root().join("bin/hilt"))
            .args(args)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.root().join("home"))
            .env("XDG_CONFIG_DIRS", self.root().join("etc"))
            .env("XDG_DATA_DIRS", self.root().join("share"))
            .output()
            .unwrap()
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn with_nothing_to_find_it_says_where_it_looked_and_exits_2() {
    let installed = Installed::new("installed-nothing");
    let work = installed.root().join("work");
    let out = installed.hilt(&work, &["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("no rig given and none found"), "{said}");
    assert!(
        said.contains(&format!(
            "{}/home/.config/hilt/rig.yaml",
            installed.root().display()
        )),
        "{said}"
    );
    assert!(said.contains("hilt init DIR"), "{said}");
    assert!(
        !said.contains(env!("CARGO_MANIFEST_DIR")),
        "looked in the build tree: {said}"
    );
}

#[test]
fn init_writes_a_bench_folder_that_check_accepts_and_will_not_overwrite_it() {
    let installed = Installed::new("installed-init");
    let work = installed.root().join("work");
    let out = installed.hilt(&work, &["init", "bench"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let bench = work.join("bench");
    for file in [
        "rig.yaml",
        "profile.yaml",
        "suite.yaml",
        "credentials/mirai-2016.csv",
        "update/http-paths.txt",
        "schema/rig.schema.json",
    ] {
        assert!(bench.join(file).is_file(), "{file} not written");
    }
    let rig = std::fs::read_to_string(bench.join("rig.yaml")).unwrap();
    assert!(rig.starts_with("# yaml-language-server: $schema=schema/rig.schema.json"));

    let check = installed.hilt(&bench, &["check"]);
    let said = text(&check);
    assert_eq!(check.status.code(), Some(0), "{said}");
    assert!(
        said.contains("rig `my-bench` (1 slots), profile `my-product`, suite `en303645-baseline`"),
        "{said}"
    );
    let list = installed.hilt(&bench, &["run", "--list"]);
    assert!(text(&list).contains("5.1-1-2"), "{}", text(&list));

    let again = installed.hilt(&work, &["init", "bench"]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("already holds"), "{}", text(&again));
}

#[test]
fn the_built_in_suite_runs_a_unit_from_outside_the_source_tree() {
    let installed = Installed::new("installed-run");
    let work = installed.root().join("work");
    let rig = write_rig(&work, 136, &[&[]]);
    let profile: PathBuf = work.join("profile.yaml");
    std::fs::write(&profile, profile_text()).unwrap();
    let out_dir = work.join("reports");
    let out = installed.hilt(
        &work,
        &[
            "run",
            "--rig",
            rig.to_str().unwrap(),
            "--profile",
            profile.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "5.1-2-2",
        ],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("slot1::5.1-2-2 pre-installed passwords resist automated attacks ... ok"),
        "{said}"
    );
    let cached = installed.root().join("home/.cache/hilt");
    let extracted: Vec<_> = std::fs::read_dir(&cached).unwrap().flatten().collect();
    assert_eq!(
        extracted.len(),
        1,
        "one built-in tree under {}",
        cached.display()
    );
    assert!(extracted[0]
        .path()
        .join("credentials/mirai-2016.csv")
        .is_file());
}
