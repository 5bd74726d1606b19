//! The numbers the rules of a report enforce. The page reads those it needs from the
//! WebAssembly (`limits()`), never retyped.

use crate::vpdq::encoding::{self, HASH_BYTES};
use crate::vpdq::MAX_REPORT_HASHES;

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
/// At most this many accounts without a link, and their platform and name in characters: a
/// platform's name is short ("Snapchat", "a forum"); account names are 15 to 50 on the big
/// platforms, display names longer.
pub const MAX_ACCOUNTS: usize = 100;
pub const MAX_PLATFORM_CHARS: usize = 50;
pub const MAX_ACCOUNT_NAME_CHARS: usize = 100;
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
