//! 5.6-1-2's judgement of the ports: what the profile declares against what answered. Pure, so
//! its table is tested without a unit or a scan.

use crate::config::profile::Protocol;

/// A declared service of the protocol judged.
pub struct Declared<'a> {
    pub id: &'a str,
    pub port: u16,
    pub enabled: bool,
}

/// A TCP port that accepted a connection, or a UDP port that answered (with what it is and said).
pub struct Found<'a> {
    pub port: u16,
    pub answer: Option<(&'a str, &'a str)>,
}

/// One finding per port found that is not a declared enabled service. Three or more adjacent
/// undeclared ports that said nothing are one finding, so a unit with every port open (a
/// tarpit) gives a readable verdict; each port is in the scan's evidence.
pub fn findings(protocol: Protocol, declared: &[Declared<'_>], found: &[Found<'_>]) -> Vec<String> {
    let (name, verb, undeclared, undeclared_many) = match protocol {
        Protocol::Tcp => (
            "TCP",
            "is open",
            "is open but not declared",
            "are open but not declared",
        ),
        Protocol::Udp => (
            "UDP",
            "answers",
            "answers but is not declared",
            "answer but are not declared",
        ),
    };
    let mut sorted: Vec<&Found<'_>> = found.iter().collect();
    sorted.sort_by_key(|f| f.port);
    let mut out = Vec::new();
    let mut silent: Vec<u16> = Vec::new();
    let flush =
        |silent: &mut Vec<u16>, out: &mut Vec<String>| {
            match (silent.first(), silent.last()) {
                (Some(a), Some(b)) if silent.len() >= 3 => out.push(format!(
                    "{name} ports {a}-{b} {undeclared_many} in the profile's services ({} ports)",
                    silent.len()
                )),
                _ => out.extend(silent.iter().map(|port| {
                    format!("{name} port {port} {undeclared} in the profile's services")
                })),
            }
            silent.clear();
        };
    for f in sorted {
        let port = f.port;
        let known = declared.iter().find(|d| d.port == port);
        if known.is_none() && f.answer.is_none() {
            if silent
                .last()
                .is_some_and(|last| last.checked_add(1) != Some(port))
            {
                flush(&mut silent, &mut out);
            }
            silent.push(port);
            continue;
        }
        flush(&mut silent, &mut out);
        let (what, said) = match f.answer {
            Some(("", answer)) => (String::new(), format!("; answer: {answer}")),
            Some((protocol, answer)) => (format!(" ({protocol})"), format!("; answer: {answer}")),
            None => (String::new(), String::new()),
        };
        match known {
            None => out.push(format!(
                "{name} port {port}{what} {undeclared} in the profile's services{said}"
            )),
            Some(d) if !d.enabled => out.push(format!(
                "service `{}` ({name} {port}) is declared disabled but {verb}",
                d.id
            )),
            Some(_) => {}
        }
    }
    flush(&mut silent, &mut out);
    out
}

/// The declared enabled services, when there are some and not one of them was found open: a scan
/// that cannot tell "closed" from "gone" judges nothing.
pub fn none_enabled_answered<'a>(
    declared: &'a [Declared<'a>],
    open: &[u16],
) -> Option<Vec<&'a Declared<'a>>> {
    let enabled: Vec<_> = declared.iter().filter(|d| d.enabled).collect();
    (!enabled.is_empty() && !enabled.iter().any(|d| open.contains(&d.port))).then_some(enabled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const DECLARED: [Declared<'static>; 2] = [
        Declared {
            id: "web",
            port: 443,
            enabled: true,
        },
        Declared {
            id: "telnet",
            port: 23,
            enabled: false,
        },
    ];

    fn tcp(ports: &[u16]) -> Vec<Found<'static>> {
        ports
            .iter()
            .map(|&port| Found { port, answer: None })
            .collect()
    }

    #[rstest]
    #[case::only_declared_enabled(&[443], &[])]
    #[case::a_declared_enabled_service_closed_is_no_finding(&[], &[])]
    #[case::undeclared(&[443, 8080], &["TCP port 8080 is open but not declared in the profile's services"])]
    #[case::two_adjacent_stay_apart(&[443, 8080, 8081], &["TCP port 8080 is open but not declared in the profile's services", "TCP port 8081 is open but not declared in the profile's services"])]
    #[case::a_run_is_one_finding(&[443, 9102, 9100, 9101, 9103, 9200], &["TCP ports 9100-9103 are open but not declared in the profile's services (4 ports)", "TCP port 9200 is open but not declared in the profile's services"])]
    #[case::declared_disabled(&[23, 443], &["service `telnet` (TCP 23) is declared disabled but is open"])]
    fn tcp_ports_are_judged_against_the_declaration(#[case] open: &[u16], #[case] want: &[&str]) {
        assert_eq!(findings(Protocol::Tcp, &DECLARED, &tcp(open)), want);
    }

    #[test]
    fn an_answering_udp_port_is_named_with_what_it_said() {
        let found = [
            Found {
                port: 1900,
                answer: Some(("SSDP", "HTTP/1.1 200 OK")),
            },
            Found {
                port: 9999,
                answer: Some(("", "x")),
            },
        ];
        assert_eq!(
            findings(Protocol::Udp, &[], &found),
            [
                "UDP port 1900 (SSDP) answers but is not declared in the profile's services; answer: HTTP/1.1 200 OK",
                "UDP port 9999 answers but is not declared in the profile's services; answer: x",
            ]
        );
    }

    #[rstest]
    #[case::enabled_one_answers(&[443], false)]
    #[case::nothing_answers(&[], true)]
    #[case::only_an_undeclared_one_answers(&[8080], true)]
    fn a_scan_where_no_enabled_service_answers_judges_nothing(
        #[case] open: &[u16],
        #[case] none: bool,
    ) {
        assert_eq!(none_enabled_answered(&DECLARED, open).is_some(), none);
    }

    #[test]
    fn with_no_enabled_service_declared_an_empty_scan_is_judged() {
        assert!(none_enabled_answered(&DECLARED[1..], &[]).is_none());
    }
}
