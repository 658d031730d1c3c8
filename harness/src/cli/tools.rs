//! The bench engineer's tools: keys, update images, a port scan, schemas, merged JUnit.

use super::Usage;
use hilt::config;
use hilt::model::exit;
use hilt::report::{keys, merge};
use hilt::transport::target::Target;
use std::path::{Path, PathBuf};

pub fn keygen(file: &Path) -> anyhow::Result<i32> {
    let public = keys::generate(file)?;
    println!(
        "secret key: {} (keep it private)\npublic key: {}",
        file.display(),
        public.display()
    );
    Ok(exit::OK)
}

pub fn update_images(profile: &Path, out: &Path) -> anyhow::Result<i32> {
    let profile = config::Profile::load(profile)?;
    for line in hilt::update::offline::write(&profile, out)? {
        println!("{line}");
    }
    Ok(exit::OK)
}

pub fn scan_tcp(
    rig: &Path,
    slot: &str,
    ports: &str,
    concurrency: usize,
    timeout_ms: u64,
) -> anyhow::Result<i32> {
    let mut places = hilt::transport::labgrid::resolve::Acquire::default();
    let rig = config::Rig::load_with(rig, &mut places)?;
    let slot = &rig.slots[rig.slot_index(slot).map_err(Usage)?];
    let ports =
        config::suite::parse_port_ranges(ports).map_err(|e| Usage(format!("--ports: {e}")))?;
    let runtime = tokio::runtime::Runtime::new()?;
    let scan = runtime.block_on(hilt::transport::portscan::scan(
        Target::unit(slot),
        &ports,
        concurrency,
        std::time::Duration::from_millis(timeout_ms),
        // No capture runs here.
        hilt::transport::portscan::FastPass::HalfOpenIfAllowed,
    ));
    let list = |p: &[u16]| p.iter().map(u16::to_string).collect::<Vec<_>>().join(",");
    println!("address: {}", scan.address);
    match &scan.connect_because {
        None => println!("method: {}", scan.method),
        Some(why) => println!("method: {} ({why})", scan.method),
    }
    println!("open: {}", list(&scan.open));
    println!("filtered: {}", scan.filtered.len());
    println!("errors: {}", scan.errors);
    println!("seconds: {:.3}", scan.seconds);
    Ok(if scan.errors > 0 {
        exit::INCONCLUSIVE
    } else {
        exit::OK
    })
}

pub fn schema(kind: &str) -> anyhow::Result<i32> {
    let schema = hilt::schema::of(kind).ok_or_else(|| Usage(format!("no schema for `{kind}`")))?;
    println!("{}", serde_json::to_string_pretty(&schema.to_value())?);
    Ok(exit::OK)
}

pub fn merge(out: &Path, inputs: &[PathBuf]) -> anyhow::Result<i32> {
    let refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let xml = merge::merge(&refs)?;
    std::fs::write(out, xml).map_err(|e| hilt::report::error::Error::unwritable(out, e))?;
    Ok(exit::OK)
}

/// `hilt hardware --labgrid`: each place, free or who holds it. A coordinator that cannot be
/// asked is the bench's problem, said in one line with exit 3, as `scan-tcp` says of a unit
/// that is down.
pub fn labgrid_places(coordinator: Option<&str>) -> i32 {
    let coordinator = hilt::transport::labgrid::Coordinator(coordinator.map(str::to_string));
    let at = coordinator.name();
    match hilt::transport::labgrid::places::places(&coordinator) {
        Ok(places) => {
            println!("labgrid places on {at} ({}):", places.len());
            for p in &places {
                let state = match &p.acquired_by {
                    Some(by) => format!("acquired by {by}"),
                    None => "free".into(),
                };
                let comment = p
                    .comment
                    .as_ref()
                    .map(|c| format!("  ({c})"))
                    .unwrap_or_default();
                println!("  {}  {state}{comment}", p.name);
            }
            exit::OK
        }
        Err(e) => {
            eprintln!("hilt: labgrid places on {at}: {e}");
            exit::INCONCLUSIVE
        }
    }
}

/// `hilt rig from-labgrid`: the place held for a moment when it is free (its console's port is
/// published only then), else read as published.
pub fn rig_from_labgrid(place: &str, coordinator: Option<String>) -> anyhow::Result<i32> {
    use hilt::config::rig::{LabgridPlace, PlaceResolver};
    use hilt::transport::labgrid::resolve::{Acquire, Describe};
    let wanted = LabgridPlace {
        place: hilt::config::located::Located::unplaced(place.to_string()),
        coordinator: coordinator.clone(),
    };
    let offered = match Acquire::default().resolve(place, &wanted) {
        Ok(o) => o,
        Err(held) => {
            eprintln!("hilt: {held}; reading the place as published instead");
            match Describe.resolve(place, &wanted) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("hilt: labgrid place `{place}`: {e}");
                    return Ok(exit::INCONCLUSIVE);
                }
            }
        }
    };
    print!(
        "{}",
        hilt::transport::labgrid::as_rig::rig_yaml(place, coordinator.as_deref(), &offered)
    );
    Ok(exit::OK)
}
