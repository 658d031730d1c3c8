//! Where the values sit in a procedure step: every JSON value, form value and query parameter
//! of an HTTP step (and its JSON body as a whole), every argument of a console command line.
//! 5.13-1-2 replaces them one at a time; the profile check refuses an input with none.

use super::procedure::Step;

/// Where a field sits in its step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldPath {
    /// A JSON value: object keys and array indices from the body's root.
    Json(Vec<Segment>),
    Form(String),
    /// A parameter of the path's query string.
    Query(String),
    /// The JSON body as a whole, sent as bytes that are not the JSON it should be.
    Body,
    /// The n-th word after the command on a console line (1 is the first argument).
    Argument(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldPath::Json(path) => {
                write!(f, "json")?;
                for s in path {
                    match s {
                        Segment::Key(k) => write!(f, ".{k}")?,
                        Segment::Index(i) => write!(f, "[{i}]")?,
                    }
                }
                Ok(())
            }
            FieldPath::Form(k) => write!(f, "form.{k}"),
            FieldPath::Query(k) => write!(f, "query.{k}"),
            FieldPath::Body => write!(f, "body"),
            FieldPath::Argument(n) => write!(f, "argument {n}"),
        }
    }
}

/// A field and the value the profile writes there (a template, or a JSON number or boolean).
#[derive(Debug, Clone)]
pub struct Field {
    pub path: FieldPath,
    pub written: serde_json::Value,
}

/// The fields of one step: every JSON leaf and form value of an HTTP step, every argument of a
/// console command line. Other steps have none.
pub fn fields_of(step: &Step) -> Vec<Field> {
    match step {
        Step::Http(h) => {
            let mut out: Vec<Field> = query_pairs(&h.path)
                .map(|(k, v)| Field {
                    path: FieldPath::Query(k.to_string()),
                    written: serde_json::Value::String(v.to_string()),
                })
                .collect();
            if let Some(j) = &h.json {
                json_leaves(j, &mut Vec::new(), &mut out);
                out.push(Field {
                    path: FieldPath::Body,
                    written: j.clone(),
                });
            }
            if let Some(form) = &h.form {
                out.extend(form.iter().map(|(k, v)| Field {
                    path: FieldPath::Form(k.clone()),
                    written: serde_json::Value::String(v.clone()),
                }));
            }
            out
        }
        Step::ConsoleSend(s) if !s.secret => command_words(&s.text)
            .into_iter()
            .enumerate()
            .skip(1)
            .map(|(n, w)| Field {
                path: FieldPath::Argument(n),
                written: serde_json::Value::String(w.to_string()),
            })
            .collect(),
        _ => vec![],
    }
}

fn json_leaves(v: &serde_json::Value, at: &mut Vec<Segment>, out: &mut Vec<Field>) {
    use serde_json::Value;
    match v {
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            at.push(Segment::Key(k.clone()));
            json_leaves(x, at, out);
            at.pop();
        }),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| {
            at.push(Segment::Index(i));
            json_leaves(x, at, out);
            at.pop();
        }),
        leaf => out.push(Field {
            path: FieldPath::Json(at.clone()),
            written: leaf.clone(),
        }),
    }
}

/// The `name=value` pairs of a path's query string, as written.
pub fn query_pairs(path: &str) -> impl Iterator<Item = (&str, &str)> {
    let query = path.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// A console line's words, its line ending left out.
pub fn command_words(text: &str) -> Vec<&str> {
    text.trim_end_matches(['\r', '\n'])
        .split_whitespace()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_json_leaves_form_values_and_command_arguments() {
        let steps: Vec<Step> = serde_saphyr::from_str(
            r#"
- http: { service: s, path: "/x?host=192.0.2.1&n=1", json: { a: "{x}", b: [1, { c: true }] }, within: 1s }
- http: { service: s, path: /y, form: { user: "{username}" }, within: 1s }
- console_send: { text: "ping 192.0.2.1 -c 1\r\n" }
- console_send: { text: "{password}\r\n", secret: true }
- wait: 1s
"#,
        )
        .unwrap();
        let shown: Vec<Vec<String>> = steps
            .iter()
            .map(|s| fields_of(s).iter().map(|f| f.path.to_string()).collect())
            .collect();
        assert_eq!(
            shown[0],
            [
                "query.host",
                "query.n",
                "json.a",
                "json.b[0]",
                "json.b[1].c",
                "body"
            ]
        );
        assert_eq!(shown[1], ["form.user"]);
        assert_eq!(shown[2], ["argument 1", "argument 2", "argument 3"]);
        assert!(shown[3].is_empty() && shown[4].is_empty());
        assert_eq!(fields_of(&steps[2])[0].written, "192.0.2.1");
    }
}
