//! 5.6-4-2's judgement of an SWD port from what a probe could do with it. Pure, so its table is
//! tested without a probe.

use crate::config::debug_interface::ReachedBy;
use crate::debug::access::Access;
use crate::model::verdict::{CaseResult, Cause, Measurement, Verdict};
use crate::util::hash::sha256_hex;

pub struct Probed<'a> {
    /// How the report names the port: its IXIT 15 id and how it is disabled, or undeclared.
    pub name: &'a str,
    pub reached: ReachedBy,
    /// IXIT 15 lists it.
    pub declared: bool,
    pub access: Access,
}

/// The verdict on one SWD port from what the probe could do with it, and the lines for the
/// port's log.
pub fn judge(p: &Probed<'_>) -> (CaseResult, Vec<(&'static str, String)>) {
    let name = p.name;
    let mut log = Vec::new();
    let reached = match p.reached {
        ReachedBy::Header => "a populated header",
        ReachedBy::TestPad => "a bare test pad",
    };
    log.push(("#", format!("{name}, reached through {reached}")));
    let (notes, mut result) = match &p.access {
        Access::Readable { dumps, notes, .. } => {
            let read: Vec<String> = dumps
                .iter()
                .map(|(r, bytes)| {
                    format!(
                        "{} {:#x}+{} bytes (sha256 {})",
                        r.name,
                        r.start,
                        bytes.len(),
                        sha256_hex(bytes)
                    )
                })
                .collect();
            for r in &read {
                log.push(("<", format!("read {r}")));
            }
            let what = format!(
                "{name} is open through {reached}: the probe attached and read {}",
                read.join(", ")
            );
            let mut r = match p.reached {
                ReachedBy::TestPad => {
                    let mut r = CaseResult::new(
                        Verdict::Pass,
                        "no physically accessible debug interface is open",
                    );
                    r.details.push(format!("{what}; a test pad is not physically accessible under TS 103 701, so this is reported, not failed"));
                    r
                }
                ReachedBy::Header => CaseResult::new(Verdict::Fail, what),
            };
            r.measurements = vec![Measurement::new(
                "bytes read through the debug port",
                dumps.iter().map(|(_, b)| b.len()).sum::<usize>() as f64,
                "bytes",
            )];
            (notes, r)
        }
        Access::Locked { how, notes } => {
            log.push(("<", format!("locked: {how}")));
            let r = match p.declared {
                true => CaseResult::new(
                    Verdict::Pass,
                    format!("{name} through {reached} is locked: {how}"),
                ),
                // Locked, yet the profile does not list it: unit (b) wants every physically
                // accessible interface declared, locked or not.
                false if p.reached == ReachedBy::Header => CaseResult::new(
                    Verdict::Fail,
                    format!("{name} answers a probe through {reached}, though it is locked ({how}): IXIT 15 must list it"),
                ),
                false => {
                    let mut r = CaseResult::new(
                        Verdict::Pass,
                        format!("SWD through {reached} is locked: {how}"),
                    );
                    r.details.push(format!("{name} answers a probe through {reached}; a test pad is not physically accessible under TS 103 701, so this is reported, not failed"));
                    r
                }
            };
            (notes, r)
        }
        Access::Unknown { why, notes } => {
            log.push(("#", format!("no conclusion: {why}")));
            (
                notes,
                CaseResult::not_performed(Cause::Bench, format!("{name}: {why}")),
            )
        }
    };
    log.extend(notes.iter().map(|n| ("#", n.clone())));
    result.details.extend(notes.iter().cloned());
    (result, log)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debug::access::Region;
    use rstest::rstest;

    fn readable() -> Access {
        Access::Readable {
            idcode: Some(0x2ba0_1477),
            dumps: vec![(
                Region {
                    name: "flash".into(),
                    start: 0x0800_0000,
                    length: 4,
                },
                vec![1, 2, 3, 4],
            )],
            notes: vec![],
        }
    }

    fn locked() -> Access {
        Access::Locked {
            how: "RDP level 1".into(),
            notes: vec![],
        }
    }

    #[rstest]
    #[case::open_on_a_header(ReachedBy::Header, true, readable(), Verdict::Fail)]
    #[case::open_on_a_test_pad_is_reported_not_failed(
        ReachedBy::TestPad,
        true,
        readable(),
        Verdict::Pass
    )]
    #[case::declared_and_locked(ReachedBy::Header, true, locked(), Verdict::Pass)]
    #[case::locked_but_missing_from_ixit_15(ReachedBy::Header, false, locked(), Verdict::Fail)]
    #[case::locked_undeclared_on_a_test_pad(ReachedBy::TestPad, false, locked(), Verdict::Pass)]
    #[case::no_conclusion(ReachedBy::Header, true, Access::Unknown { why: "no probe".into(), notes: vec![] }, Verdict::Inconclusive)]
    fn an_swd_port_is_judged_by_what_the_probe_could_do(
        #[case] reached: ReachedBy,
        #[case] declared: bool,
        #[case] access: Access,
        #[case] want: Verdict,
    ) {
        let (r, log) = judge(&Probed {
            name: "SWD `swd`",
            reached,
            declared,
            access,
        });
        assert_eq!(r.verdict, want, "{}", r.message);
        assert!(!log.is_empty());
        if want == Verdict::Inconclusive {
            assert_eq!(r.cause, Some(Cause::Bench));
        }
    }
}
