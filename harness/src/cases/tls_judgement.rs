//! 5.5-1-2's judgement of one TLS port: the versions, suites and certificate key the probe
//! saw, against the service's declared IXIT 11 details. Pure, so each rule is tested on made-up
//! inventories.

use crate::config::crypto::{TlsDetails, TlsVersion};
use crate::evidence::EvidenceLog;
use crate::model::verdict::{Blocker, Cause};
use crate::transport::tls_probe::{self, TlsInventory};

#[derive(Default)]
pub struct Judgement {
    pub findings: Vec<String>,
    pub blockers: Vec<Blocker>,
    pub details: Vec<String>,
    pub tls_ports: u32,
}

pub fn log_inventory(log: &EvidenceLog, name: &str, inv: &TlsInventory) {
    for (v, suites) in &inv.accepted {
        log.line("<", &format!("{name}: {v} accepted: {}", suites.join(", ")));
    }
    for (v, why) in &inv.refused {
        log.line("<", &format!("{name}: {v} refused: {why}"));
    }
    if !inv.ssl3.is_empty() {
        log.line(
            "<",
            &format!("{name}: SSL 3.0 accepted: {}", inv.ssl3.join(", ")),
        );
    }
    for c in &inv.certificates {
        log.line(
            "<",
            &format!(
                "{name}: certificate key {} {} bits, signature {}",
                c.kind, c.bits, c.signature
            ),
        );
    }
}

pub fn judge_tls(name: &str, declared: Option<&TlsDetails>, inv: &TlsInventory, j: &mut Judgement) {
    if let Some(first) = inv.ssl3.first() {
        j.findings.push(format!(
            "{name} accepts SSL 3.0 (negotiated {first}{}), prohibited since RFC 7568",
            match inv.ssl3.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            }
        ));
    }
    for (v, suites) in &inv.accepted {
        if v.is_legacy() {
            j.findings.push(format!(
                "{name} accepts {v} (negotiated {}), deprecated and not best practice",
                suites[0]
            ));
        }
        let weak: Vec<&str> = suites
            .iter()
            .map(String::as_str)
            .filter(|s| tls_probe::is_weak_suite(s))
            .collect();
        if !weak.is_empty() {
            j.findings.push(format!(
                "{name} negotiates weak cipher suite(s) under {v}: {}",
                weak.join(", ")
            ));
        }
    }
    judge_certificates(
        name,
        declared.and_then(|d| d.min_certificate_key_bits),
        inv,
        j,
    );
    let Some(d) = declared else {
        j.details.push(format!(
            "{name} speaks TLS but the profile declares no TLS details for it; only the best-practice checks applied"
        ));
        return;
    };
    for v in TlsVersion::ALL {
        let said = d.versions.contains(&v);
        match (said, inv.accepts(v)) {
            (true, false) => j
                .findings
                .push(format!("{name} is declared to offer {v} but refuses it")),
            (false, true) if !v.is_legacy() => j.findings.push(format!(
                "{name} accepts {v}, which IXIT 11 does not declare"
            )),
            _ => {}
        }
    }
    if let Some(allowed) = &d.cipher_suites {
        let extra: Vec<&str> = inv
            .accepted
            .iter()
            .flat_map(|(_, s)| s.iter().map(String::as_str))
            .filter(|s| !allowed.iter().any(|a| a == s))
            .collect();
        if !extra.is_empty() {
            j.findings.push(format!(
                "{name} negotiates cipher suite(s) IXIT 11 does not declare: {}",
                extra.join(", ")
            ));
        }
    }
}

/// Every certificate key the server showed, against the floor NIST SP 800-52 Rev. 2 (3.1) sets
/// for a TLS server's key (RSA, DSA, DH 2048 bits; elliptic curves 256, P-256) and the declared
/// minimum where that is higher: a declaration may ask more than best practice, not less (and
/// one written for an EC key says nothing of an RSA one). EdDSA keys have fixed, sufficient
/// sizes.
fn judge_certificates(
    name: &str,
    declared_min: Option<u32>,
    inv: &TlsInventory,
    j: &mut Judgement,
) {
    const NIST: &str = "NIST SP 800-52 Rev. 2's floor for a TLS server key";
    for c in &inv.certificates {
        if c.kind == "unreadable" {
            j.blockers.push(Blocker::new(
                Cause::Unit,
                format!("{name}: a certificate's public key could not be parsed, so its size was not judged (signature {})", c.signature),
            ));
            continue;
        }
        let floor = match c.kind.as_str() {
            "RSA" | "DSA" | "DH" => 2048,
            "EC" => 256,
            "Ed25519" | "Ed448" => 0,
            other => {
                j.details.push(format!("{name}: a {other} certificate key of {} bits has no published floor hilt knows; only a declared minimum applies", c.bits));
                0
            }
        };
        let (min, whose) = match declared_min {
            Some(d) if d > floor => (d, format!("the declared {d}")),
            _ => (floor, format!("{floor}, {NIST}")),
        };
        if c.bits < min {
            j.findings.push(format!(
                "{name}'s certificate key is {} {} bits, below {whose}",
                c.kind, c.bits
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::tls_probe::CertificateKey;

    fn tls_service(versions: Vec<TlsVersion>) -> TlsDetails {
        TlsDetails {
            versions,
            cipher_suites: None,
            min_certificate_key_bits: Some(256),
        }
    }

    fn inventory(accepted: &[(TlsVersion, &str)], bits: u32) -> TlsInventory {
        TlsInventory {
            accepted: accepted
                .iter()
                .map(|(v, s)| (*v, vec![s.to_string()]))
                .collect(),
            refused: vec![],
            ssl3: vec![],
            certificates: vec![CertificateKey {
                kind: "EC".into(),
                bits,
                signature: "ecdsa-with-SHA256".into(),
                public_key_sha256: String::new(),
            }],
        }
    }

    #[test]
    fn declared_modern_tls_passes_and_each_deviation_is_named() {
        let declared = tls_service(vec![TlsVersion::Tls12, TlsVersion::Tls13]);
        let good = inventory(
            &[
                (TlsVersion::Tls12, "ECDHE-ECDSA-AES256-GCM-SHA384"),
                (TlsVersion::Tls13, "TLS_AES_256_GCM_SHA384"),
            ],
            256,
        );
        let mut j = Judgement::default();
        judge_tls("https", Some(&declared), &good, &mut j);
        assert!(j.findings.is_empty(), "{:?}", j.findings);

        let legacy = inventory(
            &[
                (TlsVersion::Tls10, "ECDHE-ECDSA-AES128-SHA"),
                (TlsVersion::Tls12, "ECDHE-ECDSA-AES256-GCM-SHA384"),
            ],
            160,
        );
        let mut j = Judgement::default();
        judge_tls("https", Some(&declared), &legacy, &mut j);
        let all = j.findings.join("\n");
        assert!(all.contains("accepts TLS 1.0 (negotiated ECDHE-ECDSA-AES128-SHA)"));
        assert!(all.contains("declared to offer TLS 1.3 but refuses it"));
        assert!(all.contains("EC 160 bits, below 256"));
        assert_eq!(j.findings.len(), 3, "{all}");
    }

    #[test]
    fn ssl3_accepted_is_a_finding_of_its_own() {
        let mut inv = inventory(&[(TlsVersion::Tls12, "ECDHE-ECDSA-AES256-GCM-SHA384")], 256);
        inv.ssl3 = vec!["RC4-SHA".into(), "DES-CBC3-SHA".into()];
        let mut j = Judgement::default();
        judge_tls("TCP 443", None, &inv, &mut j);
        assert_eq!(
            j.findings,
            ["TCP 443 accepts SSL 3.0 (negotiated RC4-SHA and 1 more), prohibited since RFC 7568"]
        );
    }

    #[test]
    fn weak_suites_and_undeclared_suites_fail_without_a_declaration_too() {
        let weak = inventory(&[(TlsVersion::Tls12, "DES-CBC3-SHA")], 2048);
        let mut j = Judgement::default();
        judge_tls("TCP 443", None, &weak, &mut j);
        assert!(j.findings[0].contains("weak cipher suite(s) under TLS 1.2: DES-CBC3-SHA"));
        let mut declared = tls_service(vec![TlsVersion::Tls12]);
        declared.cipher_suites = Some(vec!["ECDHE-ECDSA-AES256-GCM-SHA384".into()]);
        let other = inventory(&[(TlsVersion::Tls12, "ECDHE-ECDSA-AES128-SHA256")], 256);
        let mut j = Judgement::default();
        judge_tls("https", Some(&declared), &other, &mut j);
        assert_eq!(
            j.findings,
            vec!["https negotiates cipher suite(s) IXIT 11 does not declare: ECDHE-ECDSA-AES128-SHA256"]
        );
    }

    /// Without a declared minimum, every key is held to NIST SP 800-52 Rev. 2's floor; a key
    /// that could not be read leaves the check not performed.
    #[test]
    fn every_certificate_is_held_to_the_published_floor_when_nothing_is_declared() {
        let key = |kind: &str, bits| CertificateKey {
            kind: kind.into(),
            bits,
            signature: "sha256WithRSAEncryption".into(),
            public_key_sha256: String::new(),
        };
        let mut inv = inventory(&[(TlsVersion::Tls12, "ECDHE-RSA-AES128-GCM-SHA256")], 256);
        inv.certificates.extend([
            key("RSA", 1024),
            key("RSA", 2048),
            key("Ed25519", 253),
            key("EC", 224),
        ]);
        let mut j = Judgement::default();
        judge_tls("TCP 443", None, &inv, &mut j);
        assert_eq!(j.findings.len(), 2, "{:?}", j.findings);
        assert!(j.findings[0].contains("RSA 1024 bits, below 2048, NIST SP 800-52 Rev. 2"));
        assert!(j.findings[1].contains("EC 224 bits, below 256"));
        assert!(j.blockers.is_empty());

        // A declared minimum above the floor is held to; one below it does not lower it.
        let mut j = Judgement::default();
        let strict = TlsDetails {
            versions: vec![TlsVersion::Tls12],
            cipher_suites: None,
            min_certificate_key_bits: Some(3072),
        };
        let rsa2048 = TlsInventory {
            certificates: vec![key("RSA", 2048)],
            ..inventory(&[(TlsVersion::Tls12, "ECDHE-RSA-AES128-GCM-SHA256")], 256)
        };
        judge_tls("TCP 443", Some(&strict), &rsa2048, &mut j);
        assert_eq!(
            j.findings,
            ["TCP 443's certificate key is RSA 2048 bits, below the declared 3072"]
        );

        let mut unreadable = inventory(&[(TlsVersion::Tls12, "ECDHE-RSA-AES128-GCM-SHA256")], 256);
        unreadable.certificates.push(key("unreadable", 0));
        let mut j = Judgement::default();
        judge_tls("TCP 443", None, &unreadable, &mut j);
        assert!(j.findings.is_empty(), "{:?}", j.findings);
        assert!(
            j.blockers[0].why.contains("could not be parsed"),
            "{:?}",
            j.blockers
        );
    }
}
