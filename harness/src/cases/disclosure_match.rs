//! Where an item of the unit's identity stands in an answer, for 5.6-2-2. A long spelling is
//! distinctive enough on its own; a short one ("1.2", a serial "42") is taken only as a whole
//! token right after a word that names it, or it would be found in every page. A MAC that a
//! standard puts in a protocol field is no disclosure of the unit's choosing (TS 103 701 5.6-2).

use crate::config::profile::Disclosure;

/// Spellings shorter than this are looked for in context only.
const DISTINCTIVE: usize = 4;
/// How far before a short spelling the word naming it may stand.
const CONTEXT: usize = 24;

/// The words a page puts before an item to name it.
pub fn words_naming(item: Disclosure) -> &'static [&'static str] {
    match item {
        Disclosure::FirmwareVersion => &[
            "version", "ver", "firmware", "fw", "sw", "software", "rev", "release",
        ],
        Disclosure::Serial => &[
            "serial",
            "serialnumber",
            "serial number",
            "serial_number",
            "serial no",
            "sn",
            "s/n",
        ],
        Disclosure::Mac | Disclosure::ComponentVersions => &[],
    }
}

/// The first place `spelling` stands in `hay` as the item `names` name.
pub fn locate(hay: &[u8], spelling: &str, names: &[&str]) -> Option<usize> {
    let needle = spelling.as_bytes();
    if needle.is_empty() {
        return None;
    }
    let mut at = occurrences(hay, needle);
    if needle.len() >= DISTINCTIVE {
        return at.next();
    }
    at.find(|&i| whole_token(hay, i, needle.len()) && named_before(hay, i, names))
}

/// Every start of `needle` in `hay`.
pub fn occurrences<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let n = needle.len().max(1);
    hay.windows(n)
        .enumerate()
        .filter(move |(_, w)| *w == needle)
        .map(|(i, _)| i)
}

fn part_of_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.'
}

fn whole_token(hay: &[u8], at: usize, len: usize) -> bool {
    let after_ok = hay.get(at + len).is_none_or(|&b| !part_of_token(b));
    // `v1.2`: a `v` glued to the version names it.
    let before_ok = match at.checked_sub(1).map(|i| hay[i]) {
        None => true,
        Some(b'v' | b'V') => at < 2 || !hay[at - 2].is_ascii_alphanumeric(),
        Some(b) => !part_of_token(b),
    };
    after_ok && before_ok
}

fn named_before(hay: &[u8], at: usize, names: &[&str]) -> bool {
    // `v1.2`, or a product token's `Name/1.2` as a Server: header writes it.
    let glued = match at {
        0 => false,
        _ => {
            matches!(hay[at - 1], b'v' | b'V')
                || (hay[at - 1] == b'/' && product_token_before(&hay[..at - 1]))
        }
    };
    if glued {
        return true;
    }
    let window = String::from_utf8_lossy(&hay[at.saturating_sub(CONTEXT)..at]).to_ascii_lowercase();
    let trimmed = window.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | '=' | '"' | '\'' | '>' | '#' | '(' | '[')
    });
    names.iter().any(|n| {
        trimmed.ends_with(n)
            && !trimmed[..trimmed.len() - n.len()]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Does `before` end in a product name (not a protocol's, as `HTTP/1.1` is)?
fn product_token_before(before: &[u8]) -> bool {
    let start = before
        .iter()
        .rposition(|b| !b.is_ascii_alphanumeric())
        .map_or(0, |i| i + 1);
    let name = String::from_utf8_lossy(&before[start..]);
    !name.is_empty() && !super::disclosed_versions::is_protocol(&name)
}

/// The standard that puts a MAC at `at` (`len` bytes) in `hay`, if one does. RFC 4122 section
/// 4.1.6 makes the node field of a time-based (version 1) UUID the IEEE 802 address of the
/// host that made it; UPnP's UDN and SSDP's USN are such UUIDs on many units.
pub fn mac_placed_by_standard(hay: &[u8], at: usize, len: usize) -> Option<&'static str> {
    // 8-4-4-4-12: the node is the last 12 hex digits, right after the fourth hyphen.
    const BEFORE_NODE: usize = 8 + 1 + 4 + 1 + 4 + 1 + 4 + 1;
    if len != 12 || at < BEFORE_NODE {
        return None;
    }
    let uuid = &hay[at - BEFORE_NODE..at + len];
    let hyphens = [8, 13, 18, 23];
    let shaped = uuid
        .iter()
        .enumerate()
        .all(|(i, &b)| match hyphens.contains(&i) {
            true => b == b'-',
            false => b.is_ascii_hexdigit(),
        });
    let whole = hay.get(at + len).is_none_or(|b| !b.is_ascii_hexdigit())
        && (at == BEFORE_NODE || !hay[at - BEFORE_NODE - 1].is_ascii_hexdigit());
    (shaped && whole && uuid[14] == b'1')
        .then_some("the node field of a version-1 UUID (RFC 4122 section 4.1.6), as in a UPnP UDN")
}

pub fn mac_spellings(mac: &str) -> Vec<String> {
    let hex: String = mac.chars().filter(char::is_ascii_hexdigit).collect();
    let lower = hex.to_ascii_lowercase();
    let pairs: Vec<&str> = (0..lower.len())
        .step_by(2)
        .filter_map(|i| lower.get(i..i + 2))
        .collect();
    let mut v = vec![pairs.join(":"), pairs.join("-"), lower.clone()];
    v.extend(v.clone().iter().map(|s| s.to_ascii_uppercase()));
    v
}

pub fn excerpt(bytes: &[u8], at: usize, len: usize) -> String {
    let start = at.saturating_sub(40);
    let end = (at + len + 40).min(bytes.len());
    crate::evidence::printable(&bytes[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const VERSION: &[&str] = &["version", "firmware", "fw"];

    #[rstest]
    #[case::named(b"<p>Firmware version: 1.2</p>", Some(21))]
    #[case::glued_v(b"build v1.2 ready", Some(7))]
    #[case::json(b"{\"fw\":\"1.2\"}", Some(7))]
    #[case::product_token(b"Server: VC100/1.2 (httpd)", Some(14))]
    #[case::a_path(b"GET /1.2 HTTP/1.0", None)]
    #[case::a_protocol_version(b"HTTP/1.2 200 OK", None)]
    #[case::inside_a_longer_version(b"version 11.2.3", None)]
    #[case::unnamed(b"HTTP/1.1 200 OK\r\nContent-Length: 1.2", None)]
    #[case::name_inside_a_word(b"newfw 1.2", None)]
    fn a_short_version_counts_only_in_context(#[case] hay: &[u8], #[case] want: Option<usize>) {
        assert_eq!(locate(hay, "1.2", VERSION), want);
    }

    #[test]
    fn a_long_spelling_counts_anywhere() {
        assert_eq!(locate(b"x1.4.2y", "1.4.2", VERSION), Some(1));
        assert_eq!(locate(b"anything", "", VERSION), None);
    }

    #[test]
    fn mac_spellings_cover_separators_and_case() {
        let v = mac_spellings("02:56:43:0a:bb:cc");
        for s in [
            "02:56:43:0a:bb:cc",
            "02-56-43-0A-BB-CC",
            "0256430abbcc",
            "0256430ABBCC",
        ] {
            assert!(v.contains(&s.to_string()), "{s} in {v:?}");
        }
    }

    #[rstest]
    #[case::uuid_v1(
        b"USN: uuid:5f9ec1b2-3ed7-11ee-8c90-0256430abbcc::upnp:rootdevice",
        true
    )]
    #[case::uuid_v4(b"uuid:5f9ec1b2-3ed7-41ee-8c90-0256430abbcc", false)]
    #[case::bare(b"<mac>0256430abbcc</mac>", false)]
    #[case::longer_hex(b"5f9ec1b2-3ed7-11ee-8c90-0256430abbcc99", false)]
    fn a_mac_in_a_version_1_uuid_is_placed_by_its_standard(
        #[case] hay: &[u8],
        #[case] placed: bool,
    ) {
        let at = locate(hay, "0256430abbcc", &[]).unwrap();
        assert_eq!(mac_placed_by_standard(hay, at, 12).is_some(), placed);
    }

    #[test]
    fn hostile_bytes_are_read_without_panic() {
        let noise: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        for s in ["v", "1.", "ab", "0256430abbcc"] {
            let _ = locate(&noise, s, VERSION);
            for at in occurrences(&noise, s.as_bytes()) {
                let _ = mac_placed_by_standard(&noise, at, s.len());
            }
        }
    }
}
