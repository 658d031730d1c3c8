//! `hilt merge`: one JUnit file from several rigs' runs, for labs that run one hilt per bench.

use super::error::Error;
use quick_junit::Report;
use std::path::Path;

pub fn merge(inputs: &[&Path]) -> Result<String, Error> {
    let mut merged = Report::new("hilt merged");
    let mut id = 0usize;
    let mut total = std::time::Duration::ZERO;
    for path in inputs {
        let text = std::fs::read_to_string(path).map_err(|e| Error::unreadable(path, e))?;
        let report = Report::deserialize_from_str(&text)
            .map_err(|e| Error::unreadable(path, format_args!("not a JUnit XML report: {e}")))?;
        total += report.time.unwrap_or_default();
        for mut suite in report.test_suites {
            // Suite ids must stay unique across the merged file.
            suite.extra.insert("id".into(), id.to_string().into());
            id += 1;
            merged.add_test_suite(suite);
        }
    }
    merged.set_time(total);
    let xml = merged
        .to_string()
        .map_err(|e| Error::Internal(format!("JUnit: {e}")))?;
    Ok(super::junit::drop_root_skipped(&xml))
}
