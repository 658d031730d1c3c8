//! 5.4-3-2's look at the keys a sample shows on the network: the certificate key of every
//! service IXIT 11 declares as TLS. A key pair is a critical security parameter, and its public
//! half can be read without credentials. So the same public key on two samples shows that the
//! private key behind it is shared by the product class, whatever the provisioning mechanism is
//! said to be (TS 103 701 5.4-3-2 a; EN 303 645 5.4-4 asks for the same uniqueness). A public key
//! is not secret: it is compared and reported by its plain SHA-256.

use super::across_units::Fingerprint;
use super::CaseContext;
use crate::config::profile::Protocol;
use crate::facts::initialized;
use crate::model::verdict::{Blocker, Cause};
use crate::secrets::{Finding, Kind};
use crate::transport::tls_probe;
use std::collections::BTreeMap;

const KIND: Kind = Kind::PublicMaterial("TLS certificate key");

/// The certificate keys of the sample's declared TLS services, as fingerprints for the pool;
/// a declared TLS service that completes no handshake is a blocker.
pub async fn gather(
    ctx: &CaseContext<'_>,
    log: &crate::evidence::EvidenceLog,
) -> (Vec<Fingerprint>, Vec<Blocker>) {
    let (mut keys, mut blockers) = (Vec::new(), Vec::new());
    let services = ctx.config.profile.body.ixit.services.iter();
    let tls: Vec<_> = services
        .filter(|s| s.protocol == Protocol::Tcp && s.tls.is_some())
        .collect();
    if tls.is_empty() {
        return (keys, blockers);
    }
    // The services answer in the state the profile declares them for: the unit running, set up.
    if let Err(why) = initialized::required(ctx.sample, ctx.config).await {
        blockers.push(why.context("the TLS certificate keys were not read"));
        return (keys, blockers);
    }
    for s in tls {
        let name = format!("`{}` (TCP {})", s.id.value, s.port.value);
        let unit = |why: String| Blocker::new(Cause::Unit, why);
        match tls_probe::presented_keys(ctx.sample.unit.address, s.port.value).await {
            Err(e) => blockers.push(unit(format!("{name}: TLS probe: {e}"))),
            Ok(found) if found.is_empty() => blockers.push(unit(format!(
                "{name} is declared as TLS but completed no TLS handshake: its key was not compared"
            ))),
            Ok(found) => {
                for key in found
                    .into_iter()
                    .filter(|k| !k.public_key_sha256.is_empty())
                {
                    let source = format!("{name}: {} {} bits", key.kind, key.bits);
                    log.line(
                        "<",
                        &format!(
                            "presented: {source} TLS certificate key, public key SHA-256 {}",
                            key.public_key_sha256
                        ),
                    );
                    keys.push(Fingerprint {
                        source,
                        finding: Finding {
                            kind: KIND,
                            offset: 0,
                            length: 0,
                        },
                        print: key.public_key_sha256,
                    });
                }
            }
        }
    }
    (keys, blockers)
}

/// Each presented key against the keys the other samples presented and the rig's batch digests
/// (`batch.tls_public_key_sha256`): a finding for one shown elsewhere too, a note for one that is
/// this sample's own. With nothing to compare with, uniqueness is not shown: a blocker.
pub fn compare(
    mine: &[Fingerprint],
    others: &BTreeMap<String, Vec<Fingerprint>>,
    batch: &[String],
) -> (Vec<String>, Vec<String>, Option<Blocker>) {
    let (mut findings, mut notes) = (Vec::new(), Vec::new());
    if mine.is_empty() {
        return (findings, notes, None);
    }
    let theirs = |slot: &String, prints: &Vec<Fingerprint>| {
        let keys: Vec<Fingerprint> = prints
            .iter()
            .filter(|p| p.finding.kind == KIND)
            .cloned()
            .collect();
        (slot.clone(), keys)
    };
    let others: Vec<(String, Vec<Fingerprint>)> = others
        .iter()
        .map(|(slot, prints)| theirs(slot, prints))
        .filter(|(_, keys)| !keys.is_empty())
        .collect();
    if others.is_empty() && batch.is_empty() {
        let why = "the TLS certificate keys this sample presents could be compared with no other sample's (the run has one sample, or no other presented one) and the rig gives no `batch.tls_public_key_sha256`: that they differ per unit is not shown";
        return (findings, notes, Some(Blocker::new(Cause::Config, why)));
    }
    for m in mine {
        let mut also: Vec<String> = others
            .iter()
            .filter_map(|(slot, keys)| {
                let same = keys.iter().find(|k| k.print == m.print)?;
                Some(format!("{slot} {}", same.source))
            })
            .collect();
        if batch.iter().any(|b| b.eq_ignore_ascii_case(&m.print)) {
            also.push("a unit of the rig's batch (`batch.tls_public_key_sha256`)".into());
        }
        match also.is_empty() {
            true => notes.push(format!(
                "{}'s TLS certificate key (public key SHA-256 {}) is this sample's own among {} other sample(s) and {} batch key(s)",
                m.source,
                m.print,
                others.len(),
                batch.len()
            )),
            false => findings.push(format!(
                "{} presents the same TLS certificate key as {} (public key SHA-256 {}): one key pair on several units, so its private key is a security parameter shared across the product class",
                m.source,
                also.join(", "),
                m.print
            )),
        }
    }
    (findings, notes, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn key(print: &str) -> Fingerprint {
        Fingerprint {
            source: "`https` (TCP 8443): EC 256 bits".into(),
            finding: Finding {
                kind: KIND,
                offset: 0,
                length: 0,
            },
            print: print.into(),
        }
    }

    #[rstest]
    #[case::shown_by_another_sample(&[("slot2", "aa")], &[], 1, 0, false)]
    #[case::its_own(&[("slot2", "bb"), ("slot3", "cc")], &[], 0, 1, false)]
    #[case::no_other_sample(&[], &[], 0, 0, true)]
    #[case::its_own_against_the_batch(&[], &["bb"], 0, 1, false)]
    #[case::in_the_batch(&[], &["AA"], 1, 0, false)]
    fn a_key_shown_elsewhere_is_a_finding(
        #[case] others: &[(&str, &str)],
        #[case] batch: &[&str],
        #[case] found: usize,
        #[case] own: usize,
        #[case] blocked: bool,
    ) {
        let others: BTreeMap<String, Vec<Fingerprint>> = others
            .iter()
            .map(|(slot, print)| (slot.to_string(), vec![key(print)]))
            .collect();
        let batch: Vec<String> = batch.iter().map(|b| b.to_string()).collect();
        let (findings, notes, blocker) = compare(&[key("aa")], &others, &batch);
        assert_eq!(
            (findings.len(), notes.len()),
            (found, own),
            "{findings:?} {notes:?}"
        );
        assert_eq!(blocker.is_some(), blocked);
    }

    /// A private key in another sample's memory is not a presented key, even with the same print.
    #[test]
    fn only_presented_keys_are_compared() {
        let mut secret = key("aa");
        secret.finding.kind = Kind::PrivateKey("PEM, PKCS#8");
        let others = BTreeMap::from([("slot2".to_string(), vec![secret])]);
        let (findings, _, blocker) = compare(&[key("aa")], &others, &[]);
        assert!(findings.is_empty() && blocker.is_some());
    }
}
