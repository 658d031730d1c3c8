//! The PSTI view in HTML: a section of report.html, and `psti.html`, one page an enforcement
//! officer can print: the product as obtained, each requirement's verdict with the checks behind
//! it, and every published page as fetched (URL, time, SHA-256, stored copy).

use super::html::escape;
use super::{CaseRecord, RunInfo, SampleIdentity};
use crate::model::psti::{Outcome, Requirement};
use std::fmt::Write;

fn class(o: Outcome) -> &'static str {
    match o {
        Outcome::Met => "pass",
        Outcome::NotMet => "fail",
        Outcome::NeedsConfirmation => "inconclusive",
    }
}

/// The requirements and their checks; `heading` is the section's level.
pub fn section(
    h: &mut String,
    info: &RunInfo,
    samples: &[SampleIdentity],
    records: &[CaseRecord],
    heading: &str,
) {
    let e = escape;
    let rows = super::psti::view(info, samples, records);
    let _ = writeln!(
        h,
        "<{heading}>UK PSTI security requirements (SI 2023/1007)</{heading}>"
    );
    h.push_str(
        "<table><tr><th>requirement</th><th>where</th><th>EN 303 645</th><th>verdict</th></tr>\n",
    );
    for r in &rows {
        let _ = writeln!(
            h,
            "<tr><td><a href=\"#psti-{}\">{}</a></td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            r.id,
            e(r.title),
            e(r.source),
            e(r.provisions),
            class(r.outcome),
            r.outcome.label().to_uppercase()
        );
    }
    h.push_str("</table>\n");
    for r in &rows {
        checks(h, r);
    }
    sources(h, info);
}

fn checks(h: &mut String, r: &Requirement) {
    let e = escape;
    let _ = writeln!(
        h,
        "<h3 id=\"psti-{}\">{}: <span class=\"{}\">{}</span></h3>\n<table><tr><th>check</th><th>question</th><th>outcome</th><th>observed</th><th>evidence</th></tr>",
        r.id,
        e(r.title),
        class(r.outcome),
        r.outcome.label()
    );
    for c in &r.checks {
        // One link per stored page (its body); the answer and chain sit beside it.
        let mut links: Vec<String> = Vec::new();
        let mut folders: Vec<&str> = Vec::new();
        for p in &c.evidence {
            let folder = p.rsplit_once('/').map_or(p.as_str(), |(d, _)| d);
            if folders.contains(&folder) {
                continue;
            }
            folders.push(folder);
            let short = folder.strip_prefix("published/").unwrap_or(folder);
            links.push(format!("<a href=\"{}\">{}</a>", e(p), e(short)));
        }
        let _ = writeln!(
            h,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td class=\"small\">{}</td></tr>",
            e(&c.id),
            e(&c.question),
            class(c.outcome),
            c.outcome.label(),
            e(&c.observed),
            links.join("<br>")
        );
    }
    h.push_str("</table>\n");
}

fn sources(h: &mut String, info: &RunInfo) {
    let e = escape;
    let Some(g) = info.psti.as_deref() else {
        return;
    };
    h.push_str("<h3>Published information as fetched</h3>\n<table><tr><th>role</th><th>URL</th><th>ended at</th><th>status</th><th>fetched (UTC)</th><th>SHA-256 of the body</th><th>stored</th></tr>\n");
    for s in &g.sources {
        let status = match (&s.status, &s.error) {
            (_, Some(err)) => format!("error: {err}"),
            (Some(c), None) => c.to_string(),
            (None, None) => "none".into(),
        };
        let files: Vec<String> = s
            .files
            .iter()
            .map(|p| {
                format!(
                    "<a href=\"{}\">{}</a>",
                    e(p),
                    e(p.rsplit('/').next().unwrap_or(p))
                )
            })
            .collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td class=\"mono small\">{}</td><td>{}</td></tr>",
            e(&s.role),
            e(&s.url),
            e(&s.final_url),
            e(&status),
            e(&s.fetched_at),
            e(&s.sha256),
            files.join(" ")
        );
    }
    h.push_str("</table>\n");
}

/// `psti.html`: the one page.
pub fn page(info: &RunInfo, samples: &[SampleIdentity], records: &[CaseRecord]) -> String {
    let e = escape;
    let mut h = String::new();
    let _ = writeln!(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"><title>PSTI evidence {}</title><style>{}</style></head><body>", e(&info.report_id), super::html::STYLE);
    let _ = writeln!(h, "<h1>PSTI evidence summary: {} {}</h1>\n<p>report <span class=\"mono\">{}</span> &middot; {} samples &middot; the full report is <a href=\"report.html\">report.html</a>; every file here is listed with its SHA-256 in <code>manifest.sha256</code></p>",
        e(&info.manufacturer), e(&info.model), e(&info.report_id), samples.len());
    if info.partial {
        h.push_str("<p class=\"partial\">PARTIAL: the run did not finish.</p>\n");
    }
    if let Some(g) = info.psti.as_deref() {
        h.push_str("<table>");
        for (k, v) in &g.as_sold {
            let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", e(k), e(v));
        }
        for s in samples {
            let _ = write!(
                h,
                "<tr><th>sample {}</th><td>serial {} &middot; firmware {}</td></tr>",
                e(&s.slot),
                e(s.serial.as_deref().unwrap_or("not read")),
                e(&s.clean(s.firmware_version.as_deref().unwrap_or("not read")))
            );
        }
        h.push_str("</table>\n");
    }
    section(&mut h, info, samples, records, "h2");
    h.push_str("</body></html>\n");
    h
}
