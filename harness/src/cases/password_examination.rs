//! 5.1-2-2 unit (a) judged from what the password is compared with: the documented rules, the
//! unit's public identifiers, the default-credential data and the other samples' passwords. Pure,
//! so its table is tested without a unit.

use super::derivation::{self, Identifier};
use super::password_checks::{against_rule, counter_between};
use crate::config::profile::GenerationRule;
use crate::corpus::Credential;
use crate::model::verdict::{Blocker, Cause};

pub struct Against<'a> {
    /// Each pre-installed mechanism's id and its documented generation rule, if any.
    pub rules: Vec<(&'a str, Option<&'a GenerationRule>)>,
    pub identifiers: &'a [Identifier],
    /// The shipped default-credential data, every file.
    pub known: &'a [Credential],
    /// The other samples' slots and pre-installed passwords.
    pub peers: Vec<(&'a str, &'a str)>,
    pub counter_max_delta: u64,
}

#[derive(Default)]
pub struct Examination {
    pub findings: Vec<String>,
    pub blockers: Vec<Blocker>,
    pub details: Vec<String>,
}

pub fn examine(password: &str, a: &Against<'_>) -> Examination {
    let mut out = Examination::default();
    // One label password serves every pre-installed mechanism; one documented rule is needed.
    if a.rules.iter().all(|(_, rule)| rule.is_none()) {
        let ids: Vec<&str> = a.rules.iter().map(|(id, _)| *id).collect();
        out.blockers.push(Blocker::new(
            Cause::Config,
            format!(
                "no documented generation rule to check the password against: IXIT 1 gives no `generation_rule` for {}",
                ids.join(", ")
            ),
        ));
    }
    for (id, rule) in &a.rules {
        for f in rule.map(|r| against_rule(password, r)).unwrap_or_default() {
            out.findings.push(format!(
                "breaks the documented generation rule of {id}: {f}"
            ));
        }
    }
    out.findings
        .extend(derivation::findings(password, a.identifiers));
    let what: Vec<&str> = a.identifiers.iter().map(|i| i.what.as_str()).collect();
    out.details.push(format!(
        "compared with {} public identifiers: {}",
        a.identifiers.len(),
        what.join(", ")
    ));
    if let Some(hit) = a.known.iter().find(|c| c.password == password) {
        out.findings
            .push(format!("is a known default password ({})", hit.citation));
    }
    out.details.push(format!(
        "checked against {} entries of shipped default-credential data",
        a.known.len()
    ));
    for (slot, other) in &a.peers {
        if let Some(c) = counter_between(password, other, a.counter_max_delta) {
            out.findings
                .push(format!("counter across units: this unit and {slot}: {c}"));
        }
    }
    out.details
        .push(format!("compared with {} other sample(s)", a.peers.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn rule() -> GenerationRule {
        GenerationRule {
            min_length: Some(10),
            max_length: None,
            classes: vec![],
            independent_of_identifiers: true,
            text: String::new(),
        }
    }

    #[rstest]
    #[case::random_and_long("q7Vx2pLm9Rt", &[])]
    #[case::too_short("q7Vx2", &["breaks the documented generation rule of web: its length is below the documented minimum 10"])]
    #[case::known_default("xmhdipc-long", &["is a known default password (mirai:6)"])]
    #[case::counter_with_another_sample("device-pass-0042", &["counter across units: this unit and slot2: "])]
    #[case::the_serial_in_it("SN12345678ab", &["begins or ends with the whole of the unit's serial number"])]
    fn the_password_is_judged_against_what_it_may_not_be(
        #[case] password: &str,
        #[case] want: &[&str],
    ) {
        let rule = rule();
        let ids = derivation::identifiers("SN12345678", "00:11:22:33:44:55", "VC-100", &[]);
        let known = [Credential {
            citation: "mirai:6".into(),
            username: "root".into(),
            password: "xmhdipc-long".into(),
        }];
        let a = Against {
            rules: vec![("web", Some(&rule))],
            identifiers: &ids,
            known: &known,
            peers: vec![("slot2", "device-pass-0043")],
            counter_max_delta: 5,
        };
        let e = examine(password, &a);
        assert!(e.blockers.is_empty());
        assert_eq!(e.findings.len(), want.len(), "{:?}", e.findings);
        for (found, want) in e.findings.iter().zip(want) {
            assert!(found.contains(want), "{found:?} lacks {want:?}");
        }
    }

    #[test]
    fn without_a_documented_rule_the_unit_is_not_performed() {
        let a = Against {
            rules: vec![("web", None), ("app", None)],
            identifiers: &[],
            known: &[],
            peers: vec![],
            counter_max_delta: 5,
        };
        let e = examine("q7Vx2pLm9Rt", &a);
        assert_eq!(e.blockers.len(), 1);
        assert_eq!(e.blockers[0].cause, Cause::Config);
        assert!(e.blockers[0].why.ends_with("for web, app"));
    }
}
