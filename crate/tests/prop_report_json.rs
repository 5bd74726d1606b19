//! Property tests of `Report::from_json`, as the intake reads every POST: on any text it answers
//! and never panics; whatever it accepts, its canonical form (`to_json`) is accepted again as
//! the same report and is a fixed point (written again, the very same bytes), and is what
//! serde_json writes for it. The texts: near-valid reports, from the valid cases of
//! `schema/tests/report-v1-cases.json` and from a grammar of the report's fields, changed a few
//! fields at a time, written in several ways (compact, pretty, `\u` escapes, `\/`), some edited
//! character by character; and arbitrary strings. These hold whatever the rules are (stricter
//! URL, e-mail or date rules only move reports from accepted to refused).
//! Native only (serde); `PROPTEST_CASES` runs them longer (`make fuzz`, docs/testing.md).
#![cfg(not(target_arch = "wasm32"))]

mod prop_config;

use prop_config::config;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestRng, TestRunner};
use report_helper::report::Report;
use serde_json::{json, Map, Value};

/// The reports the cases file says are valid (a report is an object, or a text as sent).
fn valid_cases() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schema/tests/report-v1-cases.json"
    );
    let text = std::fs::read_to_string(path).expect("the cases file");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("the cases file is JSON");
    let valid: Vec<Value> = cases
        .into_iter()
        .filter(|case| case["valid"] == json!(true))
        .map(|case| match &case["report"] {
            Value::String(text) => serde_json::from_str(text).expect("a valid case is JSON"),
            report => report.clone(),
        })
        .collect();
    assert!(!valid.is_empty(), "the cases file has valid reports");
    valid
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 4648 base64, standard alphabet, with padding.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ABC[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// Characters that JSON, the writer or the rules treat specially, and the rest of Unicode.
fn text(max: usize) -> BoxedStrategy<String> {
    let special = select(vec![
        '"', '\\', '/', '\0', '\u{8}', '\u{c}', '\n', '\r', '\t', '\u{1f}', '\u{7f}', '\u{85}',
        '\u{a0}', '\u{2028}', '\u{2029}', '\u{202e}', '\u{feff}', '\u{fffd}', 'é', '😀', ' ', '#',
        '@', '<', '%',
    ]);
    proptest::collection::vec(
        prop_oneof![special, any::<char>(), proptest::char::range('a', 'z')],
        0..max,
    )
    .prop_map(|chars| chars.into_iter().collect())
    .boxed()
}

/// A URL as the page sends one (http or https, a lower-case host name, a path, sometimes a
/// query), or now and then something that is not one.
fn url_value() -> BoxedStrategy<Value> {
    prop_oneof![
        8 => (
            select(vec!["https", "http"]),
            proptest::collection::vec("[a-z][a-z0-9]{0,8}", 1..4),
            select(vec!["example", "example.org", "nl"]),
            proptest::collection::vec("[A-Za-z0-9._~-]{0,10}", 1..4),
            proptest::option::of("[a-z]{1,5}=[a-z0-9]{0,5}"),
        )
            .prop_map(|(scheme, labels, tld, path, query)| {
                let mut url = format!("{scheme}://{}.{tld}/{}", labels.join("."), path.join("/"));
                if let Some(query) = query {
                    url.push('?');
                    url.push_str(&query);
                }
                Value::String(url)
            }),
        1 => text(40).prop_map(Value::String),
    ]
    .boxed()
}

/// An item: mostly as the page makes one, with digests of the right lengths.
fn item() -> BoxedStrategy<Value> {
    (
        prop_oneof![9 => select(vec!["image", "video", "other"]), 1 => select(vec!["Image", ""])],
        any::<[u8; 32]>(),
        any::<[u8; 16]>(),
        proptest::option::of(any::<[u8; 20]>()),
        proptest::option::of((any::<[u8; 32]>(), 0u8..=105)),
        proptest::option::of((
            prop_oneof![9 => Just(1u32), 1 => any::<u32>()],
            prop_oneof![
                9 => proptest::collection::vec(any::<[u8; 32]>(), 1..4),
                1 => Just(vec![]),
            ],
        )),
        prop_oneof![9 => Just(false), 1 => Just(true)],
    )
        .prop_map(|(kind, sha256, md5, sha1, pdq, vpdq, vpdq_anywhere)| {
            // Frame hashes belong on a video; now and then elsewhere.
            let vpdq = vpdq.filter(|_| kind == "video" || vpdq_anywhere);
            let mut item = Map::new();
            item.insert("kind".into(), json!(kind));
            item.insert("sha256".into(), json!(hex(&sha256)));
            item.insert("md5".into(), json!(hex(&md5)));
            if let Some(sha1) = sha1 {
                item.insert("sha1".into(), json!(hex(&sha1)));
            }
            if let Some((hash, quality)) = pdq {
                item.insert(
                    "pdq".into(),
                    json!({"hash": hex(&hash), "quality": quality}),
                );
            }
            if let Some((seconds, hashes)) = vpdq {
                let hashes = base64(&hashes.concat());
                item.insert(
                    "vpdq".into(),
                    json!({"seconds_per_hash": seconds, "hashes": hashes}),
                );
            }
            Value::Object(item)
        })
        .boxed()
}

/// A report from the grammar of its fields: each field mostly valid, now and then not.
fn grammar_report() -> BoxedStrategy<Value> {
    let key = prop_oneof![19 => "[A-Za-z0-9_-]{16,64}", 1 => text(70)];
    let created_at = (
        2000u32..2100,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        proptest::option::of("[0-9]{1,9}"),
    )
        .prop_map(|(y, mo, d, h, mi, s, fraction)| {
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{fraction}Z")
        });
    let contact = proptest::option::of((
        proptest::option::of(text(30)),
        proptest::option::of(prop_oneof![
            4 => "[a-z0-9._]{1,10}@[a-z]{1,10}\\.(example|org|nl)",
            1 => text(20),
        ]),
    ));
    (
        (
            prop_oneof![19 => Just("report-helper/report@1".to_string()), 1 => text(30)],
            key,
            prop_oneof![19 => created_at, 1 => text(30)],
            prop_oneof![
                9 => select(vec!["en", "nl", "en-GB", "nl-NL", "de"]),
                1 => select(vec!["EN", "e", ""]),
            ],
            (
                prop_oneof![
                    9 => select(vec!["shared", "threatened", "minor", "other"]),
                    1 => select(vec!["Shared", ""]),
                ],
                proptest::option::of(any::<bool>()),
            ),
        ),
        (
            proptest::collection::vec(item(), 0..4),
            proptest::collection::vec(url_value(), 0..4),
            proptest::option::of(text(120)),
            contact,
            prop_oneof![19 => Just(true), 1 => Just(false)],
            proptest::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (schema, key, created_at, language, (situation, under_18)),
                (items, urls, explanation, contact, good_faith, share_with_platforms),
            )| {
                let mut report = Map::new();
                report.insert("schema".into(), json!(schema));
                report.insert("idempotency_key".into(), json!(key));
                report.insert("created_at".into(), json!(created_at));
                report.insert("language".into(), json!(language));
                report.insert("situation".into(), json!(situation));
                if let Some(under_18) = under_18 {
                    report.insert("under_18".into(), json!(under_18));
                }
                report.insert("items".into(), Value::Array(items));
                report.insert("urls".into(), Value::Array(urls));
                if let Some(explanation) = explanation {
                    report.insert("explanation".into(), json!(explanation));
                }
                if let Some((name, email)) = contact {
                    let mut c = Map::new();
                    if let Some(name) = name {
                        c.insert("name".into(), json!(name));
                    }
                    if let Some(email) = email {
                        c.insert("email".into(), json!(email));
                    }
                    report.insert("contact".into(), Value::Object(c));
                }
                report.insert("good_faith".into(), json!(good_faith));
                if let Some(share) = share_with_platforms {
                    report.insert("share_with_platforms".into(), json!(share));
                }
                Value::Object(report)
            },
        )
        .boxed()
}

/// One change to one node of a report's tree (the node picked by `at`, in document order).
#[derive(Clone, Debug)]
enum Change {
    /// The node becomes this value.
    Replace(Value),
    /// An object loses one of its keys.
    RemoveKey(Index),
    /// An object gains (or changes) a key.
    SetKey(&'static str, Value),
    /// An array gets a copy of one of its elements at its end, or loses one.
    Duplicate(Index),
    RemoveElement(Index),
    /// A string gets a character inserted, is cut, or changes case.
    Insert(Index, char),
    Cut(Index),
    Upper,
}

fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        select(vec![
            0i64,
            1,
            -1,
            100,
            101,
            255,
            256,
            -129,
            i64::MAX,
            i64::MIN
        ])
        .prop_map(Value::from),
        Just(json!(1.5)),
        Just(json!(u64::MAX)),
        text(12).prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
        // Past the size of a report without frame hashes (64 KiB).
        Just(Value::from("x".repeat(70_000))),
    ]
    .boxed()
}

fn change() -> BoxedStrategy<Change> {
    let field = select(vec![
        "schema",
        "idempotency_key",
        "created_at",
        "language",
        "situation",
        "under_18",
        "items",
        "urls",
        "explanation",
        "contact",
        "good_faith",
        "share_with_platforms",
        "kind",
        "sha256",
        "md5",
        "sha1",
        "pdq",
        "vpdq",
        "hash",
        "quality",
        "seconds_per_hash",
        "hashes",
        "name",
        "email",
        "unknown",
    ]);
    prop_oneof![
        3 => scalar().prop_map(Change::Replace),
        2 => any::<Index>().prop_map(Change::RemoveKey),
        2 => (field, scalar()).prop_map(|(k, v)| Change::SetKey(k, v)),
        1 => any::<Index>().prop_map(Change::Duplicate),
        1 => any::<Index>().prop_map(Change::RemoveElement),
        2 => (any::<Index>(), prop_oneof![text(1).prop_map(|s| s.chars().next().unwrap_or('"')), any::<char>()])
            .prop_map(|(at, c)| Change::Insert(at, c)),
        1 => any::<Index>().prop_map(Change::Cut),
        1 => Just(Change::Upper),
    ]
    .boxed()
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The node `n` of `v` in document order (0 is `v` itself).
fn node(v: &mut Value, mut n: usize) -> &mut Value {
    if n == 0 {
        return v;
    }
    n -= 1;
    let children: Vec<&mut Value> = match v {
        Value::Array(a) => a.iter_mut().collect(),
        Value::Object(o) => o.values_mut().collect(),
        _ => unreachable!("a node past the end"),
    };
    for child in children {
        let size = count_nodes(child);
        if n < size {
            return node(child, n);
        }
        n -= size;
    }
    unreachable!("a node past the end")
}

fn apply(v: &mut Value, at: Index, change: &Change) {
    let target = node(v, at.index(count_nodes(v)));
    match (change, target) {
        (Change::Replace(new), target) => *target = new.clone(),
        (Change::RemoveKey(i), Value::Object(o)) if !o.is_empty() => {
            let key = o.keys().nth(i.index(o.len())).unwrap().clone();
            o.remove(&key);
        }
        (Change::SetKey(k, new), Value::Object(o)) => {
            o.insert((*k).to_string(), new.clone());
        }
        (Change::Duplicate(i), Value::Array(a)) if !a.is_empty() => {
            let copy = a[i.index(a.len())].clone();
            a.push(copy);
        }
        (Change::RemoveElement(i), Value::Array(a)) if !a.is_empty() => {
            a.remove(i.index(a.len()));
        }
        (Change::Insert(i, c), Value::String(s)) => {
            let at = s
                .char_indices()
                .map(|(at, _)| at)
                .chain([s.len()])
                .collect::<Vec<_>>();
            s.insert(at[i.index(at.len())], *c);
        }
        (Change::Cut(i), Value::String(s)) => {
            let keep = i.index(s.chars().count() + 1);
            *s = s.chars().take(keep).collect();
        }
        (Change::Upper, Value::String(s)) => *s = s.to_uppercase(),
        _ => {} // A change that does not fit the node leaves it.
    }
}

/// How the report is written as text.
#[derive(Clone, Copy, Debug)]
enum Writing {
    Compact,
    Pretty,
    /// Every non-ASCII character as `\uXXXX` (pairs of surrogates past U+FFFF): outside its
    /// strings JSON is all ASCII, so this changes the strings' spelling only.
    Escaped,
    /// `/` as `\/`, the same: `/` only ever appears inside strings.
    Solidus,
}

fn write(v: &Value, how: Writing) -> String {
    let compact = serde_json::to_string(v).unwrap();
    match how {
        Writing::Compact => compact,
        Writing::Pretty => serde_json::to_string_pretty(v).unwrap(),
        Writing::Escaped => compact
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    return c.to_string();
                }
                let mut units = [0u16; 2];
                c.encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("\\u{u:04X}"))
                    .collect()
            })
            .collect(),
        Writing::Solidus => compact.replace('/', "\\/"),
    }
}

/// A text edit: a character inserted, one removed, or one replaced, at any place.
#[derive(Clone, Debug)]
enum Edit {
    Insert(Index, char),
    Remove(Index),
    Replace(Index, char),
}

fn edit(text: &mut String, edit: &Edit) {
    let mut chars: Vec<char> = text.chars().collect();
    match *edit {
        Edit::Insert(at, c) => chars.insert(at.index(chars.len() + 1), c),
        Edit::Remove(at) if !chars.is_empty() => {
            chars.remove(at.index(chars.len()));
        }
        Edit::Replace(at, c) if !chars.is_empty() => {
            let at = at.index(chars.len());
            chars[at] = c;
        }
        _ => {}
    }
    *text = chars.into_iter().collect();
}

fn json_char() -> BoxedStrategy<char> {
    prop_oneof![
        select(vec![
            '{', '}', '[', ']', ',', ':', '"', '\\', '0', '-', 'e', '.', ' ', 'u', 'n'
        ]),
        any::<char>(),
    ]
    .boxed()
}

/// The texts `from_json` is given.
fn report_text() -> BoxedStrategy<String> {
    let cases = valid_cases();
    let report = prop_oneof![1 => select(cases), 2 => grammar_report()];
    let writing = select(vec![
        Writing::Compact,
        Writing::Pretty,
        Writing::Escaped,
        Writing::Solidus,
    ]);
    let text_edit = prop_oneof![
        (any::<Index>(), json_char()).prop_map(|(at, c)| Edit::Insert(at, c)),
        any::<Index>().prop_map(Edit::Remove),
        (any::<Index>(), json_char()).prop_map(|(at, c)| Edit::Replace(at, c)),
    ];
    let near_valid = (
        report,
        prop_oneof![
            1 => Just(vec![]),
            1 => proptest::collection::vec((any::<Index>(), change()), 1..3),
        ],
        writing,
        prop_oneof![6 => Just(vec![]), 1 => proptest::collection::vec(text_edit, 1..3)],
    )
        .prop_map(|(mut report, changes, writing, edits)| {
            for (at, change) in &changes {
                apply(&mut report, *at, change);
            }
            let mut text = write(&report, writing);
            for e in &edits {
                edit(&mut text, e);
            }
            text
        });
    prop_oneof![
        8 => near_valid,
        1 => any::<String>(),
        1 => proptest::collection::vec(json_char(), 0..64).prop_map(|c| c.into_iter().collect()),
    ]
    .boxed()
}

/// What the property checks of one text; whether it was accepted.
fn check(text: &str) -> Result<bool, TestCaseError> {
    let report = match Report::from_json(text) {
        Ok(report) => report,
        Err(refusal) => {
            // Saying why must not panic either.
            let _ = (refusal.to_string(), refusal.problem.code());
            return Ok(false);
        }
    };
    let canonical = report.to_json();
    // serde_json, the reference writer, writes the same bytes.
    prop_assert_eq!(&canonical, &serde_json::to_string(&report).unwrap());
    let again = Report::from_json(&canonical);
    prop_assert!(
        again.is_ok(),
        "the canonical form is refused: {:?}\n{}",
        again.err().map(|e| e.to_string()),
        canonical
    );
    let again = again.unwrap();
    prop_assert_eq!(&again, &report);
    prop_assert_eq!(again.to_json(), canonical);
    Ok(true)
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn from_json_answers_and_what_it_accepts_is_a_fixed_point(text in report_text()) {
        check(&text)?;
    }
}

/// The generator is not vacuous: of its texts, some are accepted and some refused (the
/// property above says nothing about a generator that only makes one of the two). A fixed
/// seed: the same texts on every run.
#[test]
fn the_texts_are_both_accepted_and_refused() {
    let mut runner = TestRunner::new_with_rng(
        ProptestConfig::default(),
        TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let strategy = report_text();
    let (mut accepted, total) = (0, 500);
    for _ in 0..total {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        accepted += usize::from(check(&text).unwrap());
    }
    println!("{accepted} of {total} texts accepted");
    assert!(
        accepted >= total / 10 && accepted <= total * 9 / 10,
        "{accepted} of {total} accepted"
    );
}
