//! `hilt check` and `hilt verify`: reading what is there, changing nothing.

use hilt::config::{Config, ConfigPaths};
use hilt::model::exit;
use hilt::report::{keys, manifest};
use std::path::Path;

pub fn check(paths: ConfigPaths) -> anyhow::Result<i32> {
    // What the places publish, without holding them: checking a rig touches no unit.
    let c = Config::load_with(&paths, &mut hilt::transport::labgrid::resolve::Describe)?;
    let selected = hilt::plan::select(&c)?;
    println!(
        "ok: rig `{}` ({} slots), profile `{}`, suite `{}` ({} test cases)",
        c.rig.name,
        c.rig.slots.len(),
        c.profile.body.profile,
        c.suite.body.suite,
        selected.len()
    );
    let setup = hilt::cases::declared_waits::state_setup(&c);
    for s in &selected {
        let budget = s.case.budget(&s.params, &c, &setup);
        println!("  {} budget: {}", s.case.spec().id, budget.basis);
    }
    Ok(exit::OK)
}

pub fn verify(
    dir: &Path,
    public_key: Option<&Path>,
    require_signature: bool,
) -> anyhow::Result<i32> {
    let key = public_key.map(keys::load_public).transpose()?;
    let v = manifest::verify(dir, key.as_ref())?;
    for f in &v.altered {
        println!("altered: {f}");
    }
    for f in &v.missing {
        println!("missing: {f}");
    }
    for f in &v.added {
        println!("added: {f}");
    }
    for f in &v.refused {
        println!("refused: {f}");
    }
    if let Some((number, _)) = v.seal {
        for f in &v.grown {
            println!("grew after seal {number}: {f} (its sealed part is intact; the rest is covered by no seal)");
        }
        for f in &v.unsealed {
            println!("created after seal {number}: {f} (covered by no seal)");
        }
    }
    if v.manifest_altered {
        println!(
            "altered: {} (does not match {})",
            manifest::MANIFEST,
            manifest::DIGEST
        );
    }
    match &v.signature {
        manifest::SignatureCheck::NotAsked if v.signed => {
            println!("signature: present, not checked (give --public-key to check it)")
        }
        manifest::SignatureCheck::NotAsked => println!(
            "signature: none: integrity only, not signed: anyone could have rewritten the bundle and its manifest"
        ),
        manifest::SignatureCheck::Valid => println!("signature: valid"),
        manifest::SignatureCheck::Invalid(why) => println!("signature: INVALID: {why}"),
    }
    let partial = std::fs::read_to_string(dir.join("report.json"))
        .map(|t| t.contains("\"partial\": true"))
        .unwrap_or(false);
    let sealed = match v.seal {
        Some((n, manifest::SealState::Running)) => format!(
            "; partial: consistent up to seal {n}, written while the run was still going; hilt never wrote its last seal (it was killed or crashed){}",
            match v.in_progress {
                Some(next) => format!(", stopping while it wrote seal {next}"),
                None => String::new(),
            }
        ),
        Some((n, manifest::SealState::Interrupted)) => {
            format!("; partial: seal {n}, the last, written when the run was interrupted")
        }
        Some((n, manifest::SealState::Final)) => format!("; seal {n}, final"),
        None if partial => " (the run is marked partial)".to_string(),
        None => String::new(),
    };
    if !v.ok() {
        println!("FAILED: the folder differs from its manifest");
        return Ok(exit::FAIL);
    }
    if require_signature && v.signature != manifest::SignatureCheck::Valid {
        println!(
            "FAILED: --require-signature: {}",
            if v.signed {
                "signed, but no --public-key the lab trusts was given to check it"
            } else {
                "the bundle is not signed"
            }
        );
        return Ok(exit::FAIL);
    }
    println!("ok: {} files match the manifest{sealed}", v.checked);
    Ok(exit::OK)
}
