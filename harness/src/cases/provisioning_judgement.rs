//! 5.4-3-2 unit (a)'s judgement of one secret found in a sample's memory and in no other
//! sample's: is it provisioned as IXIT 10 declares? Pure, so each rule is tested on its own.
//!
//! A secret the other samples share is judged before this (a hard-coded value, whatever IXIT 10
//! says). What is left needs the declaration: a per-unit parameter is consistent only once
//! another sample's memory shows a different value; a hard-coded one must not be used in
//! operation (5.4-3-1 b); a secret IXIT 10 does not declare is a difference from it.

use crate::config::security_parameter::{ParameterKind, SecurityParameter};
use crate::secrets::Kind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    Finding(String),
    NotPerformed(String),
    Consistent(String),
}

/// `what`: the secret and where it is, as the report words it; `compared`: how many other
/// samples' memory, holding secrets of their own, did not hold it.
pub fn judge(
    kind: &Kind,
    what: &str,
    compared: usize,
    ixit: Option<&[SecurityParameter]>,
) -> Judged {
    let Some(ixit) = ixit else {
        return match compared {
            0 => Judged::NotPerformed(format!(
                "{what}: IXIT 10 is not supplied and no other sample's memory was compared, so how it is provisioned cannot be judged"
            )),
            n => Judged::Consistent(format!(
                "{what} is unique to this sample among {n} other sample(s); IXIT 10 is not supplied, so it is judged by comparison only"
            )),
        };
    };
    let wanted = match kind {
        Kind::PrivateKey(_) => ParameterKind::PrivateKey,
        Kind::Credential(_) => ParameterKind::Credential,
        _ => return Judged::Consistent(format!("{what}: not a critical parameter")),
    };
    let declared: Vec<&SecurityParameter> = ixit
        .iter()
        .filter(|p| p.critical && p.kind == wanted)
        .collect();
    if declared.is_empty() {
        return Judged::Finding(format!(
            "{what} is a critical security parameter IXIT 10 does not declare: how it is provisioned is not documented"
        ));
    }
    let ids = |f: &dyn Fn(&SecurityParameter) -> bool| {
        declared
            .iter()
            .filter(|p| f(p))
            .map(|p| format!("`{}`", p.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let per_unit = ids(&|p| p.provisioning.is_per_unit());
    if per_unit.is_empty() {
        return Judged::Finding(format!(
            "{what} is in the unit in operation, and IXIT 10 declares the only such parameter(s), {}, hard-coded (5.4-3-1 b: not to be used in operation)",
            ids(&|_| true)
        ));
    }
    match compared {
        0 => Judged::NotPerformed(format!(
            "{what}: IXIT 10 declares {per_unit} different in every unit; with no other sample's memory to compare, that this one is cannot be shown"
        )),
        n => Judged::Consistent(format!(
            "{what} is unique to this sample among {n} other sample(s), as IXIT 10 declares for {per_unit}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::security_parameter::Provisioning;
    use rstest::rstest;

    fn param(kind: ParameterKind, critical: bool, provisioning: Provisioning) -> SecurityParameter {
        SecurityParameter {
            id: "p".into(),
            description: String::new(),
            critical,
            kind,
            provisioning,
        }
    }

    const KEY: Kind = Kind::PrivateKey("PEM, PKCS#8");
    use ParameterKind::{Credential, PrivateKey};
    use Provisioning::{GeneratedOnDevice, HardCoded};

    #[rstest]
    #[case::no_ixit_one_sample(None, 0, "NotPerformed", "IXIT 10 is not supplied")]
    #[case::no_ixit_compared(None, 2, "Consistent", "judged by comparison only")]
    #[case::per_unit_one_sample(Some(vec![param(PrivateKey, true, GeneratedOnDevice)]), 0, "NotPerformed", "with no other sample's memory")]
    #[case::per_unit_compared(Some(vec![param(PrivateKey, true, GeneratedOnDevice)]), 1, "Consistent", "as IXIT 10 declares for `p`")]
    #[case::undeclared(Some(vec![param(Credential, true, GeneratedOnDevice)]), 2, "Finding", "IXIT 10 does not declare")]
    #[case::declared_public_only(Some(vec![param(PrivateKey, false, GeneratedOnDevice)]), 2, "Finding", "IXIT 10 does not declare")]
    #[case::hard_coded(Some(vec![param(PrivateKey, true, HardCoded)]), 2, "Finding", "`p`, hard-coded")]
    fn a_secret_is_judged_against_ixit_10(
        #[case] ixit: Option<Vec<SecurityParameter>>,
        #[case] compared: usize,
        #[case] outcome: &str,
        #[case] words: &str,
    ) {
        let j = judge(&KEY, "a private key", compared, ixit.as_deref());
        let (kind, text) = match &j {
            Judged::Finding(t) => ("Finding", t),
            Judged::NotPerformed(t) => ("NotPerformed", t),
            Judged::Consistent(t) => ("Consistent", t),
        };
        assert_eq!(kind, outcome, "{text}");
        assert!(text.contains(words), "{text}");
    }
}
