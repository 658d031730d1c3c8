//! `hilt catalogue`: the provisions of a version of EN 303 645 and the TS 103 701 test cases
//! that assess them, marking those this hilt automates; with `--units`, each unit's question.

use crate::standard::catalogue::Catalogue;
use std::fmt::Write;

pub fn render(c: &Catalogue, automated: &[&str], units: bool) -> String {
    let mut out = String::new();
    let cases: usize = c.provisions.iter().map(|p| p.test_cases.len()).sum();
    let _ = writeln!(
        out,
        "{} {} ({}): {} provisions, {} test cases of {}; * = automated by hilt",
        c.standard,
        c.version,
        c.id,
        c.provisions.len(),
        cases,
        c.test_specification
    );
    for (category, title) in c.categories_in_order() {
        let _ = writeln!(out, "\n{category} {title}");
        for p in c.provisions.iter().filter(|p| p.category() == category) {
            let _ = writeln!(out, "  {:<7} {:<12} {}", p.id, p.status_text(), p.summary);
            for t in &p.test_cases {
                let mark = if automated.contains(&t.id.as_str()) {
                    "*"
                } else {
                    " "
                };
                let letters: Vec<&str> = t.units.keys().map(String::as_str).collect();
                let _ = writeln!(
                    out,
                    "        {mark} {} {} ({})",
                    t.id,
                    t.kind.label(),
                    letters.join(", ")
                );
                if units {
                    for (letter, asks) in &t.units {
                        let _ = writeln!(out, "            ({letter}) {asks}");
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::catalogue;

    #[test]
    fn lists_every_provision_and_marks_the_automated_cases() {
        let c = catalogue::for_version("V2.1.1").unwrap();
        let text = render(c, &["5.1-1-2"], true);
        assert!(text.starts_with(
            "ETSI EN 303 645 V2.1.1 (en-303-645-v2.1.1): 68 provisions, 109 test cases"
        ));
        assert!(
            text.contains("        * 5.1-1-2 functional (a, b, c)"),
            "{text}"
        );
        assert!(text.contains("          5.1-1-1 conceptual (a)"));
        assert!(text.contains("\n6 Data protection provisions for consumer IoT\n"));
        assert_eq!(text.matches("            (").count(), 226);
    }
}
