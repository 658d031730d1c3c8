//! One libtest trial per planned case; each waits for its verdict from the sample's task and
//! hands it to the bundle.

use crate::model::verdict::{CaseResult, Cause, Verdict};
use crate::plan::PlannedCase;
use crate::report::bundle::Bundle;
use crate::report::CaseRecord;
use libtest_mimic::{Completion, Failed, Trial};
use std::sync::Arc;
use tokio::sync::oneshot;

pub type Senders = Vec<Option<oneshot::Sender<CaseResult>>>;

pub fn for_plan(planned: &[PlannedCase], bundle: Arc<Bundle>) -> (Vec<Trial>, Senders) {
    let mut trials = Vec::new();
    let mut senders = Vec::new();
    for p in planned {
        let (tx, rx) = oneshot::channel::<CaseResult>();
        senders.push(Some(tx));
        let (p, bundle) = (p.clone(), bundle.clone());
        trials.push(Trial::ignorable_test(p.name(), move || {
            let result = match &p.not_applicable {
                Some(reason) => CaseResult::new(Verdict::NotApplicable, reason.clone()),
                None => rx.blocking_recv().unwrap_or_else(|_| {
                    CaseResult::not_performed(
                        Cause::Bench,
                        "the sample's task ended without a verdict",
                    )
                }),
            };
            let evidence = result
                .evidence
                .iter()
                .map(|e| e.display().to_string())
                .collect();
            bundle.record(CaseRecord {
                slot: p.slot.clone(),
                spec: p.spec,
                result: result.clone(),
                evidence,
            });
            match result.verdict {
                Verdict::Pass => Ok(Completion::Completed),
                Verdict::NotApplicable | Verdict::Manual => Ok(Completion::ignored_with(format!(
                    "{}: {}",
                    result.verdict.label(),
                    result.message
                ))),
                Verdict::Fail => Err(Failed::from(format!("FAIL: {}", result.message))),
                Verdict::Inconclusive => {
                    Err(Failed::from(format!("INCONCLUSIVE: {}", result.message)))
                }
            }
        }));
    }
    (trials, senders)
}
