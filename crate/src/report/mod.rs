//! The report: what leaves the device, defined once. The page builds it from a [`ReportDraft`]
//! through the WebAssembly; the intake endpoint parses it with [`Report::from_json`] (feature
//! `serde`). Both go through the same checks ([`rules`]), and `schema/report-v1.schema.json`
//! describes the same shape (`schema/tests/report-v1-cases.json` holds the reports both must
//! accept or refuse).
//!
//! Never in it: file names, sizes, dimensions, dates or EXIF of the originals. Only digests, PDQ
//! hashes, a video's vPDQ frame hashes (no frame numbers, times or qualities), URLs, accounts
//! named without a link, the situation, what the person chose to write, and whether the person
//! consents to the fingerprints being shared with platforms.
//!
//! - [`draft`]: what the page gathers, and how it becomes a report; [`value`]: a draft given
//!   as one JavaScript object, checked key by key.
//! - [`rules`]: every rule of version 1, and the size limits.
//! - [`problem`]: why a report is refused, with the stable codes a front end translates.
//! - [`json`]: the JSON the report is sent as, written without serde; read with serde.
//! - [`limits`]: the numbers the rules enforce; [`status`]: the statuses an intake gives.

use crate::pdq::PdqHash;
use crate::vpdq::encoding::{self, HashesError};
use crate::vpdq::SECONDS_PER_HASH;

pub mod draft;
pub mod json;
pub mod limits;
pub mod problem;
pub mod rules;
pub mod status;
pub mod value;

pub use draft::ReportDraft;
pub use limits::*;
pub use problem::{Problem, ReportError};
pub use status::STATUSES;
pub use value::{Refusal, Value};

/// What happened, as the person chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Situation {
    /// Intimate images were shared.
    Shared,
    /// Someone threatens to share them: preventive, usually without URLs.
    Threatened,
    /// The person shown is under 18: anonymous, handled as child abuse material. Kept for
    /// reports made before the age was its own question; the page now sends the situation and
    /// [`Report::under_18`].
    Minor,
    Other,
}

/// What a file is: a picture (PDQ applies), a video, or anything else (exact digests only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ItemKind {
    Image,
    Video,
    Other,
}

impl Situation {
    /// Every situation, in the schema's order.
    pub const ALL: [Situation; 4] = [
        Situation::Shared,
        Situation::Threatened,
        Situation::Minor,
        Situation::Other,
    ];
    /// Their JSON names, in the same order.
    pub const NAMES: &'static [&'static str] = &["shared", "threatened", "minor", "other"];

    /// The name in the JSON: `shared`, `threatened`, `minor` or `other`.
    pub fn name(self) -> &'static str {
        match self {
            Situation::Shared => "shared",
            Situation::Threatened => "threatened",
            Situation::Minor => "minor",
            Situation::Other => "other",
        }
    }

    /// The situation of that JSON name, exactly (case included).
    pub fn from_name(name: &str) -> Option<Situation> {
        Situation::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl ItemKind {
    /// Every kind, in the schema's order.
    pub const ALL: [ItemKind; 3] = [ItemKind::Image, ItemKind::Video, ItemKind::Other];
    /// Their JSON names, in the same order.
    pub const NAMES: &'static [&'static str] = &["image", "video", "other"];

    /// The name in the JSON: `image`, `video` or `other`.
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Image => "image",
            ItemKind::Video => "video",
            ItemKind::Other => "other",
        }
    }

    /// The kind of that JSON name, exactly (case included).
    pub fn from_name(name: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// PDQ of an image item: the hash and its quality. An item's `pdq` is of the picture as displayed
/// (its EXIF orientation applied); `pdq_stored`, only beside it, of the pixels as stored, sent
/// when the two differ (an orientation other than 1).
///
/// Refused: `hash` not 64 lowercase hex digits (`not-hex`), `quality` over 100
/// (`quality-over-100`); `pdq_stored` without `pdq` (`missing` on `items[i].pdq`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ItemPdq {
    pub hash: String,
    pub quality: u8,
}

/// vPDQ of a video item: the PDQ hashes of its frames, one a second, that take part in matching.
///
/// `hashes` is RFC 4648 base64 (standard alphabet, `=` padding, no line breaks) of the 32-byte
/// hashes one after another, each hash's bytes in the order its 64-hex form spells them
/// ([`PdqHash::to_bytes`]), in video order: the frames of quality 50 or more, exact duplicates
/// dropped, the first kept ([`usable_hashes`](crate::vpdq::usable_hashes)). No frame numbers, times or qualities: the matcher
/// needs none of them. `seconds_per_hash` is 1 ([`SECONDS_PER_HASH`]).
///
/// Refused: on an item that is not a video (`not-a-video`); `seconds_per_hash` other than 1
/// (`not-one-of`); `hashes` empty (`missing`), not canonical base64 (`not-base64`), not a whole
/// number of 32-byte hashes (`not-whole-hashes`), the same hash twice (`duplicate-hash`); more
/// than [`MAX_REPORT_HASHES`](crate::vpdq::MAX_REPORT_HASHES) hashes in the item or in the whole report (`too-many`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ItemVpdq {
    pub seconds_per_hash: u32,
    pub hashes: String,
}

impl ItemVpdq {
    /// The vPDQ of `hashes`, in their order (already the usable ones: see [`usable_hashes`]).
    pub fn from_hashes(hashes: &[PdqHash]) -> ItemVpdq {
        ItemVpdq {
            seconds_per_hash: SECONDS_PER_HASH,
            hashes: encoding::encode_hashes(hashes),
        }
    }

    /// The hashes `hashes` carries, in order.
    pub fn hashes(&self) -> Result<Vec<PdqHash>, HashesError> {
        encoding::decode_hashes(&self.hashes)
    }
}

/// One file, by its digests only (and, for a video, its vPDQ frame hashes).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Item {
    pub kind: ItemKind,
    pub sha256: String,
    pub md5: String,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub sha1: Option<String>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub pdq: Option<ItemPdq>,
    /// Only beside `pdq`: the stored pixels' PDQ when they are not the picture as displayed.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub pdq_stored: Option<ItemPdq>,
    /// Only on a video.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub vpdq: Option<ItemVpdq>,
}

/// An account without a link: where it is (`platform`, as the person names it: "Snapchat", "a
/// forum") and its name as shown there. For a threat there is often no URL yet, only the account
/// that threatens.
///
/// Refused, on `accounts[i].platform` or `accounts[i].name`: empty (`missing`); over
/// [`MAX_PLATFORM_CHARS`] or [`MAX_ACCOUNT_NAME_CHARS`] characters (`too-long`); a control,
/// invisible or line-breaking character, or white space at either end (`not-plain-text`). Over
/// [`MAX_ACCOUNTS`] accounts is `too-many` on `accounts`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Account {
    pub platform: String,
    pub name: String,
}

/// How to reach the person; at least one of the two in a report.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Contact {
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub name: Option<String>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub email: Option<String>,
}

/// A report as it is sent: field order here is the order in the JSON (and [`Report::to_json`]
/// writes them in this order too).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Report {
    pub schema: String,
    pub idempotency_key: String,
    /// RFC 3339 in UTC, `Z` suffix.
    pub created_at: String,
    pub language: String,
    pub situation: Situation,
    /// Whether the person shown is (or was, when the images were made) under 18, asked apart
    /// from what happened. Optional (older pages leave it out); `true` makes the report one
    /// about a minor ([`Report::about_minor`]).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub under_18: Option<bool>,
    pub items: Vec<Item>,
    pub urls: Vec<String>,
    /// Optional: left out when there are none.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub accounts: Vec<Account>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub explanation: Option<String>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub contact: Option<Contact>,
    pub good_faith: bool,
    /// The person's consent that the helpline shares the report's fingerprints (never its
    /// links, accounts, text or contact) with platforms that block copies. Optional: absent
    /// means `false` (reports made before the question), and the JSON carries it only when
    /// `true`, so a report without consent is byte for byte what it was before.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "is_false"))]
    pub share_with_platforms: bool,
}

/// For serde's `skip_serializing_if`: `share_with_platforms` is written only when `true`.
#[cfg(feature = "serde")]
fn is_false(b: &bool) -> bool {
    !*b
}

impl Report {
    /// Is the report about someone under 18 (anonymous: no contact details)? Either the age
    /// answer says so or, from an older page, the situation `minor`. When the two disagree
    /// (`minor` with `under_18: false`, which no page sends) the child's protection wins.
    pub fn about_minor(&self) -> bool {
        self.under_18 == Some(true) || self.situation == Situation::Minor
    }
}

#[cfg(test)]
mod tests;
