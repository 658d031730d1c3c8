//! The three reports of a run checked by tools independent of hilt: xmllint with the JUnit
//! XSD, Python's jsonschema, Python's HTML parser.

use std::path::Path;
use std::process::Command;

/// report.json against its published schema, with an independent validator (Python jsonschema).
pub fn meets_the_report_schema(report: &Path) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json");
    let check = Command::new("python3")
        .args(["-c", "import json, sys, jsonschema\njsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])), cls=jsonschema.Draft202012Validator)"])
        .arg(&schema)
        .arg(report)
        .output()
        .expect("python3 with jsonschema (installed by scripts/setup)");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// A JUnit file against the JUnit XSD, with xmllint.
pub fn assert_junit_valid(junit: &Path) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit-10.xsd");
    let check = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(junit)
        .output()
        .expect("xmllint (Debian package libxml2-utils, installed by scripts/setup)");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// junit.xml against the JUnit XSD (xmllint), report.json against its schema, report.html
/// through a strict HTML parse; and none of the three carries a character that could hide or
/// fake text (ESC, a bare CR, U+FFFF, a bidi override).
pub fn assert_reports_valid(run_dir: &Path) {
    assert_junit_valid(&run_dir.join("junit.xml"));
    meets_the_report_schema(&run_dir.join("report.json"));
    // html5lib is not on every machine; Python's own parser, made to fail on anything odd.
    let html = Command::new("python3")
        .args(["-c", "import sys, html.parser\nclass P(html.parser.HTMLParser):\n    def __init__(s):\n        super().__init__(); s.open = []\n    def handle_starttag(s, t, a):\n        if t not in ('meta','br','img','hr','input','link','col','wbr','path','rect','line','circle','polyline','text','stop'): s.open.append(t)\n    def handle_endtag(s, t):\n        if t in ('path','rect','line','circle','polyline','text','stop'): return\n        assert s.open and s.open[-1] == t, f'</{t}> closes {s.open[-1:]} at {s.getpos()}'\n        s.open.pop()\np = P(); p.feed(open(sys.argv[1], encoding='utf-8').read()); p.close()\nassert not p.open, f'unclosed: {p.open}'\n"])
        .arg(run_dir.join("report.html"))
        .output()
        .unwrap();
    assert!(
        html.status.success(),
        "report.html: {}",
        String::from_utf8_lossy(&html.stderr)
    );
    for file in ["junit.xml", "report.json", "report.html"] {
        let text = std::fs::read_to_string(run_dir.join(file)).unwrap();
        for bad in ['\u{1b}', '\r', '\u{ffff}', '\u{202e}'] {
            assert!(!text.contains(bad), "{file} holds {bad:?}");
        }
    }
}

/// What the device sent in a transcript, joined: the transcript keeps its chunks as they came,
/// one `<` line each, so a banner may be cut across lines.
pub fn device_text(log: &str) -> String {
    log.lines()
        .filter_map(|l| l.split_once("s < ").map(|(_, text)| text))
        .collect()
}
