//! 5.1-1-2 unit (c), the label half: is a unit's pre-installed password unique per device and not
//! a universal one? A pure judgement, so every branch is tested without a unit.

use crate::corpus::Credential;
use crate::model::verdict::{Blocker, Cause};

/// What is known about one unit's pre-installed password and its batch.
pub struct PreInstalled<'a> {
    pub password: &'a str,
    /// The other samples on the bench that carry a label password: (slot, password).
    pub other_samples: Vec<(&'a str, &'a str)>,
    /// SHA-256 (hex) of label passwords of batch units that are not on the bench.
    pub batch_sha256: &'a [String],
    pub corpus: &'a [Credential],
}

#[derive(Debug, Default, PartialEq)]
pub struct Judgement {
    pub findings: Vec<String>,
    pub blockers: Vec<Blocker>,
    pub details: Vec<String>,
}

pub fn judge(p: &PreInstalled<'_>) -> Judgement {
    let mut j = Judgement::default();
    // A password anyone can find in a list of defaults is universal, however unique it is.
    if let Some(hit) = p.corpus.iter().find(|c| c.password == p.password) {
        j.findings.push(format!(
            "the pre-installed password on the label is a universal default password ({})",
            hit.citation
        ));
    }
    let same: Vec<&str> = p
        .other_samples
        .iter()
        .filter(|(_, other)| *other == p.password)
        .map(|(slot, _)| *slot)
        .collect();
    if !same.is_empty() {
        j.findings.push(format!(
            "pre-installed password is the same as on {} (not unique per device)",
            same.join(", ")
        ));
    }
    let digest = crate::util::hash::sha256_hex(p.password.as_bytes());
    let batch_same = p.batch_sha256.iter().filter(|h| **h == digest).count();
    if batch_same > 0 {
        j.findings.push(format!(
            "pre-installed password is the same as {batch_same} batch unit(s)' (rig `batch.label_password_sha256`; not unique per device)"
        ));
    }
    let compared = p.other_samples.len() + p.batch_sha256.len();
    if compared == 0 {
        j.blockers.push(Blocker::new(
            Cause::Config,
            "uniqueness needs a second unit's label password: only this sample's was seen (add samples, or the rig's `batch.label_password_sha256`)",
        ));
    }
    j.details.push(format!(
        "unit (c): pre-installed password compared with {} other sample(s) and {} batch unit(s), and with {} universal corpus entries",
        p.other_samples.len(),
        p.batch_sha256.len(),
        p.corpus.len()
    ));
    j
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn corpus() -> Vec<Credential> {
        vec![Credential {
            citation: "mirai-2016.csv entry 2".into(),
            username: "admin".into(),
            password: "admin".into(),
        }]
    }

    #[rstest]
    #[case::unique_against_a_sample("Xq7pLm2wRt9s", &[("slot2", "Hb4nVc8kWz3d")], &[], None, 0)]
    #[case::unique_against_the_batch("Xq7pLm2wRt9s", &[], &["00".repeat(32)], None, 0)]
    #[case::shared_with_a_sample("Xq7pLm2wRt9s", &[("slot2", "Xq7pLm2wRt9s")], &[], Some("the same as on slot2"), 0)]
    #[case::shared_with_the_batch("Xq7pLm2wRt9s", &[], &[crate::util::hash::sha256_hex(b"Xq7pLm2wRt9s")], Some("same as 1 batch unit(s)'"), 0)]
    #[case::universal_though_unique("admin", &[("slot2", "Hb4nVc8kWz3d")], &[], Some("universal default password (mirai-2016.csv entry 2)"), 0)]
    #[case::alone_is_not_unique("Xq7pLm2wRt9s", &[], &[], None, 1)]
    #[case::alone_and_universal_fails("admin", &[], &[], Some("universal default password"), 1)]
    fn pre_installed_passwords(
        #[case] password: &str,
        #[case] others: &[(&str, &str)],
        #[case] batch: &[String],
        #[case] finding: Option<&str>,
        #[case] blockers: usize,
    ) {
        let corpus = corpus();
        let j = judge(&PreInstalled {
            password,
            other_samples: others.to_vec(),
            batch_sha256: batch,
            corpus: &corpus,
        });
        match finding {
            Some(f) => assert!(j.findings.iter().any(|x| x.contains(f)), "{j:?}"),
            None => assert!(j.findings.is_empty(), "{j:?}"),
        }
        assert_eq!(j.blockers.len(), blockers, "{j:?}");
        assert!(j.blockers.iter().all(|b| b.cause == Cause::Config));
    }
}
