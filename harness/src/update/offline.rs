//! `hilt update-images`: the misuse images of a profile written to a folder without a device, so a
//! lab can inspect them, or check them with the vendor's own tooling, before a run.

use super::battery::load_lab_images;
use super::error::Error;
use super::tamper::{self, Attack, Prepared};
use crate::config::Profile;
use crate::util::hash::sha256_hex;
use std::path::Path;

/// One line per attack: name, then the file and SHA-256 or why it cannot be made.
pub fn write(profile: &Profile, out: &Path) -> Result<Vec<String>, Error> {
    let material = profile.body.update.as_ref().ok_or_else(|| {
        Error::Config("the profile has no `update:` section (image layout and lab images)".into())
    })?;
    let lab = load_lab_images(profile, material, 0)?;
    let regions = super::layout::locate(&material.image, &lab.valid).map_err(|e| {
        Error::Config(format!(
            "the valid image does not fit the declared layout: {e}"
        ))
    })?;
    let unwritable = |p: &Path, e: std::io::Error| Error::Bench(format!("{}: {e}", p.display()));
    std::fs::create_dir_all(out).map_err(|e| unwritable(out, e))?;
    let mut lines: Vec<String> = regions
        .iter()
        .map(|(name, r)| {
            format!(
                "region {name}: bytes {}..{} ({} bytes)",
                r.start,
                r.end,
                r.len()
            )
        })
        .collect();
    for (i, attack) in Attack::ALL.iter().enumerate() {
        match tamper::prepare(*attack, &material.image, &lab) {
            Prepared::Image { bytes, how } => {
                let file = out.join(format!("{:02}-{}.img", i + 1, attack.name()));
                std::fs::write(&file, &bytes).map_err(|e| unwritable(&file, e))?;
                lines.push(format!(
                    "{}: {} sha256 {} ({how})",
                    attack.name(),
                    file.display(),
                    sha256_hex(&bytes)
                ));
            }
            Prepared::NotPerformed(why) => {
                lines.push(format!("{}: not performed: {why}", attack.name()))
            }
        }
    }
    Ok(lines)
}
