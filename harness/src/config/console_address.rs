//! Where a console `path` points: a local tty, or a console server on the network.

/// Where a rig's console `path` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleAddress {
    Tty(String),
    Rfc2217(String),
    RawTcp(String),
}

impl ConsoleAddress {
    pub fn parse(path: &str) -> Result<ConsoleAddress, String> {
        let remote = |rest: &str, scheme: &str| {
            let rest = rest.trim_end_matches('/');
            let ok = rest
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            match ok {
                true => Ok(rest.to_string()),
                false => Err(format!(
                    "console `{path}`: expected {scheme}://HOST:PORT, e.g. {scheme}://10.0.0.5:2001"
                )),
            }
        };
        if let Some(rest) = path.strip_prefix("rfc2217://") {
            remote(rest, "rfc2217").map(ConsoleAddress::Rfc2217)
        } else if let Some(rest) = path.strip_prefix("tcp://") {
            remote(rest, "tcp").map(ConsoleAddress::RawTcp)
        } else if path.contains("://") {
            Err(format!(
                "console `{path}`: expected a tty path, rfc2217://HOST:PORT or tcp://HOST:PORT"
            ))
        } else {
            Ok(ConsoleAddress::Tty(path.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_console_path_names_a_tty_or_a_console_server() {
        use ConsoleAddress::*;
        let parse = ConsoleAddress::parse;
        assert_eq!(parse("/dev/ttyUSB0"), Ok(Tty("/dev/ttyUSB0".into())));
        assert_eq!(
            parse("rfc2217://lab-exp1:2001"),
            Ok(Rfc2217("lab-exp1:2001".into()))
        );
        assert_eq!(
            parse("tcp://10.0.0.5:3000/"),
            Ok(RawTcp("10.0.0.5:3000".into()))
        );
        assert_eq!(parse("tcp://[::1]:3000"), Ok(RawTcp("[::1]:3000".into())));
        for bad in [
            "rfc2217://host",
            "tcp://:99",
            "tcp://h:99999",
            "telnet://h:23",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains(bad) && e.contains("expected"), "{e}");
        }
    }
}
