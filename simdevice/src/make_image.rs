//! `hilt-simdevice make-image`: a signed sample update image, as the vendor's build server
//! would write it.

use crate::update;

const MAKE_IMAGE_USAGE: &str = "usage: hilt-simdevice make-image --key-seed TEXT --model M --version V --counter N --payload-size BYTES --out FILE";

/// Writes a signed sample image, as the vendor's build server would, and prints the public key.
pub fn main(args: Vec<String>) -> i32 {
    let mut opts = std::collections::BTreeMap::new();
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        match it.next() {
            Some(v) => {
                opts.insert(flag.trim_start_matches('-').to_string(), v);
            }
            None => {
                eprintln!("{flag} needs a value\n{MAKE_IMAGE_USAGE}");
                return 2;
            }
        }
    }
    let get = |k: &str| opts.get(k).cloned();
    let (Some(seed), Some(model), Some(version), Some(counter), Some(size), Some(out)) = (
        get("key-seed"),
        get("model"),
        get("version"),
        get("counter").and_then(|c| c.parse().ok()),
        get("payload-size").and_then(|c| c.parse().ok()),
        get("out"),
    ) else {
        eprintln!("{MAKE_IMAGE_USAGE}");
        return 2;
    };
    let key = update::vendor_key(&seed);
    let image = update::make_image(&key, &model, &version, counter, size);
    if let Err(e) = std::fs::write(&out, image) {
        eprintln!("{out}: {e}");
        return 1;
    }
    let hex: String = key
        .verifying_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("{hex}");
    0
}
