//! Checks of a pre-installed password against its documented generation rule and against the
//! unit's public identifiers and the other samples' passwords. Each finding names the rule.

use crate::config::profile::{CharClass, GenerationRule};

/// Length and character classes as documented.
pub fn against_rule(password: &str, rule: &GenerationRule) -> Vec<String> {
    let mut findings = Vec::new();
    let len = password.chars().count();
    if let Some(min) = rule.min_length {
        if len < min {
            findings.push(format!(
                "length {len} is below the documented minimum {min}"
            ));
        }
    }
    if let Some(max) = rule.max_length {
        if len > max {
            findings.push(format!(
                "length {len} is above the documented maximum {max}"
            ));
        }
    }
    for class in &rule.classes {
        let present = match class {
            CharClass::Upper => password.chars().any(|c| c.is_ascii_uppercase()),
            CharClass::Lower => password.chars().any(|c| c.is_ascii_lowercase()),
            CharClass::Digit => password.chars().any(|c| c.is_ascii_digit()),
            CharClass::Symbol => password.chars().any(|c| !c.is_ascii_alphanumeric()),
        };
        if !present {
            findings.push(
                format!("no {class:?} character, which the documented rule requires")
                    .to_lowercase(),
            );
        }
    }
    findings
}

/// Shortest run of identifier characters counted as a derivation (shorter runs occur by chance).
const MIN_SHARED_RUN: usize = 6;

/// The password contains a run of at least 6 characters of the MAC (any case, with or without
/// separators) or of the serial number, forwards or reversed.
pub fn derived_from_identifiers(password: &str, serial: &str, mac: &str) -> Vec<String> {
    let pw = password.to_lowercase();
    let mut findings = Vec::new();
    let mac_hex: String = mac
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .collect::<String>()
        .to_lowercase();
    let serial_l = serial.to_lowercase();
    let serial_alnum: String = serial_l
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let candidates = [
        ("MAC address", mac_hex.clone()),
        ("serial number", serial_alnum),
    ];
    for (what, ident) in candidates {
        let reversed: String = ident.chars().rev().collect();
        if let Some(run) = longest_shared_run(&pw, &ident).max(longest_shared_run(&pw, &reversed)) {
            if run >= MIN_SHARED_RUN {
                findings.push(format!("shares {run} consecutive characters with the unit's {what} (derived from a public identifier)"));
            }
        }
    }
    findings
}

fn longest_shared_run(a: &str, b: &str) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut best = 0;
    for i in 0..a.len() {
        for j in 0..b.len() {
            let mut k = 0;
            while i + k < a.len() && j + k < b.len() && a[i + k] == b[j + k] {
                k += 1;
            }
            best = best.max(k);
        }
    }
    (best > 0).then_some(best)
}

/// Two passwords that are the same text around a number that differs by at most `max_delta`
/// look like a production counter.
pub fn counter_between(a: &str, b: &str, max_delta: u64) -> Option<String> {
    let (pa, na, sa) = split_number(a)?;
    let (pb, nb, sb) = split_number(b)?;
    if pa != pb || sa != sb || na == nb {
        return None;
    }
    let delta = na.abs_diff(nb);
    (delta <= max_delta)
        .then(|| format!("same text around a number that differs by {delta} (a counter)"))
}

/// The last run of digits in `s`, with the text before and after it.
fn split_number(s: &str) -> Option<(&str, u64, &str)> {
    let end = s.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = s[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map(|i| i + 1)
        .unwrap_or(0);
    let n = s[start..end].parse().ok()?;
    Some((&s[..start], n, &s[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> GenerationRule {
        GenerationRule {
            min_length: Some(12),
            max_length: Some(12),
            classes: vec![CharClass::Upper, CharClass::Lower, CharClass::Digit],
            independent_of_identifiers: true,
            text: String::new(),
        }
    }

    #[test]
    fn rule_length_and_classes() {
        assert!(against_rule("Ab3defGhijk9", &rule()).is_empty());
        let f = against_rule("abcdefgh", &rule());
        assert_eq!(f.len(), 3, "{f:?}");
    }

    #[test]
    fn mac_and_serial_derivations_are_found_but_chance_is_not() {
        let mac = "02:56:43:aa:30:64";
        assert_eq!(
            derived_from_identifiers("CamAA3064Q7", "VC100-1", mac).len(),
            1
        );
        assert_eq!(
            derived_from_identifiers("x4603aaq", "VC100-1", mac).len(),
            1,
            "reversed"
        );
        assert_eq!(
            derived_from_identifiers("pw8925668", "VC100-8925668", mac).len(),
            1
        );
        assert!(derived_from_identifiers("bSvF3BWPBdhR", "VC100-8925668", mac).is_empty());
    }

    #[test]
    fn counters() {
        assert!(counter_between("Vc100pw01001", "Vc100pw01003", 16).is_some());
        assert!(counter_between("Vc100pw01001", "Vc100pw09001", 16).is_none());
        assert!(counter_between("bSvF3BWPBdhR", "k2JdPQx7mZa4", 16).is_none());
        assert!(counter_between("same1", "same1", 16).is_none());
    }
}
