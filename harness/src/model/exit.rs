//! Exit statuses of every `hilt` subcommand, in one place.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | nothing failed and nothing was inconclusive (for `verify`: the bundle matches) |
//! | 1 | at least one FAIL (for `verify`: the bundle differs from its manifest) |
//! | 2 | bad usage or configuration: the command line, a rig, profile, suite or key file |
//! | 3 | INCONCLUSIVE, and no FAIL |
//! | 4 | hilt could not do its own part: a report, key, update image or the evidence bundle could not be written, the report folder could not be made, the runtime would not start |
//! | 130 | interrupted a second time: stopped at once, the report may be partial |
//!
//! A run whose report could not be written exits 4 whatever its verdicts, since the record a lab
//! relies on is incomplete. Outside a run the binary (`src/cli`) picks 2 or 4 from the layer's
//! typed error: a file the operator named is 2, a file hilt could not write is 4.

use super::verdict::Verdict;

pub const OK: i32 = 0;
pub const FAIL: i32 = 1;
pub const USAGE: i32 = 2;
pub const INCONCLUSIVE: i32 = 3;
pub const HARNESS: i32 = 4;
pub const ABORTED: i32 = 130;

/// The status a run's verdicts give: any FAIL, else any INCONCLUSIVE, else success.
pub fn for_verdicts(verdicts: impl IntoIterator<Item = Verdict>) -> i32 {
    let mut code = OK;
    for v in verdicts {
        match v {
            Verdict::Fail => return FAIL,
            Verdict::Inconclusive => code = INCONCLUSIVE,
            Verdict::Pass | Verdict::NotApplicable | Verdict::Manual => {}
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use Verdict::*;

    #[rstest]
    #[case::nothing(&[], OK)]
    #[case::passes_and_skips(&[Pass, NotApplicable, Manual], OK)]
    #[case::inconclusive(&[Pass, Inconclusive], INCONCLUSIVE)]
    #[case::fail_outweighs_inconclusive(&[Inconclusive, Fail, Pass], FAIL)]
    fn verdicts_map_to_a_status(#[case] verdicts: &[Verdict], #[case] want: i32) {
        assert_eq!(for_verdicts(verdicts.iter().copied()), want);
    }
}
