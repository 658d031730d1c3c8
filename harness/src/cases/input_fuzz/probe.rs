//! One use of an input with one field replaced: the request or command line as sent, and what
//! came back.

use super::mutation::Mutation;
use super::target::{command_words, Field, FieldPath, Segment};
use crate::bench::Sample;
use crate::config::pattern::Pattern;
use crate::config::procedure::{ConsoleSend, HttpStep};
use crate::config::Profile;
use crate::model::verdict::{Blocker, Cause};
use crate::transport::http::{HttpAnswer, HttpRequest};
use serde_json::Value;
use std::time::Duration;

/// How long a console command's answer (the prompt again) may take.
const CONSOLE_ANSWER: Duration = Duration::from_secs(3);
/// Console output kept per command line.
const CONSOLE_LIMIT: usize = 16 * 1024;

/// What was sent, as a finding records it to be sent again.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sent {
    pub method: String,
    pub url: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// The body as text, bytes that are not UTF-8 replaced.
    pub body: String,
    /// The body as sent.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// What came back.
pub enum Reply {
    Http(Result<HttpAnswer, String>),
    /// The console's output, and whether its prompt came back.
    Console {
        output: Vec<u8>,
        prompt: bool,
    },
}

/// The step's request with `field` set to the mutation's value (or left out).
pub fn http(
    sample: &Sample,
    profile: &Profile,
    step: &HttpStep,
    field: &Field,
    mutation: &Mutation,
) -> Result<(HttpRequest, Sent), Blocker> {
    let mut req = crate::procedure::http_request(sample, profile, step)?;
    match &field.path {
        FieldPath::Json(path) => {
            if let Some(body) = req.json.as_mut() {
                set_json(body, path, mutation.value.clone());
            }
        }
        FieldPath::Form(key) => {
            if let Some(form) = req.form.as_mut() {
                match &mutation.value {
                    Some(Value::String(s)) => form.insert(key.clone(), s.clone()),
                    Some(other) => form.insert(key.clone(), other.to_string()),
                    None => form.remove(key),
                };
            }
        }
        FieldPath::Query(key) => req.path = with_query_value(&req.path, key, mutation),
        FieldPath::Body => {
            if let (Some(raw), Some(_)) = (&mutation.raw, &req.json) {
                req.json = None;
                req.raw_body = Some(("application/json".into(), raw.clone()));
            }
        }
        FieldPath::Argument(_) => {}
    }
    let authorization = req.authorization.clone().or_else(|| {
        req.basic_auth
            .as_ref()
            .map(|(u, _)| format!("Basic ({u} and the password in force)"))
    });
    let (content_type, bytes) = match (&req.json, &req.form, &req.raw_body) {
        (Some(j), _, _) => (Some("application/json"), j.to_string().into_bytes()),
        (None, Some(f), _) => (
            Some("application/x-www-form-urlencoded"),
            crate::transport::http::form_encode(f).into_bytes(),
        ),
        (None, None, Some((t, raw))) => (Some(t.as_str()), raw.clone()),
        _ => (None, Vec::new()),
    };
    let sent = Sent {
        method: req.method.clone(),
        url: crate::transport::http::url(&req.endpoint, sample.unit.address, &req.path),
        authorization,
        content_type: content_type.map(String::from),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    };
    Ok((req, sent))
}

pub async fn send_http(sample: &Sample, req: &HttpRequest) -> Reply {
    Reply::Http(
        sample
            .drivers
            .http
            .send(req)
            .await
            .map_err(|e| e.to_string()),
    )
}

/// The path with query parameter `key` set to the mutation's value (percent-encoded) or left
/// out.
fn with_query_value(path: &str, key: &str, mutation: &Mutation) -> String {
    let Some((base, query)) = path.split_once('?') else {
        return path.to_string();
    };
    let value = mutation
        .value
        .as_ref()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from));
    let pairs: Vec<String> = query
        .split('&')
        .filter_map(|p| match p.split_once('=').unwrap_or((p, "")) {
            (k, _) if k == key => value
                .as_ref()
                .map(|v| format!("{k}={}", crate::transport::http::percent(v))),
            _ => Some(p.to_string()),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

fn set_json(body: &mut Value, path: &[Segment], value: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        if let Some(v) = value {
            *body = v;
        }
        return;
    };
    let mut at = body;
    for seg in parents {
        let next = match seg {
            Segment::Key(k) => at.get_mut(k.as_str()),
            Segment::Index(i) => at.get_mut(*i),
        };
        match next {
            Some(n) => at = n,
            None => return,
        }
    }
    match (last, value, at) {
        (Segment::Key(k), Some(v), Value::Object(o)) => {
            o.insert(k.clone(), v);
        }
        (Segment::Key(k), None, Value::Object(o)) => {
            o.remove(k);
        }
        (Segment::Index(i), Some(v), Value::Array(a)) if *i < a.len() => a[*i] = v,
        (Segment::Index(i), None, Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

/// The command line with argument `n` replaced, its line ending kept.
pub fn console_line(
    sample: &Sample,
    step: &ConsoleSend,
    field: &Field,
    mutation: &Mutation,
) -> Result<String, Blocker> {
    let text = sample
        .fill(&step.text)
        .map_err(|e| Blocker::new(Cause::Config, e.to_string()))?;
    let ending = &text[text.trim_end_matches(['\r', '\n']).len()..];
    let mut words: Vec<String> = command_words(&text).into_iter().map(String::from).collect();
    if let (FieldPath::Argument(n), Some(v)) = (&field.path, &mutation.value) {
        if let Some(w) = words.get_mut(*n) {
            *w = v.as_str().map_or_else(|| v.to_string(), String::from);
        }
    }
    Ok(format!("{}{ending}", words.join(" ")))
}

/// The prompt a console input waits for: its own, or the shell's.
pub fn prompt<'p>(profile: &'p Profile, own: Option<&'p Pattern>) -> Option<&'p Pattern> {
    own.or_else(|| profile.body.console.as_ref().map(|c| &c.login.success))
}

/// Types the line and gathers the output until `prompt` is back.
pub async fn send_console(
    sample: &Sample,
    profile: &Profile,
    prompt: Option<&Pattern>,
    line: &str,
) -> Result<Reply, Blocker> {
    let death = profile.death_strings();
    let mut console = sample.console(&death).await?;
    console
        .send(line, false)
        .await
        .map_err(|e| Blocker::new(Cause::Unit, e.to_string()))?;
    let deadline = tokio::time::Instant::now() + CONSOLE_ANSWER;
    let mut output = Vec::new();
    while tokio::time::Instant::now() < deadline && output.len() < CONSOLE_LIMIT {
        output.extend(
            console
                .gather(Duration::from_millis(100), CONSOLE_LIMIT)
                .await,
        );
        if prompt.as_ref().is_some_and(|p| p.regex.is_match(&output)) {
            return Ok(Reply::Console {
                output,
                prompt: true,
            });
        }
    }
    Ok(Reply::Console {
        output,
        prompt: prompt.is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_query_parameter_is_replaced_encoded_or_left_out() {
        let m = |v: Option<Value>| Mutation {
            name: "x".into(),
            value: v,
            raw: None,
            canary: None,
        };
        let path = "/cgi-bin/ping.cgi?ip=192.0.2.1&n=1";
        assert_eq!(
            with_query_value(path, "ip", &m(Some(json!("a;b c")))),
            "/cgi-bin/ping.cgi?ip=a%3Bb%20c&n=1"
        );
        assert_eq!(
            with_query_value(path, "ip", &m(None)),
            "/cgi-bin/ping.cgi?n=1"
        );
        assert_eq!(
            with_query_value(path, "n", &m(Some(json!(0)))),
            "/cgi-bin/ping.cgi?ip=192.0.2.1&n=0"
        );
    }

    #[test]
    fn a_json_field_is_replaced_or_left_out_where_it_sits() {
        let mut body = json!({ "a": "x", "b": [1, { "c": true }] });
        let path = vec![
            Segment::Key("b".into()),
            Segment::Index(1),
            Segment::Key("c".into()),
        ];
        set_json(&mut body, &path, Some(json!("%n")));
        assert_eq!(body, json!({ "a": "x", "b": [1, { "c": "%n" }] }));
        set_json(&mut body, &[Segment::Key("a".into())], None);
        assert_eq!(body, json!({ "b": [1, { "c": "%n" }] }));
        set_json(
            &mut body,
            &[Segment::Key("zz".into()), Segment::Index(3)],
            Some(json!(1)),
        );
        assert_eq!(body, json!({ "b": [1, { "c": "%n" }] }));
    }
}
