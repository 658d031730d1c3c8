//! Checks of a pre-installed password against its documented generation rule and the other
//! samples' passwords. Each finding names the rule.

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

/// The number a counter-style password carries (its last run of digits), if any.
pub fn counter_value(s: &str) -> Option<u64> {
    split_number(s).map(|(_, n, _)| n)
}

/// Estimated entropy of a password drawn uniformly from the character classes it uses, in bits.
/// An upper bound: a password with structure (a counter, a word) has far less.
pub fn entropy_bits(password: &str) -> f64 {
    let mut alphabet = 0u32;
    if password.chars().any(|c| c.is_ascii_lowercase()) {
        alphabet += 26;
    }
    if password.chars().any(|c| c.is_ascii_uppercase()) {
        alphabet += 26;
    }
    if password.chars().any(|c| c.is_ascii_digit()) {
        alphabet += 10;
    }
    if password.chars().any(|c| !c.is_ascii_alphanumeric()) {
        alphabet += 33;
    }
    if alphabet == 0 {
        return 0.0;
    }
    password.chars().count() as f64 * f64::from(alphabet).log2()
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
    fn entropy_estimate() {
        assert!((entropy_bits("Ab3defGhijk9") - 12.0 * 62f64.log2()).abs() < 1e-9);
        assert_eq!(entropy_bits(""), 0.0);
    }

    #[test]
    fn counters() {
        assert!(counter_between("Vc100pw01001", "Vc100pw01003", 16).is_some());
        assert!(counter_between("Vc100pw01001", "Vc100pw09001", 16).is_none());
        assert!(counter_between("bSvF3BWPBdhR", "k2JdPQx7mZa4", 16).is_none());
        assert!(counter_between("same1", "same1", 16).is_none());
    }
}
