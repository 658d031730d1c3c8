//! The Python literals `labgrid-client show` prints its resources as (`pprint` of dicts of
//! strings, numbers, booleans and None). Only literals: nothing is evaluated.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Dict(BTreeMap<String, Value>),
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(d) => d.get(key),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// Nesting deeper than this is not a resource listing.
const MAX_DEPTH: usize = 32;

pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.space();
    match p.i == p.s.len() {
        true => Ok(v),
        false => Err(format!("unexpected text at byte {}", p.i)),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        match self.peek() == Some(c) {
            true => {
                self.i += 1;
                Ok(())
            }
            false => Err(format!("expected `{}` at byte {}", c as char, self.i)),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        match self.peek() {
            Some(b'{') => self.dict(depth),
            Some(b'[') => self.items(b']', depth).map(Value::List),
            Some(b'(') => {
                // pprint wraps long strings in parentheses as adjacent literals; a comma makes
                // a tuple, read as a list.
                let start = self.i;
                self.i += 1;
                let first = self.value(depth + 1)?;
                if self.peek() == Some(b')') {
                    self.i += 1;
                    return Ok(first);
                }
                self.i = start;
                self.items(b')', depth).map(Value::List)
            }
            Some(b'\'' | b'"') => {
                let mut s = self.string()?;
                while matches!(self.peek(), Some(b'\'' | b'"')) {
                    s.push_str(&self.string()?);
                }
                Ok(Value::Str(s))
            }
            Some(_) => self.word(),
            None => Err("unexpected end".into()),
        }
    }

    fn items(&mut self, close: u8, depth: usize) -> Result<Vec<Value>, String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            if self.peek() == Some(close) {
                self.i += 1;
                return Ok(out);
            }
            out.push(self.value(depth + 1)?);
            if self.peek() == Some(b',') {
                self.i += 1;
            } else {
                self.expect(close)?;
                return Ok(out);
            }
        }
    }

    fn dict(&mut self, depth: usize) -> Result<Value, String> {
        self.i += 1;
        let mut out = BTreeMap::new();
        loop {
            if self.peek() == Some(b'}') {
                self.i += 1;
                return Ok(Value::Dict(out));
            }
            let key = match self.value(depth + 1)? {
                Value::Str(s) => s,
                other => format!("{other:?}"),
            };
            self.expect(b':')?;
            out.insert(key, self.value(depth + 1)?);
            if self.peek() == Some(b',') {
                self.i += 1;
            } else {
                self.expect(b'}')?;
                return Ok(Value::Dict(out));
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let quote = self.s[self.i];
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = *self.s.get(self.i).ok_or("unterminated string")?;
            self.i += 1;
            match c {
                c if c == quote => break,
                b'\\' => {
                    let e = *self.s.get(self.i).ok_or("unterminated string")?;
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'x' => out.extend(self.code_point(2)?.encode_utf8(&mut [0; 4]).bytes()),
                        b'u' => out.extend(self.code_point(4)?.encode_utf8(&mut [0; 4]).bytes()),
                        b'U' => out.extend(self.code_point(8)?.encode_utf8(&mut [0; 4]).bytes()),
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| "a string that is not UTF-8".to_string())
    }

    fn code_point(&mut self, digits: usize) -> Result<char, String> {
        let hex = self
            .s
            .get(self.i..self.i + digits)
            .and_then(|h| std::str::from_utf8(h).ok())
            .ok_or("short escape")?;
        self.i += digits;
        u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| format!("bad escape `{hex}`"))
    }

    fn word(&mut self) -> Result<Value, String> {
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || b"+-._".contains(c))
        {
            self.i += 1;
        }
        let w = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        match w {
            "None" => Ok(Value::None),
            "True" => Ok(Value::Bool(true)),
            "False" => Ok(Value::Bool(false)),
            "" => Err(format!(
                "unexpected `{}` at byte {start}",
                self.s[start] as char
            )),
            w => w
                .parse::<i64>()
                .map(Value::Int)
                .or_else(|_| w.parse::<f64>().map(Value::Float))
                .map_err(|_| format!("unexpected `{w}` at byte {start}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_resource_as_labgrid_prints_it() {
        let text = "{'acquired': 'p1',\n 'avail': True,\n 'cls': 'NetworkSerialPort',\n 'params': {'extra': {'path': '/dev/pts/0',\n                      'proxy': 'localhost',\n                      'proxy_required': False},\n            'host': '127.0.0.1',\n            'port': 45441,\n            'speed': 115200}}";
        let v = parse(text).unwrap();
        assert_eq!(v.get("cls").and_then(Value::str), Some("NetworkSerialPort"));
        let params = v.get("params").unwrap();
        assert_eq!(params.get("port").and_then(Value::int), Some(45441));
        let extra = params.get("extra").unwrap();
        assert_eq!(extra.get("proxy_required"), Some(&Value::Bool(false)));
    }

    #[test]
    fn strings_escapes_wrapped_literals_none_and_tuples() {
        let v = parse(r#"{"it's": ('a\'b'  "c\x41\u00e9"), 'n': None, 't': (1, -2.5), 'l': []}"#)
            .unwrap();
        assert_eq!(v.get("it's").and_then(Value::str), Some("a'bcAé"));
        assert_eq!(v.get("n"), Some(&Value::None));
        assert_eq!(
            v.get("t"),
            Some(&Value::List(vec![Value::Int(1), Value::Float(-2.5)]))
        );
    }

    #[test]
    fn refuses_what_is_not_a_literal_without_panicking() {
        for bad in [
            "",
            "{",
            "{'a' 1}",
            "'open",
            "__import__('os')",
            "{'a': \\x}",
            "\"\\u12\"",
            "[1,,2]",
            &"[".repeat(100),
            "(1",
            "'\\xZZ'",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
