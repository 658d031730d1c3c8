//! A prompt login's own words, read off the unit: the prompt it shows, the one after a user
//! name, and what it says to a wrong password. hilt sends a random user name and password that
//! no unit holds, so the dialogue cannot log in or lock out a real account.

use crate::transport::expect::Channel;
use std::time::Duration;

/// What the unit said at each step; None where it said nothing that reads as that step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dialogue {
    pub first: String,
    pub login_prompt: Option<String>,
    pub password_prompt: Option<String>,
    pub failure: Option<String>,
}

/// Most device output is short; a longer answer is cut, not read whole.
const LIMIT: usize = 8192;

/// `wake`: what to send first (a console waits for a newline; telnet speaks first).
pub async fn converse(ch: &mut Channel, wake: bool) -> Dialogue {
    if wake && ch.send("\r\n", false).await.is_err() {
        return Dialogue::default();
    }
    let first = text(&ch.gather(Duration::from_secs(3), LIMIT).await);
    let mut d = Dialogue {
        login_prompt: prompt_line(&first),
        first,
        ..Dialogue::default()
    };
    if d.login_prompt.is_none() {
        return d;
    }
    let user = format!("hilt{}", &crate::util::token::fresh()[..8]);
    if ch.send(&format!("{user}\r\n"), false).await.is_err() {
        return d;
    }
    let after_user = text(&ch.gather(Duration::from_secs(3), LIMIT).await);
    d.password_prompt = prompt_line(&after_user);
    if d.password_prompt.is_none() {
        return d;
    }
    let password = crate::util::token::fresh();
    if ch.send(&format!("{password}\r\n"), true).await.is_err() {
        return d;
    }
    // PAM and most shells pause a few seconds before they answer a wrong password.
    let after_password = text(&ch.gather(Duration::from_secs(6), LIMIT).await);
    d.failure = after_password
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && Some(*l) != d.login_prompt.as_deref().map(str::trim))
        .map(String::from);
    d
}

/// Printable ASCII and line ends; a device's other bytes (colours, control codes) are dropped.
pub(super) fn text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .filter(|b| matches!(b, b'\r' | b'\n' | 0x20..=0x7e))
        .map(|&b| b as char)
        .collect()
}

/// The last line, when it waits for input the way prompts do (`login: `, `Password:`).
fn prompt_line(said: &str) -> Option<String> {
    let last = said.lines().rev().find(|l| !l.trim().is_empty())?;
    let trimmed = last.trim_end();
    (trimmed.ends_with(':') || trimmed.ends_with('>')).then(|| last.to_string())
}

/// A pattern for a prompt line: its last word and what ends it, at the end of the output, so
/// a host name before it (`box-42 login: `) does not tie the pattern to one unit.
pub fn prompt_pattern(line: &str) -> String {
    let trimmed = line.trim_end();
    let word = trimmed
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or(trimmed);
    format!(r"{}\s*$", regex::escape(word))
}

/// A pattern for the failure answer: the line itself, as the unit wrote it.
pub fn failure_pattern(line: &str) -> String {
    regex::escape(line.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_keep_their_last_word_and_drop_the_host_name() {
        assert_eq!(prompt_pattern("stock-box login: "), r"login:\s*$");
        assert_eq!(prompt_pattern("Password: "), r"Password:\s*$");
        assert_eq!(prompt_pattern("User Name:"), r"Name:\s*$");
        assert_eq!(failure_pattern(" Login incorrect \r"), "Login incorrect");
        assert_eq!(
            failure_pattern("Access denied (1)."),
            r"Access denied \(1\)\."
        );
    }

    #[test]
    fn only_a_line_waiting_for_input_is_a_prompt() {
        assert_eq!(
            prompt_line("Welcome\r\nbox login: ").as_deref(),
            Some("box login: ")
        );
        assert_eq!(prompt_line("Welcome to the box\r\n"), None);
        assert_eq!(prompt_line(""), None);
    }
}
