//! 5.4-3-2's look at the keys a sample shows on the network: the certificate key of every
//! service IXIT 11 declares as TLS, and the host keys of every service an IXIT 1 mechanism logs
//! in to over SSH. A key pair is a critical security parameter, and its public half can be read
//! without credentials. So the same public key on two samples shows that the private key behind
//! it is shared by the product class, whatever the provisioning mechanism is said to be
//! (TS 103 701 5.4-3-2 a; EN 303 645 5.4-4 asks for the same uniqueness). A public key is not
//! secret: it is compared and reported by its plain SHA-256.

use super::across_units::Fingerprint;
use super::CaseContext;
use crate::config::auth_mechanism::LoginSurface;
use crate::config::profile::{Protocol, Service};
use crate::facts::initialized;
use crate::model::verdict::{Blocker, Cause};
use crate::secrets::{Finding, Kind};
use crate::transport::{ssh_client, tls_probe};
use std::collections::BTreeMap;
use std::time::Duration;

/// One kind of presented key, and where the rig lists other units' keys of that kind.
pub struct Presented {
    pub kind: Kind,
    pub what: &'static str,
    pub batch_key: &'static str,
}

pub const TLS_KEY: Presented = Presented {
    kind: Kind::PublicMaterial("TLS certificate key"),
    what: "TLS certificate key",
    batch_key: "batch.tls_public_key_sha256",
};

pub const SSH_HOST_KEY: Presented = Presented {
    kind: Kind::PublicMaterial("SSH host key"),
    what: "SSH host key",
    batch_key: "batch.ssh_host_key_sha256",
};

fn fingerprint(kind: &Presented, source: String, print: String) -> Fingerprint {
    Fingerprint {
        source,
        finding: Finding {
            kind: kind.kind.clone(),
            offset: 0,
            length: 0,
        },
        print,
    }
}

fn service_name(s: &Service) -> String {
    format!("`{}` (TCP {})", s.id.value, s.port.value)
}

/// The declared services an SSH login runs on, each once, with the longest declared deadline.
fn ssh_services(ctx: &CaseContext<'_>) -> Vec<(Service, Duration)> {
    let ixit = &ctx.config.profile.body.ixit;
    let mut found: Vec<(Service, Duration)> = Vec::new();
    for m in &ixit.auth_mechanisms {
        let (LoginSurface::Ssh(login), Some(id)) = (&m.login, &m.service) else {
            continue;
        };
        let Some(s) = ixit.services.iter().find(|s| s.id.value == id.value) else {
            continue;
        };
        match found.iter_mut().find(|(f, _)| f.port.value == s.port.value) {
            Some((_, within)) => *within = (*within).max(login.within.0),
            None => found.push((s.value.clone(), login.within.0)),
        }
    }
    found
}

/// The keys the sample's declared TLS and SSH services present, as fingerprints for the pool;
/// a declared service that shows no key is a blocker.
pub async fn gather(
    ctx: &CaseContext<'_>,
    log: &crate::evidence::EvidenceLog,
) -> (Vec<Fingerprint>, Vec<Blocker>) {
    let (mut keys, mut blockers) = (Vec::new(), Vec::new());
    let services = ctx.config.profile.body.ixit.services.iter();
    let tls: Vec<_> = services
        .filter(|s| s.protocol == Protocol::Tcp && s.tls.is_some())
        .collect();
    let ssh = ssh_services(ctx);
    if tls.is_empty() && ssh.is_empty() {
        return (keys, blockers);
    }
    // The services answer in the state the profile declares them for: the unit running, set up.
    if let Err(why) = initialized::required(ctx.sample, ctx.config).await {
        blockers.push(why.context("the keys the services present were not read"));
        return (keys, blockers);
    }
    let unit = |why: String| Blocker::new(Cause::Unit, why);
    for s in tls {
        let name = service_name(s);
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
                    keys.push(fingerprint(&TLS_KEY, source, key.public_key_sha256));
                }
            }
        }
    }
    for (s, within) in ssh {
        let name = service_name(&s);
        match ssh_client::host_keys(ctx.sample.unit.address, s.port.value, within).await {
            Err(e) => blockers.push(unit(format!(
                "{name} is where an SSH login is declared, but it showed no host key ({e}): its keys were not compared"
            ))),
            Ok(found) => {
                for key in found {
                    let source = format!("{name}: {}", key.algorithm);
                    log.line(
                        "<",
                        &format!(
                            "presented: {source} SSH host key, SHA-256 {} ({})",
                            key.sha256, key.openssh
                        ),
                    );
                    keys.push(fingerprint(&SSH_HOST_KEY, source, key.sha256));
                }
            }
        }
    }
    (keys, blockers)
}

/// Each presented key of `kind` against the keys the other samples presented and the rig's batch
/// digests: a finding for one shown elsewhere too, a note for one that is this sample's own.
/// With nothing to compare with, uniqueness is not shown: a blocker.
pub fn compare(
    kind: &Presented,
    mine: &[Fingerprint],
    others: &BTreeMap<String, Vec<Fingerprint>>,
    batch: &[String],
) -> (Vec<String>, Vec<String>, Option<Blocker>) {
    let (mut findings, mut notes) = (Vec::new(), Vec::new());
    let of_kind = |prints: &[Fingerprint]| -> Vec<Fingerprint> {
        prints
            .iter()
            .filter(|p| p.finding.kind == kind.kind)
            .cloned()
            .collect()
    };
    let mine = of_kind(mine);
    if mine.is_empty() {
        return (findings, notes, None);
    }
    let others: Vec<(String, Vec<Fingerprint>)> = others
        .iter()
        .map(|(slot, prints)| (slot.clone(), of_kind(prints)))
        .filter(|(_, keys)| !keys.is_empty())
        .collect();
    let what = kind.what;
    if others.is_empty() && batch.is_empty() {
        let why = format!(
            "the {what}s this sample presents could be compared with no other sample's (the run has one sample, or no other presented one) and the rig gives no `{}`: that they differ per unit is not shown",
            kind.batch_key
        );
        return (findings, notes, Some(Blocker::new(Cause::Config, why)));
    }
    for m in &mine {
        let mut also: Vec<String> = others
            .iter()
            .filter_map(|(slot, keys)| {
                let same = keys.iter().find(|k| k.print == m.print)?;
                Some(format!("{slot} {}", same.source))
            })
            .collect();
        if batch.iter().any(|b| b.eq_ignore_ascii_case(&m.print)) {
            also.push(format!("a unit of the rig's batch (`{}`)", kind.batch_key));
        }
        match also.is_empty() {
            true => notes.push(format!(
                "{}'s {what} (public key SHA-256 {}) is this sample's own among {} other sample(s) and {} batch key(s)",
                m.source,
                m.print,
                others.len(),
                batch.len()
            )),
            false => findings.push(format!(
                "{} presents the same {what} as {} (public key SHA-256 {}): one key pair on several units, so its private key is a security parameter shared across the product class",
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
        fingerprint(
            &TLS_KEY,
            "`https` (TCP 8443): EC 256 bits".into(),
            print.into(),
        )
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
        let (findings, notes, blocker) = compare(&TLS_KEY, &[key("aa")], &others, &batch);
        assert_eq!(
            (findings.len(), notes.len()),
            (found, own),
            "{findings:?} {notes:?}"
        );
        assert_eq!(blocker.is_some(), blocked);
    }

    /// An SSH host key is compared with SSH host keys only, and against its own batch list.
    #[test]
    fn kinds_of_presented_key_are_compared_apart() {
        let mut ssh = key("aa");
        ssh.finding.kind = SSH_HOST_KEY.kind;
        let others = BTreeMap::from([("slot2".to_string(), vec![key("aa")])]);
        let (findings, _, blocker) = compare(&SSH_HOST_KEY, &[ssh.clone()], &others, &[]);
        assert!(findings.is_empty(), "{findings:?}");
        assert!(blocker.unwrap().why.contains("batch.ssh_host_key_sha256"));
        let (findings, ..) = compare(&SSH_HOST_KEY, &[ssh], &others, &["aa".into()]);
        assert_eq!(findings.len(), 1, "{findings:?}");
    }

    /// A private key in another sample's memory is not a presented key, even with the same print.
    #[test]
    fn only_presented_keys_are_compared() {
        let mut secret = key("aa");
        secret.finding.kind = Kind::PrivateKey("PEM, PKCS#8");
        let others = BTreeMap::from([("slot2".to_string(), vec![secret])]);
        let (findings, _, blocker) = compare(&TLS_KEY, &[key("aa")], &others, &[]);
        assert!(findings.is_empty() && blocker.is_some());
    }
}
