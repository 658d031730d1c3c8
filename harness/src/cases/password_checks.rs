//! Checks of a pre-installed password against its documented generation rule and the other
//! samples' passwords. Each finding names the rule.

use crate::config::profile::{CharClass, GenerationRule};

/// Length and character classes as documented. The length itself is never stated: a report
/// must not narrow the search for a password it redacts.
pub fn against_rule(password: &str, rule: &GenerationRule) -> Vec<String> {
    let mut findings = Vec::new();
    let len = password.chars().count();
    if let Some(min) = rule.min_length {
        if len < min {
            findings.push(format!("its length is below the documented minimum {min}"));
        }
    }
    if let Some(max) = rule.max_length {
        if len > max {
            findings.push(format!("its length is above the documented maximum {max}"));
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

/// How guessable a password is, as zxcvbn (Dropbox's estimator, with its frequency lists of
/// common passwords, words and names, keyboard walks, sequences and dates) rates it, with the
/// unit's public identifiers as inputs an attacker knows.
pub struct Guessability {
    /// log10 of the guesses an attacker needs.
    pub log10: f64,
    /// The kinds of pattern the estimate found, in order, never the matched text.
    pub patterns: Vec<String>,
}

/// The estimator and its dictionaries as a report cites them: the crate, its version, and the
/// SHA-256 of the published crate (Cargo.lock's checksum; its frequency lists are compiled in).
pub const ESTIMATOR: &str = "zxcvbn 3.1.1 (crates.io, crate SHA-256 f9eaee90f4a795d1eb4ba6c51e1c1721d4784d550e8efa7b2600f29c867365e0): Dropbox's estimator with its ranked lists of 30,000 common passwords, US census names and surnames, English Wikipedia words and US film and television words";

pub fn guessability(password: &str, identifiers: &[&str]) -> Guessability {
    use zxcvbn::matching::patterns::MatchPattern;
    let estimate = zxcvbn::zxcvbn(password, identifiers);
    let patterns = estimate
        .sequence()
        .iter()
        .map(|m| match &m.pattern {
            MatchPattern::Dictionary(d) => {
                format!("dictionary word ({:?})", d.dictionary_name).to_lowercase()
            }
            MatchPattern::Spatial(_) => "keyboard pattern".into(),
            MatchPattern::Repeat(_) => "repetition".into(),
            MatchPattern::Sequence(_) => "sequence".into(),
            MatchPattern::Regex(_) => "recent year".into(),
            MatchPattern::Date(_) => "date".into(),
            MatchPattern::BruteForce => "random characters".into(),
        })
        .collect();
    Guessability {
        log10: estimate.guesses_log10(),
        patterns,
    }
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

    #[rstest::rstest]
    #[case::random_twelve("bSvF3BWPBdhR", &[], 11.0, 99.0, "random characters")]
    #[case::common_password("Password123!", &[], 0.0, 6.0, "dictionary word (passwords)")]
    #[case::weak_fault_shape("cam04711", &[], 0.0, 8.0, "")]
    #[case::from_the_serial("VC100-88412x", &["VC100-88412"], 0.0, 5.0, "dictionary word (userinputs)")]
    fn guessability_follows_zxcvbn(
        #[case] password: &str,
        #[case] identifiers: &[&str],
        #[case] at_least: f64,
        #[case] below: f64,
        #[case] pattern: &str,
    ) {
        let g = guessability(password, identifiers);
        assert!(
            g.log10 >= at_least && g.log10 < below,
            "{password}: 10^{}",
            g.log10
        );
        assert!(
            g.patterns.iter().any(|p| p.contains(pattern)),
            "{:?}",
            g.patterns
        );
    }

    #[test]
    fn counters() {
        assert!(counter_between("Vc100pw01001", "Vc100pw01003", 16).is_some());
        assert!(counter_between("Vc100pw01001", "Vc100pw09001", 16).is_none());
        assert!(counter_between("bSvF3BWPBdhR", "k2JdPQx7mZa4", 16).is_none());
        assert!(counter_between("same1", "same1", 16).is_none());
    }

    /// The citation names the crate the build really uses.
    #[test]
    fn the_estimator_citation_matches_cargo_lock() {
        let lock =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).unwrap();
        let at = lock
            .find("name = \"zxcvbn\"")
            .expect("zxcvbn in Cargo.lock");
        let entry: Vec<&str> = lock[at..].lines().take(4).collect();
        let version = entry[1].trim_start_matches("version = ").trim_matches('"');
        let checksum = entry[3].trim_start_matches("checksum = ").trim_matches('"');
        assert!(
            ESTIMATOR.starts_with(&format!("zxcvbn {version} ")),
            "{entry:?}"
        );
        assert!(ESTIMATOR.contains(checksum), "{entry:?}");
    }
}
