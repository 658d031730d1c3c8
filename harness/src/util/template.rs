//! `{name}` placeholders in procedure text, filled from the sample's variables.

use std::collections::BTreeMap;

/// A placeholder the run has no value for (yet): a procedure asks for something the profile never
/// captures or the label does not carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("placeholder `{{{0}}}` has no value at this point of the run")]
pub struct TemplateError(pub String);

/// Names of the `{name}` placeholders in `text`; `{{` and `}}` are literal braces, and a `{`
/// without a closing brace or followed by JSON-like text (space, quote) is not a placeholder.
pub fn placeholders(text: &str) -> Vec<&str> {
    scan(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Var(v) => Some(v),
            Piece::Text(_) => None,
        })
        .collect()
}

pub fn fill(text: &str, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len());
    for p in scan(text) {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(v) => match vars.get(v) {
                Some(value) => out.push_str(value),
                None => return Err(TemplateError(v.to_string())),
            },
        }
    }
    Ok(out)
}

/// Rebuilds a JSON template with every string passed through `fill`.
pub fn fill_json(
    v: &serde_json::Value,
    fill: &dyn Fn(&str) -> Result<String, TemplateError>,
) -> Result<serde_json::Value, TemplateError> {
    use serde_json::Value;
    Ok(match v {
        Value::String(s) => Value::String(fill(s)?),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| fill_json(x, fill))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), fill_json(x, fill)?)))
                .collect::<Result<_, TemplateError>>()?,
        ),
        other => other.clone(),
    })
}

enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

fn scan(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        let (before, after) = rest.split_at(open);
        if !before.is_empty() {
            pieces.push(Piece::Text(before));
        }
        if after.starts_with("{{") || after.starts_with("}}") {
            pieces.push(Piece::Text(&after[..1]));
            rest = &after[2..];
            continue;
        }
        if after.starts_with('{') {
            if let Some(close) = after.find('}') {
                let name = &after[1..close];
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                {
                    pieces.push(Piece::Var(name));
                    rest = &after[close + 1..];
                    continue;
                }
            }
        }
        pieces.push(Piece::Text(&after[..1]));
        rest = &after[1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_names_and_keeps_braces() {
        let vars = BTreeMap::from([("label.serial".to_string(), "SN1".to_string())]);
        assert_eq!(
            fill("id={label.serial} {{x}} {not a var}", &vars).unwrap(),
            "id=SN1 {x} {not a var}"
        );
        assert!(fill("{missing}", &vars).is_err());
        assert_eq!(placeholders("a {b} {{c}} {d.e}"), vec!["b", "d.e"]);
    }
}
