//! What the samples of one run share for cross-unit comparisons: each publishes the
//! fingerprints (kind, place, HMAC-SHA256 under a key made for the run) of secrets found in it,
//! never the secrets, and a case waits until every other sample has published or ended. A keyed
//! fingerprint cannot be reversed by hashing guesses, as a bare SHA-256 of a short password can.

use crate::secrets::Finding;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct Fingerprint {
    /// Where in the sample: `flash` at `finding.offset`.
    pub source: String,
    pub finding: Finding,
    /// HMAC-SHA256 of the secret's bytes under the run's key (hex).
    pub print: String,
}

pub struct SecretPool {
    /// Made for the run, never written anywhere: fingerprints mean nothing outside it.
    key: [u8; 32],
    state: Mutex<State>,
    changed: watch::Sender<u64>,
}

#[derive(Default)]
struct State {
    expected: BTreeSet<String>,
    published: BTreeMap<String, Vec<Fingerprint>>,
    ended: BTreeSet<String>,
}

impl SecretPool {
    pub fn new(slots: impl IntoIterator<Item = String>) -> SecretPool {
        let mut key = [0u8; 32];
        crate::util::random::fill(&mut key);
        SecretPool {
            key,
            state: Mutex::new(State {
                expected: slots.into_iter().collect(),
                ..State::default()
            }),
            changed: watch::Sender::new(0),
        }
    }

    /// The run's keyed fingerprint of a secret's bytes.
    pub fn fingerprint(&self, bytes: &[u8]) -> String {
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        mac.update(bytes);
        crate::util::hash::hex(&mac.finalize().into_bytes())
    }

    pub fn publish(&self, slot: &str, prints: Vec<Fingerprint>) {
        self.state
            .lock()
            .unwrap()
            .published
            .insert(slot.to_string(), prints);
        self.changed.send_modify(|v| *v += 1);
    }

    /// The sample's task is over: nothing more will come from it.
    pub fn ended(&self, slot: &str) {
        self.state.lock().unwrap().ended.insert(slot.to_string());
        self.changed.send_modify(|v| *v += 1);
    }

    /// Every other sample's fingerprints once all have published or ended, or what there is at
    /// the deadline; the second list names the samples still missing then.
    pub async fn others(
        &self,
        me: &str,
        within: Duration,
    ) -> (BTreeMap<String, Vec<Fingerprint>>, Vec<String>) {
        let deadline = Instant::now() + within;
        let mut rx = self.changed.subscribe();
        loop {
            let (have, missing) = {
                let s = self.state.lock().unwrap();
                let others = s.expected.iter().filter(|slot| slot.as_str() != me);
                let missing: Vec<String> = others
                    .filter(|slot| !s.published.contains_key(*slot) && !s.ended.contains(*slot))
                    .cloned()
                    .collect();
                let have: BTreeMap<_, _> = s
                    .published
                    .iter()
                    .filter(|(slot, _)| slot.as_str() != me)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (have, missing)
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if missing.is_empty() || left.is_zero() {
                return (have, missing);
            }
            if tokio::time::timeout(left, rx.changed()).await.is_err() {
                continue; // deadline: the next pass returns what there is
            }
        }
    }
}

/// This sample's secrets against the other samples': one finding per secret another sample holds
/// too (a secret shared across units), one note per secret only this sample holds.
pub fn shared(
    mine: &[Fingerprint],
    others: &BTreeMap<String, Vec<Fingerprint>>,
) -> (Vec<String>, Vec<String>) {
    let (mut findings, mut notes) = (Vec::new(), Vec::new());
    for m in mine {
        let also: Vec<String> = others
            .iter()
            .filter_map(|(slot, prints)| {
                prints
                    .iter()
                    .find(|p| p.print == m.print)
                    .map(|p| format!("{slot} {} at {:#x}", p.source, p.finding.offset))
            })
            .collect();
        if also.is_empty() {
            notes.push(format!(
                "{} in {} at {:#x} is unique to this sample among those compared (run HMAC {})",
                m.finding.kind, m.source, m.finding.offset, m.print
            ));
        } else {
            findings.push(format!(
                "the same {} is in this sample's {} at {:#x} and in {} (run HMAC {}): a secret shared across units",
                m.finding.kind,
                m.source,
                m.finding.offset,
                also.join(", "),
                m.print
            ));
        }
    }
    (findings, notes)
}

/// How many other samples published secrets found in their own memory: only those show whether
/// a secret in this sample's memory is its own. The keys a sample's services present say
/// nothing of its memory.
pub fn with_secrets(others: &BTreeMap<String, Vec<Fingerprint>>) -> usize {
    others
        .values()
        .filter(|prints| prints.iter().any(|p| p.finding.is_secret()))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Kind;
    use rstest::rstest;

    #[rstest]
    #[case::held_by_another_sample(&["11"], &[("slot2", "11")], 1, 0)]
    #[case::unique_to_this_sample(&["11"], &[("slot2", "22")], 0, 1)]
    #[case::no_other_sample_compared(&["11"], &[], 0, 1)]
    #[case::one_shared_one_unique(&["11", "33"], &[("slot2", "11"), ("slot3", "44")], 1, 1)]
    fn a_secret_another_unit_holds_is_a_finding(
        #[case] mine: &[&str],
        #[case] others: &[(&str, &str)],
        #[case] shared_count: usize,
        #[case] unique_count: usize,
    ) {
        let mine: Vec<_> = mine.iter().map(|h| print(h)).collect();
        let mut by_slot: BTreeMap<String, Vec<Fingerprint>> = BTreeMap::new();
        for (slot, h) in others {
            by_slot.entry(slot.to_string()).or_default().push(print(h));
        }
        let (findings, notes) = shared(&mine, &by_slot);
        assert_eq!((findings.len(), notes.len()), (shared_count, unique_count));
        if let Some(f) = findings.first() {
            assert!(f.contains("slot2 flash at 0x8000"), "{f}");
        }
    }

    /// A sample that published only the keys its services present has not shown its memory.
    #[test]
    fn only_samples_with_memory_secrets_count_for_memory() {
        let mut presented = print("aa");
        presented.finding.kind = Kind::PublicMaterial("TLS certificate key");
        let others = BTreeMap::from([
            ("slot2".to_string(), vec![presented.clone()]),
            ("slot3".to_string(), vec![presented, print("11")]),
            ("slot4".to_string(), vec![]),
        ]);
        assert_eq!(with_secrets(&others), 1);
    }

    fn print(hash: &str) -> Fingerprint {
        Fingerprint {
            source: "flash".into(),
            finding: Finding {
                kind: Kind::PrivateKey("PEM, PKCS#8"),
                offset: 0x8000,
                length: 119,
            },
            print: hash.into(),
        }
    }

    #[tokio::test]
    async fn a_waiting_sample_sees_later_publications_and_ended_samples_do_not_block() {
        let pool = std::sync::Arc::new(SecretPool::new(["a", "b", "c"].map(String::from)));
        let p = pool.clone();
        let late = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            p.publish("b", vec![print("11")]);
            p.ended("c");
        });
        pool.publish("a", vec![]);
        let (others, missing) = pool.others("a", Duration::from_secs(5)).await;
        late.await.unwrap();
        assert!(missing.is_empty());
        assert_eq!(others["b"][0].print, "11");
        assert!(!others.contains_key("c"));
    }

    #[test]
    fn fingerprints_are_keyed_per_run() {
        let (one, two) = (SecretPool::new([]), SecretPool::new([]));
        assert_eq!(one.fingerprint(b"admin"), one.fingerprint(b"admin"));
        assert_ne!(one.fingerprint(b"admin"), two.fingerprint(b"admin"));
        assert_ne!(
            one.fingerprint(b"admin"),
            crate::util::hash::sha256_hex(b"admin")
        );
        assert_eq!(one.fingerprint(b"admin").len(), 64);
    }

    #[tokio::test]
    async fn the_deadline_names_who_is_missing() {
        let pool = SecretPool::new(["a", "b"].map(String::from));
        let (others, missing) = pool.others("a", Duration::from_millis(30)).await;
        assert!(others.is_empty());
        assert_eq!(missing, vec!["b".to_string()]);
    }
}
