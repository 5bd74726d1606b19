//! Every rule of version 1 ([`Report::validate`]) and the size limits
//! ([`Report::check_size`]), each refusal naming its field.

use super::problem::{account_field, err, item_field, url_field};
use super::{
    Account, ItemKind, ItemVpdq, Problem, Report, ReportError, MAX_ACCOUNTS,
    MAX_ACCOUNT_NAME_CHARS, MAX_EMAIL_BYTES, MAX_EXPLANATION_CHARS, MAX_ITEMS, MAX_NAME_CHARS,
    MAX_PLATFORM_CHARS, MAX_REPORT_BYTES, MAX_REPORT_TOTAL_BYTES, MAX_URLS, MAX_URL_BYTES,
    SCHEMA_V1,
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

/// One account's platform and name: each given (`missing`), within its length (`too-long`), and
/// one line of plain text (`not-plain-text`): no control, invisible or line-breaking character,
/// no white space at either end, so that what the helpline reads is what the person saw.
fn check_account(i: usize, account: &Account) -> Result<(), ReportError> {
    for (what, text, max) in [
        ("platform", &account.platform, MAX_PLATFORM_CHARS),
        ("name", &account.name, MAX_ACCOUNT_NAME_CHARS),
    ] {
        let field = account_field(i, what);
        if text.is_empty() {
            return Err(err(field, Problem::Missing));
        }
        check_chars(&field, text, max)?;
        if text.trim() != text.as_str()
            || text
                .chars()
                .any(|c| c.is_control() || is_invisible(c) || matches!(c, '\u{2028}' | '\u{2029}'))
        {
            return Err(err(field, Problem::NotPlainText));
        }
    }
    Ok(())
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

/// Whether an IPv4 address is one no public page lives at: this network (0/8), private
/// (10/8, 172.16/12, 192.168/16), loopback (127/8), link-local (169.254/16, where cloud metadata
/// services answer) or shared by carriers' NAT (100.64/10).
fn is_private_ipv4(ip: u32) -> bool {
    let [a, b, ..] = ip.to_be_bytes();
    matches!(a, 0 | 10 | 127)
        || (a == 169 && b == 254)
        || (a == 172 && b & 0xf0 == 16)
        || (a == 192 && b == 168)
        || (a == 100 && b & 0xc0 == 64)
}

/// The same for IPv6: unspecified, loopback, unique local (fc00::/7), link-local (fe80::/10), the
/// old site-local (fec0::/10), and an IPv4 address above written as IPv6 (::ffff:0:0/96, and the
/// NAT64 prefix 64:ff9b::/96).
fn is_private_ipv6(s: &[u16; 8]) -> bool {
    let v4 = (u32::from(s[6]) << 16) | u32::from(s[7]);
    let mapped = s[..5] == [0; 5] && s[5] == 0xffff;
    let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    (s[..7] == [0; 7] && s[7] <= 1)
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        || ((mapped || nat64) && is_private_ipv4(v4))
}

/// How the WHATWG parser would read a URL's host, as far as this check can tell.
enum Host {
    /// The parser refuses it (`[::1`, `1.2.3.256`, `a.1`, an empty host).
    Invalid,
    /// Outside what this check reads (`%`, non-ASCII, empty labels): it may be fine, private or
    /// refused by the parser, so the URL is refused as not normalised (stricter, never looser).
    Unknown,
    /// Read; `canonical` when the parser writes it back exactly as it is.
    Read { private: bool, canonical: bool },
}

/// An IPv4 part as WHATWG reads it: decimal, hex after `0x`, octal after `0`; None if it is not
/// a number. Saturates: any value over 255 is refused or too big anyway.
fn ipv4_number(part: &[u8]) -> Option<u64> {
    let (digits, radix) = match part {
        [] => return None,
        [b'0', b'x', rest @ ..] => (rest, 16),
        [b'0', rest @ ..] if !rest.is_empty() => (rest, 8),
        _ => (part, 10),
    };
    digits.iter().try_fold(0u64, |n, &c| {
        let digit = char::from(c).to_digit(radix)?;
        Some(
            n.saturating_mul(u64::from(radix))
                .saturating_add(u64::from(digit)),
        )
    })
}

/// WHATWG's IPv4 parser, for a host whose last label is a number, so that `0x7f.1` is
/// 127.0.0.1, private; `name` is the host in lower case without a final dot. The parser writes
/// the address in dotted decimal: four parts, no leading zeros.
fn read_ipv4(host: &[u8], name: &[u8]) -> Host {
    let parts = name.split(|&c| c == b'.').count();
    if parts > 4 {
        return Host::Invalid;
    }
    let mut ip = 0u64;
    for (i, part) in name.split(|&c| c == b'.').enumerate() {
        let Some(value) = ipv4_number(part) else {
            return Host::Invalid;
        };
        // Every part but the last is one byte; the last fills the bytes left.
        let bits = if i + 1 < parts {
            8
        } else {
            8 * (5 - parts as u32)
        };
        if value >= 1u64 << bits {
            return Host::Invalid;
        }
        ip = (ip << bits) | value;
    }
    let decimal = |part: &[u8]| {
        matches!(part, [b'0'] | [b'1'..=b'9', ..])
            && part.len() <= 3
            && part.iter().all(u8::is_ascii_digit)
    };
    Host::Read {
        private: is_private_ipv4(ip as u32),
        canonical: host.split(|&c| c == b'.').count() == 4
            && host.split(|&c| c == b'.').all(decimal),
    }
}

/// RFC 3492's bias adaptation, for [`punycode_ok`].
fn punycode_adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / 700 } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > 35 * 26 / 2 {
        delta /= 35;
        k += 36;
    }
    k + 36 * delta / (delta + 38)
}

/// Whether a punycode label (what follows `xn--`) decodes to letters the parser surely keeps as
/// written: at least one lower-case letter of Latin-1 (`ß`, `à` to `ÿ` but `÷`) among lower-case
/// ASCII letters, digits and `-`. The parser knows all of Unicode; this check does not carry its
/// tables, so it refuses other scripts (stricter: docs/payload.md).
fn punycode_ok(label: &[u8]) -> bool {
    let (basic, digits) = match label.iter().rposition(|&c| c == b'-') {
        Some(dash) => (&label[..dash], &label[dash + 1..]),
        None => (&label[..0], label),
    };
    // Nothing to decode: the label would be all ASCII, which the parser refuses.
    if digits.is_empty() || digits.len() > 59 {
        return false;
    }
    let mut points = basic.len() as u32;
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut rest = digits.iter();
    while rest.len() > 0 {
        let old_i = i;
        let mut weight = 1u32;
        let mut k = 36u32;
        loop {
            let digit = match rest.next() {
                Some(&c @ b'a'..=b'z') => u32::from(c - b'a'),
                Some(&c @ b'0'..=b'9') => u32::from(c - b'0') + 26,
                _ => return false,
            };
            let Some(next) = digit.checked_mul(weight).and_then(|d| i.checked_add(d)) else {
                return false;
            };
            i = next;
            let t = k.saturating_sub(bias).clamp(1, 26);
            if digit < t {
                break;
            }
            let Some(next) = weight.checked_mul(36 - t) else {
                return false;
            };
            weight = next;
            k += 36;
        }
        points += 1;
        bias = punycode_adapt(i - old_i, points, old_i == 0);
        n += i / points;
        i = i % points + 1;
        if !(n == 0xdf || (0xe0..=0xff).contains(&n) && n != 0xf7) {
            return false;
        }
    }
    true
}

/// A host that is not in brackets: a domain of ASCII letters, digits, `-` and `_`, or an IPv4
/// address in any of the forms WHATWG reads.
fn read_name(host: &[u8]) -> Host {
    // Empty, or a byte WHATWG forbids in a domain whatever the escapes and mapping around it.
    let forbidden = |c: &u8| *c < b' ' || b" <>[]^|\x7f".contains(c);
    if host.is_empty() || host.iter().any(forbidden) {
        return Host::Invalid;
    }
    if !host
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
    {
        return Host::Unknown;
    }
    let lower = host.to_ascii_lowercase();
    let name = lower.strip_suffix(b".").unwrap_or(&lower);
    // WHATWG: a host whose last label is a number is an IPv4 address or nothing (`a.1`).
    let last = name.rsplit(|&c| c == b'.').next().unwrap_or_default();
    if (!last.is_empty() && last.iter().all(u8::is_ascii_digit)) || ipv4_number(last).is_some() {
        return read_ipv4(host, name);
    }
    let labels_ok = name.split(|&c| c == b'.').all(|label| match label {
        [] => false,
        [b'x', b'n', b'-', b'-', rest @ ..] => punycode_ok(rest),
        _ => true,
    });
    if !labels_ok {
        return Host::Unknown;
    }
    Host::Read {
        // WHATWG and RFC 6761 keep `localhost` and every name under it for this machine.
        private: name == b"localhost" || name.ends_with(b".localhost"),
        canonical: lower == host,
    }
}

/// WHATWG's IPv6 parser (what is between the brackets), without the dotted IPv4 form at the
/// end, which the parser writes in hex: [`read_host`] takes that as `Unknown`.
fn parse_ipv6(text: &[u8]) -> Option<[u16; 8]> {
    let mut address = [0u16; 8];
    let mut piece = 0;
    let mut compress = None;
    let mut p = 0;
    let at = |p: usize| text.get(p).copied();
    if at(0) == Some(b':') {
        if at(1) != Some(b':') {
            return None;
        }
        p = 2;
        piece = 1;
        compress = Some(1);
    }
    while p < text.len() {
        if piece == 8 {
            return None;
        }
        if at(p) == Some(b':') {
            if compress.is_some() {
                return None;
            }
            p += 1;
            piece += 1;
            compress = Some(piece);
            continue;
        }
        let (mut value, mut length) = (0u16, 0);
        while length < 4 {
            let Some(digit) = at(p).and_then(|c| char::from(c).to_digit(16)) else {
                break;
            };
            value = value * 16 + digit as u16;
            p += 1;
            length += 1;
        }
        match at(p) {
            Some(b':') => {
                p += 1;
                if p == text.len() {
                    return None;
                }
            }
            Some(_) => return None,
            None => {}
        }
        address[piece] = value;
        piece += 1;
    }
    match compress {
        Some(start) => {
            // The pieces after `::` move to the end; zeros fill the gap.
            address[start..].rotate_right(8 - piece);
        }
        None if piece != 8 => return None,
        None => {}
    }
    Some(address)
}

/// WHATWG's IPv6 serialisation: lower-case hex without leading zeros, the first longest run of
/// two or more zero pieces as `::`.
fn ipv6_text(address: &[u16; 8]) -> Vec<u8> {
    let (mut compress, mut longest, mut i) = (None, 1, 0);
    while i < 8 {
        let start = i;
        while i < 8 && address[i] == 0 {
            i += 1;
        }
        if i - start > longest {
            compress = Some(start);
            longest = i - start;
        }
        i += 1;
    }
    let mut out = Vec::with_capacity(39);
    let mut i = 0;
    while i < 8 {
        if compress == Some(i) {
            out.extend_from_slice(if i == 0 { b"::" } else { b":" });
            i += longest;
            continue;
        }
        let piece = address[i];
        for shift in [12, 8, 4, 0] {
            if piece >> shift != 0 || shift == 0 {
                out.push(b"0123456789abcdef"[usize::from((piece >> shift) & 0xf)]);
            }
        }
        if i != 7 {
            out.push(b':');
        }
        i += 1;
    }
    out
}

fn read_host(host: &[u8]) -> Host {
    match host {
        [b'[', inside @ .., b']'] if inside.contains(&b'.') => Host::Unknown,
        [b'[', inside @ .., b']'] => match parse_ipv6(inside) {
            Some(address) => Host::Read {
                private: is_private_ipv6(&address),
                canonical: ipv6_text(&address) == inside,
            },
            None => Host::Invalid,
        },
        [b'[', ..] => Host::Invalid,
        _ => read_name(host),
    }
}

/// A port: None when the parser refuses it, else whether it is written as the parser writes it
/// (no leading zero, not the scheme's default, not empty).
fn read_port(port: Option<&[u8]>, default: u64) -> Option<bool> {
    let Some(port) = port else {
        return Some(true);
    };
    let value = port.iter().try_fold(0u64, |n, &c| {
        c.is_ascii_digit()
            .then(|| (n * 10 + u64::from(c - b'0')).min(1 << 20))
    })?;
    if value > 65535 {
        return None;
    }
    Some(!port.is_empty() && (port[0] != b'0' || port.len() == 1) && value != default)
}

/// Every `%` starts an escape of two hex digits. The WHATWG parser keeps a stray `%` as it is
/// (`%zz`), so the serialisation alone does not catch it.
fn escapes_ok(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, &c)| {
        c != b'%'
            || b.get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    })
}

/// The printable ASCII bytes but `except`, as a set of bits.
const fn printable_except(except: &[u8]) -> u128 {
    let mut set = ((1u128 << 0x7f) - 1) & !((1u128 << 0x21) - 1);
    let mut i = 0;
    while i < except.len() {
        set &= !(1u128 << except[i]);
        i += 1;
    }
    set
}

/// What the parser leaves as it is in an http(s) path, and in its query (it escapes `'` there).
const PATH_KEPT: u128 = printable_except(b"\"#<>?`{}\\");
const QUERY_KEPT: u128 = printable_except(b"\"#<>'");

fn kept(set: u128, c: u8) -> bool {
    c < 128 && (set >> c) & 1 == 1
}

/// A `.` or `..` segment, also written with `%2e`, which the parser resolves.
fn is_dot_segment(segment: &[u8]) -> bool {
    let (mut i, mut dots) = (0, 0);
    while i < segment.len() {
        if segment[i] == b'.' {
            i += 1;
        } else if segment[i..].len() >= 3 && segment[i..i + 3].eq_ignore_ascii_case(b"%2e") {
            i += 3;
        } else {
            return false;
        }
        dots += 1;
    }
    (1..=2).contains(&dots)
}

/// A path and query as the parser writes them for http(s): a path from `/`, only characters it
/// leaves unescaped, no `.` or `..` segment, no fragment, and every `%` starting an escape.
fn path_and_query_normal(rest: &[u8]) -> bool {
    let end = rest.iter().position(|&c| c == b'?').unwrap_or(rest.len());
    let (path, query) = rest.split_at(end);
    path.first() == Some(&b'/')
        && path.iter().all(|&c| kept(PATH_KEPT, c))
        && query.iter().all(|&c| kept(QUERY_KEPT, c))
        && !path.split(|&c| c == b'/').any(is_dot_segment)
        && escapes_ok(rest)
}

/// A URL exactly as the WHATWG parser (the browser's `URL`) writes back an http(s) URL, with no
/// user name or password, no fragment, and not at a private or local address. Hand-written on
/// bytes for a strict subset of what the parser accepts, so that the page's WebAssembly does not
/// carry a whole URL parser; crate/tests/url_reference.rs checks it against the `url` crate.
/// Outside the subset it refuses, with the parser's code where it can tell cheaply.
fn check_url(text: &str) -> Result<(), Problem> {
    if text.len() > MAX_URL_BYTES {
        return Err(Problem::TooLong {
            max: MAX_URL_BYTES,
            unit: "bytes",
        });
    }
    let b = text.as_bytes();
    // The scheme in any case, to name the right problem; only lower case is normalised. Other
    // spellings the parser reads as http(s) (`https:x`, ` https://x`) are refused as not
    // normalised, which may name the problem less exactly than the parser would.
    let starts = |prefix: &[u8]| {
        b.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    let scheme_len = match (starts(b"https://"), starts(b"http://")) {
        (true, _) => 8,
        (false, true) => 7,
        _ if starts(b"http:") || starts(b"https:") || b.first().is_some_and(|&c| c <= b' ') => {
            return Err(Problem::NotNormalised)
        }
        _ => return Err(Problem::NotHttpUrl),
    };
    let default_port = if scheme_len == 8 { 443 } else { 80 };
    let (scheme, rest) = b.split_at(scheme_len);
    // The parser drops tabs and newlines, and spaces and controls at the end, then reads on;
    // and it skips more slashes before the host.
    let dropped = b.iter().any(|&c| matches!(c, b'\t' | b'\n' | b'\r'));
    if dropped || b.last().is_some_and(|&c| c <= b' ') || matches!(rest, [b'/' | b'\\', ..]) {
        return Err(Problem::NotNormalised);
    }
    let authority_end = rest
        .iter()
        .position(|c| b"/?#\\".contains(c))
        .unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let (user_info, host_port) = match authority.iter().rposition(|&c| c == b'@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    // The port starts at the first `:` outside brackets.
    let mut in_brackets = false;
    let colon = host_port.iter().position(|&c| {
        match c {
            b'[' => in_brackets = true,
            b']' => in_brackets = false,
            _ => {}
        }
        c == b':' && !in_brackets
    });
    let (host, port) = match colon {
        Some(colon) => (&host_port[..colon], Some(&host_port[colon + 1..])),
        None => (host_port, None),
    };
    let (private, host_port_canonical) = match (read_host(host), read_port(port, default_port)) {
        (Host::Invalid, _) | (_, None) => return Err(Problem::NotHttpUrl),
        (Host::Unknown, _) => return Err(Problem::NotNormalised),
        (Host::Read { private, canonical }, Some(port_canonical)) => {
            (private, canonical && port_canonical)
        }
    };
    // `https://:@host/` has an empty user name and password, which the parser drops.
    if user_info.is_some_and(|user_info| !matches!(user_info, b"" | b":")) {
        return Err(Problem::HasCredentials);
    }
    if private {
        return Err(Problem::PrivateAddress);
    }
    let scheme_lower = !scheme.iter().any(u8::is_ascii_uppercase);
    if user_info.is_some() || !scheme_lower || !host_port_canonical || !path_and_query_normal(path)
    {
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
            let (pdq, stored) = (item.pdq.as_ref(), item.pdq_stored.as_ref());
            for (what, value, digits) in [
                ("sha256", Some(&item.sha256), 64),
                ("md5", Some(&item.md5), 32),
                ("sha1", item.sha1.as_ref(), 40),
                ("pdq.hash", pdq.map(|p| &p.hash), 64),
                ("pdq_stored.hash", stored.map(|p| &p.hash), 64),
            ] {
                if value.is_some_and(|v| !is_hex(v, digits)) {
                    return Err(err(item_field(i, what), Problem::NotHex { digits }));
                }
            }
            for (what, value) in [("pdq.quality", pdq), ("pdq_stored.quality", stored)] {
                if value.is_some_and(|p| p.quality > 100) {
                    return Err(err(item_field(i, what), Problem::QualityOver100));
                }
            }
            // The stored pixels' hash only beside the displayed picture's.
            if stored.is_some() && pdq.is_none() {
                return Err(err(item_field(i, "pdq"), Problem::Missing));
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
        if self.accounts.len() > MAX_ACCOUNTS {
            return Err(err(
                "accounts",
                Problem::TooMany {
                    max: MAX_ACCOUNTS,
                    unit: "",
                },
            ));
        }
        for (i, account) in self.accounts.iter().enumerate() {
            check_account(i, account)?;
        }
        // An account alone is a report: a threat often has no file or link yet, only who threatens.
        if self.items.is_empty() && self.urls.is_empty() && self.accounts.is_empty() {
            return Err(err("items", Problem::Empty));
        }
        if let Some(explanation) = &self.explanation {
            check_chars("explanation", explanation, MAX_EXPLANATION_CHARS)?;
        }
        if let Some(contact) = &self.contact {
            if self.about_minor() {
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
