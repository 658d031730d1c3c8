//! The PSTI view as every reporter shows it: the requirements judged from what was gathered and
//! the run's records, with every sample's secrets redacted from the observations. A run whose
//! profile has no `psti` section still gets the rows, waiting for the officer.

use super::{CaseRecord, RunInfo, SampleIdentity};
use crate::model::psti::{self, Check, Gathered, Outcome, Requirement};
use serde::Serialize;

pub fn view(
    info: &RunInfo,
    samples: &[SampleIdentity],
    records: &[CaseRecord],
) -> Vec<Requirement> {
    let empty = Gathered::default();
    let gathered = info.psti.as_deref().unwrap_or(&empty);
    let mut rows = psti::view(gathered, records);
    if info.psti.is_none() {
        for (row, provision) in rows.iter_mut().skip(1).zip(["5.2-1", "5.3-13", ""]) {
            let ics = info.ics_rows.iter().find(|(p, _, _)| p == provision);
            let said = ics
                .map(|(_, s, d)| {
                    format!(
                        "; the ICS declares {s}{}{d}",
                        if d.is_empty() { "" } else { ": " }
                    )
                })
                .unwrap_or_default();
            row.checks.push(Check::new(
                &format!("{}.published", row.id),
                "the published information, fetched and kept",
                Outcome::NeedsConfirmation,
                format!("the profile has no `psti` section, so nothing was fetched{said}"),
            ));
            row.outcome = psti::combine(&row.checks);
        }
    }
    for row in &mut rows {
        for c in &mut row.checks {
            for s in samples {
                c.observed = s.clean(&c.observed);
            }
        }
    }
    rows
}

/// report.json's `psti`: the verdicts, and what they were judged from (read back on a reissue).
#[derive(Serialize)]
pub struct Json {
    requirements: Vec<Requirement>,
    gathered: Option<Gathered>,
}

pub fn json(info: &RunInfo, samples: &[SampleIdentity], records: &[CaseRecord]) -> Json {
    Json {
        requirements: view(info, samples, records),
        gathered: info.psti.as_deref().cloned(),
    }
}
