//! The evidence bundle of a run: every report format is rewritten as verdicts arrive (marked
//! partial until the run ends), together with the manifest, so a crash or Ctrl-C leaves a
//! bundle that says what it holds.

use super::error::Error;
use super::manifest;
use super::seal::State;
use super::{html, html_psti, json, junit, CaseRecord, RunInfo, SampleIdentity};
use crate::model::event::{Event, Reporter, ReporterError};
use crate::util::growing_hashes::GrowingHashes;
use ed25519_dalek::SigningKey;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub type Identities = Box<dyn Fn() -> Vec<SampleIdentity> + Send + Sync>;

pub struct Bundle {
    pub dir: PathBuf,
    state: Mutex<Locked>,
    identities: Identities,
    /// (slot, test case) in plan order, so reports list cases in the order they were planned.
    order: Vec<(String, &'static str)>,
    sign_key: Option<SigningKey>,
}

struct Locked {
    info: RunInfo,
    records: Vec<CaseRecord>,
    /// The manifest digest of the last write that succeeded.
    digest: Option<String>,
    /// Seals written so far (one per write).
    seals: u64,
    /// What earlier seals read of the growing files.
    hashes: GrowingHashes,
}

impl Bundle {
    pub fn new(
        dir: &Path,
        info: RunInfo,
        identities: Identities,
        order: Vec<(String, &'static str)>,
        sign_key: Option<SigningKey>,
    ) -> Bundle {
        Bundle {
            dir: dir.to_path_buf(),
            state: Mutex::new(Locked {
                info,
                records: vec![],
                digest: None,
                seals: 0,
                hashes: GrowingHashes::default(),
            }),
            identities,
            order,
            sign_key,
        }
    }

    /// Adds a verdict; the bundle holds it from the next write.
    pub fn add(&self, record: CaseRecord) {
        let mut st = self.state.lock().unwrap();
        st.records.push(record);
        let pos = |r: &CaseRecord| {
            self.order
                .iter()
                .position(|(s, c)| *s == r.slot && *c == r.spec.id)
        };
        st.records.sort_by_key(pos);
    }

    /// Rewrites the bundle with the verdicts so far, still marked partial.
    pub fn write_partial(&self) {
        let mut st = self.state.lock().unwrap();
        if let Err(e) = self.write(&mut st, State::Running) {
            eprintln!(
                "hilt: cannot update the report in {}: {e}",
                self.dir.display()
            );
        }
    }

    /// The final write; `partial` when the run was interrupted. Returns the manifest digest.
    pub fn finish(&self, partial: bool) -> Result<String, Error> {
        let mut st = self.state.lock().unwrap();
        let state = match partial {
            true => State::Interrupted,
            false => State::Final,
        };
        self.write(&mut st, state)
    }

    /// The manifest's digest after the last successful write.
    pub fn digest(&self) -> Option<String> {
        self.state.lock().unwrap().digest.clone()
    }

    pub fn records(&self) -> Vec<CaseRecord> {
        self.state.lock().unwrap().records.clone()
    }

    pub fn info(&self) -> RunInfo {
        self.state.lock().unwrap().info.clone()
    }

    pub fn identities(&self) -> Vec<SampleIdentity> {
        (self.identities)()
    }

    /// Renders every report and seals the folder with them (see `seal`).
    fn write(&self, st: &mut Locked, state: State) -> Result<String, Error> {
        st.info.partial = state != State::Final;
        st.info.finished = chrono::Utc::now();
        let ids = (self.identities)();
        let junit = junit::render(&st.info, &ids, &st.records)?;
        // The last seal reads every file whole: it alone stands for the run once it ends.
        if state != State::Running {
            st.hashes = GrowingHashes::default();
        }
        let json = json::render(&self.dir, &st.info, &ids, &st.records, &mut st.hashes);
        let html = html::render(&st.info, &ids, &st.records);
        let psti = html_psti::page(&st.info, &ids, &st.records);
        let reports: [(&str, &[u8]); 4] = [
            ("junit.xml", junit.as_bytes()),
            ("report.json", json.as_bytes()),
            ("report.html", html.as_bytes()),
            ("psti.html", psti.as_bytes()),
        ];
        let digest = manifest::write_sealed(
            &self.dir,
            self.sign_key.as_ref(),
            st.seals + 1,
            state,
            &reports,
            &mut st.hashes,
        )
        .map_err(|e| Error::unwritable(&self.dir, e))?;
        st.seals += 1;
        st.digest = Some(digest.clone());
        Ok(digest)
    }
}

/// The bundle as a reporter. A verdict rewrites it (still partial) unless the last rewrite was
/// less than `PARTIAL_EVERY` ago; the verdict then waits for the next tick that is due. Each
/// rewrite renders every verdict so far, so rewriting on each one cost the square of the
/// verdicts (about a sixth of hilt's CPU with 8 samples, perf). The end of the run writes it
/// final; a final write that fails is the run's failure.
pub struct BundleWriter {
    bundle: std::sync::Arc<Bundle>,
    last: Option<Instant>,
    unwritten: bool,
}

/// A crash loses at most the verdicts of this long; Ctrl-C loses none (the final write).
const PARTIAL_EVERY: Duration = Duration::from_secs(2);

impl BundleWriter {
    pub fn new(bundle: std::sync::Arc<Bundle>) -> BundleWriter {
        BundleWriter {
            bundle,
            last: None,
            unwritten: false,
        }
    }

    fn write_if_due(&mut self) {
        if self.unwritten && self.last.is_none_or(|t| t.elapsed() >= PARTIAL_EVERY) {
            self.bundle.write_partial();
            self.last = Some(Instant::now());
            self.unwritten = false;
        }
    }
}

impl Reporter for BundleWriter {
    fn on(&mut self, event: &Event<'_>) -> Result<(), ReporterError> {
        match event {
            Event::Verdict { record, .. } => {
                self.bundle.add((*record).clone());
                self.unwritten = true;
                self.write_if_due();
                Ok(())
            }
            Event::Tick { .. } => {
                self.write_if_due();
                Ok(())
            }
            Event::Finished { interrupted, .. } => {
                self.bundle.finish(*interrupted).map(|_| ()).map_err(|e| {
                    ReporterError::new(format!("the report in {}", self.bundle.dir.display()), e)
                })
            }
            _ => Ok(()),
        }
    }
}
