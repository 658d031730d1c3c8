//! TS 103 701 test case 5.3-1-2 (functional), provision 5.3-1: all software components are
//! securely updateable.
//!
//! Unit (a) applies test case 5.3-2-2 to every update mechanism of IXIT 7; the battery runs once
//! per sample and both cases judge it.

use super::NoParams;
use super::{update_judgement, CaseContext, CaseSpec, TestCase};
use crate::model::verdict::CaseResult;

pub struct Case;

impl TestCase for Case {
    type Params = NoParams;
    const SPEC: CaseSpec = CaseSpec {
        id: "5.3-1-2",
        provision: "5.3-1",
        title: "every update mechanism secure",
        decision_rule: update_judgement::DECISION_RULE,
    };

    async fn run(ctx: &CaseContext<'_>, _params: &NoParams) -> CaseResult {
        let n = ctx.config.profile.body.ixit.update_mechanisms.len();
        update_judgement::judge(
            ctx,
            &format!(
                "the 5.3-2-2 battery found no misuse through any of the {n} declared update mechanisms"
            ),
        )
        .await
    }
}
