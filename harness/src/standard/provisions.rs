//! The provisions of EN 303 645 V2.1.1 with their status from the ICS proforma (Annex B): the
//! oracle for what an ICS may declare, and the list every report covers.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Mandatory,
    Recommended,
}

/// One provision. `conditions` are the numbers of Annex B's condition list; an empty list is an
/// unconditional provision, which can never be not applicable.
#[derive(Debug, Clone, Copy)]
pub struct Provision {
    pub id: &'static str,
    pub status: Status,
    pub conditions: &'static [u8],
    pub summary: &'static str,
}

impl Provision {
    pub fn may_be_not_applicable(&self) -> bool {
        !self.conditions.is_empty()
    }

    /// As Annex B writes it: M, R, M C (5), R C (9, 12).
    pub fn status_text(&self) -> String {
        let s = match self.status {
            Status::Mandatory => "M",
            Status::Recommended => "R",
        };
        if self.conditions.is_empty() {
            return s.to_string();
        }
        let c: Vec<String> = self.conditions.iter().map(u8::to_string).collect();
        format!("{s} C ({})", c.join(", "))
    }
}

/// Annex B's conditions, by number.
pub const CONDITIONS: [&str; 13] = [
    "passwords are used",
    "pre-installed passwords are used",
    "software components are not updateable",
    "the device is constrained",
    "the device is not constrained",
    "telemetry data are collected",
    "personal data are processed on the basis of consumers' consent",
    "the device allows user authentication",
    "the device supports automatic updates and/or update notifications",
    "a hard-coded unique per device identity is used for security purposes",
    "updates are delivered over a network interface",
    "an update mechanism is implemented",
    "a debug interface is physically accessible",
];

pub fn find(id: &str) -> Option<&'static Provision> {
    ALL.iter().find(|p| p.id == id)
}

const fn p(
    id: &'static str,
    status: Status,
    conditions: &'static [u8],
    summary: &'static str,
) -> Provision {
    Provision {
        id,
        status,
        conditions,
        summary,
    }
}

use Status::{Mandatory, Recommended};

pub const ALL: [Provision; 68] = [
    p("4-1", Mandatory, &[], "Record a justification for every recommendation treated as not applicable / not fulfilled"),
    p("5.1-1", Mandatory, &[1], "In any state other than factory default, every password is unique per device or user-defined"),
    p("5.1-2", Mandatory, &[2], "Pre-installed unique passwords are generated so as to resist automated attacks on a device class (no counters, no obvious link to public info such as MAC/SSID)"),
    p("5.1-3", Mandatory, &[], "User-authentication mechanisms use best-practice cryptography"),
    p("5.1-4", Mandatory, &[8], "Where a user can authenticate, a simple mechanism exists to change the authentication value"),
    p("5.1-5", Mandatory, &[5], "Non-constrained devices make brute-force attacks via network interfaces impracticable"),
    p("5.2-1", Mandatory, &[], "Publish a vulnerability disclosure policy with contact info and timelines (acknowledgement, status updates until resolution)"),
    p("5.2-2", Recommended, &[], "Act on disclosed vulnerabilities in a timely manner"),
    p("5.2-3", Recommended, &[], "Continually monitor for, identify and rectify vulnerabilities during the defined support period"),
    p("5.3-1", Recommended, &[], "All software components should be securely updateable"),
    p("5.3-2", Mandatory, &[5], "Non-constrained devices have an update mechanism for secure installation of updates"),
    p("5.3-3", Mandatory, &[12], "Updates are simple for the user to apply"),
    p("5.3-4", Recommended, &[12], "Automatic update mechanisms should be used"),
    p("5.3-5", Recommended, &[12], "Device checks for security updates after initialization and then periodically"),
    p("5.3-6", Recommended, &[9, 12], "Automatic updates/notifications enabled in initialized state and user-configurable (enable/disable/postpone)"),
    p("5.3-7", Mandatory, &[12], "Best-practice cryptography for secure update mechanisms"),
    p("5.3-8", Mandatory, &[12], "Security updates are timely"),
    p("5.3-9", Recommended, &[12], "Device verifies authenticity and integrity of software updates"),
    p("5.3-10", Mandatory, &[11, 12], "For network-delivered updates, device verifies authenticity and integrity via a trust relationship"),
    p("5.3-11", Recommended, &[12], "Manufacturer informs user that a security update is required, with the risks it mitigates"),
    p("5.3-12", Recommended, &[12], "Device notifies user when an update will disrupt basic functioning"),
    p("5.3-13", Mandatory, &[], "Publish the defined support period, accessibly and clearly"),
    p("5.3-14", Recommended, &[3, 4], "Constrained, non-updateable devices: publish rationale, replacement period/method and support period"),
    p("5.3-15", Recommended, &[3, 4], "Constrained, non-updateable devices: product isolable, hardware replaceable"),
    p("5.3-16", Mandatory, &[], "Model designation clearly recognisable (label or physical interface)"),
    p("5.4-1", Mandatory, &[], "Sensitive security parameters in persistent storage are stored securely"),
    p("5.4-2", Mandatory, &[10], "Hard-coded unique per-device identity resists physical/electrical/software tampering"),
    p("5.4-3", Mandatory, &[], "No hard-coded critical security parameters in device software source code"),
    p("5.4-4", Mandatory, &[], "CSPs for update integrity/authenticity and for associated-service communication are unique per device and generated to resist class attacks"),
    p("5.5-1", Mandatory, &[], "Best-practice cryptography to communicate securely"),
    p("5.5-2", Recommended, &[], "Use reviewed/evaluated implementations for network and security functions"),
    p("5.5-3", Recommended, &[], "Cryptographic algorithms and primitives should be updateable"),
    p("5.5-4", Recommended, &[], "Network-interface access to device functionality in initialized state only after authentication"),
    p("5.5-5", Mandatory, &[], "Security-relevant configuration changes via network only after authentication (exception: protocols the device relies on, e.g. ARP, DHCP, DNS, ICMP, NTP)"),
    p("5.5-6", Recommended, &[], "CSPs encrypted in transit"),
    p("5.5-7", Mandatory, &[], "Confidentiality of CSPs over remotely accessible interfaces"),
    p("5.5-8", Mandatory, &[], "Secure management processes for device CSPs"),
    p("5.6-1", Mandatory, &[], "All unused network and logical interfaces disabled"),
    p("5.6-2", Mandatory, &[], "In initialized state, minimise unauthenticated disclosure of security-relevant information"),
    p("5.6-3", Recommended, &[], "Hardware does not unnecessarily expose physical interfaces"),
    p("5.6-4", Mandatory, &[13], "A physically accessible debug interface is disabled in software"),
    p("5.6-5", Recommended, &[], "Only enable software services used/required for intended operation"),
    p("5.6-6", Recommended, &[], "Minimise code to necessary functionality"),
    p("5.6-7", Recommended, &[], "Least necessary privileges"),
    p("5.6-8", Recommended, &[], "Hardware-level memory access control"),
    p("5.6-9", Recommended, &[], "Secure development processes"),
    p("5.7-1", Recommended, &[], "Verify software using secure boot"),
    p("5.7-2", Recommended, &[], "On unauthorized change: alert user/admin and do not connect wider than needed for alerting"),
    p("5.8-1", Recommended, &[], "Confidentiality of personal data in transit to services, best-practice crypto"),
    p("5.8-2", Mandatory, &[], "Confidentiality of sensitive personal data to associated services"),
    p("5.8-3", Mandatory, &[], "Document all external sensing capabilities"),
    p("5.9-1", Recommended, &[], "Build in resilience to network and power outages"),
    p("5.9-2", Recommended, &[], "Keep operating locally on network loss; recover cleanly after power loss"),
    p("5.9-3", Recommended, &[], "Connect to networks in an orderly, stable way (e.g. avoid mass reconnection)"),
    p("5.10-1", Recommended, &[6], "If telemetry is collected, examine it for security anomalies"),
    p("5.11-1", Mandatory, &[], "Simple functionality to erase user data from the device"),
    p("5.11-2", Recommended, &[], "Functionality on the device to remove personal data from associated services"),
    p("5.11-3", Recommended, &[], "Clear instructions on how to delete personal data"),
    p("5.11-4", Recommended, &[], "Clear confirmation that personal data were deleted"),
    p("5.12-1", Recommended, &[], "Minimal user decisions, security best practice on usability"),
    p("5.12-2", Recommended, &[], "Guidance on secure set-up"),
    p("5.12-3", Recommended, &[], "Guidance on checking the device is securely set up"),
    p("5.13-1", Mandatory, &[], "Validate data input via UIs, APIs and between networks/services/devices"),
    p("6-1", Mandatory, &[], "Clear information on what personal data are processed, how, by whom, why (incl. third parties)"),
    p("6-2", Mandatory, &[7], "Consent obtained validly where processing is consent-based"),
    p("6-3", Mandatory, &[], "Consent can be withdrawn at any time"),
    p("6-4", Recommended, &[6], "Telemetry: minimise personal data processing"),
    p("6-5", Mandatory, &[6], "Telemetry: inform consumers what is collected, how used, by whom, why"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_b_counts() {
        // V2.1.1, clauses 5 and 6: 32 mandatory (conditional ones included), 35 recommended; plus 4-1.
        let clauses = ALL.iter().filter(|p| p.id != "4-1");
        let mandatory = clauses.clone().filter(|p| p.status == Mandatory).count();
        assert_eq!((mandatory, clauses.count() - mandatory), (32, 35));
        assert!(ALL
            .iter()
            .flat_map(|p| p.conditions)
            .all(|c| (1..=13).contains(c)));
    }

    #[test]
    fn status_reads_as_annex_b_writes_it() {
        assert_eq!(find("5.3-6").unwrap().status_text(), "R C (9, 12)");
        assert_eq!(find("5.6-1").unwrap().status_text(), "M");
        assert!(!find("5.6-1").unwrap().may_be_not_applicable());
        assert!(find("5.6-4").unwrap().may_be_not_applicable());
    }
}
