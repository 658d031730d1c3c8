//! TS 103 701 test case 5.4-3-2 (functional), provision 5.4-3: no hard-coded critical security
//! parameters in device software.
//!
//! The test group allows the lab active approaches: scanning the device's software for
//! embedded patterns matching CSPs. hilt scans what it can obtain: the memory read through the
//! sample's debug port when that port is open (itself a 5.6-4-2 finding) and the firmware images
//! the lab supplies in the profile. A secret in a firmware image is in every unit that runs it;
//! the same secret in the memory of two samples is shared across the product class. Findings
//! carry offsets and HMAC-SHA256 fingerprints under a key made for the run, never the secret.

use super::across_units::Fingerprint;
use super::budget::Waits;
use super::presented_keys;
use super::provisioning_judgement::{self, Judged};
use super::NoParams;
use super::{CaseContext, CaseSpec, TestCase};
use crate::debug::access::Access;
use crate::facts::debug_access;
use crate::model::unit::UnitResult;
use crate::model::verdict::{Blocker, CaseResult, Cause, Measurement};
use crate::secrets::{self, unpack, Finding};
use std::time::Duration;

/// Lab images larger than this are scanned only up to it.
const MAX_IMAGE: u64 = 64 << 20;
const WAIT_FOR_OTHERS: Duration = Duration::from_secs(15 * 60);

pub struct Case;

impl TestCase for Case {
    type Params = NoParams;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.4-3-2",
        provision: "5.4-3",
        title: "no hard-coded critical security parameters (memory and image scan)",
        decision_rule: "Unit (a). The memory read through the sample's debug port (when it is readable) and the lab's firmware images named in the profile are scanned, with every gzip, xz and zstd stream in them opened, and the blocks of every squashfs filesystem compressed with gzip, xz or zstd (nested up to three deep), for private keys (PEM whose body decodes to a key, DER PKCS#8 and SEC1, OpenSSH), credential assignments (password=, api_key=, ...) and high-entropy blocks (5.4-3-2/secrets.log: kind, place, length, HMAC-SHA256 under a key made for the run; never the bytes). The certificate key of every service IXIT 11 declares as TLS is also read (at each TLS version the service speaks, and by clients offering only RSA, then only ECDSA signatures), and so is every host key (Ed25519, ECDSA, RSA) of each service an IXIT 1 mechanism logs in to over SSH; each is compared by the SHA-256 of its public key, which is not secret, with the other samples' and the rig's `batch.tls_public_key_sha256` or `batch.ssh_host_key_sha256`. FAIL if another sample or a batch unit presents the same certificate key or SSH host key (one key pair for the product class); if a private key or credential is in a lab-supplied firmware image (every unit running it holds it); if the same one (same keyed fingerprint) is in the memory of two or more samples; or if one in a sample's memory is not declared as a critical parameter of its kind in IXIT 10, or only as a hard-coded one (5.4-3-1 b). INCONCLUSIVE if there is neither readable memory, nor a firmware image, nor a declared TLS service; if a declared TLS service completes no handshake, or a declared SSH service shows no host key, or their keys could be compared with no other sample's and no batch digest; if packed content hilt cannot open is found (bzip2, LZ4, lzop, UBI, squashfs with lzma, lzo or lz4 blocks, an xz or zstd stream that does not decode: named with its offset); if another sample's scan did not arrive within 15 minutes; or if a secret in a sample's memory could be compared with no other sample's, so that IXIT 10's per-unit provisioning (or, without IXIT 10, uniqueness) cannot be shown. Public keys and certificates are allowed and listed; high-entropy blocks are listed as indications only. PASS otherwise.",
    };

    fn declared_waits(_params: &NoParams, _config: &crate::config::Config) -> Waits {
        let mut w = Waits::default();
        w.add("waiting for the other samples' scans", WAIT_FOR_OTHERS);
        w
    }

    async fn run(ctx: &CaseContext<'_>, _params: &NoParams) -> CaseResult {
        let sample = ctx.sample;
        let log = sample.evidence.log("5.4-3-2/secrets.log");
        let mut notes = Vec::new();
        let mut findings = Vec::new();
        let mut scanned = 0usize;
        let mut blockers = Vec::new();

        // The sample's own memory, when its debug port gave it.
        let mine = memory_secrets(ctx, &log, &mut notes, &mut scanned, &mut blockers).await;
        // And the keys its TLS and SSH services present, which anyone on the network can read.
        let (presented, unprobed) = presented_keys::gather(ctx, &log).await;
        blockers.extend(unprobed);
        let published = mine.iter().chain(&presented).cloned().collect();
        ctx.pool.publish(&sample.unit.slot_id, published);

        // The lab's firmware images: whatever they hold, every unit running them holds too.
        for (name, bytes) in lab_images(ctx, &mut notes) {
            let scan = Scan {
                name: &name,
                base: 0,
                pool: ctx.pool,
            };
            for (place, _, f, print) in scan.unpacked(&bytes, &mut scanned, &mut blockers) {
                log.line("<", &describe(&place, 0, &f, &print));
                if f.is_secret() {
                    findings.push(format!(
                        "{} in the lab's firmware image {place} at {:#x} ({} bytes, run HMAC {print}): present in every unit that runs it",
                        f.kind, f.offset, f.length
                    ));
                }
            }
        }
        if scanned == 0 && presented.is_empty() && blockers.is_empty() {
            let mut r = CaseResult::not_performed(
                Cause::Config,
                format!(
                    "nothing to scan: {}",
                    if notes.is_empty() {
                        "no readable memory and no firmware image".to_string()
                    } else {
                        notes.join("; ")
                    }
                ),
            );
            r.evidence = vec![log.path.clone()];
            return r;
        }

        if !mine.is_empty() || !presented.is_empty() {
            let (others, missing) = ctx.pool.others(&sample.unit.slot_id, WAIT_FOR_OTHERS).await;
            if !missing.is_empty() {
                blockers.push(Blocker::new(
                    Cause::Bench,
                    format!(
                        "the scans of {} did not arrive in time; secrets were not compared with them",
                        missing.join(", ")
                    ),
                ));
            }
            let (shared, _) = super::across_units::shared(&mine, &others);
            findings.extend(shared);
            let batch = &ctx.config.rig.batch;
            for (kind, batch) in [
                (&presented_keys::TLS_KEY, &batch.tls_public_key_sha256),
                (&presented_keys::SSH_HOST_KEY, &batch.ssh_host_key_sha256),
            ] {
                let batch: Vec<String> = batch.iter().map(|h| h.value.clone()).collect();
                let (shared, own, uncompared) =
                    presented_keys::compare(kind, &presented, &others, &batch);
                findings.extend(shared);
                notes.extend(own);
                blockers.extend(uncompared);
            }
            let compared = super::across_units::with_secrets(&others);
            let ixit = ctx.config.profile.body.ixit.security_parameters.as_ref();
            let ixit: Option<Vec<_>> = ixit.map(|l| l.iter().map(|p| p.value.clone()).collect());
            for m in &mine {
                if others.values().flatten().any(|p| p.print == m.print) {
                    continue;
                }
                let what = format!(
                    "{} in {} at {:#x} (run HMAC {})",
                    m.finding.kind, m.source, m.finding.offset, m.print
                );
                match provisioning_judgement::judge(
                    &m.finding.kind,
                    &what,
                    compared,
                    ixit.as_deref(),
                ) {
                    Judged::Finding(f) => findings.push(f),
                    Judged::NotPerformed(why) => blockers.push(Blocker::new(Cause::Config, why)),
                    Judged::Consistent(note) => notes.push(note),
                }
            }
        }
        let mut r = CaseResult::from_units(vec![UnitResult::judge(
            "a",
            "no hard-coded critical security parameter in operation",
            &findings,
            &blockers,
            format!("no hard-coded secret in {scanned} bytes scanned: none in the lab's images, none shared across samples, every one found provisioned as IXIT 10 declares; {} TLS certificate key(s) presented, none by another sample", presented.len()),
        )]);
        r.details.extend(notes);
        r.measurements = vec![
            Measurement::new("bytes scanned", scanned as f64, "bytes"),
            Measurement::new(
                "secrets in this sample's memory",
                mine.len() as f64,
                "items",
            ),
            Measurement::new(
                "TLS certificate keys presented",
                presented.len() as f64,
                "keys",
            ),
        ];
        r.evidence = vec![log.path.clone()];
        r
    }
}

/// The secrets in the memory the sample's debug port gave, fingerprinted for comparison with the
/// other samples'; why there is no memory to scan goes to `notes`.
async fn memory_secrets(
    ctx: &CaseContext<'_>,
    log: &crate::evidence::EvidenceLog,
    notes: &mut Vec<String>,
    scanned: &mut usize,
    blockers: &mut Vec<Blocker>,
) -> Vec<Fingerprint> {
    let mut mine: Vec<Fingerprint> = Vec::new();
    match debug_access::get(ctx.sample, &ctx.config.profile).await {
        Some(Ok(fact)) => match &fact.access {
            Access::Readable { dumps, .. } => {
                for (region, bytes) in dumps {
                    let scan = Scan {
                        name: &region.name,
                        base: region.start,
                        pool: ctx.pool,
                    };
                    for (place, base, f, print) in scan.unpacked(bytes, scanned, blockers) {
                        log.line("<", &describe(&place, base, &f, &print));
                        if f.is_secret() {
                            mine.push(Fingerprint {
                                source: place,
                                finding: f,
                                print,
                            });
                        }
                    }
                }
            }
            Access::Locked { .. } => {
                notes.push("the debug port is locked: no memory to scan (as it should be)".into())
            }
            Access::Unknown { why, .. } => notes.push(format!("no memory dump: {why}")),
        },
        Some(Err(e)) => notes.push(format!("no memory dump: {e}")),
        None => notes.push("the rig wires no debug port: no memory dump".into()),
    }
    mine
}

/// One source of bytes to scan: its name, the address its offsets count from, and the run's
/// pool whose key fingerprints what is found.
struct Scan<'a> {
    name: &'a str,
    base: u64,
    pool: &'a super::across_units::SecretPool,
}

impl Scan<'_> {
    /// The findings in `bytes` and in every compressed stream it holds, each with where it is
    /// (the stream named after the source), the base its offsets count from and its keyed
    /// fingerprint. Packed content that could not be opened is a blocker: it was not scanned.
    fn unpacked(
        &self,
        bytes: &[u8],
        scanned: &mut usize,
        blockers: &mut Vec<Blocker>,
    ) -> Vec<(String, u64, Finding, String)> {
        let unpacked = unpack::unpack(bytes);
        let mut out = Vec::new();
        let mut scan = |place: String, base: u64, data: &[u8]| {
            *scanned += data.len();
            for f in secrets::scan(data) {
                let print = self.pool.fingerprint(&data[f.offset..f.offset + f.length]);
                out.push((place.clone(), base, f, print));
            }
        };
        scan(self.name.to_string(), self.base, bytes);
        for stream in &unpacked.streams {
            scan(format!("{} ({})", self.name, stream.what), 0, &stream.data);
        }
        for what in unpacked.unreadable {
            blockers.push(Blocker::new(
                Cause::Bench,
                format!(
                    "{}: {what} could not be unpacked, so its contents were not scanned",
                    self.name
                ),
            ));
        }
        out
    }
}

fn describe(source: &str, base: u64, f: &Finding, print: &str) -> String {
    format!(
        "{source} {:#x}: {} ({} bytes, run HMAC {print})",
        base + f.offset as u64,
        f.kind,
        f.length,
    )
}

/// The profile's lab images, each once, read up to the size limit.
fn lab_images(ctx: &CaseContext<'_>, notes: &mut Vec<String>) -> Vec<(String, Vec<u8>)> {
    let profile = &ctx.config.profile;
    let Some(update) = &profile.body.update else {
        return vec![];
    };
    let imgs = &update.images;
    let mut files: Vec<&str> = imgs
        .valid
        .all()
        .iter()
        .map(|i| i.file.value.as_str())
        .collect();
    files.extend(imgs.older.iter().map(|i| i.file.value.as_str()));
    files.extend(imgs.other_model.iter().map(|i| i.file.value.as_str()));
    files.extend(imgs.wrong_key.iter().map(|i| i.file.value.as_str()));
    files.dedup();
    let mut out = Vec::new();
    for f in files {
        let path = profile.resolve(f);
        let read = std::fs::File::open(&path).and_then(|file| {
            use std::io::Read;
            let mut bytes = Vec::new();
            file.take(MAX_IMAGE).read_to_end(&mut bytes)?;
            Ok(bytes)
        });
        match read {
            Ok(bytes) => out.push((f.to_string(), bytes)),
            Err(e) => notes.push(format!("lab image {}: {e}", path.display())),
        }
    }
    out
}
