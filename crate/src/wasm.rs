//! The WebAssembly boundary: thin wrappers over the core. The only file that imports
//! `wasm_bindgen`.

use wasm_bindgen::prelude::*;

use crate::digest::{Algorithms, Digests, StreamDigester};
use crate::image_info::ImageInfo;
use crate::pdq::{Pdq, PdqHash, PdqHasher, PdqSize, PixelLayout};
use crate::report::{Problem, Report, ReportDraft, ReportError};

/// Streaming digests for JavaScript: `new StreamDigester(sha256, md5, sha1)`, then `update(chunk)`
/// per chunk and `finish()` once.
#[wasm_bindgen(js_name = StreamDigester)]
pub struct JsStreamDigester(StreamDigester);

#[wasm_bindgen(js_class = StreamDigester)]
impl JsStreamDigester {
    #[wasm_bindgen(constructor)]
    pub fn new(sha256: bool, md5: bool, sha1: bool) -> JsStreamDigester {
        JsStreamDigester(StreamDigester::new(Algorithms { sha256, md5, sha1 }))
    }

    pub fn update(&mut self, chunk: &[u8]) {
        self.0.update(chunk);
    }

    /// Consumes the digester; the JS object cannot be used afterwards.
    pub fn finish(self) -> JsDigests {
        JsDigests(self.0.finish())
    }
}

/// Finished digests as lowercase hex; `undefined` for a digest that was not asked for.
#[wasm_bindgen(js_name = Digests)]
pub struct JsDigests(Digests);

#[wasm_bindgen(js_class = Digests)]
impl JsDigests {
    /// Bytes hashed; a `Number` is exact up to 2^53 bytes.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> f64 {
        self.0.size as f64
    }

    #[wasm_bindgen(getter)]
    pub fn sha256(&self) -> Option<String> {
        self.0.sha256.map(|d| d.to_hex())
    }

    #[wasm_bindgen(getter)]
    pub fn md5(&self) -> Option<String> {
        self.0.md5.map(|d| d.to_hex())
    }

    #[wasm_bindgen(getter)]
    pub fn sha1(&self) -> Option<String> {
        self.0.sha1.map(|d| d.to_hex())
    }
}

/// PDQ over pixels fed in bands of rows: `new PdqHasher(width, height, layout, cli512)` with
/// `layout` one of `rgb`, `rgba`, `bgra` (8 bits a channel; alpha or padding ignored),
/// `pushRows(bytes)` per band of whole rows, `finish()` once.
#[wasm_bindgen(js_name = PdqHasher)]
pub struct JsPdqHasher(PdqHasher);

#[wasm_bindgen(js_class = PdqHasher)]
impl JsPdqHasher {
    #[wasm_bindgen(constructor)]
    pub fn new(
        width: u32,
        height: u32,
        layout: &str,
        cli512: bool,
    ) -> Result<JsPdqHasher, JsError> {
        let layout = match layout {
            "rgb" => PixelLayout::Rgb,
            "rgba" => PixelLayout::Rgba,
            "bgra" => PixelLayout::Bgra,
            other => return Err(JsError::new(&format!("unknown pixel layout {other:?}"))),
        };
        let size = if cli512 {
            PdqSize::Cli512
        } else {
            PdqSize::Full
        };
        Ok(JsPdqHasher(PdqHasher::new(width, height, layout, size)?))
    }

    #[wasm_bindgen(js_name = pushRows)]
    pub fn push_rows(&mut self, rows: &[u8]) -> Result<(), JsError> {
        Ok(self.0.push_rows(rows)?)
    }

    /// Consumes the hasher; the JS object cannot be used afterwards.
    pub fn finish(self) -> Result<JsPdq, JsError> {
        Ok(JsPdq(self.0.finish()?))
    }
}

/// A PDQ result: `hash` (64 hex digits), `quality` (0-100), `hashedWidth`, `hashedHeight`, and
/// `dihedral()`: the hashes of the rotations and flips.
#[wasm_bindgen(js_name = Pdq)]
pub struct JsPdq(Pdq);

#[wasm_bindgen(js_class = Pdq)]
impl JsPdq {
    #[wasm_bindgen(getter)]
    pub fn hash(&self) -> String {
        self.0.hash.to_hex()
    }

    #[wasm_bindgen(getter)]
    pub fn quality(&self) -> u8 {
        self.0.quality
    }

    #[wasm_bindgen(getter, js_name = hashedWidth)]
    pub fn hashed_width(&self) -> u32 {
        self.0.hashed_width
    }

    #[wasm_bindgen(getter, js_name = hashedHeight)]
    pub fn hashed_height(&self) -> u32 {
        self.0.hashed_height
    }

    /// `[rot90, rot180, rot270, flipx, flipy, flipp, flipm]`, the reference's order.
    pub fn dihedral(&self) -> Vec<String> {
        self.0
            .dihedral
            .to_array()
            .iter()
            .map(PdqHash::to_hex)
            .collect()
    }
}

/// An image's format and stored size from the first bytes of its file, or `undefined` when the
/// bytes are not an image this helper hashes (SVG, text, video, random bytes).
#[wasm_bindgen(js_name = imageInfo)]
pub fn image_info(head: &[u8]) -> Option<JsImageInfo> {
    crate::image_info::image_info(head).map(JsImageInfo)
}

#[wasm_bindgen(js_name = ImageInfo)]
pub struct JsImageInfo(ImageInfo);

#[wasm_bindgen(js_class = ImageInfo)]
impl JsImageInfo {
    /// `jpeg`, `png`, `gif`, `webp`, `bmp` or `avif`.
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.0.format.name().into()
    }

    /// Stored width in pixels, `undefined` when the header did not say within the bytes given.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> Option<u32> {
        self.0.dimensions.map(|d| d.0)
    }

    #[wasm_bindgen(getter)]
    pub fn height(&self) -> Option<u32> {
        self.0.dimensions.map(|d| d.1)
    }
}

#[wasm_bindgen]
extern "C" {
    /// `Reflect.set(target, key, value)`, declared here rather than through js-sys, which this
    /// crate does not depend on for one function.
    #[wasm_bindgen(js_namespace = Reflect, js_name = set, catch)]
    fn reflect_set(target: &JsValue, key: &JsValue, value: &JsValue) -> Result<bool, JsValue>;
}

/// The JS `Error` thrown for a refused report or draft: `name` is `"ReportError"`, `message` the
/// English sentence, `field` the JSON path (`""` for the whole report) and `problem` the stable
/// code of [`Problem::code`](crate::report::Problem::code), which the page translates.
fn report_error(e: ReportError) -> JsValue {
    let error = JsValue::from(JsError::new(&e.to_string()));
    for (key, value) in [
        ("name", "ReportError"),
        ("field", e.field.as_str()),
        ("problem", e.problem.code()),
    ] {
        // Setting a property on a fresh Error cannot fail; were it to, the Error still carries
        // its message.
        let _ = reflect_set(&error, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    error
}

/// The argument as a string. Taken as a `JsValue` rather than `&str`: wasm-bindgen's glue for a
/// `&str` parameter traps or throws a `TypeError` on a number or an object, where a caller should
/// get a `ReportError` like any other bad input.
fn json_text(value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        report_error(ReportError {
            field: String::new(),
            problem: Problem::Malformed("expected a string of JSON".into()),
        })
    })
}

/// `buildReport(draftJson: string) → string`: the report built from what the page gathered (a
/// `ReportDraft` as JSON), as compact canonical JSON ready to send.
///
/// Throws an `Error` whose `name` is `"ReportError"`, with own properties `field` (the JSON path
/// of the first broken rule, such as `"urls[2]"`; `""` for the whole draft) and `problem` (a
/// stable code such as `"not-normalised"`, for translation); `message` is an English sentence for
/// developers. A non-string, or JSON that is not a draft, is `problem: "malformed"`, `field: ""`.
#[wasm_bindgen(js_name = buildReport)]
pub fn build_report(
    #[wasm_bindgen(unchecked_param_type = "string")] draft_json: JsValue,
) -> Result<String, JsValue> {
    let draft: ReportDraft = serde_json::from_str(&json_text(&draft_json)?).map_err(|e| {
        report_error(ReportError {
            field: String::new(),
            problem: Problem::Malformed(e.to_string()),
        })
    })?;
    Report::from_draft(draft)
        .map(|report| report.to_json())
        .map_err(report_error)
}

/// `checkReport(json: string) → string`: parses and checks a report as the intake endpoint does,
/// and returns it in canonical form (compact, keys in the schema's order, absent options left
/// out). Throws the same `ReportError` as `buildReport`.
#[wasm_bindgen(js_name = checkReport)]
pub fn check_report(
    #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
) -> Result<String, JsValue> {
    Report::from_json(&json_text(&json)?)
        .map(|report| report.to_json())
        .map_err(report_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Reflect, js_name = get, catch)]
        fn reflect_get(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(js_namespace = Object, js_name = hasOwn)]
        fn has_own(target: &JsValue, key: &str) -> bool;
        #[wasm_bindgen(js_name = Error)]
        type JsErrorClass;
    }

    fn get(error: &JsValue, key: &str) -> Option<String> {
        reflect_get(error, &JsValue::from_str(key))
            .ok()?
            .as_string()
    }

    #[wasm_bindgen_test]
    fn refusals_throw_a_report_error_with_field_and_code() {
        let error = build_report("not json".into()).unwrap_err();
        assert!(error.is_instance_of::<JsErrorClass>());
        assert_eq!(get(&error, "name").as_deref(), Some("ReportError"));
        assert_eq!(get(&error, "field").as_deref(), Some(""));
        assert_eq!(get(&error, "problem").as_deref(), Some("malformed"));
        assert!(get(&error, "message")
            .unwrap()
            .starts_with("not a report: "));
        assert!(has_own(&error, "field") && has_own(&error, "problem"));

        let draft = r#"{"idempotency_key":"0123456789abcdef","created_at":"2026-11-27T21:57:00Z",
            "language":"en","situation":"shared","urls":["https://a.example/x"],"good_faith":false}"#;
        let error = build_report(draft.into()).unwrap_err();
        assert_eq!(get(&error, "field").as_deref(), Some("good_faith"));
        assert_eq!(
            get(&error, "problem").as_deref(),
            Some("good-faith-required")
        );

        let built = build_report(draft.replace("false", "true").into()).unwrap();
        assert_eq!(check_report(built.as_str().into()).unwrap(), built);
        let with_name = built.replace("\"urls\"", "\"file_name\":\"me.jpg\",\"urls\"");
        let error = check_report(with_name.into()).unwrap_err();
        assert_eq!(get(&error, "problem").as_deref(), Some("malformed"));

        // Not a string: a ReportError too, not a trap in the glue.
        for not_a_string in [JsValue::from(42), JsValue::UNDEFINED, JsValue::NULL] {
            for error in [
                build_report(not_a_string.clone()).unwrap_err(),
                check_report(not_a_string).unwrap_err(),
            ] {
                assert_eq!(get(&error, "name").as_deref(), Some("ReportError"));
                assert_eq!(get(&error, "problem").as_deref(), Some("malformed"));
            }
        }
    }
}
