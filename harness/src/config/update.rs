//! IXIT 7 (update mechanisms) and what the update battery needs besides: the layout of the
//! product's images, so hilt can tamper with them generically, and the valid images the lab holds.

use super::duration::Dur;
use super::located::Located;
use super::procedure::BasicAuth;
pub use super::procedure::Step;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMechanism {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// How an image reaches the unit.
    pub delivery: Delivery,
    /// Time the unit needs after the transfer before its version read-back means anything.
    #[serde(default = "no_settle")]
    pub settle: Dur,
    /// The version read-back (`procedures.read_version`) is retried until then: an install reboots.
    pub installed_within: Dur,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Delivery {
    /// hilt uploads the image to the unit over HTTP.
    PushHttp(Box<PushHttp>),
    /// The unit fetches the image from an update server hilt plays (plain HTTP on the rig's
    /// `network.serve_from`); the trigger steps tell it where, through `{update_url}`.
    PullHttp(PullHttp),
    /// hilt sends the image over the UART with XMODEM-CRC (or -1K) once the `start` steps have
    /// the receiver waiting (a boot loader's `loadx`, a console update command).
    ConsoleXmodem(ConsoleXmodem),
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsoleXmodem {
    pub start: Vec<Located<super::procedure::Step>>,
    /// 128 (XMODEM-CRC) or 1024 (XMODEM-1K).
    #[serde(default = "one_k")]
    pub block_size: Located<usize>,
    /// Deadline for the receiver's start request and for each acknowledgement.
    pub within: Dur,
}

fn one_k() -> Located<usize> {
    Located::unplaced(1024)
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PullHttp {
    pub trigger: Vec<Located<super::procedure::Step>>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PushHttp {
    /// The declared service (by id) the upload goes to.
    pub service: Located<String>,
    #[serde(default = "post")]
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Sent as the whole body with this content type, unless `multipart` is given.
    #[serde(default = "octet_stream")]
    pub content_type: String,
    #[serde(default)]
    pub multipart: Option<Multipart>,
    pub within: Dur,
}

/// A browser-style upload form: the image as one file field of a multipart/form-data body.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Multipart {
    pub field: String,
    pub filename: String,
    /// Other form fields the page sends along.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMaterial {
    pub image: ImageLayout,
    pub images: LabImages,
}

/// Where the parts of an image are, so a tamper lands where it is meant to.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageLayout {
    /// At least `payload` and `signature`; usually also `header`.
    pub regions: Located<BTreeMap<String, Region>>,
    pub signature: SignatureSpec,
}

/// A byte range. Integer offsets below zero count from the end of the image; `end` defaults to
/// `start + length`, or the end of the image; `start` defaults to `end - length`, or 0.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Region {
    #[serde(default)]
    pub start: Option<Located<Offset>>,
    #[serde(default)]
    pub end: Option<Located<Offset>>,
    #[serde(default)]
    pub length: Option<Length>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(
    untagged,
    expecting = "expected an offset: an integer (below zero counts from the end), `{ after: REGION }` or `{ before: REGION }`"
)]
pub enum Offset {
    At(i64),
    /// Where another region ends.
    After {
        after: String,
    },
    /// Where another region starts.
    Before {
        before: String,
    },
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(
    untagged,
    expecting = "expected a length: a number of bytes or `{ read: { at: OFFSET, size: BYTES, order: little|big } }`"
)]
pub enum Length {
    Bytes(u64),
    /// An unsigned integer stored in the image, e.g. a trailer giving the signature's size.
    Read {
        read: Field,
    },
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub at: i64,
    pub size: u8,
    #[serde(default)]
    pub order: ByteOrder,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ByteOrder {
    #[default]
    Little,
    Big,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureSpec {
    /// `ed25519` lets hilt re-sign with a key of its own; other schemes (`cms`, `rsa-pss`, ...)
    /// are named for the report and get every attack but that one.
    pub scheme: String,
    /// Regions the signature is computed over, in order.
    pub covers: Vec<Located<String>>,
    /// Region where the image names its signer (a public key): hilt writes its own key there when
    /// it signs with the wrong key, as an attacker would.
    #[serde(default)]
    pub signer_key: Option<Located<String>>,
}

/// Valid images the lab was given, relative to the profile.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabImages {
    /// Newer valid images: the positive control and the source of every tampered image. Each
    /// mechanism's battery ends with the unit on its valid image, so the next mechanism needs a
    /// newer one; mechanism N takes entry N (or the last).
    pub valid: Located<OneOrMore>,
    /// An older, validly signed image (rollback).
    #[serde(default)]
    pub older: Option<LabImage>,
    /// A validly signed image for another model of the same manufacturer.
    #[serde(default)]
    pub other_model: Option<LabImage>,
    /// An image built as the valid one but signed with a key the unit must not trust. For
    /// signature schemes hilt cannot produce (`cms`, ...) it is the wrong-key attack; for
    /// `ed25519` it replaces hilt's own re-signing.
    #[serde(default)]
    pub wrong_key: Option<LabImage>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(
    untagged,
    expecting = "expected an image `{ file: F, version: V }` or a list of them"
)]
pub enum OneOrMore {
    One(LabImage),
    More(Vec<LabImage>),
}

impl OneOrMore {
    pub fn all(&self) -> Vec<&LabImage> {
        match self {
            OneOrMore::One(i) => vec![i],
            OneOrMore::More(v) => v.iter().collect(),
        }
    }

    /// The valid image for the `n`th mechanism.
    pub fn for_mechanism(&self, n: usize) -> Option<&LabImage> {
        let all = self.all();
        all.get(n).or(all.last()).copied()
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabImage {
    pub file: Located<String>,
    /// The version the unit reports once it runs this image.
    #[serde(default)]
    pub version: Option<String>,
}

fn no_settle() -> Dur {
    Dur(std::time::Duration::ZERO)
}
fn post() -> String {
    "POST".into()
}
fn octet_stream() -> String {
    "application/octet-stream".into()
}
