//! report.html's account of the whole standard: per category, how many provisions each sample
//! has PASS, FAIL, INCONCLUSIVE, N/A or still MANUAL, how many are not yet assessed, and every
//! provision's row with the reason for its verdict.

use super::html::{class, escape};
use super::{CaseRecord, RunInfo, SampleIdentity};
use crate::model::provisions::{self, ProvisionRow};
use crate::model::verdict::Verdict;
use crate::standard::catalogue::{self, Catalogue};
use std::fmt::Write;

pub fn section(h: &mut String, info: &RunInfo, slots: &[&SampleIdentity], records: &[CaseRecord]) {
    let e = escape;
    let Some(catalogue) = catalogue::for_version(&info.en_303_645) else {
        return;
    };
    let tables: Vec<Vec<ProvisionRow>> = slots
        .iter()
        .map(|s| {
            let mine: Vec<&CaseRecord> = records.iter().filter(|r| r.slot == s.slot).collect();
            provisions::table(catalogue, &info.ics_rows, &mine, info.assessment.as_deref())
        })
        .collect();
    let _ = writeln!(
        h,
        "<h2>All {} provisions of {} {}</h2>",
        catalogue.provisions.len(),
        e(&catalogue.standard),
        e(&catalogue.version)
    );
    if let Some(r) = &info.reissue {
        let _ = writeln!(
            h,
            "<p>Reissue {} of report <span class=\"mono\">{}</span>, whose reports and manifest (sha256 <span class=\"mono\">{}</span>) are kept in <code>previous/{}/</code>. The assessment changed {} verdict(s):</p>\n<ul>",
            r.sequence,
            e(&r.previous_report_id),
            e(&r.previous_manifest_sha256),
            r.sequence,
            r.changes.len()
        );
        for (slot, case, before, now) in &r.changes {
            let _ = writeln!(
                h,
                "<li>{} {}: {} &rarr; {}</li>",
                e(slot),
                e(case),
                e(before),
                e(now)
            );
        }
        h.push_str("</ul>\n");
    }
    for (s, rows) in slots.iter().zip(&tables) {
        let [_, _, _, _, manual] = provisions::counts(rows);
        let _ = writeln!(
            h,
            "<p class=\"{}\">{}: <strong>{manual} of {} provisions not yet assessed</strong>. {}</p>",
            if manual > 0 { "partial" } else { "small" },
            e(&s.slot),
            rows.len(),
            e(&provisions::summary(rows))
        );
    }
    by_category(h, catalogue, slots, &tables);
    every_provision(h, catalogue, slots, &tables);
}

fn by_category(
    h: &mut String,
    c: &Catalogue,
    slots: &[&SampleIdentity],
    tables: &[Vec<ProvisionRow>],
) {
    let e = escape;
    h.push_str("<table><tr><th>clause</th><th>provisions</th>");
    for s in slots {
        let _ = write!(
            h,
            "<th>{}<br><span class=\"small\">PASS / FAIL / INC. / N/A / MANUAL</span></th>",
            e(&s.slot)
        );
    }
    h.push_str("</tr>\n");
    for (category, title) in c.categories_in_order() {
        let count = c
            .provisions
            .iter()
            .filter(|p| p.category() == category)
            .count();
        let _ = write!(
            h,
            "<tr><td>{} {}</td><td>{count}</td>",
            e(category),
            e(title)
        );
        for rows in tables {
            let mine: Vec<&ProvisionRow> = rows
                .iter()
                .filter(|r| r.provision.category() == category)
                .collect();
            let n = |v: Verdict| mine.iter().filter(|r| r.verdict == v).count();
            let worst = [
                Verdict::Fail,
                Verdict::Inconclusive,
                Verdict::Manual,
                Verdict::Pass,
            ]
            .into_iter()
            .find(|v| n(*v) > 0)
            .unwrap_or(Verdict::NotApplicable);
            let _ = write!(
                h,
                "<td class=\"{}\">{} / {} / {} / {} / {}</td>",
                class(worst),
                n(Verdict::Pass),
                n(Verdict::Fail),
                n(Verdict::Inconclusive),
                n(Verdict::NotApplicable),
                n(Verdict::Manual)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

fn every_provision(
    h: &mut String,
    c: &Catalogue,
    slots: &[&SampleIdentity],
    tables: &[Vec<ProvisionRow>],
) {
    let e = escape;
    h.push_str("<table><tr><th>provision</th><th>status</th><th>in short</th>");
    for s in slots {
        let _ = write!(h, "<th>{}</th>", e(&s.slot));
    }
    h.push_str("<th>why</th></tr>\n");
    for (i, p) in c.provisions.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            e(&p.id),
            e(&p.status_text()),
            e(&p.summary)
        );
        for rows in tables {
            let v = rows[i].verdict;
            let _ = write!(h, "<td class=\"{}\">{}</td>", class(v), v.label());
        }
        // The basis is the same on every sample unless a case differs; the first sample's is
        // shown, and each sample's verdict cell says where they differ.
        let basis = tables
            .first()
            .map(|rows| rows[i].basis.as_str())
            .unwrap_or("");
        let shown = slots.first().map(|s| s.clean(basis)).unwrap_or_default();
        let _ = writeln!(h, "<td class=\"small\">{}</td></tr>", e(&shown));
    }
    h.push_str("</table>\n");
}
