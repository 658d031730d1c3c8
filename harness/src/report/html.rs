//! `report.html`: one self-contained page for people — product and samples, the verdict matrix,
//! every FAIL with what was observed against what was declared and links to its evidence, and a
//! the UK PSTI view (`html_psti`). Everything that came from a
//! device or a config file is escaped.

use super::{CaseRecord, RunInfo, SampleIdentity};
use crate::model::verdict::Verdict;
use std::fmt::Write;

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c.is_control() && c != '\n' && c != '\t') || crate::evidence::is_hidden(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

pub(super) fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Inconclusive => "inconclusive",
        Verdict::NotApplicable | Verdict::Manual => "skipped",
    }
}

pub(super) const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:70em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td{overflow-wrap:anywhere}td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f0f0f0}.pass{background:#d8f0d8}.fail{background:#f6d0d0}.inconclusive{background:#f8e8b8}.skipped{background:#e8e8e8}
.partial{background:#f8e8b8;border:2px solid #c90;padding:.6em;font-weight:bold}.finding{border-left:4px solid #8a8;padding:.1em .8em;margin:1em 0}.finding.f-fail{border-color:#b00}
.finding.f-inconclusive{border-color:#c90}.finding.f-skipped{border-color:#999}.finding h3{font-size:1.05em}
h3 span{padding:0 .3em}code,.mono{font-family:ui-monospace,monospace;font-size:.9em}
.small{font-size:.85em;color:#555}@media print{body{margin:0}a{color:#000}h2{break-after:avoid}.finding{break-inside:avoid}}";

pub fn render(info: &RunInfo, samples: &[SampleIdentity], records: &[CaseRecord]) -> String {
    let mut h = String::new();
    let e = escape;
    let _ = writeln!(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>hilt report {}</title><style>{STYLE}</style></head><body>", e(&info.report_id));
    let _ = writeln!(h, "<h1>EN 303 645 conformance test report</h1>\n<p>{} {} &middot; report <span class=\"mono\">{}</span> &middot; {} to {}</p>",
        e(&info.manufacturer), e(&info.model), e(&info.report_id), e(&stamp(info.started)), e(&stamp(info.finished)));
    if info.partial {
        h.push_str("<p class=\"partial\">PARTIAL REPORT: the run did not finish (interrupted, or still running). Cases without a verdict are absent or INCONCLUSIVE.</p>\n");
    }
    let slots: Vec<&SampleIdentity> = samples
        .iter()
        .filter(|s| records.iter().any(|r| r.slot == s.slot))
        .collect();
    super::html_psti::section(&mut h, info, samples, records, "h2");
    samples_section(&mut h, &slots);
    verdict_matrix(&mut h, &slots, records);
    super::html_provisions::section(&mut h, info, &slots, records);
    h.push_str("<h2>Results</h2>\n");
    let order = |v: Verdict| match v {
        Verdict::Fail => 0,
        Verdict::Inconclusive => 1,
        _ => 2,
    };
    let mut sorted: Vec<&CaseRecord> = records.iter().collect();
    sorted.sort_by_key(|r| order(r.result.verdict));
    for r in sorted {
        let sample = samples.iter().find(|s| s.slot == r.slot);
        super::html_finding::finding(&mut h, sample, r);
    }
    method_section(&mut h, info);
    h
}

fn samples_section(h: &mut String, slots: &[&SampleIdentity]) {
    let e = escape;
    h.push_str("<h2>Samples</h2>\n<table><tr><th>slot</th><th>serial</th><th>MAC</th><th>firmware</th></tr>\n");
    for s in slots {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
            e(&s.slot),
            e(s.serial.as_deref().unwrap_or("unknown")),
            e(s.mac.as_deref().unwrap_or("unknown")),
            e(&s.clean(s.firmware_version.as_deref().unwrap_or("not read")))
        );
    }
    h.push_str("</table>\n");
}

/// Test case x sample, each cell linking to its finding.
fn verdict_matrix(h: &mut String, slots: &[&SampleIdentity], records: &[CaseRecord]) {
    let e = escape;
    let mut cases: Vec<&CaseRecord> = Vec::new();
    for r in records {
        if !cases.iter().any(|c| c.spec.id == r.spec.id) {
            cases.push(r);
        }
    }
    let find = |slot: &str, id: &str| records.iter().find(|r| r.slot == slot && r.spec.id == id);
    h.push_str("<h2>Verdicts</h2>\n<table><tr><th>test case</th>");
    for s in slots {
        let _ = write!(h, "<th>{}</th>", e(&s.slot));
    }
    h.push_str("</tr>\n");
    for c in &cases {
        let _ = write!(h, "<tr><td>{} {}</td>", e(c.spec.id), e(c.spec.title));
        for s in slots {
            match find(&s.slot, c.spec.id) {
                Some(r) => {
                    let _ = write!(
                        h,
                        "<td class=\"{}\"><a href=\"#{}-{}\">{}</a></td>",
                        class(r.result.verdict),
                        e(&r.slot),
                        e(r.spec.id),
                        r.result.verdict.label()
                    );
                }
                None => h.push_str("<td>—</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// ISO/IEC 17025 7.8.2.1: the method, the equipment and who ran it.
fn method_section(h: &mut String, info: &RunInfo) {
    let e = escape;
    h.push_str("<h2>Method and equipment</h2>\n<table>\n");
    let rows = [
        (
            "standards",
            format!(
                "ETSI EN 303 645 {}; test cases of ETSI TS 103 701 {}",
                info.en_303_645, info.ts_103_701
            ),
        ),
        (
            "suite",
            format!(
                "{} ({}, sha256 {})",
                info.suite.name, info.suite.path, info.suite.sha256
            ),
        ),
        (
            "rig",
            format!(
                "{} ({}, sha256 {})",
                info.rig.name, info.rig.path, info.rig.sha256
            ),
        ),
        (
            "profile",
            format!(
                "{} ({}, sha256 {})",
                info.profile.name, info.profile.path, info.profile.sha256
            ),
        ),
        (
            "credential corpora",
            info.corpora
                .iter()
                .map(|c| format!("{} (sha256 {})", c.path, c.sha256))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (
            "update images",
            info.update_images
                .iter()
                .map(|c| format!("{}: {} (sha256 {})", c.name, c.path, c.sha256))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (
            "debug probes",
            info.debug_probes
                .iter()
                .map(|(slot, how)| format!("{slot}: {how}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (
            "harness",
            format!(
                "hilt {} ({}) on {}",
                env!("CARGO_PKG_VERSION"),
                env!("HILT_GIT_COMMIT"),
                info.hostname
            ),
        ),
        (
            "operator",
            info.operator.clone().unwrap_or_else(|| "not given".into()),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(h, "<tr><th>{k}</th><td class=\"mono\">{}</td></tr>", e(&v));
    }
    h.push_str("</table>\n<p class=\"small\">Every file of this run is listed with its SHA-256 in manifest.sha256; <code>hilt verify</code> checks the folder. Passwords known to hilt are shown as [redacted].</p>\n</body></html>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_from_a_device_is_text() {
        assert_eq!(
            escape("<script>alert('x')</script>&\u{1b}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;\\u{1b}"
        );
    }
}
