//! A finding as a file that lets the lab send the same value again: the input, the field, the
//! value's name, the seed and probe number that produced it, the request or command line as
//! sent, and what the unit answered.

use super::probe::Sent;
use crate::bench::Sample;
use std::path::PathBuf;

#[derive(serde::Serialize)]
pub struct Finding {
    pub case: &'static str,
    pub seed: u64,
    /// The probe's number in the run: with the seed, the suite and the profile it is the same
    /// value again.
    pub probe: usize,
    pub input: String,
    pub field: String,
    pub mutation: String,
    pub what: String,
    pub request: Option<Sent>,
    /// A console line as typed, escapes shown as JSON writes them.
    pub console_line: Option<String>,
    pub answer_status: Option<u16>,
    pub answer: String,
    pub console: String,
    /// How to send it again by hand.
    pub replay: String,
    /// What the replay needs first (a fresh session token).
    pub replay_note: Option<String>,
}

impl Finding {
    /// Written as `5.13-1-2/finding-<probe>.json`, redacted like all evidence; the body of an
    /// HTTP request also as raw bytes beside it, for `curl --data-binary`.
    pub fn save(&self, sample: &Sample) -> Vec<PathBuf> {
        let name = format!("5.13-1-2/{}", file_name(self.probe));
        let mut paths = Vec::new();
        if let Some(req) = &self.request {
            let body = req.bytes.clone();
            paths.push(sample.evidence.write_bytes(&format!("{name}.body"), body));
        }
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        paths.insert(0, sample.evidence.write(&format!("{name}.json"), &text));
        paths
    }
}

/// The name of a finding's files, without their extension.
pub fn file_name(probe: usize) -> String {
    format!("finding-{probe:03}")
}

/// A curl line for an HTTP request whose body is in `body_file`.
pub fn curl(sent: &Sent, body_file: &str) -> String {
    let mut line = format!("curl -sk -X {} '{}'", sent.method, sent.url);
    if let Some(t) = &sent.content_type {
        line += &format!(" -H 'content-type: {t}'");
    }
    if let Some(a) = sent
        .authorization
        .as_ref()
        .filter(|a| !a.starts_with("Basic ("))
    {
        line += &format!(" -H 'authorization: {a}'");
    }
    if !sent.body.is_empty() {
        line += &format!(" --data-binary @{body_file}");
    }
    line
}
