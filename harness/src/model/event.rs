//! What a run tells its reporters, as it happens. Reporters (terminal, bundle, ...) turn the
//! same events into their formats; the run writes no format itself.

use super::record::CaseRecord;
use std::time::Duration;

pub enum Event<'a> {
    /// The plan is made: `planned` cases will be reported, `filtered_out` were left out by the
    /// command line's filters.
    Started {
        planned: usize,
        filtered_out: usize,
        /// The longest test name, for reporters that align them.
        name_width: usize,
    },
    /// A sample came up, or could not (`Err` holds why).
    SampleUp {
        slot: &'a str,
        outcome: Result<(), &'a str>,
    },
    /// A case began on its sample.
    CaseStarted { slot: &'a str, case: &'a str },
    /// A case's verdict, with its libtest-style name (`slot::id title`).
    Verdict {
        name: &'a str,
        record: &'a CaseRecord,
    },
    /// Once a second while cases run: what each sample is doing, for a live view.
    Tick {
        elapsed: Duration,
        samples: &'a [super::activity::SampleNow],
    },
    /// The operator asked the run to stop; cases still running end INCONCLUSIVE.
    Interrupted,
    /// Every verdict is in.
    Finished {
        interrupted: bool,
        elapsed: Duration,
    },
}

/// A report format fed by events. An error from `Finished` means the record is incomplete: the
/// run then exits with `exit::HARNESS`.
pub trait Reporter: Send {
    fn on(&mut self, event: &Event<'_>) -> Result<(), ReporterError>;
}

/// A reporter could not write its output.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {source}")]
pub struct ReporterError {
    /// The output: the terminal, the report in a folder.
    pub what: String,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl ReporterError {
    pub fn new(
        what: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ReporterError {
            what: what.into(),
            source: Box::new(source),
        }
    }
}
