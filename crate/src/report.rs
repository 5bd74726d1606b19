//! The report: what leaves the device, defined once. The page builds it from a [`ReportDraft`]
//! through the WebAssembly; the intake endpoint parses it with [`Report::from_json`]. Both go
//! through the same checks, and `schema/report-v1.schema.json` describes the same shape
//! (`schema/tests/report-v1-cases.json` holds the reports both must accept or refuse).
//!
//! Never in it: file names, sizes, dimensions, dates or EXIF of the originals. Only digests, PDQ
//! hashes, a video's vPDQ frame hashes (no frame numbers, times or qualities), URLs, the situation
//! and what the person chose to write.
//!
//! The JSON is written by [`Report::to_json`], a small writer that gives exactly what
//! `serde_json::to_string` gives (tested natively against it), so that the WebAssembly carries no
//! serde. Parsing ([`Report::from_json`]) uses serde's derives and is native only: on wasm32
//! serde is not a dependency.

use core::fmt;

#[cfg(not(target_arch = "wasm32"))]
use serde::{Deserialize, Serialize};

use crate::pdq::PdqHash;
use crate::vpdq::encoding::{self, HashesError, HASH_BYTES};
use crate::vpdq::{usable_hashes, VpdqFrame, MAX_REPORT_HASHES, SECONDS_PER_HASH};

/// The `schema` value of version 1.
pub const SCHEMA_V1: &str = "report-helper/report@1";
/// At most this many URLs, and this many items.
pub const MAX_URLS: usize = 1000;
pub const MAX_ITEMS: usize = 1000;
/// Longest URL accepted, in bytes (serialised, so ASCII).
pub const MAX_URL_BYTES: usize = 2048;
/// Longest explanation, in characters.
pub const MAX_EXPLANATION_CHARS: usize = 5000;
pub const MAX_NAME_CHARS: usize = 200;
/// RFC 5321's limit for a whole address.
pub const MAX_EMAIL_BYTES: usize = 254;
/// The report as JSON, not counting the text of its vPDQ `hashes` strings: the report's length
/// less the lengths of all `hashes` strings. URLs, explanation and the other fields share this;
/// the room that vPDQ adds (below) is for hashes only.
pub const MAX_REPORT_BYTES: usize = 64 * 1024;
/// The base64 length of [`MAX_REPORT_HASHES`] frame hashes (three hours at one a second):
/// 4 * ceil(10800 * 32 / 3) = 460,800.
pub const MAX_VPDQ_TEXT_BYTES: usize = encoding::encoded_len(MAX_REPORT_HASHES * HASH_BYTES);
/// The whole report as JSON, vPDQ hashes included: 64 KiB and the text of three hours of frame
/// hashes, 526,336 bytes. What the intake endpoint reads of one request at most.
pub const MAX_REPORT_TOTAL_BYTES: usize = MAX_REPORT_BYTES + MAX_VPDQ_TEXT_BYTES;

/// What happened, as the person chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Serialize, Deserialize))]
#[cfg_attr(not(target_arch = "wasm32"), serde(rename_all = "lowercase"))]
pub enum Situation {
    /// Intimate images were shared.
    Shared,
    /// Someone threatens to share them: preventive, usually without URLs.
    Threatened,
    /// The person shown is under 18: anonymous, handled as child abuse material.
    Minor,
    Other,
}

/// What a file is: a picture (PDQ applies), a video, or anything else (exact digests only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Serialize, Deserialize))]
#[cfg_attr(not(target_arch = "wasm32"), serde(rename_all = "lowercase"))]
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

/// PDQ of an image item: the hash and its quality.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Serialize, Deserialize))]
#[cfg_attr(not(target_arch = "wasm32"), serde(deny_unknown_fields))]
pub struct ItemPdq {
    pub hash: String,
    pub quality: u8,
}

/// vPDQ of a video item: the PDQ hashes of its frames, one a second, that take part in matching.
///
/// `hashes` is RFC 4648 base64 (standard alphabet, `=` padding, no line breaks) of the 32-byte
/// hashes one after another, each hash's bytes in the order its 64-hex form spells them
/// ([`PdqHash::to_bytes`]), in video order: the frames of quality 50 or more, exact duplicates
/// dropped, the first kept ([`usable_hashes`]). No frame numbers, times or qualities: the matcher
/// needs none of them. `seconds_per_hash` is 1 ([`SECONDS_PER_HASH`]).
///
/// Refused: on an item that is not a video (`not-a-video`); `seconds_per_hash` other than 1
/// (`not-one-of`); `hashes` empty (`missing`), not canonical base64 (`not-base64`), not a whole
/// number of 32-byte hashes (`not-whole-hashes`), the same hash twice (`duplicate-hash`); more
/// than [`MAX_REPORT_HASHES`] hashes in the item or in the whole report (`too-many`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Serialize, Deserialize))]
#[cfg_attr(not(target_arch = "wasm32"), serde(deny_unknown_fields))]
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
#[cfg_attr(not(target_arch = "wasm32"), derive(Serialize, Deserialize))]
#[cfg_attr(not(target_arch = "wasm32"), serde(deny_unknown_fields))]
pub struct Item {
    pub kind: ItemKind,
    pub sha256: String,
    pub md5: String,
    #[cfg_attr(
        not(target_arch = "wasm32"),
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub sha1: Option<String>,
    #[cfg_attr(
        not(target_arch = "wasm32"),
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub pdq: Option<ItemPdq>,
    /// Only on a video.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub vpdq: Option<ItemVpdq>,
}

/// How to reach the person; at least one of the two in a report.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Serialize, Deserialize))]
#[cfg_attr(not(target_arch = "wasm32"), serde(deny_unknown_fields))]
pub struct Contact {
    #[cfg_attr(
        not(target_arch = "wasm32"),
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub name: Option<String>,
    #[cfg_attr(
        not(target_arch = "wasm32"),
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub email: Option<String>,
}

/// A report as it is sent: field order here is the order in the JSON (and [`Report::to_json`]
/// writes them in this order too).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Serialize, Deserialize))]
#[cfg_attr(not(target_arch = "wasm32"), serde(deny_unknown_fields))]
pub struct Report {
    pub schema: String,
    pub idempotency_key: String,
    /// RFC 3339 in UTC, `Z` suffix.
    pub created_at: String,
    pub language: String,
    pub situation: Situation,
    pub items: Vec<Item>,
    pub urls: Vec<String>,
    #[cfg_attr(
        not(target_arch = "wasm32"),
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub explanation: Option<String>,
    #[cfg_attr(
        not(target_arch = "wasm32"),
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub contact: Option<Contact>,
    pub good_faith: bool,
}

/// What the page gathers. Empty strings mean "not given"; URLs are trimmed and de-duplicated
/// here, after the page has normalised them with the WHATWG URL parser. The WebAssembly's
/// `ReportDraft` class fills one in, through [`ReportDraft::new`] and [`ReportDraft::add_item`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportDraft {
    pub idempotency_key: String,
    pub created_at: String,
    pub language: String,
    pub situation: Option<Situation>,
    pub items: Vec<Item>,
    pub urls: Vec<String>,
    pub explanation: String,
    pub name: String,
    pub email: String,
    pub good_faith: bool,
}

impl ReportDraft {
    /// A draft with no items, URLs, text or statement yet. `situation` is a JSON name
    /// (`shared`, …); `""` means not chosen yet, which [`Report::from_draft`] refuses as
    /// `missing`. Any other name is refused here, as `not-one-of` on `situation`.
    pub fn new(
        idempotency_key: String,
        created_at: String,
        language: String,
        situation: &str,
    ) -> Result<ReportDraft, ReportError> {
        let situation = match situation {
            "" => None,
            name => Some(Situation::from_name(name).ok_or_else(|| {
                err(
                    "situation",
                    Problem::NotOneOf {
                        allowed: Situation::NAMES,
                    },
                )
            })?),
        };
        Ok(ReportDraft {
            idempotency_key,
            created_at,
            language,
            situation,
            ..ReportDraft::default()
        })
    }

    /// Adds a file by its digests. `kind` is a JSON name (`image`, `video`, `other`); any other
    /// is refused here, as `not-one-of` on `items[i].kind` (`missing` when `""`). The digests
    /// are checked when the report is built.
    pub fn add_item(
        &mut self,
        kind: &str,
        sha256: String,
        md5: String,
        sha1: Option<String>,
        pdq: Option<ItemPdq>,
    ) -> Result<(), ReportError> {
        let field = || item_field(self.items.len(), "kind");
        let kind = match kind {
            "" => return Err(err(field(), Problem::Missing)),
            name => ItemKind::from_name(name).ok_or_else(|| {
                err(
                    field(),
                    Problem::NotOneOf {
                        allowed: ItemKind::NAMES,
                    },
                )
            })?,
        };
        self.items.push(Item {
            kind,
            sha256,
            md5,
            sha1,
            pdq,
            vpdq: None,
        });
        Ok(())
    }

    /// Gives the last item added, which must be a video (`not-a-video` on `items[i].vpdq`
    /// otherwise; `missing` on `items` when there is none), the vPDQ of `frames`: the usable
    /// hashes ([`usable_hashes`]: quality 50 or more, exact duplicates dropped), encoded. A video
    /// none of whose frames is usable gets no vPDQ, as one that could not be fingerprinted. A
    /// second call for the same item replaces the first's. The number of hashes is checked when
    /// the report is built.
    pub fn add_video_frames(&mut self, frames: &[VpdqFrame]) -> Result<(), ReportError> {
        let i = self.last_video()?;
        let hashes = usable_hashes(frames);
        self.items[i].vpdq = (!hashes.is_empty()).then(|| ItemVpdq::from_hashes(&hashes));
        Ok(())
    }

    /// The index of the last item, if it is a video.
    fn last_video(&self) -> Result<usize, ReportError> {
        match self.items.last() {
            None => Err(err("items", Problem::Missing)),
            Some(item) if item.kind != ItemKind::Video => Err(err(
                item_field(self.items.len() - 1, "vpdq"),
                Problem::NotAVideo,
            )),
            Some(_) => Ok(self.items.len() - 1),
        }
    }

    /// [`ReportDraft::add_video_frames`] of frames given as the WebAssembly gets them: the
    /// hashes as one string of 64 lowercase hex digits each, one after another, and one quality
    /// a hash, in video order. Refused, on `items[i].vpdq`: a string that is not 64 lowercase
    /// hex digits a quality (`not-hex`), a quality over 100 (`quality-over-100`).
    pub fn add_video_frames_hex(
        &mut self,
        hashes_hex: &str,
        qualities: &[u8],
    ) -> Result<(), ReportError> {
        let i = self.last_video()?;
        let field = || item_field(i, "vpdq");
        if hashes_hex.len() != 64 * qualities.len() {
            return Err(err(field(), Problem::NotHex { digits: 64 }));
        }
        let mut frames = Vec::with_capacity(qualities.len());
        // On bytes: 64 bytes that are hex digits are 64 characters.
        for (n, (hex, &quality)) in hashes_hex
            .as_bytes()
            .chunks_exact(64)
            .zip(qualities)
            .enumerate()
        {
            let hash =
                hash_of_hex(hex).ok_or_else(|| err(field(), Problem::NotHex { digits: 64 }))?;
            if quality > 100 {
                return Err(err(field(), Problem::QualityOver100));
            }
            frames.push(VpdqFrame {
                frame: n as u64,
                hash,
                quality,
            });
        }
        self.add_video_frames(&frames)
    }
}

/// The hash that 64 lowercase hex digits spell, or `None`. By hand rather than through
/// `PdqHash`'s `FromStr`, which takes either case and costs the WebAssembly more.
fn hash_of_hex(hex: &[u8]) -> Option<PdqHash> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut bytes = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(PdqHash::from_bytes(bytes))
}

/// Why a report or draft is refused: the field (a JSON path such as `items[2].sha256`) and what
/// is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportError {
    pub field: String,
    pub problem: Problem,
}

/// What is wrong with a field. [`Problem::code`] names each variant with a stable code that a
/// front end translates; the [`fmt::Display`] of [`ReportError`] is English for developers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Not JSON, or not the shape of a report (a wrong type, an unknown field): serde's words,
    /// or the WebAssembly's for a value of the wrong JavaScript type.
    Malformed(String),
    Missing,
    /// A name that is not one of the allowed ones (a situation, an item's kind).
    NotOneOf {
        allowed: &'static [&'static str],
    },
    WrongSchema,
    /// Not `n` lowercase hexadecimal digits.
    NotHex {
        digits: usize,
    },
    QualityOver100,
    TooLong {
        max: usize,
        unit: &'static str,
    },
    /// More than `max` (items, URLs, or frame hashes: `unit` says which when it is not plain).
    TooMany {
        max: usize,
        unit: &'static str,
    },
    /// Neither an item nor a URL.
    Empty,
    NotHttpUrl,
    /// A URL the WHATWG parser would have changed: upper-case host, fragment, spaces, non-ASCII.
    NotNormalised,
    Duplicate {
        first: usize,
    },
    NotIdempotencyKey,
    NotUtcTimestamp,
    NotLanguageTag,
    NotEmail,
    /// Contact details in a report about a minor, which must stay anonymous.
    ContactForMinor,
    GoodFaithRequired,
    /// vPDQ on an item that is not a video.
    NotAVideo,
    /// Not canonical base64 (RFC 4648: standard alphabet, `=` padding, no line breaks, zero
    /// bits under the padding).
    NotBase64,
    /// Base64 of a number of bytes that is not a multiple of 32.
    NotWholeHashes,
    /// The hash at `index` (counting from 0) is the hash at `first` again.
    DuplicateHash {
        index: usize,
        first: usize,
    },
}

impl Problem {
    /// A stable kebab-case code for the kind of problem, for a front end to translate (the
    /// WebAssembly's `ReportDraft` throws it as `error.problem`). Codes are never renamed or
    /// reused; a new rule gets a new code.
    ///
    /// | code | variant | meaning |
    /// |---|---|---|
    /// | `malformed` | [`Problem::Malformed`] | not JSON, or not the shape of a report: a wrong type, an unknown or repeated field (the field is then `""`, the whole report); in the WebAssembly, an argument of the wrong JavaScript type (the field is then the argument's) |
    /// | `missing` | [`Problem::Missing`] | a required value is not given (`situation`; a `contact` with neither name nor email; a `vpdq` whose `hashes` is empty; an item's kind or digest in the WebAssembly, or frames with no item before them (field `items`)) |
    /// | `not-one-of` | [`Problem::NotOneOf`] | a value that is not one of the allowed ones: `situation`, `items[i].kind` (the WebAssembly's `ReportDraft`; parsed JSON says `malformed`), `items[i].vpdq.seconds_per_hash` (only 1) |
    /// | `wrong-schema` | [`Problem::WrongSchema`] | `schema` is not `report-helper/report@1` |
    /// | `not-hex` | [`Problem::NotHex`] | a digest or PDQ hash is not its number of lowercase hex digits (in the WebAssembly, a video's frame hashes too, field `items[i].vpdq`) |
    /// | `quality-over-100` | [`Problem::QualityOver100`] | a PDQ quality over 100 (in the WebAssembly, a frame's too, field `items[i].vpdq`) |
    /// | `too-long` | [`Problem::TooLong`] | a text, URL or email over its limit, or the whole report (field `""`) over 526,336 bytes, or over 64 KiB not counting the text of its vPDQ `hashes` |
    /// | `too-many` | [`Problem::TooMany`] | over 1000 items or 1000 URLs; over 10800 frame hashes in an item, or in the whole report (field `items[i].vpdq.hashes` of the item that goes over) |
    /// | `empty` | [`Problem::Empty`] | neither a file nor a URL (field `items`) |
    /// | `not-http-url` | [`Problem::NotHttpUrl`] | a URL that is not `http://` or `https://` with a host |
    /// | `not-normalised` | [`Problem::NotNormalised`] | a URL the browser's `URL` would have changed |
    /// | `duplicate` | [`Problem::Duplicate`] | a URL given twice |
    /// | `not-idempotency-key` | [`Problem::NotIdempotencyKey`] | not 16 to 64 of `A-Z a-z 0-9 - _` |
    /// | `not-utc-timestamp` | [`Problem::NotUtcTimestamp`] | `created_at` is not RFC 3339 in UTC with `Z` |
    /// | `not-language-tag` | [`Problem::NotLanguageTag`] | `language` is not a tag like `nl` or `en-GB` |
    /// | `not-email` | [`Problem::NotEmail`] | not an email address |
    /// | `contact-for-minor` | [`Problem::ContactForMinor`] | contact details in a report about a minor |
    /// | `good-faith-required` | [`Problem::GoodFaithRequired`] | the good-faith statement is not given |
    /// | `not-a-video` | [`Problem::NotAVideo`] | `vpdq` on an item whose kind is not `video` (field `items[i].vpdq`) |
    /// | `not-base64` | [`Problem::NotBase64`] | `vpdq.hashes` is not canonical base64 (RFC 4648, standard alphabet, `=` padding, no line breaks, zero bits under the padding) |
    /// | `not-whole-hashes` | [`Problem::NotWholeHashes`] | `vpdq.hashes` is base64 of a number of bytes that is not a multiple of 32 |
    /// | `duplicate-hash` | [`Problem::DuplicateHash`] | the same hash twice in one item's `vpdq.hashes` |
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Malformed(_) => "malformed",
            Problem::Missing => "missing",
            Problem::NotOneOf { .. } => "not-one-of",
            Problem::WrongSchema => "wrong-schema",
            Problem::NotHex { .. } => "not-hex",
            Problem::QualityOver100 => "quality-over-100",
            Problem::TooLong { .. } => "too-long",
            Problem::TooMany { .. } => "too-many",
            Problem::Empty => "empty",
            Problem::NotHttpUrl => "not-http-url",
            Problem::NotNormalised => "not-normalised",
            Problem::Duplicate { .. } => "duplicate",
            Problem::NotIdempotencyKey => "not-idempotency-key",
            Problem::NotUtcTimestamp => "not-utc-timestamp",
            Problem::NotLanguageTag => "not-language-tag",
            Problem::NotEmail => "not-email",
            Problem::ContactForMinor => "contact-for-minor",
            Problem::GoodFaithRequired => "good-faith-required",
            Problem::NotAVideo => "not-a-video",
            Problem::NotBase64 => "not-base64",
            Problem::NotWholeHashes => "not-whole-hashes",
            Problem::DuplicateHash { .. } => "duplicate-hash",
        }
    }
}

impl fmt::Display for ReportError {
    // Written as pieces rather than one `write!` a variant: the same sentences, in a fraction of
    // the WebAssembly.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field.as_str();
        match &self.problem {
            Problem::Malformed(why) if field.is_empty() => {
                f.write_str("not a report: ")?;
                return f.write_str(why);
            }
            _ => {
                f.write_str(field)?;
                f.write_str(": ")?;
            }
        }
        let (before, number, after) = match &self.problem {
            Problem::Malformed(why) => (why.as_str(), None, ""),
            Problem::Missing => ("missing", None, ""),
            Problem::NotOneOf { allowed: [only] } => {
                f.write_str("must be ")?;
                return f.write_str(only);
            }
            Problem::NotOneOf { allowed } => {
                f.write_str("must be one of ")?;
                for (i, name) in allowed.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(name)?;
                }
                return Ok(());
            }
            Problem::WrongSchema => {
                f.write_str("must be \"")?;
                f.write_str(SCHEMA_V1)?;
                return f.write_str("\"");
            }
            Problem::NotHex { digits } => {
                ("must be ", Some(*digits), " lowercase hexadecimal digits")
            }
            Problem::QualityOver100 => ("must be 0 to 100", None, ""),
            Problem::TooLong { max, unit } => {
                f.write_str("longer than ")?;
                write!(f, "{max}")?;
                f.write_str(" ")?;
                return f.write_str(unit);
            }
            Problem::TooMany { max, unit } => ("more than ", Some(*max), *unit),
            Problem::Empty => ("a report needs at least one file or one URL", None, ""),
            Problem::NotHttpUrl => ("not an http or https URL", None, ""),
            Problem::NotNormalised => (
                "not in normal form (lower-case host, no fragment, no spaces, ASCII)",
                None,
                "",
            ),
            Problem::Duplicate { first } => ("the same as urls[", Some(*first), "]"),
            Problem::NotIdempotencyKey => {
                ("must be 16 to 64 letters, digits, '-' or '_'", None, "")
            }
            Problem::NotUtcTimestamp => (
                "must be an RFC 3339 time in UTC, like 2026-11-27T21:57:00Z",
                None,
                "",
            ),
            Problem::NotLanguageTag => ("not a language tag like nl or en", None, ""),
            Problem::NotEmail => ("not an email address", None, ""),
            Problem::ContactForMinor => (
                "a report about a minor is anonymous and has no contact details",
                None,
                "",
            ),
            Problem::GoodFaithRequired => ("the good-faith statement is required", None, ""),
            Problem::NotAVideo => ("only an item of kind video has vpdq", None, ""),
            Problem::NotBase64 => (
                "not canonical base64 (RFC 4648: standard alphabet, = padding, no line breaks)",
                None,
                "",
            ),
            Problem::NotWholeHashes => ("not a whole number of 32-byte hashes", None, ""),
            Problem::DuplicateHash { index, first } => {
                f.write_str("hash ")?;
                write!(f, "{index}")?;
                f.write_str(" is the same as hash ")?;
                return write!(f, "{first}");
            }
        };
        f.write_str(before)?;
        if let Some(n) = number {
            // Through `write!`, so that a width given to the whole error is not applied here.
            write!(f, "{n}")?;
        }
        f.write_str(after)
    }
}

impl std::error::Error for ReportError {}

/// A refusal. Cold and out of line: the rules' happy path stays small and fast.
#[cold]
#[inline(never)]
fn err(field: impl Into<String>, problem: Problem) -> ReportError {
    ReportError {
        field: field.into(),
        problem,
    }
}

fn is_hex(s: &str, digits: usize) -> bool {
    s.len() == digits && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The field `items[i].what`, written only for an error (one copy of the formatting code).
#[inline(never)]
pub(crate) fn item_field(i: usize, what: &str) -> String {
    format!("items[{i}].{what}")
}

/// The field `urls[i]`, written only for an error.
#[inline(never)]
pub(crate) fn url_field(i: usize) -> String {
    format!("urls[{i}]")
}

fn check_chars(field: &str, s: &str, max: usize) -> Result<(), ReportError> {
    // Characters are the bytes that do not continue one (`s.chars().count()`, in less code).
    if s.bytes().filter(|&b| b & 0xc0 != 0x80).count() > max {
        return Err(err(
            field,
            Problem::TooLong {
                max,
                unit: "characters",
            },
        ));
    }
    Ok(())
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with fields in range (leap second allowed).
fn is_utc_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // The number in `b[r]`, all of whose bytes must be ASCII digits.
    let digits = |r: core::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0, |n: u32, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return false;
    }
    let (Some(_), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    let rest = match &b[19..] {
        [b'.', fraction @ ..] => {
            let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return false;
            }
            &fraction[n..]
        }
        rest => rest,
    };
    rest == b"Z"
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second <= 60
}

/// A BCP 47 tag, loosely: a 2-3 letter language, then subtags of 1-8 letters or digits.
fn is_language_tag(s: &str) -> bool {
    let mut parts = s.as_bytes().split(|&b| b == b'-');
    let first = parts.next().unwrap_or_default();
    s.len() <= 35
        && (2..=3).contains(&first.len())
        && first.iter().all(u8::is_ascii_lowercase)
        && parts.all(|p| (1..=8).contains(&p.len()) && p.iter().all(u8::is_ascii_alphanumeric))
}

/// One `@`, something on each side, no spaces or controls, a dot in the domain.
fn is_email(s: &str) -> bool {
    // On bytes: '@' and '.' are ASCII, so they are never part of another character.
    let b = s.as_bytes();
    let Some(at) = b.iter().position(|&c| c == b'@') else {
        return false;
    };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    !local.is_empty()
        && domain.contains(&b'.')
        && domain.first() != Some(&b'.')
        && domain.last() != Some(&b'.')
        && !domain.contains(&b'@')
        && s.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

/// A URL as the WHATWG parser serialises an http(s) URL: ASCII, no spaces, no fragment, and a
/// host in lower case. The page normalises with the browser's `URL`; this checks the result.
fn check_url(url: &str) -> Result<(), Problem> {
    if url.len() > MAX_URL_BYTES {
        return Err(Problem::TooLong {
            max: MAX_URL_BYTES,
            unit: "bytes",
        });
    }
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Err(Problem::NotHttpUrl);
    };
    // On bytes: the delimiters are ASCII, so they are never part of another character.
    let rest = rest.as_bytes();
    let end = rest.iter().position(|&b| b == b'/' || b == b'?');
    let authority = &rest[..end.unwrap_or(rest.len())];
    let host = match authority.iter().rposition(|&b| b == b'@') {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    let host = host.split(|&b| b == b':').next().unwrap_or_default();
    if host.is_empty() && authority.first() != Some(&b'[') {
        return Err(Problem::NotHttpUrl);
    }
    let normal = url.bytes().all(|b| b.is_ascii_graphic())
        && !url.contains('#')
        && !authority.iter().any(u8::is_ascii_uppercase)
        && rest.contains(&b'/');
    if !normal {
        return Err(Problem::NotNormalised);
    }
    Ok(())
}

/// The rules of an item's vPDQ (see [`ItemVpdq`]); `before` hashes are in the items before it.
/// Returns the number of its hashes.
fn check_vpdq(
    i: usize,
    kind: ItemKind,
    vpdq: &ItemVpdq,
    before: usize,
) -> Result<usize, ReportError> {
    if kind != ItemKind::Video {
        return Err(err(item_field(i, "vpdq"), Problem::NotAVideo));
    }
    // The one value allowed, as the error names it; the assertion keeps the two together.
    const _: () = assert!(SECONDS_PER_HASH == 1);
    if vpdq.seconds_per_hash != SECONDS_PER_HASH {
        return Err(err(
            item_field(i, "vpdq.seconds_per_hash"),
            Problem::NotOneOf { allowed: &["1"] },
        ));
    }
    let field = || item_field(i, "vpdq.hashes");
    if vpdq.hashes.is_empty() {
        return Err(err(field(), Problem::Missing));
    }
    // On the bytes: no `PdqHash` is needed to count the hashes or to find a repeat.
    let bytes = encoding::decode(&vpdq.hashes).map_err(|_| err(field(), Problem::NotBase64))?;
    let (hashes, rest) = bytes.as_chunks::<HASH_BYTES>();
    if !rest.is_empty() {
        return Err(err(field(), Problem::NotWholeHashes));
    }
    let count = hashes.len();
    let too_many = |unit| {
        err(
            field(),
            Problem::TooMany {
                max: MAX_REPORT_HASHES,
                unit,
            },
        )
    };
    if count > MAX_REPORT_HASHES {
        return Err(too_many(" hashes"));
    }
    if let Some((index, first)) = encoding::first_repeat(hashes) {
        return Err(err(field(), Problem::DuplicateHash { index, first }));
    }
    if before + count > MAX_REPORT_HASHES {
        return Err(too_many(" hashes in the report"));
    }
    Ok(count)
}

impl Report {
    /// Every rule of version 1, with the first broken one named by its field.
    pub fn validate(&self) -> Result<(), ReportError> {
        if self.schema != SCHEMA_V1 {
            return Err(err("schema", Problem::WrongSchema));
        }
        let key = &self.idempotency_key;
        if !(16..=64).contains(&key.len())
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(err("idempotency_key", Problem::NotIdempotencyKey));
        }
        if !is_utc_timestamp(&self.created_at) {
            return Err(err("created_at", Problem::NotUtcTimestamp));
        }
        if !is_language_tag(&self.language) {
            return Err(err("language", Problem::NotLanguageTag));
        }
        if self.items.len() > MAX_ITEMS {
            return Err(err(
                "items",
                Problem::TooMany {
                    max: MAX_ITEMS,
                    unit: "",
                },
            ));
        }
        // Frame hashes in the items so far: at most MAX_REPORT_HASHES in the whole report.
        let mut hashes = 0;
        for (i, item) in self.items.iter().enumerate() {
            let pdq = item.pdq.as_ref();
            for (what, value, digits) in [
                ("sha256", Some(&item.sha256), 64),
                ("md5", Some(&item.md5), 32),
                ("sha1", item.sha1.as_ref(), 40),
                ("pdq.hash", pdq.map(|p| &p.hash), 64),
            ] {
                if value.is_some_and(|v| !is_hex(v, digits)) {
                    return Err(err(item_field(i, what), Problem::NotHex { digits }));
                }
            }
            if pdq.is_some_and(|p| p.quality > 100) {
                return Err(err(item_field(i, "pdq.quality"), Problem::QualityOver100));
            }
            if let Some(vpdq) = &item.vpdq {
                hashes += check_vpdq(i, item.kind, vpdq, hashes)?;
            }
        }
        if self.urls.len() > MAX_URLS {
            return Err(err(
                "urls",
                Problem::TooMany {
                    max: MAX_URLS,
                    unit: "",
                },
            ));
        }
        for (i, url) in self.urls.iter().enumerate() {
            let problem = match check_url(url) {
                Err(problem) => problem,
                Ok(()) => match self.urls[..i].iter().position(|u| u == url) {
                    Some(first) => Problem::Duplicate { first },
                    None => continue,
                },
            };
            return Err(err(url_field(i), problem));
        }
        if self.items.is_empty() && self.urls.is_empty() {
            return Err(err("items", Problem::Empty));
        }
        if let Some(explanation) = &self.explanation {
            check_chars("explanation", explanation, MAX_EXPLANATION_CHARS)?;
        }
        if let Some(contact) = &self.contact {
            if self.situation == Situation::Minor {
                return Err(err("contact", Problem::ContactForMinor));
            }
            if contact.name.is_none() && contact.email.is_none() {
                return Err(err("contact", Problem::Missing));
            }
            if let Some(name) = &contact.name {
                check_chars("contact.name", name, MAX_NAME_CHARS)?;
            }
            if let Some(email) = &contact.email {
                if email.len() > MAX_EMAIL_BYTES {
                    return Err(err(
                        "contact.email",
                        Problem::TooLong {
                            max: MAX_EMAIL_BYTES,
                            unit: "bytes",
                        },
                    ));
                }
                if !is_email(email) {
                    return Err(err("contact.email", Problem::NotEmail));
                }
            }
        }
        if !self.good_faith {
            return Err(err("good_faith", Problem::GoodFaithRequired));
        }
        Ok(())
    }

    /// The report as sent: compact JSON, keys in the struct's (and the schema's) order, absent
    /// options left out. Byte for byte what `serde_json::to_string` writes for the same report
    /// (tested natively in `tests/report_json.rs`), without serde: strings escape `"`, `\\` and
    /// the controls below U+0020 (`\b \f \n \r \t`, else `\u00xx` in lowercase hex) and keep
    /// everything else as UTF-8.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(
            512 + 160 * self.items.len() + 64 * self.urls.len() + self.vpdq_text_len(),
        );
        let mut report = JsonObject::open(&mut out);
        report.string("schema", &self.schema);
        report.string("idempotency_key", &self.idempotency_key);
        report.string("created_at", &self.created_at);
        report.string("language", &self.language);
        report.string("situation", self.situation.name());
        let w = report.key("items");
        w.push('[');
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                w.push(',');
            }
            let mut o = JsonObject::open(w);
            o.string("kind", item.kind.name());
            o.string("sha256", &item.sha256);
            o.string("md5", &item.md5);
            if let Some(sha1) = &item.sha1 {
                o.string("sha1", sha1);
            }
            if let Some(pdq) = &item.pdq {
                let mut p = JsonObject::open(o.key("pdq"));
                p.string("hash", &pdq.hash);
                push_u8(p.key("quality"), pdq.quality);
                p.close();
            }
            if let Some(vpdq) = &item.vpdq {
                let mut v = JsonObject::open(o.key("vpdq"));
                push_u32(v.key("seconds_per_hash"), vpdq.seconds_per_hash);
                v.string("hashes", &vpdq.hashes);
                v.close();
            }
            o.close();
        }
        w.push(']');
        let w = report.key("urls");
        w.push('[');
        for (i, url) in self.urls.iter().enumerate() {
            if i > 0 {
                w.push(',');
            }
            push_json_string(w, url);
        }
        w.push(']');
        if let Some(explanation) = &self.explanation {
            report.string("explanation", explanation);
        }
        if let Some(contact) = &self.contact {
            let mut c = JsonObject::open(report.key("contact"));
            if let Some(name) = &contact.name {
                c.string("name", name);
            }
            if let Some(email) = &contact.email {
                c.string("email", email);
            }
            c.close();
        }
        report
            .key("good_faith")
            .push_str(if self.good_faith { "true" } else { "false" });
        report.close();
        out
    }

    /// The bytes of all vPDQ `hashes` strings: what [`MAX_REPORT_BYTES`] does not count.
    pub fn vpdq_text_len(&self) -> usize {
        self.items
            .iter()
            .filter_map(|item| item.vpdq.as_ref())
            .map(|vpdq| vpdq.hashes.len())
            .sum()
    }

    /// The size rules for a report whose JSON is `json_len` bytes long: at most
    /// [`MAX_REPORT_TOTAL_BYTES`] in all, and at most [`MAX_REPORT_BYTES`] besides the text of
    /// its vPDQ hashes. Both `too-long`, field `""`.
    pub fn check_size(&self, json_len: usize) -> Result<(), ReportError> {
        let too_long = |max, unit| err("", Problem::TooLong { max, unit });
        // A received `hashes` string is counted as parsed: an escape in it counts against the
        // 64 KiB, never for the hashes (a parsed string is never longer than its JSON). Said
        // first: with the hashes within their limit, the whole is over only if this is.
        if json_len.saturating_sub(self.vpdq_text_len()) > MAX_REPORT_BYTES {
            return Err(too_long(
                MAX_REPORT_BYTES,
                "bytes of JSON besides vpdq hashes",
            ));
        }
        if json_len > MAX_REPORT_TOTAL_BYTES {
            return Err(too_long(MAX_REPORT_TOTAL_BYTES, "bytes of JSON"));
        }
        Ok(())
    }

    /// Parses and validates a report as the intake endpoint receives it: the whole size first
    /// (before parsing), then the shape, the size besides vPDQ hashes, and every rule. Native
    /// only: on wasm32 the crate has no serde.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_json(json: &str) -> Result<Report, ReportError> {
        if json.len() > MAX_REPORT_TOTAL_BYTES {
            return Err(err(
                "",
                Problem::TooLong {
                    max: MAX_REPORT_TOTAL_BYTES,
                    unit: "bytes of JSON",
                },
            ));
        }
        let report: Report =
            serde_json::from_str(json).map_err(|e| err("", Problem::Malformed(e.to_string())))?;
        report.check_size(json.len())?;
        report.validate()?;
        Ok(report)
    }

    /// Builds the report from what the page gathered: trims text, drops empty fields, keeps each
    /// URL once, leaves out contact details for a minor, then checks every rule, the total size
    /// included.
    pub fn from_draft(draft: ReportDraft) -> Result<Report, ReportError> {
        let situation = draft
            .situation
            .ok_or_else(|| err("situation", Problem::Missing))?;
        let given = |s: String| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        let mut urls: Vec<String> = Vec::new();
        for url in draft.urls {
            let url = url.trim().to_string();
            if !url.is_empty() && !urls.contains(&url) {
                urls.push(url);
            }
        }
        let contact = match (situation, given(draft.name), given(draft.email)) {
            (Situation::Minor, _, _) | (_, None, None) => None,
            (_, name, email) => Some(Contact { name, email }),
        };
        let report = Report {
            schema: SCHEMA_V1.into(),
            idempotency_key: draft.idempotency_key,
            created_at: draft.created_at,
            language: draft.language,
            situation,
            items: draft.items,
            urls,
            explanation: given(draft.explanation),
            contact,
            good_faith: draft.good_faith,
        };
        report.validate()?;
        report.check_size(report.to_json().len())?;
        Ok(report)
    }
}

/// A JSON object being written: `{`, then `"key":value` pairs separated by commas, then `}`.
struct JsonObject<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    fn open(out: &'a mut String) -> JsonObject<'a> {
        out.push('{');
        JsonObject { out, empty: true }
    }

    /// Writes `"key":` (after a comma unless first) and returns the output for the value. Keys
    /// are our own field names: plain ASCII, nothing to escape.
    fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    fn string(&mut self, key: &str, value: &str) {
        push_json_string(self.key(key), value);
    }

    fn close(self) {
        self.out.push('}');
    }
}

/// A whole number in decimal, as JSON writes it.
fn push_u32(out: &mut String, n: u32) {
    if n >= 10 {
        push_u32(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// A number from 0 to 255 in decimal, as JSON writes it.
fn push_u8(out: &mut String, n: u8) {
    if n >= 100 {
        out.push(char::from(b'0' + n / 100));
    }
    if n >= 10 {
        out.push(char::from(b'0' + n / 10 % 10));
    }
    out.push(char::from(b'0' + n % 10));
}

/// `s` as a JSON string, escaped exactly as serde_json escapes it: `\"` and `\\`; `\b`, `\f`,
/// `\n`, `\r`, `\t`; the other controls below U+0020 as `\u00xx` (lowercase hex); everything
/// else, U+007F and all non-ASCII included, as it is.
fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => '"',
            b'\\' => '\\',
            0x08 => 'b',
            0x0c => 'f',
            b'\n' => 'n',
            b'\r' => 'r',
            b'\t' => 't',
            0x00..=0x1f => 'u',
            _ => continue,
        };
        // Only ASCII bytes are escaped, so `i` is always on a character boundary.
        out.push_str(&s[start..i]);
        out.push('\\');
        out.push(short);
        if short == 'u' {
            out.push_str("00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> Item {
        Item {
            kind: ItemKind::Image,
            sha256: "ab".repeat(32),
            md5: "cd".repeat(16),
            sha1: None,
            pdq: Some(ItemPdq {
                hash: "0f".repeat(32),
                quality: 100,
            }),
            vpdq: None,
        }
    }

    fn draft() -> ReportDraft {
        ReportDraft {
            idempotency_key: "3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50".into(),
            created_at: "2026-11-27T21:57:00.123Z".into(),
            language: "nl".into(),
            situation: Some(Situation::Shared),
            items: vec![item()],
            urls: vec!["https://example.com/a?b=1".into()],
            explanation: "  ".into(),
            name: "".into(),
            email: " someone@example.org ".into(),
            good_faith: true,
        }
    }

    fn problem(d: ReportDraft) -> (String, Problem) {
        let e = Report::from_draft(d).unwrap_err();
        (e.field, e.problem)
    }

    #[test]
    fn a_draft_becomes_compact_json_in_schema_order() {
        let report = Report::from_draft(draft()).unwrap();
        let json = report.to_json();
        let keys: Vec<usize> = [
            "\"schema\"",
            "\"idempotency_key\"",
            "\"created_at\"",
            "\"language\"",
            "\"situation\"",
            "\"items\"",
            "\"urls\"",
            "\"contact\"",
            "\"good_faith\"",
        ]
        .iter()
        .map(|k| {
            json.find(k)
                .unwrap_or_else(|| panic!("{k} missing in {json}"))
        })
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{json}");
        assert!(json.starts_with("{\"schema\":\"report-helper/report@1\""));
        assert!(
            !json.contains("explanation"),
            "blank text is left out: {json}"
        );
        assert!(
            json.contains("\"contact\":{\"email\":\"someone@example.org\"}"),
            "{json}"
        );
        assert!(
            !json.contains(": ") && !json.contains(", ") && !json.contains('\n'),
            "compact: {json}"
        );
        #[cfg(not(target_arch = "wasm32"))]
        assert_eq!(Report::from_json(&json).unwrap(), report);
    }

    #[test]
    fn strings_are_escaped_as_json_requires_and_no_more() {
        let mut report = Report::from_draft(draft()).unwrap();
        for (text, want) in [
            ("plain", r#""plain""#),
            ("", r#""""#),
            ("say \"hi\"", r#""say \"hi\"""#),
            ("back\\slash", r#""back\\slash""#),
            ("\u{8}\u{c}\n\r\t", r#""\b\f\n\r\t""#),
            ("\u{0}\u{1}\u{b}\u{1f}", r#""\u0000\u0001\u000b\u001f""#),
            (
                "/ \u{7f} \u{85} \u{2028} \u{feff}",
                "\"/ \u{7f} \u{85} \u{2028} \u{feff}\"",
            ),
            ("ünïcode 😀", r#""ünïcode 😀""#),
            ("\u{1}é\"😀\\", r#""\u0001é\"😀\\""#),
        ] {
            report.explanation = Some(text.into());
            let json = report.to_json();
            assert!(
                json.contains(&format!(",\"explanation\":{want},")),
                "{text:?}: {json}"
            );
        }
        for (quality, want) in [
            (0, "0"),
            (7, "7"),
            (10, "10"),
            (99, "99"),
            (100, "100"),
            (255, "255"),
        ] {
            report.items[0].pdq.as_mut().unwrap().quality = quality;
            assert!(report.to_json().contains(&format!("\"quality\":{want}}}")));
        }
        report.contact = Some(Contact {
            name: None,
            email: None,
        });
        report.good_faith = false;
        assert!(report
            .to_json()
            .ends_with(",\"contact\":{},\"good_faith\":false}"));
    }

    #[test]
    fn a_draft_is_filled_in_by_name() {
        let mut d = ReportDraft::new("k".into(), "t".into(), "nl".into(), "threatened").unwrap();
        assert_eq!(d.situation, Some(Situation::Threatened));
        assert_eq!(
            ReportDraft::new("k".into(), "t".into(), "nl".into(), "")
                .unwrap()
                .situation,
            None
        );
        for bad in ["sextortion", "Shared", " shared"] {
            let e = ReportDraft::new("k".into(), "t".into(), "nl".into(), bad).unwrap_err();
            assert_eq!(e.field, "situation");
            assert_eq!(e.problem.code(), "not-one-of");
            assert_eq!(
                e.to_string(),
                "situation: must be one of shared, threatened, minor, other"
            );
        }
        d.add_item("video", "a".into(), "b".into(), None, None)
            .unwrap();
        let e = d
            .add_item("photo", "a".into(), "b".into(), None, None)
            .unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem.code()),
            ("items[1].kind", "not-one-of")
        );
        assert_eq!(
            e.to_string(),
            "items[1].kind: must be one of image, video, other"
        );
        let e = d
            .add_item("", "a".into(), "b".into(), None, None)
            .unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("items[1].kind", Problem::Missing)
        );
        assert_eq!(d.items.len(), 1);
        for (names, all) in [
            (
                Situation::NAMES,
                Situation::ALL.map(Situation::name).to_vec(),
            ),
            (ItemKind::NAMES, ItemKind::ALL.map(ItemKind::name).to_vec()),
        ] {
            assert_eq!(names, all);
        }
        assert!(Situation::ALL
            .iter()
            .all(|s| Situation::from_name(s.name()) == Some(*s)));
        assert!(ItemKind::ALL
            .iter()
            .all(|k| ItemKind::from_name(k.name()) == Some(*k)));
    }

    #[test]
    fn urls_are_kept_once_and_must_be_normalised_http() {
        let mut d = draft();
        d.urls = vec![
            "https://a.example/x".into(),
            " https://a.example/x ".into(),
            "http://b.example/".into(),
        ];
        assert_eq!(
            Report::from_draft(d).unwrap().urls,
            ["https://a.example/x", "http://b.example/"]
        );
        for (url, want) in [
            ("ftp://a.example/x", Problem::NotHttpUrl),
            ("javascript:alert(1)", Problem::NotHttpUrl),
            ("https:///x", Problem::NotHttpUrl),
            ("https://A.example/x", Problem::NotNormalised),
            ("https://a.example/x#frag", Problem::NotNormalised),
            ("https://a.example/a b", Problem::NotNormalised),
            ("https://a.example/é", Problem::NotNormalised),
            ("https://a.example", Problem::NotNormalised),
        ] {
            let mut d = draft();
            d.urls = vec![url.into()];
            assert_eq!(problem(d), ("urls[0]".into(), want), "{url}");
        }
    }

    #[test]
    fn a_minor_stays_anonymous() {
        let mut d = draft();
        d.situation = Some(Situation::Minor);
        d.name = "Name".into();
        let report = Report::from_draft(d).unwrap();
        assert_eq!(report.contact, None);
        let mut with_contact = report.clone();
        with_contact.contact = Some(Contact {
            name: Some("Name".into()),
            email: None,
        });
        let e = with_contact.validate().unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem),
            ("contact", Problem::ContactForMinor)
        );
    }

    #[test]
    fn each_rule_names_its_field() {
        type Breaker = fn(&mut ReportDraft);
        let cases: Vec<(Breaker, &str)> = vec![
            (|d| d.situation = None, "situation"),
            (|d| d.idempotency_key = "short".into(), "idempotency_key"),
            (
                |d| d.created_at = "2026-11-27 21:57:00".into(),
                "created_at",
            ),
            (
                |d| d.created_at = "2026-11-27T21:57:00+01:00".into(),
                "created_at",
            ),
            (
                |d| d.created_at = "2026-13-27T21:57:00Z".into(),
                "created_at",
            ),
            (|d| d.language = "Dutch".into(), "language"),
            (|d| d.items[0].sha256 = "AB".repeat(32), "items[0].sha256"),
            (|d| d.items[0].md5 = "cd".repeat(15), "items[0].md5"),
            (|d| d.items[0].sha1 = Some("x".repeat(40)), "items[0].sha1"),
            (
                |d| d.items[0].pdq.as_mut().unwrap().quality = 101,
                "items[0].pdq.quality",
            ),
            (
                |d| {
                    d.urls = vec!["https://a.example/".into(); 1]
                        .into_iter()
                        .chain((0..1000).map(|i| format!("https://a.example/{i}")))
                        .collect()
                },
                "urls",
            ),
            (
                |d| {
                    d.items.clear();
                    d.urls.clear();
                },
                "items",
            ),
            (
                |d| d.explanation = "x".repeat(MAX_EXPLANATION_CHARS + 1),
                "explanation",
            ),
            (|d| d.name = "n".repeat(MAX_NAME_CHARS + 1), "contact.name"),
            (|d| d.email = "not an email".into(), "contact.email"),
            (|d| d.good_faith = false, "good_faith"),
        ];
        for (i, (break_it, field)) in cases.into_iter().enumerate() {
            let mut d = draft();
            break_it(&mut d);
            let e = Report::from_draft(d).unwrap_err();
            assert_eq!(e.field, field, "case {i}: {e}");
            assert!(e.to_string().starts_with(field), "case {i}: {e}");
        }
    }

    #[test]
    fn problem_codes_are_distinct_kebab_case_and_cover_every_variant() {
        let every = [
            Problem::Malformed(String::new()),
            Problem::Missing,
            Problem::NotOneOf { allowed: &[] },
            Problem::WrongSchema,
            Problem::NotHex { digits: 64 },
            Problem::QualityOver100,
            Problem::TooLong {
                max: 1,
                unit: "bytes",
            },
            Problem::TooMany { max: 1, unit: "" },
            Problem::Empty,
            Problem::NotHttpUrl,
            Problem::NotNormalised,
            Problem::Duplicate { first: 0 },
            Problem::NotIdempotencyKey,
            Problem::NotUtcTimestamp,
            Problem::NotLanguageTag,
            Problem::NotEmail,
            Problem::ContactForMinor,
            Problem::GoodFaithRequired,
            Problem::NotAVideo,
            Problem::NotBase64,
            Problem::NotWholeHashes,
            Problem::DuplicateHash { index: 1, first: 0 },
        ];
        // No wildcard: a new variant fails to compile here until it is given a place in `every`.
        let place = |p: &Problem| match p {
            Problem::Malformed(_) => 0,
            Problem::Missing => 1,
            Problem::NotOneOf { .. } => 2,
            Problem::WrongSchema => 3,
            Problem::NotHex { .. } => 4,
            Problem::QualityOver100 => 5,
            Problem::TooLong { .. } => 6,
            Problem::TooMany { .. } => 7,
            Problem::Empty => 8,
            Problem::NotHttpUrl => 9,
            Problem::NotNormalised => 10,
            Problem::Duplicate { .. } => 11,
            Problem::NotIdempotencyKey => 12,
            Problem::NotUtcTimestamp => 13,
            Problem::NotLanguageTag => 14,
            Problem::NotEmail => 15,
            Problem::ContactForMinor => 16,
            Problem::GoodFaithRequired => 17,
            Problem::NotAVideo => 18,
            Problem::NotBase64 => 19,
            Problem::NotWholeHashes => 20,
            Problem::DuplicateHash { .. } => 21,
        };
        let places: Vec<usize> = every.iter().map(place).collect();
        assert_eq!(places, (0..every.len()).collect::<Vec<_>>());
        let mut codes: Vec<&str> = every.iter().map(Problem::code).collect();
        for code in &codes {
            assert!(
                !code.is_empty()
                    && !code.starts_with('-')
                    && !code.ends_with('-')
                    && !code.contains("--")
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{code}"
            );
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), every.len(), "codes must be distinct");
        // The codes are a contract with the front end's translations: these never change.
        assert_eq!(Problem::Malformed("x".into()).code(), "malformed");
        assert_eq!(Problem::NotNormalised.code(), "not-normalised");
        assert_eq!(Problem::GoodFaithRequired.code(), "good-faith-required");
        assert_eq!(Problem::NotAVideo.code(), "not-a-video");
        assert_eq!(Problem::NotBase64.code(), "not-base64");
        assert_eq!(Problem::NotWholeHashes.code(), "not-whole-hashes");
        assert_eq!(
            Problem::DuplicateHash { index: 1, first: 0 }.code(),
            "duplicate-hash"
        );
    }

    #[test]
    fn a_report_over_64_kib_is_refused_whole() {
        let mut d = draft();
        d.urls = (0..1000)
            .map(|i| format!("https://a.example/{i}/{}", "p".repeat(60)))
            .collect();
        let e = Report::from_draft(d).unwrap_err();
        assert!(
            matches!(
                e.problem,
                Problem::TooLong {
                    max: MAX_REPORT_BYTES,
                    ..
                }
            ),
            "{e}"
        );
    }

    const H1: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

    /// `n` distinct hashes: the first four bytes are the index.
    fn distinct(n: usize) -> Vec<PdqHash> {
        (0..n)
            .map(|i| {
                let mut bytes = [0x5a; 32];
                bytes[..4].copy_from_slice(&(i as u32).to_be_bytes());
                PdqHash::from_bytes(bytes)
            })
            .collect()
    }

    fn video(vpdq: Option<ItemVpdq>) -> Item {
        Item {
            kind: ItemKind::Video,
            pdq: None,
            vpdq,
            ..item()
        }
    }

    fn vpdq_text(hashes: &str) -> Option<ItemVpdq> {
        Some(ItemVpdq {
            seconds_per_hash: 1,
            hashes: hashes.into(),
        })
    }

    #[test]
    fn a_video_s_usable_frames_become_its_vpdq() {
        let mut d = draft();
        d.add_item("video", "ab".repeat(32), "cd".repeat(16), None, None)
            .unwrap();
        let h2 = "0f".repeat(32);
        let h3 = "00ff".repeat(16);
        // Quality under 50 and a repeat are left out; the frames' order is kept.
        let hex = [H1, &h2, H1, &h3].concat();
        d.add_video_frames_hex(&hex, &[100, 49, 90, 50]).unwrap();
        let report = Report::from_draft(d.clone()).unwrap();
        // Python: base64.b64encode(bytes.fromhex(H1 + "00ff" * 16)).decode()
        let want = "+PjwzuD0qE8GNwoiA49j8LNuLtWWYh4dM+aznE6cmyIA/wD/AP8A/wD/AP8A/wD/AP8A/wD/AP8A/wD/AP8A/w==";
        assert_eq!(report.items[1].vpdq, vpdq_text(want));
        assert!(
            report.to_json().contains(&format!(
                ",\"md5\":\"{}\",\"vpdq\":{{\"seconds_per_hash\":1,\"hashes\":\"{want}\"}}}}]",
                "cd".repeat(16)
            )),
            "{}",
            report.to_json()
        );
        // No usable frame: no vpdq, as for a video that could not be fingerprinted; a second
        // call replaces the first's.
        d.add_video_frames_hex(&h2, &[49]).unwrap();
        assert_eq!(d.items[1].vpdq, None);
        d.add_video_frames_hex("", &[]).unwrap();
        assert_eq!(d.items[1].vpdq, None);
    }

    #[test]
    fn frames_are_refused_where_they_are_given() {
        let mut d = draft();
        d.items.clear();
        let e = d.add_video_frames_hex(H1, &[100]).unwrap_err();
        assert_eq!((e.field.as_str(), e.problem), ("items", Problem::Missing));
        d.add_item("image", "a".into(), "b".into(), None, None)
            .unwrap();
        let e = d.add_video_frames_hex(H1, &[100]).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem.code()),
            ("items[0].vpdq", "not-a-video")
        );
        assert_eq!(
            e.to_string(),
            "items[0].vpdq: only an item of kind video has vpdq"
        );
        d.add_item("video", "a".into(), "b".into(), None, None)
            .unwrap();
        for (hex, qualities, problem) in [
            (
                H1.to_string(),
                &[100, 100][..],
                Problem::NotHex { digits: 64 },
            ),
            (
                H1[1..].to_string(),
                &[100][..],
                Problem::NotHex { digits: 64 },
            ),
            (
                H1.to_uppercase(),
                &[100][..],
                Problem::NotHex { digits: 64 },
            ),
            (
                format!("{H1}{}", "g".repeat(64)),
                &[100, 100][..],
                Problem::NotHex { digits: 64 },
            ),
            // 64 bytes that are not 64 characters.
            (
                format!("{}{}", "é".repeat(32), H1),
                &[100, 100][..],
                Problem::NotHex { digits: 64 },
            ),
            (H1.to_string(), &[101][..], Problem::QualityOver100),
        ] {
            let e = d.add_video_frames_hex(&hex, qualities).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.problem),
                ("items[1].vpdq", problem),
                "{hex}"
            );
        }
        assert_eq!(d.items[1].vpdq, None);
    }

    #[test]
    fn each_vpdq_rule_names_its_field_and_problem() {
        let one = ItemVpdq::from_hashes(&distinct(1)).hashes;
        let three = ItemVpdq::from_hashes(&distinct(3)).hashes;
        let dup = ItemVpdq::from_hashes(&[distinct(2), distinct(1)].concat()).hashes;
        let cases: Vec<(Item, &str, Problem, &str)> = vec![
            (
                Item {
                    vpdq: vpdq_text(&one),
                    ..item()
                },
                "items[0].vpdq",
                Problem::NotAVideo,
                "only an item of kind video has vpdq",
            ),
            (
                video(Some(ItemVpdq {
                    seconds_per_hash: 2,
                    hashes: one.clone(),
                })),
                "items[0].vpdq.seconds_per_hash",
                Problem::NotOneOf { allowed: &["1"] },
                "must be 1",
            ),
            (
                video(vpdq_text("")),
                "items[0].vpdq.hashes",
                Problem::Missing,
                "missing",
            ),
            (
                video(vpdq_text(&one[1..])),
                "items[0].vpdq.hashes",
                Problem::NotBase64,
                "not canonical base64 (RFC 4648: standard alphabet, = padding, no line breaks)",
            ),
            (
                video(vpdq_text(&format!("{one}\n"))),
                "items[0].vpdq.hashes",
                Problem::NotBase64,
                "not canonical base64 (RFC 4648: standard alphabet, = padding, no line breaks)",
            ),
            (
                video(vpdq_text("Zm9v")),
                "items[0].vpdq.hashes",
                Problem::NotWholeHashes,
                "not a whole number of 32-byte hashes",
            ),
            (
                video(vpdq_text(&three[..three.len() - 44])),
                "items[0].vpdq.hashes",
                Problem::NotWholeHashes,
                "not a whole number of 32-byte hashes",
            ),
            (
                video(vpdq_text(&dup)),
                "items[0].vpdq.hashes",
                Problem::DuplicateHash { index: 2, first: 0 },
                "hash 2 is the same as hash 0",
            ),
        ];
        for (item, field, problem, message) in cases {
            let mut d = draft();
            d.items = vec![item];
            let e = Report::from_draft(d).unwrap_err();
            assert_eq!((e.field.as_str(), &e.problem), (field, &problem), "{e}");
            assert_eq!(e.to_string(), format!("{field}: {message}"));
        }
        let mut d = draft();
        d.items = vec![video(vpdq_text(&three))];
        assert!(Report::from_draft(d).is_ok());
    }

    #[test]
    fn at_most_three_hours_of_hashes_in_an_item_and_in_the_report() {
        let all = distinct(MAX_REPORT_HASHES + 1);
        let mut d = draft();
        d.items = vec![video(Some(ItemVpdq::from_hashes(
            &all[..MAX_REPORT_HASHES],
        )))];
        let report = Report::from_draft(d.clone()).unwrap();
        assert_eq!(report.vpdq_text_len(), MAX_VPDQ_TEXT_BYTES);
        assert_eq!(
            report.items[0].vpdq.as_ref().unwrap().hashes().unwrap(),
            all[..MAX_REPORT_HASHES]
        );
        d.items = vec![video(Some(ItemVpdq::from_hashes(&all)))];
        let e = Report::from_draft(d.clone()).unwrap_err();
        assert_eq!(e.field, "items[0].vpdq.hashes");
        assert_eq!(
            e.to_string(),
            "items[0].vpdq.hashes: more than 10800 hashes"
        );
        // Two videos, one hash over between them: the second goes over.
        let (first, second) = all.split_at(5400);
        d.items = vec![
            video(Some(ItemVpdq::from_hashes(first))),
            item(),
            video(Some(ItemVpdq::from_hashes(second))),
        ];
        let e = Report::from_draft(d.clone()).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem.code()),
            ("items[2].vpdq.hashes", "too-many")
        );
        assert_eq!(
            e.to_string(),
            "items[2].vpdq.hashes: more than 10800 hashes in the report"
        );
        d.items[2] = video(Some(ItemVpdq::from_hashes(&second[1..])));
        assert!(Report::from_draft(d).is_ok());
    }

    #[test]
    fn the_hashes_get_their_own_room_and_nothing_else_does() {
        assert_eq!(MAX_VPDQ_TEXT_BYTES, 460_800);
        assert_eq!(MAX_REPORT_TOTAL_BYTES, 526_336);
        let mut d = draft();
        d.items = vec![video(Some(ItemVpdq::from_hashes(&distinct(
            MAX_REPORT_HASHES,
        ))))];
        let mut r = Report::from_draft(d.clone()).unwrap();
        // Filled with URLs to exactly 64 KiB besides the hashes: the largest report there is.
        let mut gap = MAX_REPORT_BYTES - (r.to_json().len() - MAX_VPDQ_TEXT_BYTES);
        while gap > 0 {
            // A URL adds its length and 3 bytes of JSON: two quotes and a comma.
            let len = if gap > 2033 { 2000 } else { gap - 3 };
            let url = format!("https://a.example/{}/", r.urls.len());
            r.urls.push(format!("{url}{}", "p".repeat(len - url.len())));
            gap -= len + 3;
        }
        let json = r.to_json();
        assert_eq!(json.len(), MAX_REPORT_TOTAL_BYTES);
        assert_eq!(r.check_size(json.len()), Ok(()));
        d.urls = r.urls.clone();
        assert_eq!(Report::from_draft(d.clone()).unwrap().to_json(), json);
        #[cfg(not(target_arch = "wasm32"))]
        assert_eq!(Report::from_json(&json).unwrap(), r);
        // A byte more that is not a hash is too much, though the hashes are fewer than allowed.
        d.urls.last_mut().unwrap().push('p');
        d.items = vec![video(Some(ItemVpdq::from_hashes(&distinct(1))))];
        let e = Report::from_draft(d).unwrap_err();
        assert_eq!((e.field.as_str(), e.problem.code()), ("", "too-long"));
        assert_eq!(
            e.to_string(),
            ": longer than 65536 bytes of JSON besides vpdq hashes"
        );
        // One byte over both: the bytes besides the hashes are named.
        let e = r.check_size(MAX_REPORT_TOTAL_BYTES + 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            ": longer than 65536 bytes of JSON besides vpdq hashes"
        );
        // Too many hashes to fit (which validate() refuses first): the whole is named.
        let mut many = r.clone();
        many.urls.clear();
        many.items = vec![video(Some(ItemVpdq::from_hashes(&distinct(16_000))))];
        let e = many.check_size(many.to_json().len()).unwrap_err();
        assert_eq!(e.to_string(), ": longer than 526336 bytes of JSON");
        #[cfg(not(target_arch = "wasm32"))]
        {
            let e = Report::from_json(&format!(" {json}")).unwrap_err();
            assert_eq!(e.to_string(), ": longer than 526336 bytes of JSON");
            // Spaces are not hashes: 64 KiB and a space, and a single hash, is refused.
            let mut small = r.clone();
            small.items = vec![video(Some(ItemVpdq::from_hashes(&distinct(1))))];
            let text = small.to_json();
            let pad = " ".repeat(MAX_REPORT_BYTES + 44 - text.len());
            assert!(Report::from_json(&format!("{pad}{text}")).is_ok());
            let e = Report::from_json(&format!(" {pad}{text}")).unwrap_err();
            assert_eq!(
                e.to_string(),
                ": longer than 65536 bytes of JSON besides vpdq hashes"
            );
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_endpoint_refuses_unknown_fields_and_wrong_types() {
        let json = Report::from_draft(draft()).unwrap().to_json();
        let extra = json.replacen('{', "{\"file_name\":\"me.jpg\",", 1);
        let e = Report::from_json(&extra).unwrap_err();
        assert!(e.to_string().contains("unknown field `file_name`"), "{e}");
        let wrong = json.replace("\"good_faith\":true", "\"good_faith\":\"yes\"");
        assert!(matches!(
            Report::from_json(&wrong).unwrap_err().problem,
            Problem::Malformed(_)
        ));
        assert!(Report::from_json("not json").is_err());
        let item_extra = json.replace("\"kind\":\"image\"", "\"kind\":\"image\",\"width\":1600");
        assert!(Report::from_json(&item_extra)
            .unwrap_err()
            .to_string()
            .contains("unknown field `width`"));
    }
}
