//! Finds the declared regions (header, payload, signature, ...) in one image's bytes.

use crate::config::update::{ByteOrder, Field, ImageLayout, Length, Offset, Region};
use std::collections::BTreeMap;
use std::ops::Range;

pub type Regions = BTreeMap<String, Range<usize>>;

/// Every region of `layout` in `image`; an error names the region that does not fit.
pub fn locate(layout: &ImageLayout, image: &[u8]) -> Result<Regions, String> {
    let mut found = Regions::new();
    // Regions may refer to each other (`after: header`); resolve until nothing changes.
    for _ in 0..=layout.regions.len() {
        for (name, region) in layout.regions.iter() {
            if found.contains_key(name) {
                continue;
            }
            if let Some(range) = resolve(region, image, &found)? {
                if range.start > range.end || range.end > image.len() {
                    return Err(format!(
                        "region `{name}` would be bytes {}..{} of a {}-byte image",
                        range.start,
                        range.end,
                        image.len()
                    ));
                }
                found.insert(name.clone(), range);
            }
        }
    }
    match layout.regions.keys().find(|k| !found.contains_key(*k)) {
        Some(name) => Err(format!(
            "region `{name}` refers to a region that cannot be placed"
        )),
        None => Ok(found),
    }
}

/// `None` while a region it refers to is not placed yet.
fn resolve(r: &Region, image: &[u8], found: &Regions) -> Result<Option<Range<usize>>, String> {
    let offset = |o: &Offset| -> Result<Option<usize>, String> {
        Ok(match o {
            Offset::At(n) => Some(absolute(*n, image.len())?),
            Offset::After { after } => found.get(after).map(|r| r.end),
            Offset::Before { before } => found.get(before).map(|r| r.start),
        })
    };
    let length = r
        .length
        .as_ref()
        .map(|l| match l {
            Length::Bytes(n) => usize::try_from(*n).map_err(|_| "length too large".to_string()),
            Length::Read { read } => read_field(read, image),
        })
        .transpose()?;
    let start = match &r.start {
        Some(o) => match offset(o)? {
            Some(s) => Some(s),
            None => return Ok(None),
        },
        None => None,
    };
    let end = match &r.end {
        Some(o) => match offset(o)? {
            Some(e) => Some(e),
            None => return Ok(None),
        },
        None => None,
    };
    let range = match (start, end, length) {
        (Some(s), Some(e), _) => s..e,
        (Some(s), None, Some(l)) => s..s.saturating_add(l),
        (Some(s), None, None) => s..image.len(),
        (None, Some(e), Some(l)) => e
            .checked_sub(l)
            .map(|s| s..e)
            .ok_or_else(|| format!("a length of {l} does not fit before byte {e}"))?,
        (None, Some(e), None) => 0..e,
        (None, None, Some(l)) => 0..l,
        (None, None, None) => 0..image.len(),
    };
    Ok(Some(range))
}

fn absolute(offset: i64, len: usize) -> Result<usize, String> {
    if offset >= 0 {
        usize::try_from(offset).map_err(|_| "offset too large".to_string())
    } else {
        let back = usize::try_from(offset.unsigned_abs()).map_err(|_| "offset too large")?;
        len.checked_sub(back)
            .ok_or_else(|| format!("offset {offset} is before the start of a {len}-byte image"))
    }
}

fn read_field(f: &Field, image: &[u8]) -> Result<usize, String> {
    let at = absolute(f.at, image.len())?;
    let size = usize::from(f.size);
    if !(1..=8).contains(&size) {
        return Err(format!("a length field of {size} bytes; expected 1 to 8"));
    }
    let bytes = image
        .get(at..at + size)
        .ok_or_else(|| format!("length field at {at} is past the end of the image"))?;
    let mut value: u64 = 0;
    for i in 0..size {
        let b = match f.order {
            ByteOrder::Big => bytes[i],
            ByteOrder::Little => bytes[size - 1 - i],
        };
        value = (value << 8) | u64::from(b);
    }
    usize::try_from(value).map_err(|_| "length field too large".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(yaml: &str) -> ImageLayout {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn fixed_header_trailing_signature() {
        let l = layout(
            "regions:\n  header: { start: 0, length: 8 }\n  payload: { start: { after: header }, end: { before: signature } }\n  signature: { start: -4 }\nsignature: { scheme: ed25519, covers: [header, payload] }\n",
        );
        let r = locate(&l, &[0u8; 20]).unwrap();
        assert_eq!(r["header"], 0..8);
        assert_eq!(r["payload"], 8..16);
        assert_eq!(r["signature"], 16..20);
    }

    #[test]
    fn signature_sized_by_a_big_endian_trailer() {
        // RAUC's plain bundle: payload, CMS signature, its size as a u64 big-endian.
        let l = layout(
            "regions:\n  size: { start: -8 }\n  signature: { end: -8, length: { read: { at: -8, size: 8, order: big } } }\n  payload: { end: { before: signature } }\nsignature: { scheme: cms, covers: [payload] }\n",
        );
        let mut image = vec![1u8; 30];
        image.extend_from_slice(&[9u8; 5]);
        image.extend_from_slice(&5u64.to_be_bytes());
        let r = locate(&l, &image).unwrap();
        assert_eq!(r["payload"], 0..30);
        assert_eq!(r["signature"], 30..35);
    }

    #[test]
    fn hostile_length_fields_are_errors_not_panics() {
        let l = layout(
            "regions:\n  signature: { end: -8, length: { read: { at: -8, size: 8, order: big } } }\n  payload: { end: { before: signature } }\nsignature: { scheme: cms, covers: [payload] }\n",
        );
        let mut image = vec![0u8; 4];
        image.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(locate(&l, &image).is_err());
        assert!(locate(&l, &[0u8; 3]).is_err());
    }
}
