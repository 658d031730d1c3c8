//! Unexpected values for a field, chosen by what the field holds: text gets oversized, malformed,
//! format-string, traversal and injection values; a JSON field also gets values of the wrong type.
//! Injections carry a canary, `hilt` and a product the input never shows: only a unit that ran
//! the command prints it. The seed picks the sizes and the canaries, so a run replays.

use serde_json::{json, Value};

pub use crate::util::seeded::SeededRng as Rng;

/// One unexpected value: `None` leaves the field out of the request; a whole body is `raw`.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub name: String,
    pub value: Option<Value>,
    pub raw: Option<Vec<u8>>,
    /// Output that only an executed injection produces.
    pub canary: Option<String>,
}

fn text(name: &str, s: String) -> Mutation {
    Mutation {
        name: name.into(),
        value: Some(Value::String(s)),
        raw: None,
        canary: None,
    }
}

fn typed(name: &str, v: Value) -> Mutation {
    Mutation {
        name: name.into(),
        value: Some(v),
        raw: None,
        canary: None,
    }
}

/// Ways a shell joins a second command to the one the unit meant to run.
const SHELL_JOINS: &[(&str, &str, &str)] = &[
    ("shell-semicolon", ";", ""),
    ("shell-pipe", "|", ""),
    ("shell-and", "&&", ""),
    ("shell-newline", "\n", ""),
    ("shell-substitution", "$(", ")"),
    ("shell-backticks", "`", "`"),
];

/// The values for a field whose valid value is `valid`; `json` adds the type confusions a JSON
/// body can carry.
pub fn for_field(valid: &Value, json: bool, rng: &mut Rng) -> Vec<Mutation> {
    let base = match valid {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = Vec::new();
    for (i, len) in [300, 1100, 4200].into_iter().enumerate() {
        let len = len + rng.below(64);
        out.push(text(&format!("oversized-{}", i + 1), "A".repeat(len)));
    }
    out.push(text("empty", String::new()));
    out.push(text("nul-byte", format!("{base}\u{0}hilt")));
    out.push(text("crlf", format!("{base}\r\nX-Hilt: injected")));
    out.push(text(
        "control-characters",
        format!("{base}\u{1b}[2J\u{7}\u{8}"),
    ));
    out.push(text("unicode", format!("{base}\u{202e}\u{feff}\u{fffd}𝕳")));
    out.push(text(
        "overlong-utf8-encoded",
        "%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%af".into(),
    ));
    out.push(text("format-string", "%s%s%s%s%s%n%x%x%x%x".into()));
    out.push(text(
        "path-traversal",
        "../../../../../../../../etc/passwd".into(),
    ));
    out.push(text(
        "encoded-traversal",
        "..%2f..%2f..%2f..%2f..%2fetc%2fpasswd".into(),
    ));
    out.push(text("sql", "' OR '1'='1' -- ".into()));
    out.push(text(
        "markup",
        "<script>alert(1)</script>\"><svg onload=alert(1)>".into(),
    ));
    for (name, open, close) in SHELL_JOINS {
        let (a, b) = (1000 + rng.below(9000) as u64, 1000 + rng.below(9000) as u64);
        let command = format!("echo hilt$(({a}*{b}))");
        out.push(Mutation {
            name: (*name).into(),
            value: Some(Value::String(format!("{base}{open}{command}{close}"))),
            raw: None,
            canary: Some(format!("hilt{}", a * b)),
        });
    }
    if json {
        out.push(Mutation {
            name: "absent".into(),
            value: None,
            raw: None,
            canary: None,
        });
        out.extend([
            typed("number-zero", json!(0)),
            typed("number-negative", json!(-1)),
            typed("number-int32-overflow", json!(2_147_483_648u64)),
            typed("number-uint64-max", json!(u64::MAX)),
            typed("number-huge", json!(1.0e308)),
            typed("boolean", json!(true)),
            typed("null", Value::Null),
            typed("array", json!([base])),
            typed("object", json!({ "$gt": "" })),
            typed("deep-nesting", deep_nesting(200)),
        ]);
        if !valid.is_string() {
            out.push(text("number-as-text", "1e99999".into()));
        }
    }
    out
}

/// Bodies a JSON parser must refuse: cut short, not JSON, bad UTF-8, a duplicated key, a
/// number no type holds, nesting past any sane limit, a NUL, bytes after the end.
pub fn for_body(valid: &Value) -> Vec<Mutation> {
    let text = valid.to_string();
    let mut dup = text.clone();
    if let Some(Value::Object(o)) = Some(valid) {
        if let Some((k, _)) = o.iter().next() {
            dup = format!("{{{}:0,{}", Value::String(k.clone()), &text[1..]);
        }
    }
    let raw = |name: &str, bytes: Vec<u8>| Mutation {
        name: name.into(),
        value: None,
        raw: Some(bytes),
        canary: None,
    };
    vec![
        raw("truncated-json", text.as_bytes()[..text.len() / 2].to_vec()),
        raw("not-json", b"hilt=1&<x/>".to_vec()),
        raw(
            "invalid-utf8",
            [b"{\"hilt\":\"\xc3\x28\xff\xfe\"}".as_slice()].concat(),
        ),
        raw("duplicate-key", dup.into_bytes()),
        raw("number-overflow", b"{\"hilt\":1e999999}".to_vec()),
        raw(
            "nesting-10000",
            [vec![b'['; 10_000], vec![b']'; 10_000]].concat(),
        ),
        raw("nul-in-body", format!("{text}\u{0}").into_bytes()),
        raw("trailing-bytes", format!("{text}}}]]hilt").into_bytes()),
    ]
}

fn deep_nesting(depth: usize) -> Value {
    (0..depth).fold(json!([]), |inner, _| json!([inner]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_values_and_canaries_that_the_input_never_shows() {
        let a = for_field(&json!("192.0.2.1"), true, &mut Rng::new(7));
        let b = for_field(&json!("192.0.2.1"), true, &mut Rng::new(7));
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        let injections: Vec<_> = a.iter().filter(|m| m.canary.is_some()).collect();
        assert_eq!(injections.len(), SHELL_JOINS.len());
        for m in injections {
            let sent = m.value.as_ref().unwrap().as_str().unwrap();
            assert!(sent.starts_with("192.0.2.1"));
            assert!(!sent.contains(m.canary.as_ref().unwrap()), "{sent}");
        }
        assert!(a.iter().any(|m| m.value.is_none()));
    }

    #[test]
    fn text_fields_of_a_command_line_get_no_json_types() {
        let m = for_field(&json!("x"), false, &mut Rng::new(1));
        assert!(m.iter().all(|m| matches!(m.value, Some(Value::String(_)))));
        let longest = m
            .iter()
            .filter_map(|m| m.value.as_ref()?.as_str())
            .map(str::len)
            .max();
        assert!(longest.unwrap() >= 4200 && longest.unwrap() < 4300);
    }
}
