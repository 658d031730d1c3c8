//! One case's finding in report.html: the outcome (a list when long), the unit table, the
//! pictures, observations, measurements, decision rule and links to the evidence.

use super::html::{class, escape};
use super::{CaseRecord, SampleIdentity};
use crate::model::verdict::Verdict;
use std::fmt::Write;

/// Evidence paths are relative to the run folder; each segment is percent-encoded for the link.
fn href(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            seg.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// One case on one sample: the outcome, details, measurements, decision rule and evidence, with
/// the sample's secrets redacted.
pub(super) fn finding(h: &mut String, sample: Option<&SampleIdentity>, r: &CaseRecord) {
    let e = escape;
    let clean = |t: &str| sample.map(|s| s.clean(t)).unwrap_or_else(|| t.to_string());
    let _ = writeln!(h, "<div class=\"finding f-{}\" id=\"{}-{}\"><h3>{} &middot; {} {} &middot; <span class=\"{}\">{}</span></h3>",
        class(r.result.verdict), e(&r.slot), e(r.spec.id), e(&r.slot), e(r.spec.id), e(r.spec.title), class(r.result.verdict), r.result.verdict_text());
    let label = if r.result.verdict == Verdict::Fail {
        "Observed against declared"
    } else {
        "Outcome"
    };
    let _ = writeln!(
        h,
        "<p><b>{label}:</b></p>{}",
        prose_or_list(&clean(&r.result.message))
    );
    units_table(h, &clean, r);
    for f in &r.result.figures {
        let _ = writeln!(h, "<figure>{}</figure>", super::svg::render(f));
    }
    if !r.result.details.is_empty() {
        h.push_str("<ul>");
        for d in &r.result.details {
            let _ = write!(h, "<li>{}</li>", e(&clean(d)));
        }
        h.push_str("</ul>\n");
    }
    if !r.result.measurements.is_empty() {
        h.push_str("<p class=\"small\">Measurements: ");
        let m: Vec<String> = r
            .result
            .measurements
            .iter()
            .map(|m| format!("{} = {} {}", e(&m.name), m.value, e(&m.unit)))
            .collect();
        h.push_str(&m.join("; "));
        h.push_str("</p>\n");
    }
    let _ = writeln!(
        h,
        "<p class=\"small\">Decision rule: {}</p>",
        e(r.spec.decision_rule)
    );
    if !r.evidence.is_empty() {
        h.push_str("<p class=\"small\">Evidence: ");
        let links: Vec<String> = r
            .evidence
            .iter()
            .map(|p| format!("<a href=\"{}\">{}</a>", e(&href(p)), e(p)))
            .collect();
        h.push_str(&links.join(", "));
        h.push_str("</p>\n");
    }
    h.push_str("</div>\n");
}

/// A long message of `;`-separated findings reads better as a list; a short one stays a line.
fn prose_or_list(text: &str) -> String {
    let parts: Vec<&str> = text.split("; ").filter(|p| !p.trim().is_empty()).collect();
    if text.len() <= 160 || parts.len() < 2 {
        return format!("<p>{}</p>", escape(text));
    }
    let items: String = parts
        .iter()
        .map(|p| format!("<li>{}</li>", escape(p)))
        .collect();
    format!("<ul>{items}</ul>")
}

/// The TS 103 701 test units, one row each.
fn units_table(h: &mut String, clean: &dyn Fn(&str) -> String, r: &CaseRecord) {
    if r.result.units.is_empty() {
        return;
    }
    h.push_str("<table class=\"units\"><tr><th>Unit</th><th>Checks</th><th>Verdict</th><th>Outcome</th></tr>\n");
    for u in &r.result.units {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            escape(u.id),
            escape(u.title),
            class(u.verdict),
            escape(&u.verdict_text()),
            prose_or_list(&clean(&u.message))
        );
    }
    h.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_links_are_percent_encoded() {
        assert_eq!(href("samples/s 1/a\"b.log"), "samples/s%201/a%22b.log");
    }
}
