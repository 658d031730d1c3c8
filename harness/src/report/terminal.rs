//! libtest-style lines on standard output as verdicts arrive (`--format pretty|terse|json`),
//! so tools that read `cargo test` output read a run too: PASS is `ok`, FAIL and INCONCLUSIVE
//! are `FAILED` (with the verdict in the message), N/A and MANUAL are `ignored`.

use crate::model::event::{Event, Reporter, ReporterError};
use crate::model::verdict::Verdict;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pretty,
    Terse,
    Json,
}

pub struct Terminal<W: Write + Send> {
    out: W,
    format: Format,
    name_width: usize,
    filtered_out: usize,
    passed: usize,
    ignored: usize,
    /// (name, message) of each case that did not pass, for the closing list.
    failed: Vec<(String, String)>,
}

impl<W: Write + Send> Terminal<W> {
    pub fn new(out: W, format: Format) -> Self {
        Terminal {
            out,
            format,
            name_width: 0,
            filtered_out: 0,
            passed: 0,
            ignored: 0,
            failed: vec![],
        }
    }

    fn verdict(
        &mut self,
        name: &str,
        verdict: Verdict,
        text: &str,
        message: &str,
    ) -> std::io::Result<()> {
        let (word, terse, json) = match verdict {
            Verdict::Pass => ("ok".to_string(), '.', "ok"),
            Verdict::Fail | Verdict::Inconclusive => ("FAILED".to_string(), 'F', "failed"),
            Verdict::NotApplicable | Verdict::Manual => {
                (format!("ignored ({text}: {message})"), 'i', "ignored")
            }
        };
        match verdict {
            Verdict::Pass => self.passed += 1,
            Verdict::Fail | Verdict::Inconclusive => self
                .failed
                .push((name.to_string(), format!("{text}: {message}"))),
            Verdict::NotApplicable | Verdict::Manual => self.ignored += 1,
        }
        match self.format {
            Format::Pretty => writeln!(self.out, "test {name:<0$} ... {word}", self.name_width),
            Format::Terse => write!(self.out, "{terse}"),
            Format::Json => {
                let stdout = match verdict {
                    Verdict::Fail | Verdict::Inconclusive => format!(
                        r#", "stdout": {}"#,
                        json_string(&format!("Error: \"{text}: {message}\"\n"))
                    ),
                    _ => String::new(),
                };
                let name = json_string(name);
                writeln!(
                    self.out,
                    r#"{{ "type": "test", "event": "started", "name": {name} }}
{{ "type": "test", "name": {name}, "event": "{json}"{stdout} }}"#
                )
            }
        }
    }

    fn finish(&mut self, elapsed: std::time::Duration) -> std::io::Result<()> {
        let failed = self.failed.len();
        let seconds = elapsed.as_secs_f64();
        if self.format == Format::Json {
            return writeln!(
                self.out,
                r#"{{ "type": "suite", "event": "{}", "passed": {}, "failed": {failed}, "ignored": {}, "measured": 0, "filtered_out": {}, "exec_time": {seconds} }}"#,
                if failed > 0 { "failed" } else { "ok" },
                self.passed,
                self.ignored,
                self.filtered_out,
            );
        }
        if self.format == Format::Terse {
            writeln!(self.out)?;
        }
        if failed > 0 {
            writeln!(self.out, "\nfailures:\n")?;
            for (name, message) in &self.failed {
                writeln!(self.out, "---- {name} ----\n{message}\n")?;
            }
            writeln!(self.out, "\nfailures:")?;
            for (name, _) in &self.failed {
                writeln!(self.out, "    {name}")?;
            }
        }
        writeln!(
            self.out,
            "\ntest result: {}. {} passed; {failed} failed; {} ignored; 0 measured; {} filtered out; finished in {seconds:.2}s\n",
            if failed > 0 { "FAILED" } else { "ok" },
            self.passed,
            self.ignored,
            self.filtered_out,
        )
    }
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

impl<W: Write + Send> Reporter for Terminal<W> {
    fn on(&mut self, event: &Event<'_>) -> Result<(), ReporterError> {
        let written = match event {
            Event::Started {
                planned,
                filtered_out,
                name_width,
            } => {
                self.filtered_out = *filtered_out;
                self.name_width = *name_width;
                let s = if *planned == 1 { "" } else { "s" };
                match self.format {
                    Format::Json => writeln!(
                        self.out,
                        r#"{{ "type": "suite", "event": "started", "test_count": {planned} }}"#
                    ),
                    _ => writeln!(self.out, "\nrunning {planned} test{s}"),
                }
            }
            Event::Verdict { name, record } => {
                let r = &record.result;
                self.verdict(name, r.verdict, &r.verdict_text(), &r.message)
            }
            Event::Finished { elapsed, .. } => self.finish(*elapsed),
            Event::SampleUp { .. }
            | Event::CaseStarted { .. }
            | Event::Tick { .. }
            | Event::Interrupted => Ok(()),
        };
        written
            .and_then(|()| self.out.flush())
            .map_err(|e| ReporterError::new("terminal", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::case::CaseSpec;
    use crate::model::record::CaseRecord;
    use crate::model::verdict::{CaseResult, Cause};

    fn record(result: CaseResult) -> CaseRecord {
        CaseRecord {
            slot: "s1".into(),
            spec: CaseSpec {
                id: "5.1-1-2",
                provision: "5.1-1",
                title: "t",
                decision_rule: "r",
            },
            result,
            evidence: vec![],
        }
    }

    fn run(format: Format) -> String {
        let mut out = Vec::new();
        let mut t = Terminal::new(&mut out, format);
        let started = Event::Started {
            planned: 3,
            filtered_out: 1,
            name_width: 10,
        };
        t.on(&started).unwrap();
        let pass = record(CaseResult::new(Verdict::Pass, "fine"));
        let stuck = record(CaseResult::not_performed(Cause::Bench, "no probe"));
        let na = record(CaseResult::new(Verdict::NotApplicable, "ICS N/A"));
        for (name, r) in [("s1::a", &pass), ("s1::b", &stuck), ("s1::c", &na)] {
            t.on(&Event::Verdict { name, record: r }).unwrap();
        }
        t.on(&Event::Finished {
            interrupted: false,
            elapsed: std::time::Duration::from_millis(1500),
        })
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pretty_reads_like_libtest() {
        let out = run(Format::Pretty);
        assert!(out.starts_with("\nrunning 3 tests\n"), "{out}");
        assert!(out.contains("test s1::a      ... ok\n"), "{out}");
        assert!(out.contains("test s1::b      ... FAILED\n"), "{out}");
        assert!(out.contains("... ignored (N/A: ICS N/A)\n"), "{out}");
        assert!(
            out.contains("---- s1::b ----\nINCONCLUSIVE (bench): no probe\n"),
            "{out}"
        );
        assert!(out.contains("test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 1 filtered out; finished in 1.50s"), "{out}");
    }

    #[test]
    fn json_lines_parse() {
        for line in run(Format::Json).lines() {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert!(v["type"].is_string());
        }
    }
}
