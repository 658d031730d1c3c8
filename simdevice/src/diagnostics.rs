//! The app's network diagnostic: `POST /api/diagnostics/ping` with `{"host": ...}` and a bearer
//! token, and `ping <host>` in the vendor's service menu. The firmware checks the host is an
//! address or a DNS name; with fault ping-command-injection it pastes it into a shell line
//! (`sh -c "ping -c 1 <host>"`), which this module plays as far as `;`, `|`, `&&`, newlines,
//! `$(...)` and backticks around `echo`. With fault ping-error-shows-traceback, a host that is
//! not ASCII gets the helper's Python traceback in a 500.

use crate::firmware::Fault;
use crate::http::reply;
use crate::unit::Unit;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::http::request::Parts;
use hyper::{Method, Response, StatusCode};

/// What the diagnostic's Python helper prints when the resolver chokes on a host.
const TRACEBACK: &str = "Traceback (most recent call last):\n  File \"/usr/lib/diag/ping.py\", line 42, in run\n    addr = socket.gethostbyname(host)\nUnicodeError: encoding with 'idna' codec failed\n";

#[derive(serde::Deserialize)]
struct Ping {
    host: String,
}

/// The diagnostic's answer, or `None` for another path.
pub fn route(unit: &Unit, parts: &Parts, body: &Bytes) -> Option<Response<Full<Bytes>>> {
    if (&parts.method, parts.uri.path()) != (&Method::POST, "/api/diagnostics/ping") {
        return None;
    }
    if crate::settings::session(unit, parts).is_none() {
        return Some(reply(
            StatusCode::UNAUTHORIZED,
            r#"{"error":"authentication required"}"#,
        ));
    }
    Some(match serde_json::from_slice::<Ping>(body) {
        Ok(p) if unit.has(Fault::PingErrorShowsTraceback) && !p.host.is_ascii() => {
            reply(StatusCode::INTERNAL_SERVER_ERROR, TRACEBACK)
        }
        Ok(p) => match ping(unit, &p.host) {
            Ok(out) => reply(
                StatusCode::OK,
                &serde_json::json!({ "output": out }).to_string(),
            ),
            Err(e) => reply(
                StatusCode::BAD_REQUEST,
                &serde_json::json!({ "error": e }).to_string(),
            ),
        },
        Err(_) => reply(StatusCode::BAD_REQUEST, r#"{"error":"expected host"}"#),
    })
}

/// What `ping -c 1 <host>` prints, or why the host is refused.
pub fn ping(unit: &Unit, host: &str) -> Result<String, &'static str> {
    if unit.has(Fault::PingCommandInjection) {
        return Ok(shell(&format!("ping -c 1 {host}")));
    }
    let valid = (1..=253).contains(&host.len())
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-'));
    if valid {
        Ok(reached(host))
    } else {
        Err("invalid host")
    }
}

fn reached(host: &str) -> String {
    format!("PING {host}: 56 data bytes\n1 packets transmitted, 1 packets received\n")
}

/// A shell line run as ash would, for the few forms an injection uses.
fn shell(line: &str) -> String {
    let line = substitute(line);
    line.split(['\n', ';', '|', '&'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(command)
        .collect()
}

/// `$(...)` and backticks replaced by their command's output, as the shell does first.
fn substitute(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        let dollar = rest.find("$(").filter(|&i| !rest[i..].starts_with("$(("));
        let tick = rest.find('`');
        let (start, inner_end, skip) = match (dollar, tick) {
            (Some(d), t) if t.is_none_or(|t| d < t) => match closing(&rest[d + 2..]) {
                Some(e) => (d, d + 2 + e, 2),
                None => break,
            },
            (_, Some(t)) => match rest[t + 1..].find('`') {
                Some(e) => (t, t + 1 + e, 1),
                None => break,
            },
            _ => break,
        };
        out.push_str(&rest[..start]);
        out.push_str(shell(&rest[start + skip..inner_end]).trim_end());
        rest = &rest[inner_end + 1..];
    }
    out.push_str(rest);
    out
}

/// Where the `)` that closes an opened `$(` is, nested parentheses counted.
fn closing(text: &str) -> Option<usize> {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn command(c: &str) -> String {
    let mut words = c.splitn(2, ' ');
    let name = words.next().unwrap_or("");
    let args = words.next().unwrap_or("");
    match name {
        "echo" => format!("{}\n", crate::session::expand(args)),
        "ping" => reached(args.split_whitespace().last().unwrap_or("")),
        other => format!("sh: {other}: not found\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::shell;

    #[test]
    fn each_injection_form_runs_its_echo() {
        for line in [
            "ping -c 1 1.2.3.4;echo hilt$((3*41))",
            "ping -c 1 1.2.3.4|echo hilt$((3*41))",
            "ping -c 1 1.2.3.4&&echo hilt$((3*41))",
            "ping -c 1 1.2.3.4\necho hilt$((3*41))",
            "ping -c 1 1.2.3.4$(echo hilt$((3*41)))",
            "ping -c 1 1.2.3.4`echo hilt$((3*41))`",
        ] {
            assert!(shell(line).contains("hilt123"), "{line}: {}", shell(line));
        }
        assert!(!shell("ping -c 1 1.2.3.4").contains("hilt"));
    }
}
