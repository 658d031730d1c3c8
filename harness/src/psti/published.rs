//! Schedule 1 paragraphs 2 and 3 judged from the pages as fetched. What a program can
//! establish (a sign-in wall, a 4xx, a missing or expired security.txt field, a period that
//! differs from the statement's) is met or not met; the rest waits for the officer with the
//! stored page as its evidence.

use super::page;
use super::security_txt;
use super::Source;
use crate::config::psti::{PstiSection, SupportPeriod};
use crate::model::psti::{Check, Outcome};

/// Paragraphs 2(2) and 3(2) ask the same of the information itself.
const BY_HAND: [(&str, &str); 4] = [
    ("in_english", "given in English"),
    ("free_of_charge", "free of charge, without a request"),
    (
        "without_personal_data",
        "accessible without giving personal information",
    ),
    (
        "clear",
        "clear and transparent, understandable without technical knowledge",
    ),
];

pub(super) fn reporting_issues(
    sources: &[Source],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Check> {
    let req = "reporting_issues";
    let pages: Vec<&Source> = sources
        .iter()
        .filter(|s| s.role == "disclosure_policy")
        .collect();
    let txt = sources.iter().find(|s| s.role == "security_txt");
    let mut checks = Vec::new();
    if pages.is_empty() && txt.is_none() {
        checks.push(Check::new(
            &format!("{req}.published"),
            "the manufacturer publishes how to report security issues",
            Outcome::NotMet,
            "the profile names no disclosure policy page and no manufacturer domain for security.txt",
        ));
        return checks;
    }
    checks.extend(pages.iter().enumerate().map(|(i, p)| reachable(req, i, p)));
    let open: Vec<&&Source> = pages.iter().filter(|p| is_open(p)).collect();
    let mut contacts: Vec<String> = open
        .iter()
        .filter_map(|p| {
            Some(format!(
                "{} on {}",
                page::contact(&p.fetched.body)?,
                p.fetched.final_url
            ))
        })
        .collect();
    if let Some(t) = txt {
        let (check, txt_contacts) = security_txt_check(req, t, !open.is_empty(), now);
        checks.push(check);
        contacts.extend(txt_contacts);
    }
    let evidence =
        |list: &[&&Source]| -> Vec<String> { list.iter().flat_map(|s| s.files.clone()).collect() };
    checks.push(
        match contacts.first() {
            Some(_) => Check::new(&format!("{req}.contact"), "a point of contact for reports", Outcome::Met, contacts.join("; ")),
            None => Check::new(
                &format!("{req}.contact"),
                "a point of contact for reports",
                Outcome::NeedsConfirmation,
                "hilt found no e-mail address, form or security.txt Contact: confirm from the stored pages",
            ),
        }
        .with_evidence(evidence(&open)),
    );
    let promised: Vec<String> = open
        .iter()
        .flat_map(|p| page::timelines(&page::text(&p.fetched.body)))
        .collect();
    checks.push(
        match promised.is_empty() {
            false => Check::new(
                &format!("{req}.timelines"),
                "when a reporter gets an acknowledgement and status updates",
                Outcome::Met,
                format!("the page says: \"{}\"", promised.join("\" / \"")),
            ),
            true => Check::new(
                &format!("{req}.timelines"),
                "when a reporter gets an acknowledgement and status updates",
                Outcome::NeedsConfirmation,
                "hilt found no sentence promising an acknowledgement or status updates within a stated time: confirm from the stored pages",
            ),
        }
        .with_evidence(evidence(&open)),
    );
    checks.extend(by_hand(req, &open));
    checks
}

pub(super) fn support_period(sources: &[Source], section: &PstiSection) -> Vec<Check> {
    let req = "support_period";
    let pages: Vec<&Source> = sources
        .iter()
        .filter(|s| s.role == "support_period")
        .collect();
    let mut checks = Vec::new();
    if pages.is_empty() {
        checks.push(Check::new(
            &format!("{req}.published"),
            "the manufacturer publishes the defined support period",
            Outcome::NotMet,
            "the profile names no page that states the support period",
        ));
        return checks;
    }
    checks.extend(pages.iter().enumerate().map(|(i, p)| reachable(req, i, p)));
    let open: Vec<&&Source> = pages.iter().filter(|p| is_open(p)).collect();
    let evidence: Vec<String> = open.iter().flat_map(|s| s.files.clone()).collect();
    let texts: Vec<String> = open.iter().map(|p| page::text(&p.fetched.body)).collect();
    let dates: Vec<page::StatedDate> = texts.iter().flat_map(|t| page::dates(t)).collect();
    let lengths: Vec<_> = texts.iter().flat_map(|t| page::lengths(t)).collect();
    let stated: Vec<String> = dates
        .iter()
        .map(|d| format!("end date {d}"))
        .chain(lengths.iter().map(|l| format!("length {l}")))
        .collect();
    let q = "the support period stated as an end date or a length of time";
    checks.push(
        match stated.is_empty() {
            false => Check::new(
                &format!("{req}.stated"),
                q,
                Outcome::Met,
                format!("the page states: {}", stated.join(", ")),
            ),
            true => Check::new(
                &format!("{req}.stated"),
                q,
                Outcome::NeedsConfirmation,
                if open.is_empty() {
                    "no page could be read".to_string()
                } else {
                    "hilt found no end date or length of time: confirm from the stored pages"
                        .to_string()
                },
            ),
        }
        .with_evidence(evidence.clone()),
    );
    let declared = section
        .statement_of_compliance
        .as_ref()
        .and_then(|s| s.support_period.clone());
    if let Some(period) = declared {
        let q = "the period the statement of compliance gives is the one published";
        let (agrees, said) = match &period {
            SupportPeriod::Until(d) => (dates.iter().any(|s| s.matches(d.0)), format!("until {d}")),
            SupportPeriod::Length(l) => (lengths.contains(l), format!("{l}")),
        };
        let check = if agrees {
            Check::new(
                &format!("{req}.matches_statement"),
                q,
                Outcome::Met,
                format!("both say {said}"),
            )
        } else if stated.is_empty() {
            Check::new(
                &format!("{req}.matches_statement"),
                q,
                Outcome::NeedsConfirmation,
                format!("the statement says {said}; hilt read no period on the pages"),
            )
        } else {
            Check::new(
                &format!("{req}.matches_statement"),
                q,
                Outcome::NotMet,
                format!(
                    "the statement says {said}, the published page {}",
                    stated.join(", ")
                ),
            )
        };
        checks.push(check.with_evidence(evidence));
    }
    checks.extend(by_hand(req, &open));
    checks
}

fn is_open(s: &Source) -> bool {
    s.fetched.error.is_none()
        && s.fetched.status.is_some_and(|c| (200..300).contains(&c))
        && page::barrier(&s.fetched).is_none()
}

fn reachable(req: &str, i: usize, s: &Source) -> Check {
    let id = format!("{req}.page{}.available", i + 1);
    let q = format!(
        "{} can be read without an account or a request",
        s.fetched.url
    );
    let f = &s.fetched;
    let check = if let Some(why) = page::barrier(f) {
        Check::new(&id, &q, Outcome::NotMet, why)
    } else if let Some(e) = &f.error {
        Check::new(
            &id,
            &q,
            Outcome::NeedsConfirmation,
            format!("not fetched: {e}"),
        )
    } else {
        match f.status {
            Some(c) if (200..300).contains(&c) => Check::new(
                &id,
                &q,
                Outcome::Met,
                format!(
                    "{c} at {}{}",
                    f.final_url,
                    page::language(f)
                        .map(|l| format!(" (language {l})"))
                        .unwrap_or_default()
                ),
            ),
            other => Check::new(
                &id,
                &q,
                Outcome::NeedsConfirmation,
                format!(
                    "answered {}: try again or confirm by hand",
                    other.unwrap_or(0)
                ),
            ),
        }
    };
    check.with_evidence(s.files.clone())
}

/// security.txt is RFC 9116's, not PSTI's: missing, it only matters when no page says where to
/// report; present but expired or without a contact, it tells reporters something stale.
fn security_txt_check(
    req: &str,
    s: &Source,
    pages_open: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> (Check, Vec<String>) {
    let id = format!("{req}.security_txt");
    let q = "the manufacturer's security.txt (RFC 9116) is current and names a contact";
    let f = &s.fetched;
    if let Some(e) = &f.error {
        let why = format!("not fetched: {e}; try again or confirm by hand");
        let check = Check::new(&id, q, Outcome::NeedsConfirmation, why);
        return (check.with_evidence(s.files.clone()), vec![]);
    }
    let missing = match f.status {
        Some(c) if !(200..300).contains(&c) => Some(format!("{} answers {c}", f.url)),
        None => Some("no answer".to_string()),
        _ => None,
    };
    if let Some(why) = missing {
        let (outcome, why) = if pages_open {
            (
                Outcome::NeedsConfirmation,
                format!(
                    "no security.txt ({why}); the disclosure policy page must carry the contact"
                ),
            )
        } else {
            (
                Outcome::NotMet,
                format!("no security.txt ({why}) and no readable disclosure policy page"),
            )
        };
        return (
            Check::new(&id, q, outcome, why).with_evidence(s.files.clone()),
            vec![],
        );
    }
    let txt = security_txt::parse(&f.body);
    let problems = security_txt::problems(&txt, now);
    let contacts: Vec<String> = txt
        .contacts
        .iter()
        .map(|c| format!("security.txt Contact {c}"))
        .collect();
    let check = if !problems.is_empty() {
        Check::new(&id, q, Outcome::NotMet, problems.join("; "))
    } else if txt.signed {
        Check::new(
            &id,
            q,
            Outcome::NeedsConfirmation,
            "current, with a contact, and OpenPGP-signed: hilt does not verify the signature; check it with the manufacturer's key",
        )
    } else {
        Check::new(
            &id,
            q,
            Outcome::Met,
            format!(
                "current until {}; {}",
                txt.expires.join(""),
                txt.contacts.join(", ")
            ),
        )
    };
    (check.with_evidence(s.files.clone()), contacts)
}

fn by_hand(req: &str, open: &[&&Source]) -> Vec<Check> {
    let evidence: Vec<String> = open.iter().flat_map(|s| s.files.clone()).collect();
    BY_HAND
        .iter()
        .map(|(id, q)| {
            Check::new(
                &format!("{req}.{id}"),
                q,
                Outcome::NeedsConfirmation,
                "for the assessor, from the stored pages",
            )
            .with_evidence(evidence.clone())
        })
        .collect()
}
