//! A draft given as one value, as the page's JavaScript object is read by the WebAssembly
//! ([`ReportDraft::from_value`]): every key known, every value of its type, each refusal on the
//! JSON path of its field (`items[2].kind`, `urls[0]`), in the order the page fills a draft in.

use super::problem::{account_field, err, item_field, url_field};
use super::{Account, ItemPdq, Problem, ReportDraft, ReportError};

/// A JavaScript value, as far as a draft needs to tell: `Other` is a function, a symbol, a
/// BigInt or anything else no field takes.
#[derive(Clone, Debug)]
pub enum Value {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<Value>),
    /// An object's own enumerable string keys and their values, in order.
    Object(Vec<(String, Value)>),
    Other,
}

impl Value {
    /// The value of `key` in an object; `Undefined` when absent or not an object.
    #[inline(never)]
    pub fn get(&self, key: &str) -> &Value {
        match self {
            Value::Object(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map_or(&Value::Undefined, |(_, v)| v),
            _ => &Value::Undefined,
        }
    }

    fn absent(&self) -> bool {
        matches!(self, Value::Undefined | Value::Null)
    }
}

/// Why a draft given as one value is refused: the error, and the sentence to show, which is the
/// error's own except for a frame's hash (the sentence names the frame).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub error: ReportError,
    pub message: String,
}

impl From<ReportError> for Refusal {
    // Out of line: one copy of the sentence's writing for every `?` that converts.
    #[cold]
    #[inline(never)]
    fn from(error: ReportError) -> Refusal {
        Refusal {
            message: error.to_string(),
            error,
        }
    }
}

/// Where a value goes in the report: the field of its refusal, written only when there is one.
#[derive(Clone, Copy)]
enum At {
    Field(&'static str),
    Item(usize, &'static str),
    Url(usize),
    Account(usize, &'static str),
}

impl At {
    fn field(self) -> String {
        match self {
            At::Field(name) => name.into(),
            At::Item(i, what) => item_field(i, what),
            At::Url(i) => url_field(i),
            At::Account(i, what) => account_field(i, what),
        }
    }
}

/// `malformed` on the whole draft (field `""`): not a report's shape.
#[cold]
#[inline(never)]
fn not_a_report(why: String) -> ReportError {
    err("", Problem::Malformed(why))
}

/// Which object of the draft: the words after an unknown key's name.
#[derive(Clone, Copy)]
enum In {
    Draft,
    Item(usize),
    Pdq(usize, &'static str),
    Vpdq(usize),
    Account(usize),
}

impl In {
    fn words(self) -> String {
        match self {
            In::Draft => String::new(),
            In::Item(i) => format!(" in items[{i}]"),
            In::Pdq(i, key) => format!(" in items[{i}].{key}"),
            In::Vpdq(i) => format!(" in items[{i}].vpdq"),
            In::Account(i) => format!(" in accounts[{i}]"),
        }
    }
}

/// An object whose keys are all among `keys`; a key whose value is `undefined` is as good as
/// absent. Anything else is not a report.
#[inline(never)]
fn object<'v>(value: &'v Value, keys: &[&str], place: In) -> Result<&'v Value, ReportError> {
    let Value::Object(entries) = value else {
        return Err(not_a_report(format!("expected an object{}", place.words())));
    };
    match entries
        .iter()
        .find(|(k, v)| !matches!(v, Value::Undefined) && !keys.contains(&k.as_str()))
    {
        Some((key, _)) => Err(not_a_report(format!(
            "unknown field `{key}`{}",
            place.words()
        ))),
        None => Ok(value),
    }
}

/// An optional text: `None` for `undefined` or `null`, and `malformed` for anything not a string.
#[inline(never)]
fn text(value: &Value, at: At) -> Result<Option<String>, ReportError> {
    match value {
        Value::Text(text) => Ok(Some(text.clone())),
        v if v.absent() => Ok(None),
        _ => Err(err(
            at.field(),
            Problem::Malformed("expected a string".into()),
        )),
    }
}

/// A required text: as [`text`], with `undefined` or `null` refused as `missing`.
#[inline(never)]
fn required(value: &Value, at: At) -> Result<String, ReportError> {
    text(value, at)?.ok_or_else(|| err(at.field(), Problem::Missing))
}

/// A whole number from 0 up, kept at 255 when over (still "over 100" for the rules).
fn whole(value: &Value) -> Option<u8> {
    match *value {
        Value::Number(n) if n >= 0.0 && n.fract() == 0.0 => Some(n.min(255.0) as u8),
        _ => None,
    }
}

/// A list: `undefined` is an empty one.
fn list<'v>(value: &'v Value, what: &str) -> Result<&'v [Value], ReportError> {
    match value {
        Value::Undefined => Ok(&[]),
        Value::List(values) => Ok(values),
        _ => Err(not_a_report(format!("`{what}` is not a list"))),
    }
}

const DRAFT_KEYS: &[&str] = &[
    "idempotency_key",
    "created_at",
    "language",
    "situation",
    "under_18",
    "items",
    "urls",
    "accounts",
    "explanation",
    "name",
    "email",
    "good_faith",
    "share_with_platforms",
];
const ITEM_KEYS: &[&str] = &["kind", "sha256", "md5", "sha1", "pdq", "pdq_stored", "vpdq"];

impl ReportDraft {
    /// The draft the page gives as one object: `idempotency_key`, `created_at`, `language`,
    /// `situation` (`""`, `undefined` or `null` when not chosen yet), `under_18` (optional),
    /// `items` (each `kind`,
    /// `sha256`, `md5`, optional `sha1`, `pdq: {hash, quality}`, `pdq_stored: {hash, quality}`
    /// (only beside `pdq`) and, for a video,
    /// `vpdq: {frames: [{hash, quality}, …]}`), `urls`, `accounts` (each `{platform, name}`),
    /// `explanation`, `name`, `email`,
    /// `good_faith` and `share_with_platforms` (optional). A key the report does not know is refused (`malformed`, field `""`), not
    /// dropped; a value of the wrong type is `malformed` on its field, a required one left
    /// `undefined` or `null` is `missing`; names and frames are checked here, the rest by
    /// [`Report::from_draft`](super::Report::from_draft).
    pub fn from_value(draft: &Value) -> Result<ReportDraft, Refusal> {
        object(draft, DRAFT_KEYS, In::Draft)?;
        let key = required(draft.get("idempotency_key"), At::Field("idempotency_key"))?;
        let created_at = required(draft.get("created_at"), At::Field("created_at"))?;
        let language = required(draft.get("language"), At::Field("language"))?;
        let situation = text(draft.get("situation"), At::Field("situation"))?;
        let mut d = ReportDraft::new(key, created_at, language, &situation.unwrap_or_default())?;
        d.under_18 = match draft.get("under_18") {
            Value::Bool(b) => Some(*b),
            v if v.absent() => None,
            _ => {
                return Err(err(
                    "under_18",
                    Problem::Malformed("expected true or false".into()),
                )
                .into())
            }
        };
        for (i, item) in list(draft.get("items"), "items")?.iter().enumerate() {
            d.add_value_item(i, item)?;
        }
        for (i, url) in list(draft.get("urls"), "urls")?.iter().enumerate() {
            d.urls.push(required(url, At::Url(i))?);
        }
        for (i, account) in list(draft.get("accounts"), "accounts")?.iter().enumerate() {
            let account = object(account, &["platform", "name"], In::Account(i))?;
            d.accounts.push(Account {
                platform: required(account.get("platform"), At::Account(i, "platform"))?,
                name: required(account.get("name"), At::Account(i, "name"))?,
            });
        }
        d.explanation =
            text(draft.get("explanation"), At::Field("explanation"))?.unwrap_or_default();
        d.name = text(draft.get("name"), At::Field("contact.name"))?.unwrap_or_default();
        d.email = text(draft.get("email"), At::Field("contact.email"))?.unwrap_or_default();
        d.good_faith = match draft.get("good_faith") {
            Value::Bool(b) => *b,
            v if v.absent() => false,
            _ => {
                return Err(err(
                    "good_faith",
                    Problem::Malformed("expected true or false".into()),
                )
                .into())
            }
        };
        d.share_with_platforms = match draft.get("share_with_platforms") {
            Value::Bool(b) => *b,
            v if v.absent() => false,
            _ => {
                return Err(err(
                    "share_with_platforms",
                    Problem::Malformed("expected true or false".into()),
                )
                .into())
            }
        };
        Ok(d)
    }

    /// Item `i` of the draft's `items`, with its vPDQ frames if a video's.
    #[inline(never)]
    fn add_value_item(&mut self, i: usize, item: &Value) -> Result<(), Refusal> {
        object(item, ITEM_KEYS, In::Item(i))?;
        let pdq = item_pdq(i, item, "pdq")?;
        let pdq_stored = item_pdq(i, item, "pdq_stored")?;
        let kind = required(item.get("kind"), At::Item(i, "kind"))?;
        let sha256 = required(item.get("sha256"), At::Item(i, "sha256"))?;
        let md5 = required(item.get("md5"), At::Item(i, "md5"))?;
        let sha1 = text(item.get("sha1"), At::Item(i, "sha1"))?;
        self.add_item(&kind, sha256, md5, sha1, pdq)?;
        if let Some(last) = self.items.last_mut() {
            last.pdq_stored = pdq_stored;
        }
        match item.get("vpdq") {
            v if v.absent() => Ok(()),
            v => {
                let vpdq = object(v, &["frames"], In::Vpdq(i))?;
                let (hashes, qualities) = frames(i, vpdq.get("frames"))?;
                Ok(self.add_video_frames_hex(&hashes, &qualities)?)
            }
        }
    }
}

/// Item `i`'s `pdq` or `pdq_stored` (`key`): `{hash, quality}`, both or neither.
fn item_pdq(i: usize, item: &Value, key: &'static str) -> Result<Option<ItemPdq>, Refusal> {
    let pdq = match item.get(key) {
        v if v.absent() => return Ok(None),
        v => object(v, &["hash", "quality"], In::Pdq(i, key))?,
    };
    let field = |what: &str| item_field(i, &format!("{key}.{what}"));
    let hash_at = if key == "pdq" {
        "pdq.hash"
    } else {
        "pdq_stored.hash"
    };
    let hash = text(pdq.get("hash"), At::Item(i, hash_at))?;
    let quality = match pdq.get("quality") {
        v if v.absent() => None,
        v => Some(whole(v).ok_or_else(|| {
            err(
                field("quality"),
                Problem::Malformed("expected a whole number from 0 to 100".into()),
            )
        })?),
    };
    match (hash, quality) {
        (None, None) => Ok(None),
        (Some(hash), Some(quality)) => Ok(Some(ItemPdq { hash, quality })),
        (Some(_), None) => Err(err(field("quality"), Problem::Missing).into()),
        (None, Some(_)) => Err(err(field("hash"), Problem::Missing).into()),
    }
}

/// A video's frames as [`ReportDraft::add_video_frames_hex`] takes them: the hashes joined, the
/// qualities in order. Each checked first, on `items[i].vpdq`: a list (`malformed`), a hash of
/// 64 characters (`not-hex`, the sentence naming the frame), a whole quality from 0 up
/// (`malformed`); its digits and a quality over 100 are the core's to refuse.
#[inline(never)]
fn frames(i: usize, frames: &Value) -> Result<(String, Vec<u8>), Refusal> {
    let field = || item_field(i, "vpdq");
    let Value::List(frames) = frames else {
        return Err(err(
            field(),
            Problem::Malformed("expected a list of frames".into()),
        )
        .into());
    };
    let mut hashes = String::with_capacity(64 * frames.len());
    let mut qualities = Vec::with_capacity(frames.len());
    for (j, frame) in frames.iter().enumerate() {
        // A hash's length as JavaScript counts it, in UTF-16 code units.
        match frame.get("hash") {
            Value::Text(hash) if hash.encode_utf16().count() == 64 => hashes.push_str(hash),
            _ => {
                let error = err(field(), Problem::NotHex { digits: 64 });
                let message = format!(
                    "{}: frames[{j}].hash must be 64 lowercase hexadecimal digits",
                    error.field
                );
                return Err(Refusal { error, message });
            }
        }
        qualities.push(whole(frame.get("quality")).ok_or_else(|| {
            err(
                field(),
                Problem::Malformed(format!(
                    "frames[{j}].quality: expected a whole number from 0 to 100"
                )),
            )
        })?);
    }
    Ok((hashes, qualities))
}
