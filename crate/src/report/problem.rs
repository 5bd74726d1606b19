//! Why a report is refused: the field, and a [`Problem`] with a stable code (`not-email`, …)
//! that the WebAssembly, the intake endpoint and the page's translations share.

use core::fmt;

use super::SCHEMA_V1;

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
    /// Neither an item, a URL nor an account.
    Empty,
    NotHttpUrl,
    /// A URL the WHATWG parser would have changed: upper-case host, fragment, spaces, non-ASCII,
    /// quotes or `<>`, a `%` that starts no escape.
    NotNormalised,
    /// A URL with a user name or password in it (`https://user:pass@host/`).
    HasCredentials,
    /// A URL whose host is this device or a private network: `localhost`, or an IP address that
    /// is loopback, private, link-local, unspecified or carrier NAT (see `rules.rs`).
    PrivateAddress,
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
    /// A control, invisible or line-breaking character, or white space at either end, in a text
    /// that is one line as shown (an account's platform or name).
    NotPlainText,
}

impl Problem {
    /// A stable kebab-case code for the kind of problem, for a front end to translate (the
    /// WebAssembly's `ReportDraft` throws it as `error.problem`). Codes are never renamed or
    /// reused; a new rule gets a new code.
    ///
    /// | code | variant | meaning |
    /// |---|---|---|
    /// | `malformed` | [`Problem::Malformed`] | not JSON, or not the shape of a report: a wrong type, an unknown or repeated field (the field is then `""`, the whole report); in the WebAssembly, an argument of the wrong JavaScript type (the field is then the argument's) |
    /// | `missing` | [`Problem::Missing`] | a required value is not given (`situation`; an account's empty `platform` or `name`; a `contact` with neither name nor email; a `vpdq` whose `hashes` is empty; `pdq_stored` without `pdq` (field `items[i].pdq`); an item's kind or digest in the WebAssembly, or frames with no item before them (field `items`)) |
    /// | `not-one-of` | [`Problem::NotOneOf`] | a value that is not one of the allowed ones: `situation`, `items[i].kind` (the WebAssembly's `ReportDraft`; parsed JSON says `malformed`), `items[i].vpdq.seconds_per_hash` (only 1) |
    /// | `wrong-schema` | [`Problem::WrongSchema`] | `schema` is not `report-helper/report@1` |
    /// | `not-hex` | [`Problem::NotHex`] | a digest or PDQ hash is not its number of lowercase hex digits (in the WebAssembly, a video's frame hashes too, field `items[i].vpdq`) |
    /// | `quality-over-100` | [`Problem::QualityOver100`] | a PDQ quality over 100 (in the WebAssembly, a frame's too, field `items[i].vpdq`) |
    /// | `too-long` | [`Problem::TooLong`] | a text (an account's platform or name too), URL or email over its limit, or the whole report (field `""`) over 526,336 bytes, or over 64 KiB not counting the text of its vPDQ `hashes` |
    /// | `too-many` | [`Problem::TooMany`] | over 1000 items, 1000 URLs or 100 accounts; over 10800 frame hashes in an item, or in the whole report (field `items[i].vpdq.hashes` of the item that goes over) |
    /// | `empty` | [`Problem::Empty`] | neither a file, a URL nor an account (field `items`) |
    /// | `not-http-url` | [`Problem::NotHttpUrl`] | a URL that the WHATWG parser cannot read (`https://[/`, port 99999999), or that is not `http://` or `https://` |
    /// | `not-normalised` | [`Problem::NotNormalised`] | a URL the browser's `URL` would have changed (upper-case host, fragment, spaces, non-ASCII, quotes or `<>`, a `\` for a `/`), or with a `%` that starts no escape |
    /// | `has-credentials` | [`Problem::HasCredentials`] | a URL with a user name or password in it |
    /// | `private-address` | [`Problem::PrivateAddress`] | a URL whose host is `localhost` (or a name under it) or an IP address in a loopback, private, link-local, unspecified or carrier-NAT range |
    /// | `duplicate` | [`Problem::Duplicate`] | a URL given twice |
    /// | `not-idempotency-key` | [`Problem::NotIdempotencyKey`] | not 16 to 64 of `A-Z a-z 0-9 - _` |
    /// | `not-utc-timestamp` | [`Problem::NotUtcTimestamp`] | `created_at` is not RFC 3339 in UTC with `Z`, or not a real time (31 February, 12:00:60) |
    /// | `not-language-tag` | [`Problem::NotLanguageTag`] | `language` is not a tag like `nl` or `en-GB` |
    /// | `not-email` | [`Problem::NotEmail`] | not an email address: an addr-spec with a dot-atom local part and a domain name (see `rules.rs`) |
    /// | `contact-for-minor` | [`Problem::ContactForMinor`] | contact details in a report about a minor (`under_18` true, or `situation` minor) |
    /// | `good-faith-required` | [`Problem::GoodFaithRequired`] | the good-faith statement is not given |
    /// | `not-a-video` | [`Problem::NotAVideo`] | `vpdq` on an item whose kind is not `video` (field `items[i].vpdq`) |
    /// | `not-base64` | [`Problem::NotBase64`] | `vpdq.hashes` is not canonical base64 (RFC 4648, standard alphabet, `=` padding, no line breaks, zero bits under the padding) |
    /// | `not-whole-hashes` | [`Problem::NotWholeHashes`] | `vpdq.hashes` is base64 of a number of bytes that is not a multiple of 32 |
    /// | `duplicate-hash` | [`Problem::DuplicateHash`] | the same hash twice in one item's `vpdq.hashes` |
    /// | `not-plain-text` | [`Problem::NotPlainText`] | an account's `platform` or `name` with a control character (U+0000-U+001F, U+007F-U+009F), an invisible one (soft hyphen, zero-width, bidi controls, U+2060-U+2064, U+2066-U+206F, U+FEFF), a line or paragraph separator (U+2028, U+2029), or white space at either end |
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
            Problem::HasCredentials => "has-credentials",
            Problem::PrivateAddress => "private-address",
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
            Problem::NotPlainText => "not-plain-text",
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
            Problem::Empty => ("a report needs at least one file, URL or account", None, ""),
            Problem::NotHttpUrl => ("not an http or https URL", None, ""),
            Problem::NotNormalised => (
                "not as the WHATWG URL parser writes it (lower-case host, no fragment, ASCII, escapes)",
                None,
                "",
            ),
            Problem::HasCredentials => ("has a user name or password in it", None, ""),
            Problem::PrivateAddress => (
                "points at this device or a private network, not the internet",
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
            Problem::NotPlainText => (
                "not one line of plain text (control or invisible characters, or spaces at an end)",
                None,
                "",
            ),
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
pub(crate) fn err(field: impl Into<String>, problem: Problem) -> ReportError {
    ReportError {
        field: field.into(),
        problem,
    }
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

/// The field `accounts[i].what`, written only for an error.
#[inline(never)]
pub(crate) fn account_field(i: usize, what: &str) -> String {
    format!("accounts[{i}].{what}")
}
