//! The report as JSON. [`Report::to_json`] writes it by hand, exactly as `serde_json` would
//! (tested natively against it), so that the WebAssembly carries no serde;
//! [`Report::from_json`] (feature `serde`) reads it, as the intake endpoint receives it.

use super::Report;
#[cfg(feature = "serde")]
use super::{problem::err, Problem, ReportError, MAX_REPORT_TOTAL_BYTES};

impl Report {
    /// The report as sent: compact JSON, keys in the struct's (and the schema's) order, absent
    /// options left out. Byte for byte what `serde_json::to_string` writes for the same report
    /// (tested natively in `tests/report_json.rs`), without serde: strings escape `"`, `\\` and
    /// the controls below U+0020 (`\b \f \n \r \t`, else `\u00xx` in lowercase hex) and keep
    /// everything else as UTF-8.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(
            512 + 240 * self.items.len() + 64 * self.urls.len() + self.vpdq_text_len(),
        );
        let mut report = JsonObject::open(&mut out);
        report.string("schema", &self.schema);
        report.string("idempotency_key", &self.idempotency_key);
        report.string("created_at", &self.created_at);
        report.string("language", &self.language);
        report.string("situation", self.situation.name());
        if let Some(under_18) = self.under_18 {
            report
                .key("under_18")
                .push_str(if under_18 { "true" } else { "false" });
        }
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
            for (key, pdq) in [("pdq", &item.pdq), ("pdq_stored", &item.pdq_stored)] {
                if let Some(pdq) = pdq {
                    let mut p = JsonObject::open(o.key(key));
                    p.string("hash", &pdq.hash);
                    push_u8(p.key("quality"), pdq.quality);
                    p.close();
                }
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
        if !self.accounts.is_empty() {
            let w = report.key("accounts");
            w.push('[');
            for (i, account) in self.accounts.iter().enumerate() {
                if i > 0 {
                    w.push(',');
                }
                let mut a = JsonObject::open(w);
                a.string("platform", &account.platform);
                a.string("name", &account.name);
                a.close();
            }
            w.push(']');
        }
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
        // Only when given: a report without consent stays byte for byte what it was before.
        if self.share_with_platforms {
            report.key("share_with_platforms").push_str("true");
        }
        report.close();
        out
    }

    /// Parses and validates a report as the intake endpoint receives it: the whole size first
    /// (before parsing), then the shape, the size besides vPDQ hashes, and every rule. Only
    /// with the feature `serde` (the native command turns it on; the WebAssembly has no serde).
    #[cfg(feature = "serde")]
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
