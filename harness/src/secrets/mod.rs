//! Critical security parameters in a memory dump or firmware image: private keys (PEM blocks,
//! DER PKCS#8, PKCS#1 RSA and SEC1 EC keys, OpenSSH), password and API-key assignments, and high-entropy
//! blocks. A finding carries where it is, never the bytes: the case fingerprints them with the
//! run's key for cross-unit comparison. Public keys and certificates are reported as such.

mod assignments;
mod keys;
mod published;
pub mod unpack;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    PrivateKey(&'static str),
    PublicMaterial(&'static str),
    /// A private key published as a test vector (see `published`): in the image, protecting nothing.
    PublishedTestKey(&'static str),
    Credential(String),
    HighEntropy,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::PrivateKey(form) => write!(f, "private key ({form})"),
            Kind::PublicMaterial(form) => write!(f, "public {form} (allowed)"),
            Kind::PublishedTestKey(name) => write!(f, "published test key: {name} (allowed)"),
            Kind::Credential(name) => write!(f, "credential assignment `{name}=`"),
            Kind::HighEntropy => f.write_str("high-entropy block"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub offset: usize,
    pub length: usize,
}

impl Finding {
    pub fn is_secret(&self) -> bool {
        matches!(self.kind, Kind::PrivateKey(_) | Kind::Credential(_))
    }
}

/// Findings are capped: a dump full of matches says what it needs to with the first ones.
const MAX_FINDINGS: usize = 200;
const ENTROPY_WINDOW: usize = 256;
/// Bits per byte above which a 256-byte window is random-looking (text stays below 5).
const ENTROPY_LIMIT: f64 = 7.0;

pub fn scan(data: &[u8]) -> Vec<Finding> {
    let mut out = Vec::new();
    keys::pem_blocks(data, &mut out);
    keys::der_keys(data, &mut out);
    assignments::assignments(data, &mut out);
    entropy(data, &mut out);
    out.sort_by_key(|f| f.offset);
    out.truncate(MAX_FINDINGS);
    out
}

/// The secrets found in `data` and in what it unpacks to, each described by kind and place
/// (never its bytes): what must not be copied into evidence anyone may read.
pub fn flagged(data: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = scan(data)
        .into_iter()
        .filter(Finding::is_secret)
        .map(|f| format!("{} at offset {:#x}", f.kind, f.offset))
        .collect();
    for stream in unpack::unpack(data).streams {
        out.extend(
            scan(&stream.data)
                .into_iter()
                .filter(Finding::is_secret)
                .map(|f| format!("{} at offset {:#x} of {}", f.kind, f.offset, stream.what)),
        );
    }
    out
}

pub(super) fn finding(kind: Kind, offset: usize, length: usize) -> Finding {
    Finding {
        kind,
        offset,
        length,
    }
}

pub(super) fn find_all<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        let i = hay
            .get(at..)?
            .windows(needle.len())
            .position(|w| w == needle)?;
        let found = at + i;
        at = found + 1;
        Some(found)
    })
}

fn entropy(data: &[u8], out: &mut Vec<Finding>) {
    let mut at = 0;
    while at + ENTROPY_WINDOW <= data.len() {
        let window = &data[at..at + ENTROPY_WINDOW];
        if bits_per_byte(window) > ENTROPY_LIMIT {
            let start = at;
            while at + ENTROPY_WINDOW <= data.len()
                && bits_per_byte(&data[at..at + ENTROPY_WINDOW]) > ENTROPY_LIMIT
            {
                at += ENTROPY_WINDOW;
            }
            out.push(finding(Kind::HighEntropy, start, at - start));
        } else {
            at += ENTROPY_WINDOW;
        }
    }
}

fn bits_per_byte(window: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in window {
        counts[usize::from(b)] += 1;
    }
    let n = window.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Vec<u8> {
        let mut d = vec![0xffu8; 8192];
        let pem = b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n";
        d[100..100 + pem.len()].copy_from_slice(pem);
        let cert = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        d[400..400 + cert.len()].copy_from_slice(cert);
        let mut der = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        der.extend_from_slice(&[7u8; 32]);
        d[1000..1000 + der.len()].copy_from_slice(&der);
        // An RSA-2048 PKCS#1 key's opening: SEQUENCE (1190 bytes), version 0, modulus.
        let mut rsa = vec![
            0x30, 0x82, 0x04, 0xa2, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00,
        ];
        rsa.resize(4 + 0x4a2, 0x5a);
        d[2600..2600 + rsa.len()].copy_from_slice(&rsa);
        let cfg = b"wifi_psk=\"Hunter2Hunter2\"; mqtt_password: s3cretValue\0";
        d[2000..2000 + cfg.len()].copy_from_slice(cfg);
        let mut x: u32 = 0x1234_5678;
        for b in &mut d[4096..4096 + 1024] {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = x as u8;
        }
        d
    }

    #[test]
    fn keys_credentials_and_random_blocks_are_found_with_offsets_and_hashes() {
        let found = scan(&image());
        let kinds: Vec<String> = found
            .iter()
            .map(|f| format!("{}@{}", f.kind, f.offset))
            .collect();
        for want in [
            "private key (PEM, PKCS#8)@100",
            "public certificate (PEM) (allowed)@400",
            "private key (DER PKCS#8, Ed25519)@1000",
            "credential assignment `psk=`@2010",
            "credential assignment `password=`@2042",
            "private key (DER PKCS#1, RSA)@2600",
            "high-entropy block@4096",
        ] {
            assert!(kinds.iter().any(|k| k == want), "{want} in {kinds:?}");
        }
        let pem = found.iter().find(|f| f.offset == 100).unwrap();
        assert!(pem.is_secret());
        assert!(!found.iter().find(|f| f.offset == 400).unwrap().is_secret());
    }

    /// What must stay out of evidence: keys and credentials, also inside a gzip stream; public
    /// material and random blocks are no reason to withhold an image.
    #[test]
    fn secrets_are_flagged_also_when_packed_and_nothing_else_is() {
        let flagged = flagged(&image());
        assert_eq!(flagged.len(), 5, "{flagged:?}");
        assert!(
            flagged[0].starts_with("private key (PEM, PKCS#8) at offset 0x64"),
            "{flagged:?}"
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"config\0mqtt_password: s3cretValue\0").unwrap();
        let mut packed = vec![0u8; 64];
        packed.extend(gz.finish().unwrap());
        let inside = super::flagged(&packed);
        assert!(
            inside.iter().any(|f| f.contains("of gzip stream at 0x40")),
            "{inside:?}"
        );
        assert!(
            super::flagged(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
                .is_empty()
        );
    }

    #[test]
    fn text_and_erased_flash_give_nothing_and_junk_does_not_panic() {
        assert!(scan(&[0xff; 65536]).is_empty());
        assert!(scan(b"Linux version 5.10.186 firmware ready login: ").is_empty());
        let mut junk = image();
        for cut in [0, 1, 101, 1003, 1016, 2015, 4100] {
            let _ = scan(&junk[..cut]);
        }
        junk[1001] = 0x82; // a long-form length running past the end
        let _ = scan(&junk);
        let _ = scan(b"-----BEGIN ");
        let _ = scan(&[0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x00, 0x30]);
    }

    fn secrets(found: &[Finding]) -> Vec<String> {
        found
            .iter()
            .filter(|f| f.is_secret())
            .map(|f| format!("{}@{}", f.kind, f.offset))
            .collect()
    }

    #[test]
    fn pem_markers_without_a_key_between_them_are_no_key() {
        // As PEM-parsing libraries carry them: constants side by side, or far apart.
        let mut d = b"-----BEGIN PRIVATE KEY-----\0-----END PRIVATE KEY-----\0".to_vec();
        d.extend_from_slice(b"-----BEGIN EC PRIVATE KEY-----\0\0\0\0");
        d.extend_from_slice(&vec![b'A'; 20_000]);
        d.extend_from_slice(b"-----END EC PRIVATE KEY-----");
        d.extend_from_slice(
            b"-----BEGIN RSA PRIVATE KEY-----\nnot base64 at all!\n-----END RSA PRIVATE KEY-----",
        );
        // Base64 that decodes, but not to an RSA key.
        d.extend_from_slice(b"-----BEGIN RSA PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END RSA PRIVATE KEY-----");
        assert_eq!(secrets(&scan(&d)), Vec::<String>::new());
    }

    #[test]
    fn web_javascript_is_not_a_credential() {
        let js = br##"
            var form = { username: "Username", password: "Password" };
            login({ password: document.getElementById('pw').value, token: accessToken, });
            xhr.setRequestHeader("X-Token", token); cfg.password = $("#pw").val();
            var t = { password:"${pw}", secret: '******', apikey: "{api_key}" };
            for ( i in { radio: true, checkbox: true, file: true, password: true } ) {}
        "##;
        assert_eq!(secrets(&scan(js)), Vec::<String>::new());
    }

    /// Real files from Debian packages (scripts/setup installs them): mbedTLS carries the PEM
    /// markers of every key form as constants, jQuery is ordinary web JavaScript.
    #[rstest::rstest]
    #[case::mbedtls("/usr/lib/x86_64-linux-gnu/libmbedcrypto.so.7")]
    #[case::jquery("/usr/share/javascript/jquery/jquery.js")]
    fn real_libraries_and_web_assets_hold_no_secret(#[case] path: &str) {
        let data =
            std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}; run ./scripts/setup"));
        assert_eq!(secrets(&scan(&data)), Vec::<String>::new(), "{path}");
    }
}
