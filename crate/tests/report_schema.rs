//! `schema/report-v1.schema.json` against the core: its limits and constants are the ones of
//! `crate/src/report/`, and its properties are the fields the core writes, so the two cannot drift apart.
//! The schema is compiled in, so these run natively and, under `wasm-bindgen-test`, in Chromium.
//!
//! Whether the schema and the core accept and refuse the same reports is told by one table,
//! `schema/tests/report-v1-cases.json`: natively here, `Report::from_json` must give each case's
//! verdict (and its field and problem); `tests/schema.spec.mjs` holds Ajv to the same file.

use report_helper::report::{
    Account, Contact, Item, ItemKind, ItemPdq, ItemVpdq, Report, Situation, MAX_ACCOUNTS,
    MAX_ACCOUNT_NAME_CHARS, MAX_EMAIL_BYTES, MAX_EXPLANATION_CHARS, MAX_ITEMS, MAX_NAME_CHARS,
    MAX_PLATFORM_CHARS, MAX_REPORT_BYTES, MAX_REPORT_TOTAL_BYTES, MAX_URLS, MAX_URL_BYTES,
    MAX_VPDQ_TEXT_BYTES, SCHEMA_V1,
};
use report_helper::vpdq::{MAX_REPORT_HASHES, SECONDS_PER_HASH};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const SCHEMA: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schema/report-v1.schema.json"
));

fn schema() -> Value {
    serde_json::from_str(SCHEMA).expect("the schema is JSON")
}

/// The value at a JSON pointer, or a panic naming it.
fn at<'a>(schema: &'a Value, pointer: &str) -> &'a Value {
    schema
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} missing in the schema"))
}

fn number(schema: &Value, pointer: &str) -> usize {
    let n = at(schema, pointer)
        .as_u64()
        .unwrap_or_else(|| panic!("{pointer} is not a whole number"));
    usize::try_from(n).unwrap()
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn strings(value: &Value) -> Vec<&str> {
    let mut strings: Vec<&str> = value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect();
    strings.sort_unstable();
    strings
}

/// The vPDQ of `n` distinct hashes (the index in the first 4 bytes, then `Z`s): one hash as
/// Python's `base64.b64encode` writes it; more through the core's encoder, whose own tests hold it
/// to RFC 4648 and Python (the cases file's are Node's).
fn vpdq(n: usize) -> ItemVpdq {
    let bytes: Vec<u8> = (0..n)
        .flat_map(|i| {
            let mut hash = [0x5a; 32];
            hash[..4].copy_from_slice(&(i as u32).to_be_bytes());
            hash
        })
        .collect();
    let hashes = match n {
        // python3 -c 'import base64; print(base64.b64encode(bytes(4) + b"Z" * 28).decode())'
        1 => "AAAAAFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=".to_string(),
        _ => report_helper::vpdq::encoding::encode(&bytes),
    };
    ItemVpdq {
        seconds_per_hash: SECONDS_PER_HASH,
        hashes,
    }
}

/// A report with every optional field given (an image with both PDQ hashes, a video with vPDQ), and one
/// with none.
fn full_and_bare() -> (Report, Report) {
    let full = Report {
        schema: SCHEMA_V1.into(),
        idempotency_key: "0123456789abcdef".into(),
        created_at: "2026-11-27T21:57:00Z".into(),
        language: "en".into(),
        situation: Situation::Shared,
        under_18: Some(false),
        items: vec![
            Item {
                kind: ItemKind::Image,
                sha256: "ab".repeat(32),
                md5: "cd".repeat(16),
                sha1: Some("ef".repeat(20)),
                pdq: Some(ItemPdq {
                    hash: "0f".repeat(32),
                    quality: 100,
                }),
                pdq_stored: Some(ItemPdq {
                    hash: "1e".repeat(32),
                    quality: 90,
                }),
                vpdq: None,
            },
            Item {
                kind: ItemKind::Video,
                sha256: "ab".repeat(32),
                md5: "cd".repeat(16),
                sha1: Some("ef".repeat(20)),
                pdq: None,
                pdq_stored: None,
                vpdq: Some(vpdq(1)),
            },
        ],
        urls: vec!["https://a.example/x".into()],
        accounts: vec![Account {
            platform: "Snapchat".into(),
            name: "sanne_fake".into(),
        }],
        explanation: Some("What happened.".into()),
        contact: Some(Contact {
            name: Some("Sam".into()),
            email: Some("sam@example.org".into()),
        }),
        good_faith: true,
        share_with_platforms: true,
    };
    let mut bare = full.clone();
    bare.items[0].sha1 = None;
    bare.items[0].pdq = None;
    bare.items[0].pdq_stored = None;
    bare.items[1].sha1 = None;
    bare.items[1].vpdq = None;
    bare.accounts.clear();
    bare.explanation = None;
    bare.contact = None;
    bare.under_18 = None;
    bare.share_with_platforms = false;
    (full, bare)
}

#[test]
fn the_schema_s_limits_are_the_core_s() {
    let s = schema();
    assert_eq!(
        at(&s, "/$schema"),
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(at(&s, "/$id")
        .as_str()
        .unwrap()
        .ends_with("report-v1.schema.json"));
    assert_eq!(at(&s, "/properties/schema/const"), SCHEMA_V1);
    assert_eq!(number(&s, "/properties/items/maxItems"), MAX_ITEMS);
    assert_eq!(number(&s, "/properties/urls/maxItems"), MAX_URLS);
    assert_eq!(
        number(&s, "/properties/urls/items/maxLength"),
        MAX_URL_BYTES
    );
    assert_eq!(
        number(&s, "/properties/explanation/maxLength"),
        MAX_EXPLANATION_CHARS
    );
    assert_eq!(
        number(&s, "/$defs/contact/properties/name/maxLength"),
        MAX_NAME_CHARS
    );
    assert_eq!(
        number(&s, "/$defs/contact/properties/email/maxLength"),
        MAX_EMAIL_BYTES
    );
    assert_eq!(number(&s, "/properties/accounts/maxItems"), MAX_ACCOUNTS);
    assert_eq!(
        number(&s, "/$defs/account/properties/platform/maxLength"),
        MAX_PLATFORM_CHARS
    );
    assert_eq!(
        number(&s, "/$defs/account/properties/name/maxLength"),
        MAX_ACCOUNT_NAME_CHARS
    );
    assert_eq!(at(&s, "/properties/urls/uniqueItems"), true);
    assert_eq!(at(&s, "/properties/good_faith/const"), true);
    assert_eq!(number(&s, "/$defs/pdq/properties/quality/maximum"), 100);
    assert_eq!(
        number(&s, "/$defs/vpdq/properties/seconds_per_hash/const"),
        SECONDS_PER_HASH as usize
    );
    // One hash at least, MAX_REPORT_HASHES at most, as base64.
    assert_eq!(number(&s, "/$defs/vpdq/properties/hashes/minLength"), 44);
    assert_eq!(
        number(&s, "/$defs/vpdq/properties/hashes/maxLength"),
        MAX_VPDQ_TEXT_BYTES
    );
    assert_eq!(vpdq(MAX_REPORT_HASHES).hashes.len(), MAX_VPDQ_TEXT_BYTES);
    // The limits JSON Schema cannot state are stated in its description.
    let description = at(&s, "/description").as_str().unwrap();
    for limit in [
        format!("{MAX_REPORT_BYTES} bytes"),
        format!("{MAX_REPORT_TOTAL_BYTES} bytes"),
        format!("{MAX_REPORT_HASHES} vPDQ hashes"),
    ] {
        assert!(description.contains(&limit), "{limit}: {description}");
    }
}

/// The names the core writes for an enum's variants, sorted.
fn sorted<const N: usize>(names: [&str; N]) -> Vec<&str> {
    let mut names = names.to_vec();
    names.sort_unstable();
    names
}

#[test]
fn the_schema_s_enums_are_the_core_s() {
    let s = schema();
    assert_eq!(
        strings(at(&s, "/properties/situation/enum")),
        sorted(Situation::ALL.map(Situation::name))
    );
    assert_eq!(
        strings(at(&s, "/$defs/item/properties/kind/enum")),
        sorted(ItemKind::ALL.map(ItemKind::name))
    );
    // In the written reports too, each one.
    let (full, _) = full_and_bare();
    for situation in Situation::ALL {
        let mut r = full.clone();
        r.situation = situation;
        assert!(r
            .to_json()
            .contains(&format!("\"situation\":\"{}\"", situation.name())));
    }
    for kind in ItemKind::ALL {
        let mut r = full.clone();
        r.items[0].kind = kind;
        assert!(r
            .to_json()
            .contains(&format!("\"kind\":\"{}\"", kind.name())));
    }
}

#[test]
fn the_schema_s_properties_are_the_fields_the_core_writes() {
    let s = schema();
    let (full, bare) = full_and_bare();
    let full: Value = serde_json::from_str(&full.to_json()).unwrap();
    let bare: Value = serde_json::from_str(&bare.to_json()).unwrap();
    for (properties, required, written, bare_written) in [
        ("/properties", "/required", &full, &bare),
        (
            "/$defs/vpdq/properties",
            "/$defs/vpdq/required",
            &full["items"][1]["vpdq"],
            &full["items"][1]["vpdq"],
        ),
        (
            "/$defs/pdq/properties",
            "/$defs/pdq/required",
            &full["items"][0]["pdq"],
            &full["items"][0]["pdq"],
        ),
        (
            "/$defs/account/properties",
            "/$defs/account/required",
            &full["accounts"][0],
            &full["accounts"][0],
        ),
    ] {
        assert_eq!(keys(at(&s, properties)), keys(written), "{properties}");
        assert_eq!(strings(at(&s, required)), keys(bare_written), "{required}");
    }
    // An item's: the image's and the video's together; required, what both have bare.
    let mut item_keys = keys(&full["items"][0]);
    item_keys.extend(keys(&full["items"][1]));
    item_keys.sort_unstable();
    item_keys.dedup();
    assert_eq!(keys(at(&s, "/$defs/item/properties")), item_keys);
    for bare_item in [&bare["items"][0], &bare["items"][1]] {
        assert_eq!(
            strings(at(&s, "/$defs/item/required")),
            keys(bare_item),
            "{bare_item}"
        );
    }
    assert_eq!(
        keys(at(&s, "/$defs/contact/properties")),
        keys(&full["contact"])
    );
    // The canonical form's keys come in the order of the schema's `properties` (a `Value` sorts
    // its keys, so read that order from the text).
    let json = full_and_bare().0.to_json();
    let order: Vec<usize> = top_level_property_order()
        .iter()
        .map(|k| json.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

/// The keys of the schema's top-level `properties`, in the order written.
fn top_level_property_order() -> Vec<String> {
    struct InOrder(Vec<String>);
    impl<'de> serde::Deserialize<'de> for InOrder {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Keys;
            impl<'de> serde::de::Visitor<'de> for Keys {
                type Value = InOrder;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<InOrder, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((key, serde::de::IgnoredAny)) = map.next_entry()? {
                        keys.push(key);
                    }
                    Ok(InOrder(keys))
                }
            }
            d.deserialize_map(Keys)
        }
    }
    #[derive(serde::Deserialize)]
    struct Top {
        properties: InOrder,
    }
    serde_json::from_str::<Top>(SCHEMA).unwrap().properties.0
}

/// Every limit is at its edge in a report the core accepts, and one past it in one it refuses: the
/// numbers compared above are the ones the core enforces.
#[test]
fn the_core_enforces_the_limits_at_their_edges() {
    let (full, _) = full_and_bare();
    let ok = |r: &Report| r.validate().is_ok();
    let mut r = full.clone();
    r.explanation = Some("é".repeat(MAX_EXPLANATION_CHARS));
    assert!(ok(&r));
    r.explanation = Some("é".repeat(MAX_EXPLANATION_CHARS + 1));
    assert!(!ok(&r));
    let mut r = full.clone();
    r.contact.as_mut().unwrap().name = Some("é".repeat(MAX_NAME_CHARS));
    assert!(ok(&r));
    r.contact.as_mut().unwrap().name = Some("é".repeat(MAX_NAME_CHARS + 1));
    assert!(!ok(&r));
    let mut r = full.clone();
    // Labels of at most 63 bytes (RFC 1035): three of 63 and one of 56, then "org".
    let domain = format!("{0}.{0}.{0}.{1}.org", "d".repeat(63), "d".repeat(56));
    let at_edge = format!("a@{domain}");
    assert_eq!(at_edge.len(), MAX_EMAIL_BYTES);
    r.contact.as_mut().unwrap().email = Some(at_edge);
    assert!(ok(&r));
    r.contact.as_mut().unwrap().email = Some(format!("aa@{domain}"));
    assert!(!ok(&r));
    let mut r = full.clone();
    let url = |len: usize| format!("https://a.example/{}", "p".repeat(len - 18));
    assert_eq!(url(MAX_URL_BYTES).len(), MAX_URL_BYTES);
    r.urls = vec![url(MAX_URL_BYTES)];
    assert!(ok(&r));
    r.urls = vec![url(MAX_URL_BYTES + 1)];
    assert!(!ok(&r));
    let mut r = full.clone();
    r.urls = (0..MAX_URLS)
        .map(|i| format!("https://a.example/{i}"))
        .collect();
    assert!(ok(&r));
    r.urls.push("https://b.example/".into());
    assert!(!ok(&r));
    let mut r = full.clone();
    r.items = vec![full.items[0].clone(); MAX_ITEMS];
    assert!(ok(&r));
    r.items.push(full.items[0].clone());
    assert!(!ok(&r));
    // Hashes: in one video, and in the whole report.
    let mut r = full.clone();
    r.items[1].vpdq = Some(vpdq(MAX_REPORT_HASHES));
    assert!(ok(&r));
    r.items[1].vpdq = Some(vpdq(MAX_REPORT_HASHES + 1));
    assert!(!ok(&r));
    r.items[1].vpdq = Some(vpdq(MAX_REPORT_HASHES - 1));
    r.items.push(r.items[1].clone());
    r.items[2].vpdq = Some(vpdq(1));
    assert!(ok(&r));
    r.items[2].vpdq = Some(vpdq(2));
    assert!(!ok(&r));
    // Size: 64 KiB besides the hashes, and 526336 bytes in all.
    let mut r = full.clone();
    r.items[1].vpdq = Some(vpdq(MAX_REPORT_HASHES));
    let json = r.to_json();
    let besides = json.len() - MAX_VPDQ_TEXT_BYTES;
    assert!(r.check_size(json.len()).is_ok());
    assert!(r
        .check_size(json.len() + MAX_REPORT_BYTES - besides)
        .is_ok());
    assert_eq!(
        json.len() + MAX_REPORT_BYTES - besides,
        MAX_REPORT_TOTAL_BYTES
    );
    assert!(r.check_size(MAX_REPORT_TOTAL_BYTES + 1).is_err());
    r.items[1].vpdq = Some(vpdq(1));
    let json = r.to_json();
    assert!(r
        .check_size(json.len() + MAX_REPORT_BYTES - (json.len() - 44))
        .is_ok());
    assert!(r
        .check_size(json.len() + MAX_REPORT_BYTES - (json.len() - 44) + 1)
        .is_err());
}

/// One case of `schema/tests/report-v1-cases.json` (its header is in `make-report-v1-cases.mjs`).
#[cfg(not(target_arch = "wasm32"))]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// A JSON value, or a string holding the raw JSON text to send.
    report: Box<serde_json::value::RawValue>,
    valid: bool,
    field: Option<String>,
    problem: Option<String>,
    core_message_contains: Option<String>,
    #[serde(default)]
    #[allow(dead_code)] // Ajv's business: the core must give `valid` all the same.
    schema_cannot_tell: bool,
    canonical: Option<String>,
}

#[cfg(not(target_arch = "wasm32"))]
impl Case {
    /// The text the endpoint receives: a value exactly as the file writes it (compact, in the
    /// order written, as `JSON.stringify` gives it to Ajv), or the string's raw text.
    fn text(&self) -> String {
        let raw = self.report.get();
        if raw.starts_with('"') {
            serde_json::from_str(raw).unwrap()
        } else {
            raw.to_string()
        }
    }
}

/// The core gives every case of the shared table its verdict, and for a refusal the field and
/// problem the table names; an accepted report comes back out in canonical form unchanged.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_core_judges_the_shared_cases_as_the_file_says() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schema/tests/report-v1-cases.json"
    );
    let text = std::fs::read_to_string(path).expect("the cases file");
    let cases: Vec<Case> = serde_json::from_str(&text).expect("the cases file is a list of cases");
    assert!(cases.len() > 150, "{} cases", cases.len());
    let mut names = std::collections::HashSet::new();
    let (mut accepted, mut refused) = (0, 0);
    for case in &cases {
        let name = &case.name;
        assert!(names.insert(name.as_str()), "{name}: named twice");
        match Report::from_json(&case.text()) {
            Ok(report) => {
                assert!(case.valid, "{name}: the core accepts it");
                assert!(
                    case.field.is_none() && case.problem.is_none(),
                    "{name}: a valid case names no problem"
                );
                let json = report.to_json();
                if let Some(canonical) = &case.canonical {
                    assert_eq!(&json, canonical, "{name}");
                }
                assert_eq!(Report::from_json(&json).as_ref(), Ok(&report), "{name}");
                accepted += 1;
            }
            Err(e) => {
                assert!(!case.valid, "{name}: the core refuses it: {e}");
                if let Some(field) = &case.field {
                    assert_eq!(&e.field, field, "{name}: {e}");
                    if !field.is_empty() {
                        assert!(
                            e.to_string().starts_with(&format!("{field}: ")),
                            "{name}: {e}"
                        );
                    }
                }
                if let Some(problem) = &case.problem {
                    assert_eq!(e.problem.code(), problem, "{name}: {e}");
                }
                if let Some(part) = &case.core_message_contains {
                    assert!(e.to_string().contains(part.as_str()), "{name}: {e}");
                }
                assert!(case.canonical.is_none(), "{name}");
                refused += 1;
            }
        }
    }
    assert!(
        accepted > 40 && refused > 80,
        "{accepted} accepted, {refused} refused"
    );
}
