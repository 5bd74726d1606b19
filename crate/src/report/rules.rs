//! Every rule of version 1 ([`Report::validate`]) and the size limits
//! ([`Report::check_size`]), each refusal naming its field.

use super::problem::{err, item_field, url_field};
use super::{
    ItemKind, ItemVpdq, Problem, Report, ReportError, Situation, MAX_EMAIL_BYTES,
    MAX_EXPLANATION_CHARS, MAX_ITEMS, MAX_NAME_CHARS, MAX_REPORT_BYTES, MAX_REPORT_TOTAL_BYTES,
    MAX_URLS, MAX_URL_BYTES, SCHEMA_V1,
};
use crate::vpdq::encoding::{self, HASH_BYTES};
use crate::vpdq::{MAX_REPORT_HASHES, SECONDS_PER_HASH};

fn is_hex(s: &str, digits: usize) -> bool {
    s.len() == digits && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
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

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, a real time: the day exists in its month (February has 29
/// days in the leap years of the Gregorian calendar, year 0 included), hours 0-23, minutes and
/// seconds 0-59. A leap second (`:60`) only at 23:59 UTC, where every leap second is inserted;
/// which days had one is a table we do not keep, and a device's clock never shows it anyway.
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
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
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
    let leap_year = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap_year => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    rest == b"Z"
        && (1..=12).contains(&month)
        && (1..=days_in_month).contains(&day)
        && hour < 24
        && minute < 60
        && (second < 60 || (second == 60 && hour == 23 && minute == 59))
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

/// Characters that show nothing (zero-width, soft hyphen, byte-order mark) or turn text around
/// (bidi controls): in an address they hide what it really is.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}')
}

/// An address as RFC 5322's addr-spec with a dot-atom local part (RFC 6531/6532 also allow
/// characters beyond ASCII, which people's real addresses have), and a domain name of two or
/// more labels. No display name (`Eve <eve@x.example>`), no quoted local part (`"a b"@x`: legal,
/// hardly ever real, and it lets spaces and `<>` in), no `[192.0.2.1]` literal.
fn is_email(s: &str) -> bool {
    // One pass over the characters, no splitting or collecting: this runs in the page's
    // WebAssembly too, where every kilobyte counts.
    let Some(at) = s.bytes().position(|b| b == b'@') else {
        return false;
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    // Beyond ASCII: any character but spaces, controls and invisible ones.
    let other =
        |c: char| !c.is_ascii() && !c.is_whitespace() && !c.is_control() && !is_invisible(c);
    // The local part: atoms of atext, one dot between two, none first or last.
    let mut prev = '.';
    for c in local.chars() {
        let atext = match c {
            '.' => prev != '.',
            _ if c.is_ascii() => {
                c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&(c as u8))
            }
            _ => other(c),
        };
        if !atext {
            return false;
        }
        prev = c;
    }
    if prev == '.' {
        return false;
    }
    // The domain: two or more labels of letters, digits and '-' (not first or last), 1 to 63
    // bytes each; the last names a top-level domain, never a number (`a@192.0.2.1`).
    let (mut labels, mut len, mut digits_only) = (1, 0, true);
    prev = '.';
    for c in domain.chars() {
        let ok = match c {
            '.' => {
                (labels, len, digits_only) = (labels + 1, 0, true);
                prev != '.' && prev != '-'
            }
            _ => {
                len += c.len_utf8();
                digits_only &= c.is_ascii_digit();
                let letter = if c.is_ascii() {
                    c.is_ascii_alphanumeric() || c == '-'
                } else {
                    other(c)
                };
                letter && len <= 63 && !(c == '-' && prev == '.')
            }
        };
        if !ok {
            return false;
        }
        prev = c;
    }
    labels >= 2 && prev != '.' && prev != '-' && !digits_only
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
}
