//! What a program can tell from a published page: whether it is behind a sign-in, its readable
//! text, the support-period end dates and lengths it states, a contact and reporting timelines.
//! Text heuristics only ever confirm what is there; an absence they report is for the officer.

use crate::config::psti::Length;
use crate::transport::published::Fetched;
use regex::Regex;
use std::sync::LazyLock;

/// Why the page is not freely available, when hilt can tell.
pub fn barrier(f: &Fetched) -> Option<String> {
    let status = f.status?;
    if matches!(status, 401 | 403 | 407) {
        return Some(format!("answers {status}: it asks for authentication"));
    }
    if (400..500).contains(&status) {
        return Some(format!("answers {status}: not available"));
    }
    let path = reqwest::Url::parse(&f.final_url)
        .map(|u| u.path().to_ascii_lowercase())
        .unwrap_or_default();
    if ["login", "signin", "sign-in", "sign_in", "account"]
        .iter()
        .any(|w| path.contains(w))
        && !f.redirects.is_empty()
    {
        return Some(format!("redirects to a sign-in page ({})", f.final_url));
    }
    static PASSWORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?i)<input[^>]*type\s*=\s*["']?password"#).unwrap());
    if PASSWORD.is_match(&String::from_utf8_lossy(&f.body)) {
        return Some("the page asks for a password before showing anything".to_string());
    }
    None
}

/// The page's words: scripts, styles and tags dropped, common entities decoded, spaces folded.
pub fn text(body: &[u8]) -> String {
    static DROP: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?is)<(script|style)\b.*?</(script|style)\s*>").unwrap());
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").unwrap());
    let raw = String::from_utf8_lossy(body);
    let no_code = DROP.replace_all(&raw, " ");
    let no_tags = TAG.replace_all(&no_code, " ");
    let decoded = no_tags
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A month, with its day when the page gives one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatedDate {
    pub year: i32,
    pub month: u32,
    pub day: Option<u32>,
}

impl StatedDate {
    pub fn matches(&self, d: chrono::NaiveDate) -> bool {
        use chrono::Datelike;
        self.year == d.year()
            && self.month == d.month()
            && self.day.is_none_or(|day| day == d.day())
    }
}

impl std::fmt::Display for StatedDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.day {
            Some(d) => write!(f, "{:04}-{:02}-{d:02}", self.year, self.month),
            None => write!(f, "{:04}-{:02}", self.year, self.month),
        }
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| n.len() >= 3 && m.starts_with(&n))
        .map(|i| i as u32 + 1)
}

/// Dates written 2030-12-31, 31 December 2030, December 31, 2030, 31/12/2030 or December 2030.
pub fn dates(text: &str) -> Vec<StatedDate> {
    static ISO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").unwrap());
    static DMY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)? ([a-z]{3,9}),? (\d{4})\b").unwrap()
    });
    static MDY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b([a-z]{3,9}) (\d{1,2})(?:st|nd|rd|th)?, (\d{4})\b").unwrap()
    });
    static NUMERIC: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b").unwrap());
    static MY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b([a-z]{3,9}) (\d{4})\b").unwrap());
    let num = |s: &str| s.parse::<u32>().ok();
    let mut out = Vec::new();
    let push =
        |out: &mut Vec<StatedDate>, year: Option<u32>, month: Option<u32>, day: Option<u32>| {
            if let (Some(y), Some(m)) = (year, month) {
                let valid_day = day.is_none_or(|d| (1..=31).contains(&d));
                if (1..=12).contains(&m) && (1990..=2200).contains(&y) && valid_day {
                    let d = StatedDate {
                        year: y as i32,
                        month: m,
                        day,
                    };
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
            }
        };
    for c in ISO.captures_iter(text) {
        push(&mut out, num(&c[1]), num(&c[2]), num(&c[3]));
    }
    for c in DMY.captures_iter(text) {
        push(&mut out, num(&c[3]), month(&c[2]), num(&c[1]));
    }
    for c in MDY.captures_iter(text) {
        push(&mut out, num(&c[3]), month(&c[1]), num(&c[2]));
    }
    for c in NUMERIC.captures_iter(text) {
        // The UK writes day/month/year.
        push(&mut out, num(&c[3]), num(&c[2]), num(&c[1]));
    }
    for c in MY.captures_iter(text) {
        let (y, m) = (num(&c[2]), month(&c[1]));
        let known = out
            .iter()
            .any(|d| Some(d.year as u32) == y && Some(d.month) == m);
        if m.is_some() && !known {
            push(&mut out, y, m, None);
        }
    }
    out
}

/// Lengths such as "5 years", "five years" or "36 months".
pub fn lengths(text: &str) -> Vec<Length> {
    static LEN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve)[ -](years?|months?)\b").unwrap()
    });
    const WORDS: [&str; 12] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    let mut out = Vec::new();
    for c in LEN.captures_iter(text) {
        let n = c[1].to_ascii_lowercase();
        let n = n
            .parse::<u32>()
            .ok()
            .or_else(|| WORDS.iter().position(|w| *w == n).map(|i| i as u32 + 1));
        if let Some(l) = n.and_then(|n| Length::parse(&format!("{n} {}", &c[2]))) {
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out
}

/// An e-mail address, a mailto: link or a form: somewhere to send a report.
pub fn contact(body: &[u8]) -> Option<String> {
    static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,190}\.[a-z]{2,24}\b").unwrap()
    });
    let raw = String::from_utf8_lossy(body);
    if let Some(m) = EMAIL.find(&raw) {
        return Some(format!("e-mail address {}", m.as_str()));
    }
    let lower = raw.to_ascii_lowercase();
    if lower.contains("<form") {
        return Some("a web form".to_string());
    }
    None
}

/// A sentence that promises an acknowledgement or status updates within a time.
pub fn timelines(text: &str) -> Vec<String> {
    static SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)[^.!?]*\b(acknowledg\w*|status updates?|update you|keep you informed)\b[^.!?]*\b(\d+|one|two|three|five|seven|ten|fourteen|thirty)\s+(business |working |calendar )?(hours?|days?|weeks?)\b[^.!?]*").unwrap()
    });
    SENTENCE
        .find_iter(text)
        .take(4)
        .map(|m| m.as_str().trim().chars().take(300).collect())
        .collect()
}

/// The page's declared language (`<html lang>` or Content-Language), if any.
pub fn language(f: &Fetched) -> Option<String> {
    static LANG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)<html[^>]*\blang\s*=\s*["']?([a-z]{2,3}(-[a-z0-9]+)?)"#).unwrap()
    });
    let raw = String::from_utf8_lossy(&f.body);
    LANG.captures(&raw)
        .map(|c| c[1].to_string())
        .or_else(|| f.header("content-language").map(str::to_string))
}

#[cfg(test)]
mod tests;
