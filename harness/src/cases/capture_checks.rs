//! 5.5-1-2's reading of the run's packet capture: a password of the unit's crossing the wire
//! readable, and the TLS sessions the unit opened itself.

use super::client_judgement::judge_client_sessions;
use super::tls_judgement::Judgement;
use crate::config::located::Located;
use crate::config::outbound::Outbound;
use crate::evidence::EvidenceLog;
use crate::model::verdict::{Blocker, Cause};
use crate::transport::client_tls;

/// The unit as a client: the TLS sessions it opened, read back from the capture so far.
pub async fn client_sessions(
    sample: &crate::bench::Sample,
    declared: Option<&[Located<Outbound>]>,
    log: &EvidenceLog,
    j: &mut Judgement,
) -> usize {
    let Some(path) = sample.drivers.capture_path() else {
        match &sample.drivers.capture_problem {
            Some(why) => j
                .blockers
                .push(not_made(why, "the connections the unit opens itself")),
            None => j.details.push(
                "no packet capture: the connections the unit opens itself were not looked at"
                    .into(),
            ),
        }
        return 0;
    };
    let unit = sample.unit.address.ip();
    let read = tokio::task::spawn_blocking(move || client_tls::read(&path, unit)).await;
    match read {
        Ok(Ok(traffic)) => {
            judge_client_sessions(&traffic, declared, log, j);
            traffic.tls.len()
        }
        Ok(Err(e)) => {
            j.blockers.push(Blocker::new(
                Cause::Bench,
                format!("the capture could not be read back for the unit's own connections: {e}"),
            ));
            0
        }
        Err(e) => {
            j.blockers.push(Blocker::new(
                Cause::Bench,
                format!("reading the capture back: {e}"),
            ));
            0
        }
    }
}

/// The capture the rig asks for (`network.capture_interface`) could not be made: what reads
/// it is not performed, since a rig without one is a choice and this is a broken bench.
pub fn not_made(why: &str, what: &str) -> Blocker {
    Blocker::new(
        Cause::Bench,
        format!("the packet capture the rig asks for could not be made ({why}): {what} were not looked at"),
    )
}

/// The passive check: a password of the unit's readable anywhere in the run's capture. A
/// capture that ended on its own holds nothing after that, and one the rig asks for that could
/// not be made holds nothing at all, so the check is not performed (what a capture saw before
/// it ended still counts).
pub fn passive(
    sightings: Option<&[crate::transport::capture::ClearSecret]>,
    gaps: Option<&str>,
    failed: Option<&str>,
    log: &crate::evidence::EvidenceLog,
    j: &mut Judgement,
) {
    if let Some(why) = failed {
        log.line("#", &format!("no packet capture: {why}"));
        j.blockers.push(not_made(
            why,
            "the passwords crossing the wire (the passive check)",
        ));
        return;
    }
    if let Some(why) = gaps {
        log.line("#", &format!("the packet capture is incomplete: {why}"));
        j.blockers.push(Blocker::new(
            Cause::Bench,
            format!("the packet capture is incomplete ({why}): the passive check of the traffic is not performed"),
        ));
    }
    match sightings {
        Some(seen) if !seen.is_empty() => {
            for s in seen.iter().take(5) {
                log.line(
                    "#",
                    &format!(
                        "capture packet {} at +{:.3}s: a password in clear text, {}",
                        s.packet,
                        s.after.as_secs_f64(),
                        s.flow
                    ),
                );
            }
            let first = &seen[0];
            j.findings.push(format!(
                "the packet capture holds one of the unit's passwords readable in {} packet(s), first packet {} ({}, +{:.3}s; the password is masked in capture.pcap)",
                seen.len(),
                first.packet,
                first.flow,
                first.after.as_secs_f64()
            ));
        }
        Some(_) => {}
        None => j.details.push(
            "no packet capture (rig `network.capture_interface`): the passive check of the traffic was not made".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::SampleEvidence;
    use crate::transport::capture::ClearSecret;

    /// A capture that ended on its own leaves the passive check not performed, and what it saw
    /// before still counts; a capture that ran throughout and saw nothing is no finding.
    #[test]
    fn a_capture_that_died_leaves_the_passive_check_not_performed() {
        let dir = std::env::temp_dir().join(format!("hilt-passive-{}", std::process::id()));
        let evidence = SampleEvidence::new(&dir, "s1").unwrap();
        let log = evidence.log("crypto.log");
        let seen = [ClearSecret {
            packet: 7,
            after: std::time::Duration::from_millis(1500),
            flow: "TCP 10.0.0.2:23 > 10.0.0.1:40000".into(),
        }];
        let mut whole = Judgement::default();
        passive(Some(&[]), None, None, &log, &mut whole);
        assert!(whole.findings.is_empty() && whole.blockers.is_empty());

        let mut died = Judgement::default();
        passive(
            Some(&[]),
            Some("The interface disappeared"),
            None,
            &log,
            &mut died,
        );
        assert!(died.findings.is_empty());
        assert_eq!(died.blockers.len(), 1);
        assert!(
            died.blockers[0].why.contains("not performed"),
            "{:?}",
            died.blockers
        );

        let mut both = Judgement::default();
        passive(Some(&seen), Some("read error"), None, &log, &mut both);
        assert_eq!((both.findings.len(), both.blockers.len()), (1, 1));

        // No capture because the rig's could not be made: not performed, not "no capture".
        let mut never = Judgement::default();
        passive(None, None, Some("no such device exists"), &log, &mut never);
        assert!(never.findings.is_empty() && never.details.is_empty());
        assert_eq!(never.blockers.len(), 1);
        assert!(never.blockers[0].why.contains("no such device exists"));
        let mut unasked = Judgement::default();
        passive(None, None, None, &log, &mut unasked);
        assert!(unasked.blockers.is_empty() && unasked.details.len() == 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
