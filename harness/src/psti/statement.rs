//! The statement of compliance as the assessor transcribed it: every item of its minimum
//! content present (SI 2023/1007 Schedule 3), the product it names the product assessed, and a
//! date of issue that is not in the future. Its support period is compared with the published
//! one under paragraph 3, and its firmware with the units' at report time.

use crate::config::profile::Product;
use crate::config::psti::PstiSection;
use crate::model::psti::{Check, Outcome};

pub(super) fn checks(
    section: &PstiSection,
    product: &Product,
    today: chrono::NaiveDate,
) -> Vec<Check> {
    let Some(s) = &section.statement_of_compliance else {
        return vec![Check::new(
            "statement.present",
            "a statement of compliance accompanies the product",
            Outcome::NeedsConfirmation,
            "the profile records no statement of compliance; answer false if none came with the product",
        )];
    };
    let s = &s.value;
    let items: [(&str, bool); 9] = [
        ("the product type", s.product_type.is_some()),
        ("the batch", s.batch.is_some()),
        (
            "the manufacturer's name and address",
            s.manufacturer_name.is_some() && s.manufacturer_address.is_some(),
        ),
        (
            "that it was prepared by or on behalf of the manufacturer",
            s.prepared_by_or_for_manufacturer,
        ),
        (
            "that in the manufacturer's opinion the requirements are met",
            s.declares_compliance,
        ),
        ("the defined support period", s.support_period.is_some()),
        (
            "the signatory's name and function",
            s.signatory_name.is_some() && s.signatory_function.is_some(),
        ),
        ("a signature", s.signed),
        (
            "the place and date of issue",
            s.place_of_issue.is_some() && s.date_of_issue.is_some(),
        ),
    ];
    let missing: Vec<&str> = items
        .iter()
        .filter(|(_, there)| !there)
        .map(|(what, _)| *what)
        .collect();
    let mut out = vec![if missing.is_empty() {
        Check::new(
            "statement.content",
            "the minimum content (Schedule 3) is there",
            Outcome::Met,
            "every item is present",
        )
    } else {
        Check::new(
            "statement.content",
            "the minimum content (Schedule 3) is there",
            Outcome::NotMet,
            format!("it does not give {}", missing.join("; ")),
        )
    }];
    if let Some(named) = &s.product_type {
        let (a, b) = (named.to_lowercase(), product.model.to_lowercase());
        let same = !b.is_empty() && (a.contains(&b) || b.contains(&a));
        out.push(Check::new(
            "statement.product",
            "it names the product assessed",
            if same { Outcome::Met } else { Outcome::NotMet },
            format!(
                "it names `{named}`; the product assessed is {} {}",
                product.manufacturer, product.model
            ),
        ));
    }
    if let Some(d) = s.date_of_issue {
        if d.0 > today {
            out.push(Check::new(
                "statement.date",
                "its date of issue has passed",
                Outcome::NotMet,
                format!("dated {d}, after today ({today})"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::located::Located;
    use crate::config::psti::{Date, Statement, SupportPeriod};

    fn product() -> Product {
        Product {
            manufacturer: "Acme".into(),
            model: "VC-100".into(),
        }
    }

    fn complete() -> Statement {
        let d = |s| Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        Statement {
            product_type: Some("Acme VC-100 camera".into()),
            batch: Some("B7".into()),
            manufacturer_name: Some("Acme".into()),
            manufacturer_address: Some("1 High St".into()),
            prepared_by_or_for_manufacturer: true,
            declares_compliance: true,
            support_period: Some(SupportPeriod::Until(d("2030-12-31"))),
            signatory_name: Some("A. Person".into()),
            signatory_function: Some("CTO".into()),
            signed: true,
            place_of_issue: Some("Leeds".into()),
            date_of_issue: Some(d("2026-01-10")),
            firmware_version: None,
        }
    }

    fn run(s: Option<Statement>) -> Vec<Check> {
        let section = PstiSection {
            statement_of_compliance: s.map(Located::unplaced),
            ..PstiSection::default()
        };
        checks(
            &section,
            &product(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        )
    }

    #[test]
    fn a_complete_statement_for_this_product_is_met() {
        let c = run(Some(complete()));
        assert!(c.iter().all(|c| c.outcome == Outcome::Met), "{c:?}");
    }

    #[test]
    fn missing_items_another_product_and_a_future_date_are_not_met() {
        let mut s = complete();
        s.signed = false;
        s.batch = None;
        s.product_type = Some("Acme DB-2 doorbell".into());
        s.date_of_issue = Some(Date(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
        let c = run(Some(s));
        assert_eq!(c[0].outcome, Outcome::NotMet);
        assert!(
            c[0].observed.contains("the batch; a signature"),
            "{}",
            c[0].observed
        );
        assert_eq!(c[1].outcome, Outcome::NotMet);
        assert_eq!(c[2].id, "statement.date");
        assert_eq!(run(None)[0].outcome, Outcome::NeedsConfirmation);
    }
}
