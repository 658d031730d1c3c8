//! TS 103 701 test case 5.3-2-2 (functional), provision 5.3-2: the update mechanism prevents
//! misuse.
//!
//! Unit (a): functional attacks devised from the IXIT 7 description (NOTE 1: an older vulnerable
//! firmware, one byte changed in a signed firmware); unit (b): attempt them and see whether the
//! design prevents them. The attacks and the decision are in `update_judgement`.

use super::budget::Waits;
use super::NoParams;
use super::{update_judgement, CaseContext, CaseSpec, TestCase};
use crate::model::verdict::CaseResult;

pub struct Case;

impl TestCase for Case {
    type Params = NoParams;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.3-2-2",
        provision: "5.3-2",
        title: "update mechanism cannot be misused",
        decision_rule: update_judgement::DECISION_RULE,
    };

    fn declared_waits(_params: &NoParams, config: &crate::config::Config) -> Waits {
        super::declared_waits::update_battery(config)
    }

    async fn run(ctx: &CaseContext<'_>, _params: &NoParams) -> CaseResult {
        update_judgement::judge(ctx).await
    }
}
