//! The WebAssembly boundary of the report module: the report built from the page's draft into the
//! exact JSON to send (`reportJson`), and the core's limits and statuses. A module of its own so
//! that the hashing worker loads only hashing and PDQ (`crate/src/wasm.rs`), and the page loads
//! this one when the person goes past the files step.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use report_helper::report::{
    Refusal, Report, ReportDraft, Value, MAX_ACCOUNTS, MAX_ACCOUNT_NAME_CHARS, MAX_PLATFORM_CHARS,
    MAX_URLS, MAX_URL_BYTES, STATUSES,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How deep a draft's values are read. A real draft is 5 deep (`items[0].vpdq.frames[0].hash`);
/// past this a value is `Other`, so an object that holds itself, or is nested a million times,
/// is refused like any value of the wrong type instead of exhausting the stack.
const MAX_DRAFT_DEPTH: usize = 8;

/// A JavaScript value as [`ReportDraft::from_value`] reads it: an object's own enumerable string
/// keys (`Object.entries`), an array's elements, and the primitives, `undefined` told from
/// `null`; `depth` is how many objects and arrays hold it.
fn value_of(js: &JsValue, depth: usize) -> Value {
    if js.is_undefined() {
        Value::Undefined
    } else if js.is_null() {
        Value::Null
    } else if let Some(b) = js.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = js.as_f64() {
        Value::Number(n)
    } else if let Some(text) = js.as_string() {
        Value::Text(text)
    } else if depth > MAX_DRAFT_DEPTH {
        Value::Other
    } else if Array::is_array(js) {
        Value::List(
            js.unchecked_ref::<Array>()
                .iter()
                .map(|v| value_of(&v, depth + 1))
                .collect(),
        )
    } else if js.is_object() {
        let entries = Object::entries(js.unchecked_ref());
        Value::Object(
            entries
                .iter()
                .map(|pair| {
                    let pair = pair.unchecked_into::<Array>();
                    (
                        pair.get(0).as_string().unwrap_or_default(),
                        value_of(&pair.get(1), depth + 1),
                    )
                })
                .collect(),
        )
    } else {
        Value::Other
    }
}

/// The JS `Error` thrown for a refused draft: `name` is `"ReportError"`, `message` the English
/// sentence, `field` the JSON path (`""` for the whole report) and `problem` the stable code of
/// [`Problem::code`](report_helper::report::Problem::code), which the page translates.
fn report_error(refusal: Refusal) -> JsValue {
    let error = JsValue::from(JsError::new(&refusal.message));
    for (key, value) in [
        ("name", "ReportError"),
        ("field", refusal.error.field.as_str()),
        ("problem", refusal.error.problem.code()),
    ] {
        // Setting a property on a fresh Error cannot fail; were it to, the Error still carries
        // its message.
        let _ = Reflect::set(&error, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    error
}

// The report, built by the core from the page's draft into the exact JSON to send (doc comments
// here end up in the JS glue the page loads, so they are short):
//
//   const json = reportJson({ idempotency_key, created_at, language, situation, under_18,
//     items: [{ kind, sha256, md5, sha1, pdq: { hash, quality }, vpdq: { frames } }],
//     urls, accounts, explanation, name, email, good_faith, share_with_platforms });
//
// A refusal throws an `Error` named "ReportError", with own properties `field` (a JSON path such
// as "urls[2]" or "items[0].kind", "" for the whole report) and `problem` (a stable code of
// `Problem::code`, such as "not-normalised"), and an English `message` for developers. An unknown
// key is `malformed` on "" (a key whose value is undefined is as good as absent), a value of the
// wrong type `malformed` on its field, a required one left undefined or null `missing`. Then
// `Report::from_draft` trims text, drops empty fields, keeps each URL once, leaves out contact
// details for a minor and checks every rule of the payload.
/// The report as compact JSON, ready to send, from the draft as one object (see
/// `ReportDraft::from_value`), or the `ReportError` of the first broken rule.
#[wasm_bindgen(js_name = reportJson)]
pub fn report_json(
    #[wasm_bindgen(unchecked_param_type = "object")] draft: JsValue,
) -> Result<String, JsValue> {
    let draft = ReportDraft::from_value(&value_of(&draft, 0)).map_err(report_error)?;
    Report::from_draft(draft)
        .map(|report| report.to_json())
        .map_err(|e| report_error(e.into()))
}

/// The limits the core enforces that the page needs: `MAX_URLS`, `MAX_URL_BYTES`,
/// `MAX_ACCOUNTS`, `MAX_PLATFORM_CHARS`, `MAX_ACCOUNT_NAME_CHARS` (a report's) and
/// `MAX_SHOT_SIDE` (a screenshot's widest side, for blacking out).
#[wasm_bindgen]
pub fn limits() -> Object {
    let limits = Object::new();
    for (name, value) in [
        ("MAX_URLS", MAX_URLS as u32),
        ("MAX_URL_BYTES", MAX_URL_BYTES as u32),
        ("MAX_ACCOUNTS", MAX_ACCOUNTS as u32),
        ("MAX_PLATFORM_CHARS", MAX_PLATFORM_CHARS as u32),
        ("MAX_ACCOUNT_NAME_CHARS", MAX_ACCOUNT_NAME_CHARS as u32),
        ("MAX_SHOT_SIDE", report_helper::redact::MAX_SIDE),
    ] {
        let _ = Reflect::set(&limits, &JsValue::from_str(name), &JsValue::from(value));
    }
    limits
}

/// The statuses an intake gives a report, in the order a helpline works through them.
#[wasm_bindgen(js_name = reportStatuses)]
pub fn report_statuses() -> Array {
    STATUSES.iter().map(|s| JsValue::from_str(s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = Error)]
        type JsErrorClass;
    }

    fn get(error: &JsValue, key: &str) -> Option<String> {
        Reflect::get(error, &JsValue::from_str(key))
            .ok()?
            .as_string()
    }

    fn s(text: &str) -> JsValue {
        JsValue::from_str(text)
    }

    const U: JsValue = JsValue::UNDEFINED;

    /// A JS object of these keys and values, in order.
    fn obj(entries: &[(&str, JsValue)]) -> JsValue {
        let o = Object::new();
        for (key, value) in entries {
            Reflect::set(&o, &s(key), value).unwrap();
        }
        o.into()
    }

    fn list(values: Vec<JsValue>) -> JsValue {
        values.into_iter().collect::<Array>().into()
    }

    /// A draft that builds once it has an item or a URL: the statement given, and `more`.
    fn draft(more: &[(&str, JsValue)]) -> JsValue {
        let d = obj(&[
            ("idempotency_key", s("0123456789abcdef")),
            ("created_at", s("2026-11-27T21:57:00Z")),
            ("language", s("en")),
            ("situation", s("shared")),
            ("urls", list(vec![s(" https://a.example/x ")])),
            ("good_faith", JsValue::TRUE),
        ]);
        for (key, value) in more {
            Reflect::set(&d, &s(key), value).unwrap();
        }
        d
    }

    /// An item of these keys and values.
    fn item(kind: &str, sha256: &str, md5: &str, more: &[(&str, JsValue)]) -> JsValue {
        let i = obj(&[("kind", s(kind)), ("sha256", s(sha256)), ("md5", s(md5))]);
        for (key, value) in more {
            Reflect::set(&i, &s(key), value).unwrap();
        }
        i
    }

    /// A video's frames as hashFile() gives them.
    fn frames(hashes: &[&str], qualities: &[JsValue]) -> JsValue {
        let frames = hashes
            .iter()
            .zip(qualities)
            .enumerate()
            .map(|(n, (hash, quality))| {
                obj(&[
                    ("frame", JsValue::from(n as u32)),
                    ("hash", s(hash)),
                    ("quality", quality.clone()),
                ])
            })
            .collect();
        obj(&[("frames", list(frames))])
    }

    fn q(values: &[u32]) -> Vec<JsValue> {
        values.iter().map(|&v| JsValue::from(v)).collect()
    }

    /// Asserts the shape of a thrown ReportError; returns its message.
    fn report_error_of(error: &JsValue, field: &str, problem: &str) -> String {
        assert!(error.is_instance_of::<JsErrorClass>());
        assert_eq!(get(error, "name").as_deref(), Some("ReportError"));
        assert_eq!(get(error, "field").as_deref(), Some(field));
        assert_eq!(get(error, "problem").as_deref(), Some(problem));
        let error_object: &Object = error.unchecked_ref();
        assert!(Object::has_own(error_object, &s("field")));
        assert!(Object::has_own(error_object, &s("problem")));
        get(error, "message").unwrap()
    }

    fn refused(draft: JsValue, field: &str, problem: &str) -> String {
        report_error_of(&report_json(draft).unwrap_err(), field, problem)
    }

    #[wasm_bindgen_test]
    fn the_report_is_written_in_schema_order() {
        let (sha256, md5, sha1, pdq) = (
            "ab".repeat(32),
            "cd".repeat(16),
            "ef".repeat(20),
            "0f".repeat(32),
        );
        let items = list(vec![
            item(
                "image",
                &sha256,
                &md5,
                &[
                    ("sha1", s(&sha1)),
                    (
                        "pdq",
                        obj(&[("hash", s(&pdq)), ("quality", JsValue::from(100))]),
                    ),
                    (
                        "pdq_stored",
                        obj(&[("hash", s(&sha256)), ("quality", JsValue::from(7))]),
                    ),
                ],
            ),
            item("video", &sha256, &md5, &[("sha1", U), ("pdq", U)]),
            item(
                "other",
                &sha256,
                &md5,
                &[("sha1", JsValue::NULL), ("pdq", JsValue::NULL)],
            ),
        ]);
        let urls = list(vec![
            s("https://a.example/x"),
            s(""),
            s("http://b.example/?q=1"),
        ]);
        let d = draft(&[
            ("items", items),
            ("urls", urls),
            ("explanation", s(" Said \"hi\"\n ")),
            ("name", s(" Sam ")),
            ("email", U),
        ]);
        let want = format!(
            "{{\"schema\":\"report-helper/report@1\",\"idempotency_key\":\"0123456789abcdef\",\
             \"created_at\":\"2026-11-27T21:57:00Z\",\"language\":\"en\",\"situation\":\"shared\",\
             \"items\":[{{\"kind\":\"image\",\"sha256\":\"{sha256}\",\"md5\":\"{md5}\",\"sha1\":\"{sha1}\",\
             \"pdq\":{{\"hash\":\"{pdq}\",\"quality\":100}},\
             \"pdq_stored\":{{\"hash\":\"{sha256}\",\"quality\":7}}}},\
             {{\"kind\":\"video\",\"sha256\":\"{sha256}\",\"md5\":\"{md5}\"}},\
             {{\"kind\":\"other\",\"sha256\":\"{sha256}\",\"md5\":\"{md5}\"}}],\
             \"urls\":[\"https://a.example/x\",\"http://b.example/?q=1\"],\
             \"explanation\":\"Said \\\"hi\\\"\",\"contact\":{{\"name\":\"Sam\"}},\"good_faith\":true}}"
        );
        assert_eq!(report_json(d).unwrap(), want);

        let message = refused(
            draft(&[("good_faith", JsValue::FALSE)]),
            "good_faith",
            "good-faith-required",
        );
        assert_eq!(message, "good_faith: the good-faith statement is required");
    }

    #[wasm_bindgen_test]
    fn consent_to_share_travels_only_when_given() {
        let without = report_json(draft(&[])).unwrap();
        assert!(without.ends_with(",\"good_faith\":true}"), "{without}");
        for off in [JsValue::FALSE, U, JsValue::NULL] {
            let json = report_json(draft(&[("share_with_platforms", off)])).unwrap();
            assert_eq!(json, without);
        }
        let with = report_json(draft(&[("share_with_platforms", JsValue::TRUE)])).unwrap();
        assert_eq!(
            with,
            without.replace(
                ",\"good_faith\":true}",
                ",\"good_faith\":true,\"share_with_platforms\":true}"
            )
        );
        for wrong in [s("yes"), JsValue::from(1)] {
            refused(
                draft(&[("share_with_platforms", wrong)]),
                "share_with_platforms",
                "malformed",
            );
        }
    }

    #[wasm_bindgen_test]
    fn a_video_s_frames_go_into_its_item() {
        let h1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        let (h2, h3) = ("0f".repeat(32), "00ff".repeat(16));
        let (sha256, md5) = ("ab".repeat(32), "cd".repeat(16));
        let video = |vpdq: JsValue| item("video", &sha256, &md5, &[("vpdq", vpdq)]);
        let image = item("image", &sha256, &md5, &[]);
        // Under quality 50 and a repeat are left out.
        let d = draft(&[(
            "items",
            list(vec![video(frames(
                &[h1, &h2, h1, &h3],
                &q(&[100, 49, 90, 50]),
            ))]),
        )]);
        // Python: base64.b64encode(bytes.fromhex(h1 + "00ff" * 16)).decode()
        let hashes = "+PjwzuD0qE8GNwoiA49j8LNuLtWWYh4dM+aznE6cmyIA/wD/AP8A/wD/AP8A/wD/AP8A/wD/AP8A/wD/AP8A/w==";
        let json = report_json(d).unwrap();
        assert!(
            json.contains(&format!(
                "{{\"kind\":\"video\",\"sha256\":\"{sha256}\",\"md5\":\"{md5}\",\
                 \"vpdq\":{{\"seconds_per_hash\":1,\"hashes\":\"{hashes}\"}}}}"
            )),
            "{json}"
        );

        // No usable frame: no vpdq.
        let d = draft(&[("items", list(vec![video(frames(&[&h2], &q(&[10])))]))]);
        assert!(!report_json(d).unwrap().contains("vpdq"));

        let message = refused(
            draft(&[(
                "items",
                list(vec![item(
                    "image",
                    &sha256,
                    &md5,
                    &[("vpdq", frames(&[h1], &q(&[100])))],
                )]),
            )]),
            "items[0].vpdq",
            "not-a-video",
        );
        assert_eq!(
            message,
            "items[0].vpdq: only an item of kind video has vpdq"
        );
        let upper = h1.to_uppercase();
        for (vpdq, problem) in [
            (frames(&[&upper], &q(&[100])), "not-hex"),
            (frames(&[h1], &q(&[101])), "quality-over-100"),
            (frames(&[h1], &[U]), "malformed"),
            (frames(&[h1], &[s("100")]), "malformed"),
            (frames(&[h1], &[JsValue::from(50.5)]), "malformed"),
            (frames(&[&h1[1..]], &q(&[100])), "not-hex"),
            (obj(&[("frames", s(h1))]), "malformed"),
            (obj(&[("frames", U)]), "malformed"),
        ] {
            let d = draft(&[("items", list(vec![image.clone(), video(vpdq)]))]);
            refused(d, "items[1].vpdq", problem);
        }

        // Over three hours is refused when built.
        let n = 10_801u32;
        let hex: Vec<String> = (0..n)
            .map(|i| format!("{i:08x}{}", "5a".repeat(28)))
            .collect();
        let hex: Vec<&str> = hex.iter().map(String::as_str).collect();
        let d = draft(&[(
            "items",
            list(vec![video(frames(&hex, &q(&vec![100; n as usize])))]),
        )]);
        let message = refused(d, "items[0].vpdq.hashes", "too-many");
        assert_eq!(message, "items[0].vpdq.hashes: more than 10800 hashes");
    }

    #[wasm_bindgen_test]
    fn refusals_throw_a_report_error_with_field_and_code() {
        let message = refused(
            draft(&[("situation", s("sextortion"))]),
            "situation",
            "not-one-of",
        );
        assert_eq!(
            message,
            "situation: must be one of shared, threatened, minor, other"
        );
        for not_chosen in [s(""), U, JsValue::NULL] {
            refused(draft(&[("situation", not_chosen)]), "situation", "missing");
        }
        refused(
            draft(&[("situation", JsValue::from(1))]),
            "situation",
            "malformed",
        );
        refused(
            draft(&[("idempotency_key", U)]),
            "idempotency_key",
            "missing",
        );
        refused(
            draft(&[("created_at", JsValue::from(0))]),
            "created_at",
            "malformed",
        );
        let message = refused(draft(&[("file_name", s("me.jpg"))]), "", "malformed");
        assert_eq!(message, "not a report: unknown field `file_name`");
        // A key whose value is undefined is as good as absent.
        assert!(report_json(draft(&[("file_name", U)])).is_ok());
        refused(JsValue::NULL, "", "malformed");

        let hex = "ab".repeat(32);
        let with = |item: JsValue| draft(&[("items", list(vec![item]))]);
        let message = refused(
            with(item("photo", &hex, &hex, &[])),
            "items[0].kind",
            "not-one-of",
        );
        assert_eq!(message, "items[0].kind: must be one of image, video, other");
        let pdq = |hash: JsValue, quality: JsValue| obj(&[("hash", hash), ("quality", quality)]);
        for (item, field, problem) in [
            (
                obj(&[("sha256", s(&hex)), ("md5", s(&hex))]),
                "items[0].kind",
                "missing",
            ),
            (
                obj(&[("kind", s("image")), ("md5", s(&hex))]),
                "items[0].sha256",
                "missing",
            ),
            (
                obj(&[
                    ("kind", s("image")),
                    ("sha256", s(&hex)),
                    ("md5", JsValue::from(5)),
                ]),
                "items[0].md5",
                "malformed",
            ),
            (
                item("image", &hex, &hex, &[("sha1", JsValue::TRUE)]),
                "items[0].sha1",
                "malformed",
            ),
            (
                item("image", &hex, &hex, &[("pdq", pdq(s(&hex), U))]),
                "items[0].pdq.quality",
                "missing",
            ),
            (
                item("image", &hex, &hex, &[("pdq", pdq(U, JsValue::from(9)))]),
                "items[0].pdq.hash",
                "missing",
            ),
            (
                // Valid digests, so that the rule of the pair is the first one broken.
                item(
                    "image",
                    &hex,
                    &hex[..32],
                    &[("pdq_stored", pdq(s(&hex), JsValue::from(9)))],
                ),
                "items[0].pdq",
                "missing",
            ),
            (
                item(
                    "image",
                    &hex,
                    &hex,
                    &[
                        ("pdq", pdq(s(&hex), JsValue::from(9))),
                        ("pdq_stored", pdq(s(&hex), U)),
                    ],
                ),
                "items[0].pdq_stored.quality",
                "missing",
            ),
            (
                item(
                    "image",
                    &hex,
                    &hex,
                    &[
                        ("pdq", pdq(s(&hex), JsValue::from(9))),
                        ("pdq_stored", s(&hex)),
                    ],
                ),
                "",
                "malformed",
            ),
            (
                item(
                    "image",
                    &hex,
                    &hex,
                    &[("pdq", pdq(s(&hex), JsValue::from(-1)))],
                ),
                "items[0].pdq.quality",
                "malformed",
            ),
            (
                item(
                    "image",
                    &hex,
                    &hex,
                    &[("pdq", pdq(s(&hex), JsValue::from(50.5)))],
                ),
                "items[0].pdq.quality",
                "malformed",
            ),
            (
                item(
                    "image",
                    &hex,
                    &hex,
                    &[("pdq", pdq(s(&hex), JsValue::from(f64::NAN)))],
                ),
                "items[0].pdq.quality",
                "malformed",
            ),
            (
                item("image", &hex, &hex, &[("pdq", pdq(s(&hex), s("100")))]),
                "items[0].pdq.quality",
                "malformed",
            ),
            (
                item("image", &hex, &hex, &[("width", JsValue::from(1600))]),
                "",
                "malformed",
            ),
        ] {
            refused(with(item), field, problem);
        }
        // The digests are checked when built.
        refused(
            with(item("image", &hex, &hex, &[])),
            "items[0].md5",
            "not-hex",
        );
        refused(
            with(item(
                "image",
                &hex,
                &hex[..32],
                &[("pdq", pdq(s(&hex), JsValue::from(300)))],
            )),
            "items[0].pdq.quality",
            "quality-over-100",
        );

        let urls = |urls: Vec<JsValue>| draft(&[("urls", list(urls))]);
        refused(
            urls(vec![s("https://a.example/x"), JsValue::from(1)]),
            "urls[1]",
            "malformed",
        );
        refused(
            urls(vec![s("https://a.example/x"), U]),
            "urls[1]",
            "missing",
        );
        refused(
            draft(&[("explanation", JsValue::from(1))]),
            "explanation",
            "malformed",
        );
        refused(
            draft(&[("name", JsValue::TRUE)]),
            "contact.name",
            "malformed",
        );
        refused(
            draft(&[("email", JsValue::from(1))]),
            "contact.email",
            "malformed",
        );
        refused(
            draft(&[("good_faith", s("yes"))]),
            "good_faith",
            "malformed",
        );
        refused(
            urls(vec![s("https://a.example/x"), s("https://a.example/x#top")]),
            "urls[1]",
            "not-normalised",
        );
    }

    #[wasm_bindgen_test]
    fn the_limits_and_statuses_are_the_core_s() {
        let limits = limits();
        let of = |name: &str| Reflect::get(&limits, &s(name)).unwrap().as_f64();
        assert_eq!(of("MAX_URLS"), Some(1000.0));
        assert_eq!(of("MAX_URL_BYTES"), Some(2048.0));
        assert_eq!(of("MAX_ACCOUNTS"), Some(100.0));
        assert_eq!(of("MAX_PLATFORM_CHARS"), Some(50.0));
        assert_eq!(of("MAX_ACCOUNT_NAME_CHARS"), Some(100.0));
        assert_eq!(of("MAX_SHOT_SIDE"), Some(16384.0));
        let statuses: Vec<String> = report_statuses()
            .iter()
            .map(|s| s.as_string().unwrap())
            .collect();
        assert_eq!(statuses, ["received", "in_progress", "done", "withdrawn"]);
    }
}
