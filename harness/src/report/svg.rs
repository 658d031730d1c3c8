//! report.html's pictures, as inline SVG (no script, no external file): a brute-force series
//! as latency bars with the threshold drawn, and a sample's ports against its declaration.

use super::html::escape;
use crate::model::figure::{AttemptPoint, Figure, PortMark, UpdateStep};
use std::fmt::Write;

pub fn render(f: &Figure) -> String {
    match f {
        Figure::Attempts {
            mechanism,
            declared_after,
            undeclared_threshold,
            attempts,
        } => attempts_chart(mechanism, *declared_after, *undeclared_threshold, attempts),
        Figure::Ports { tcp, udp } => port_map(tcp, udp),
        Figure::UpdateBattery {
            mechanism,
            version_before,
            steps,
        } => battery_row(mechanism, version_before, steps),
    }
}

const W: f64 = 640.0;
const H: f64 = 190.0;
const LEFT: f64 = 56.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 34.0;

fn colour(outcome: &str) -> &'static str {
    match outcome {
        "rejected" => "#6a9",
        "locked" => "#c33",
        "accepted" => "#339",
        _ => "#999",
    }
}

fn attempts_chart(
    mechanism: &str,
    declared: Option<u32>,
    undeclared: Option<u32>,
    attempts: &[AttemptPoint],
) -> String {
    let n = attempts.len().max(1) as f64;
    let (plot_w, plot_h) = (W - LEFT - 10.0, H - TOP - BOTTOM);
    let top_ms = attempts.iter().map(|a| a.latency_ms).fold(1.0, f64::max);
    let step = plot_w / n;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-size=\"11\" font-family=\"sans-serif\">\
         <title>{m}: latency of each wrong-password attempt</title>\
         <text x=\"{LEFT}\" y=\"14\" font-weight=\"bold\">{m}: {} attempts, latency per attempt</text>",
        attempts.len(),
        m = escape(mechanism)
    );
    let base = TOP + plot_h;
    let _ = write!(s, "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#444\"/><line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{base}\" stroke=\"#444\"/>", LEFT + plot_w);
    let _ = write!(s, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{top_ms:.0} ms</text><text x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>", LEFT - 4.0, TOP + 8.0, LEFT - 4.0);
    for (i, a) in attempts.iter().enumerate() {
        let h = (a.latency_ms / top_ms * plot_h).max(1.0);
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>attempt {}: {} after {:.1} ms</title></rect>",
            LEFT + i as f64 * step + step * 0.1,
            base - h,
            (step * 0.8).max(0.5),
            colour(&a.outcome),
            i + 1,
            escape(&a.outcome),
            a.latency_ms
        );
    }
    let marks = [
        declared.map(|d| (d, "declared lockout after")),
        undeclared.map(|d| (d, "threshold with nothing declared:")),
    ];
    for (after, label) in marks.into_iter().flatten() {
        let x = LEFT + (after as f64).min(n) * step;
        // The label sits on the side of the line with room for it.
        let (tx, anchor) = if x > W / 2.0 {
            (x - 4.0, "end")
        } else {
            (x + 4.0, "start")
        };
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{base}\" stroke=\"#c33\" stroke-dasharray=\"4 3\"/><text x=\"{tx:.1}\" y=\"{}\" fill=\"#c33\" text-anchor=\"{anchor}\">{label} {after}</text>",
            TOP + 10.0
        );
    }
    let _ = write!(
        s,
        "<text x=\"{LEFT}\" y=\"{}\">attempt 1 to {} &#183; </text>{}</svg>",
        H - 8.0,
        attempts.len(),
        legend(
            LEFT + 110.0,
            H - 8.0,
            &[
                ("#6a9", "refused"),
                ("#c33", "locked out"),
                ("#339", "accepted"),
                ("#999", "other")
            ]
        )
    );
    s
}

fn legend(x: f64, y: f64, items: &[(&str, &str)]) -> String {
    let mut s = String::new();
    let mut at = x;
    for (fill, text) in items {
        let _ = write!(s, "<rect x=\"{at}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{fill}\" stroke=\"#666\"/><text x=\"{}\" y=\"{y}\">{text}</text>", y - 9.0, at + 14.0);
        at += 22.0 + 5.6 * text.len() as f64;
    }
    s
}

const CHIP_W: f64 = 58.0;
const CHIP_H: f64 = 22.0;
const PER_LINE: usize = 9;

/// (fill, stroke, dashed) for a port: declared and open, open but not declared (or declared
/// disabled), declared but not found, declared disabled and closed.
fn chip_style(p: &PortMark) -> (&'static str, &'static str, bool) {
    match (p.found, p.declared, p.declared_disabled) {
        (true, true, _) => ("#d8f0d8", "#494", false),
        (true, false, _) => ("#f6d0d0", "#b00", false),
        (false, true, _) => ("#fff", "#888", true),
        (false, false, _) => ("#eee", "#aaa", false),
    }
}

fn port_map(tcp: &[PortMark], udp: &[PortMark]) -> String {
    let lines = |ports: &[PortMark]| ports.len().div_ceil(PER_LINE).max(1);
    let height = 30.0 + (lines(tcp) + lines(udp)) as f64 * (CHIP_H + 6.0) + 34.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{W}\" height=\"{height}\" viewBox=\"0 0 {W} {height}\" font-size=\"11\" font-family=\"sans-serif\">\
         <title>ports found against ports declared</title><text x=\"4\" y=\"14\" font-weight=\"bold\">Ports found against the declaration</text>"
    );
    let mut y = 26.0;
    for (name, ports) in [("TCP", tcp), ("UDP", udp)] {
        let _ = write!(s, "<text x=\"4\" y=\"{}\">{name}</text>", y + 15.0);
        if ports.is_empty() {
            let _ = write!(
                s,
                "<text x=\"44\" y=\"{}\" fill=\"#666\">none declared, none found</text>",
                y + 15.0
            );
        }
        for (i, p) in ports.iter().enumerate() {
            let (fill, stroke, dashed) = chip_style(p);
            let x = 44.0 + (i % PER_LINE) as f64 * (CHIP_W + 4.0);
            let row_y = y + (i / PER_LINE) as f64 * (CHIP_H + 6.0);
            let dash = if dashed {
                " stroke-dasharray=\"3 2\""
            } else {
                ""
            };
            let _ = write!(
                s,
                "<rect x=\"{x}\" y=\"{row_y}\" width=\"{CHIP_W}\" height=\"{CHIP_H}\" rx=\"3\" fill=\"{fill}\" stroke=\"{stroke}\"{dash}/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + CHIP_W / 2.0,
                row_y + 15.0,
                p.port
            );
        }
        y += lines(ports) as f64 * (CHIP_H + 6.0);
    }
    let _ = write!(
        s,
        "{}</svg>",
        legend(
            4.0,
            height - 10.0,
            &[
                ("#d8f0d8", "declared, open"),
                ("#f6d0d0", "open, undeclared or disabled"),
                ("#fff", "declared, closed"),
                ("#eee", "disabled, closed")
            ]
        )
    );
    s
}

const STEP_W: f64 = 150.0;
const STEP_H: f64 = 48.0;
const STEPS_PER_LINE: usize = 4;

/// Green where the unit did what it should, red where not, grey where the step was not made.
fn step_fill(s: &UpdateStep) -> &'static str {
    match (s.expected.as_str(), s.observed.as_str()) {
        (_, "not performed" | "not attempted") => "#e8e8e8",
        ("refused", "refused") | ("installed", "installed") => "#d8f0d8",
        ("boots", "refused" | "installed") => "#d8f0d8",
        _ => "#f6d0d0",
    }
}

fn battery_row(mechanism: &str, before: &str, steps: &[UpdateStep]) -> String {
    let lines = steps.len().div_ceil(STEPS_PER_LINE).max(1);
    let height = 30.0 + lines as f64 * (STEP_H + 8.0) + 24.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{W}\" height=\"{height}\" viewBox=\"0 0 {W} {height}\" font-size=\"10\" font-family=\"sans-serif\">\
         <title>update battery on {m}</title><text x=\"4\" y=\"14\" font-size=\"11\" font-weight=\"bold\">{m}: images in the order sent, from firmware {b}</text>",
        m = escape(mechanism),
        b = escape(before)
    );
    for (i, step) in steps.iter().enumerate() {
        let x = 4.0 + (i % STEPS_PER_LINE) as f64 * (STEP_W + 4.0);
        let y = 24.0 + (i / STEPS_PER_LINE) as f64 * (STEP_H + 8.0);
        let after = step
            .version_after
            .as_deref()
            .map(escape)
            .unwrap_or_else(|| "-".into());
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{STEP_W}\" height=\"{STEP_H}\" rx=\"3\" fill=\"{}\" stroke=\"#888\"><title>{}: expected {}, observed {}</title></rect>\
             <text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text><text x=\"{}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\">then {after}</text>",
            step_fill(step),
            escape(&step.name),
            escape(&step.expected),
            escape(&step.observed),
            x + 4.0,
            y + 13.0,
            escape(&step.name),
            x + 4.0,
            y + 27.0,
            escape(&step.observed),
            x + 4.0,
            y + 41.0
        );
    }
    let _ = write!(
        s,
        "{}</svg>",
        legend(
            4.0,
            height - 8.0,
            &[
                ("#d8f0d8", "as it should"),
                ("#f6d0d0", "misuse possible or unit lost"),
                ("#e8e8e8", "not made")
            ]
        )
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_draws_one_bar_per_attempt_and_the_threshold() {
        let attempts: Vec<AttemptPoint> = (0..7)
            .map(|i| AttemptPoint {
                sent_ms: i as f64 * 10.0,
                latency_ms: 5.0,
                outcome: if i < 5 { "rejected" } else { "locked" }.into(),
            })
            .collect();
        let svg = render(&Figure::Attempts {
            mechanism: "web<admin>".into(),
            declared_after: Some(5),
            undeclared_threshold: None,
            attempts,
        });
        assert_eq!(
            svg.matches("<rect x=").count(),
            7 + 4,
            "7 bars and 4 legend keys"
        );
        assert!(svg.contains("declared lockout after 5") && svg.contains("web&lt;admin&gt;"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn an_installed_misuse_image_is_red_and_the_valid_one_green() {
        let step = |name: &str, expected: &str, observed: &str| UpdateStep {
            name: name.into(),
            expected: expected.into(),
            observed: observed.into(),
            version_after: Some("1.7.0".into()),
        };
        let svg = render(&Figure::UpdateBattery {
            mechanism: "admin-upload".into(),
            version_before: "1.4.2".into(),
            steps: vec![
                step("older", "refused", "installed"),
                step("valid", "installed", "installed"),
            ],
        });
        assert!(svg.contains(
            "fill=\"#f6d0d0\" stroke=\"#888\"><title>older: expected refused, observed installed"
        ));
        assert!(svg.contains("fill=\"#d8f0d8\" stroke=\"#888\"><title>valid: expected installed"));
        assert!(svg.contains("then 1.7.0"));
    }

    #[test]
    fn an_undeclared_open_port_is_marked_red() {
        let mark = |port, declared, found| PortMark {
            port,
            declared,
            declared_disabled: false,
            found,
        };
        let svg = render(&Figure::Ports {
            tcp: vec![mark(8443, true, true), mark(23, false, true)],
            udp: vec![],
        });
        assert!(
            svg.contains("fill=\"#f6d0d0\" stroke=\"#b00\"/><text x=\"")
                && svg.contains(">23</text>")
        );
        assert!(svg.contains("none declared, none found"));
    }
}
