//! The WebAssembly boundary: thin wrappers over the core. The only file that imports
//! `wasm_bindgen`.

use wasm_bindgen::prelude::*;

use crate::digest::{Algorithms, Digests, StreamDigester};
use crate::image_info::ImageInfo;
use crate::pdq::{Pdq, PdqHasher, PdqSize, PixelLayout};
use crate::report::{item_field, url_field, ItemPdq, Problem, Report, ReportDraft, ReportError};

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
            other => return Err(JsError::new(&format!("unknown pixel layout \"{other}\""))),
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

/// A PDQ result: `hash` (64 hex digits) and `quality` (0-100). (The dihedral hashes are the
/// native command's: the page never used them, and they cost its module 1.5 KB gzipped.)
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

#[wasm_bindgen]
extern "C" {
    /// The frames' qualities: a `Uint8Array`, told apart with `instanceof` and copied whole into
    /// the module by `slice()` (declared here rather than through js-sys, as `Reflect.set` is).
    type Uint8Array;
    #[wasm_bindgen(method)]
    fn slice(this: &Uint8Array) -> Vec<u8>;
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

fn refused(field: String, problem: Problem) -> JsValue {
    report_error(ReportError { field, problem })
}

/// Where an argument goes in the report: the `field` of its `ReportError`, written only when
/// there is one.
#[derive(Clone, Copy)]
enum At {
    Field(&'static str),
    Item(usize, &'static str),
    Url(usize),
}

impl At {
    fn field(self) -> String {
        match self {
            At::Field(name) => name.into(),
            At::Item(i, what) => item_field(i, what),
            At::Url(i) => url_field(i),
        }
    }
}

/// An optional text argument: `None` for `undefined` or `null`, the string for a string, and a
/// `ReportError` (`malformed`, on its field) for anything else. Arguments are taken as `JsValue`
/// rather than `&str`: wasm-bindgen's glue for a `&str` parameter traps or throws a `TypeError` on
/// a number or an object, where a caller should get a `ReportError` like any other bad input.
#[inline(never)]
fn text(value: &JsValue, at: At) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_string() {
        Some(text) => Ok(Some(text)),
        None => Err(refused(
            at.field(),
            Problem::Malformed("expected a string".into()),
        )),
    }
}

/// A required text argument: as [`text`], with `undefined` or `null` refused as `missing`.
#[inline(never)]
fn required(value: &JsValue, at: At) -> Result<String, JsValue> {
    text(value, at)?.ok_or_else(|| refused(at.field(), Problem::Missing))
}

// The draft of a report, filled in from JavaScript and built by the core into the exact JSON to
// send (doc comments here end up in the JS glue the page loads, so they are short):
//
//   const draft = new ReportDraft(idempotencyKey, createdAt, language, situation);
//   draft.addItem('image', sha256, md5, sha1, pdqHash, pdqQuality);  // the last three optional
//   draft.addItem('video', sha256, md5, sha1);
//   draft.addVideoFrames(hashesHex, qualities);  // the frames of the video just added
//   draft.addUrl('https://example.com/a');
//   draft.setExplanation(text); draft.setName(name); draft.setEmail(email);
//   draft.setGoodFaith(true);
//   const json = draft.build();  // consumes the draft; call draft.free() instead if not built
//
// Every method throws the same `Error` on a refusal: `name` "ReportError", own properties `field`
// (a JSON path such as "urls[2]" or "items[0].kind", "" for the whole report) and `problem` (a
// stable code of `Problem::code`, such as "not-normalised"), and an English `message` for
// developers. A value of the wrong JavaScript type is `malformed` on its field, and a required one
// left undefined or null is `missing`. The names (situation, kind) are checked when given; the
// rest by build(): `Report::from_draft` trims text, drops empty fields, keeps each URL once,
// leaves out contact details for a minor and checks every rule of the payload.
/// A report being filled in: `new ReportDraft(idempotencyKey, createdAt, language, situation)`,
/// `addItem`, `addVideoFrames`, `addUrl`, `setExplanation`, `setName`, `setEmail`,
/// `setGoodFaith`, then `build()`
/// for the JSON to send (it consumes the draft; `free()` one that is not built). Refusals throw
/// an `Error` named `ReportError` with `field` and `problem`.
#[wasm_bindgen(js_name = ReportDraft)]
pub struct JsReportDraft(ReportDraft);

#[wasm_bindgen(js_class = ReportDraft)]
impl JsReportDraft {
    // `situation` is shared, threatened, minor or other (`not-one-of` otherwise), or "",
    // undefined or null when not chosen yet (then build() refuses it as `missing`).
    /// `situation`: `shared`, `threatened`, `minor`, `other`, or empty when not chosen yet.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = idempotencyKey, unchecked_param_type = "string")]
        idempotency_key: JsValue,
        #[wasm_bindgen(js_name = createdAt, unchecked_param_type = "string")] created_at: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] language: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] situation: JsValue,
    ) -> Result<JsReportDraft, JsValue> {
        let idempotency_key = required(&idempotency_key, At::Field("idempotency_key"))?;
        let created_at = required(&created_at, At::Field("created_at"))?;
        let language = required(&language, At::Field("language"))?;
        let situation = text(&situation, At::Field("situation"))?.unwrap_or_default();
        ReportDraft::new(idempotency_key, created_at, language, &situation)
            .map(JsReportDraft)
            .map_err(report_error)
    }

    // `kind` is image, video or other (`not-one-of` on `items[i].kind` otherwise). `pdqHash` and
    // `pdqQuality` (a whole number) come together or not at all. The digests, and a quality over
    // 100, are refused by build().
    /// A file by its digests (lowercase hex): `kind` is `image`, `video` or `other`; `sha1`,
    /// `pdqHash` and `pdqQuality` (0 to 100) are optional.
    #[wasm_bindgen(js_name = addItem)]
    pub fn add_item(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] sha256: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] md5: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] sha1: JsValue,
        #[wasm_bindgen(js_name = pdqHash, unchecked_param_type = "string | null | undefined")]
        pdq_hash: JsValue,
        #[wasm_bindgen(js_name = pdqQuality, unchecked_param_type = "number | null | undefined")]
        pdq_quality: JsValue,
    ) -> Result<(), JsValue> {
        let i = self.0.items.len();
        let kind = required(&kind, At::Item(i, "kind"))?;
        let sha256 = required(&sha256, At::Item(i, "sha256"))?;
        let md5 = required(&md5, At::Item(i, "md5"))?;
        let sha1 = text(&sha1, At::Item(i, "sha1"))?;
        let hash = text(&pdq_hash, At::Item(i, "pdq.hash"))?;
        let quality_field = || item_field(i, "pdq.quality");
        let quality = if pdq_quality.is_undefined() || pdq_quality.is_null() {
            None
        } else {
            match pdq_quality.as_f64() {
                // Over 255 is still "over 100" for the rule that build() applies.
                Some(q) if q >= 0.0 && q.fract() == 0.0 => Some(q.min(255.0) as u8),
                _ => {
                    return Err(refused(
                        quality_field(),
                        Problem::Malformed("expected a whole number from 0 to 100".into()),
                    ))
                }
            }
        };
        let pdq = match (hash, quality) {
            (None, None) => None,
            (Some(hash), Some(quality)) => Some(ItemPdq { hash, quality }),
            (Some(_), None) => return Err(refused(quality_field(), Problem::Missing)),
            (None, Some(_)) => return Err(refused(item_field(i, "pdq.hash"), Problem::Missing)),
        };
        self.0
            .add_item(&kind, sha256, md5, sha1, pdq)
            .map_err(report_error)
    }

    // One call per video, after its addItem: the hashes as one string of 64 hex digits each, one
    // after another, and a Uint8Array with one quality a hash, in video order (frame numbers are
    // not sent). The core keeps the usable hashes (quality 50 or more, repeats dropped) and
    // encodes them; none usable means no vpdq. Refused: no item yet (`missing` on `items`), the
    // last item not a video (`not-a-video`), not 64 lowercase hex digits a quality (`not-hex`),
    // a quality over 100 (`quality-over-100`), a non-string or non-Uint8Array (`malformed`), all
    // on `items[i].vpdq`. More than 10800 hashes is refused by build().
    /// The vPDQ frames of the video just added: `hashesHex`, 64 lowercase hex digits a frame one
    /// after another, and `qualities`, a `Uint8Array` of one quality (0 to 100) a frame.
    #[wasm_bindgen(js_name = addVideoFrames)]
    pub fn add_video_frames(
        &mut self,
        #[wasm_bindgen(js_name = hashesHex, unchecked_param_type = "string")] hashes_hex: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] qualities: JsValue,
    ) -> Result<(), JsValue> {
        // No item to give them to is said first, as the core says it.
        let Some(i) = self.0.items.len().checked_sub(1) else {
            return Err(refused("items".into(), Problem::Missing));
        };
        let at = At::Item(i, "vpdq");
        let hashes_hex = required(&hashes_hex, at)?;
        let qualities = wasm_bindgen::JsCast::dyn_ref::<Uint8Array>(&qualities)
            .ok_or_else(|| {
                refused(
                    at.field(),
                    Problem::Malformed("expected a Uint8Array of qualities".into()),
                )
            })?
            .slice();
        self.0
            .add_video_frames_hex(&hashes_hex, &qualities)
            .map_err(report_error)
    }

    // Blank URLs are dropped and repeated ones kept once by build(), which also checks them; a
    // non-string is `malformed` on `urls[i]`, `i` counting the calls so far.
    /// A web address, as the WHATWG `URL` serialised it.
    #[wasm_bindgen(js_name = addUrl)]
    pub fn add_url(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
    ) -> Result<(), JsValue> {
        let i = self.0.urls.len();
        let url = required(&url, At::Url(i))?;
        self.0.urls.push(url);
        Ok(())
    }

    /// What happened, in the person's words; empty for none.
    #[wasm_bindgen(js_name = setExplanation)]
    pub fn set_explanation(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] explanation: JsValue,
    ) -> Result<(), JsValue> {
        self.0.explanation = text(&explanation, At::Field("explanation"))?.unwrap_or_default();
        Ok(())
    }

    /// The person's name, or empty; left out of a report about a minor.
    #[wasm_bindgen(js_name = setName)]
    pub fn set_name(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] name: JsValue,
    ) -> Result<(), JsValue> {
        self.0.name = text(&name, At::Field("contact.name"))?.unwrap_or_default();
        Ok(())
    }

    /// The person's email address, or empty; left out of a report about a minor.
    #[wasm_bindgen(js_name = setEmail)]
    pub fn set_email(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] email: JsValue,
    ) -> Result<(), JsValue> {
        self.0.email = text(&email, At::Field("contact.email"))?.unwrap_or_default();
        Ok(())
    }

    // undefined and null are false; anything but a boolean is `malformed`.
    /// The good-faith statement (DSA Article 16), required.
    #[wasm_bindgen(js_name = setGoodFaith)]
    pub fn set_good_faith(
        &mut self,
        #[wasm_bindgen(js_name = goodFaith, unchecked_param_type = "boolean")] good_faith: JsValue,
    ) -> Result<(), JsValue> {
        self.0.good_faith = if good_faith.is_undefined() || good_faith.is_null() {
            false
        } else {
            good_faith.as_bool().ok_or_else(|| {
                refused(
                    "good_faith".into(),
                    Problem::Malformed("expected true or false".into()),
                )
            })?
        };
        Ok(())
    }

    // Consumes the draft (no copy of it in the module), whether it builds or not.
    /// The report as compact JSON, ready to send, or the `ReportError` of the first broken rule.
    /// Consumes the draft.
    pub fn build(self) -> Result<String, JsValue> {
        Report::from_draft(self.0)
            .map(|report| report.to_json())
            .map_err(report_error)
    }
}

/// `mp4` or `matroska` when the file's first bytes are a video container (MP4/MOV, WebM/MKV),
/// else `undefined`: the worker then loads the video module (`report_helper_video`) for vPDQ.
#[wasm_bindgen(js_name = videoContainer)]
pub fn video_container(head: &[u8]) -> Option<String> {
    crate::video::sniff(head).map(|c| {
        match c {
            crate::video::Container::Mp4 => "mp4",
            crate::video::Container::Matroska => "matroska",
        }
        .into()
    })
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

    fn s(text: &str) -> JsValue {
        JsValue::from_str(text)
    }

    const U: JsValue = JsValue::UNDEFINED;

    /// A draft that builds: one URL, the statement given.
    fn draft() -> JsReportDraft {
        let mut d = JsReportDraft::new(
            s("0123456789abcdef"),
            s("2026-11-27T21:57:00Z"),
            s("en"),
            s("shared"),
        )
        .unwrap();
        d.add_url(s(" https://a.example/x ")).unwrap();
        d.set_good_faith(JsValue::TRUE).unwrap();
        d
    }

    /// Asserts the shape of a thrown ReportError; returns its message.
    fn report_error_of(error: &JsValue, field: &str, problem: &str) -> String {
        assert!(error.is_instance_of::<JsErrorClass>());
        assert_eq!(get(error, "name").as_deref(), Some("ReportError"));
        assert_eq!(get(error, "field").as_deref(), Some(field));
        assert_eq!(get(error, "problem").as_deref(), Some(problem));
        assert!(has_own(error, "field") && has_own(error, "problem"));
        get(error, "message").unwrap()
    }

    #[wasm_bindgen_test]
    fn the_builder_writes_the_report_in_schema_order() {
        let mut d = draft();
        let (sha256, md5, sha1, pdq) = (
            "ab".repeat(32),
            "cd".repeat(16),
            "ef".repeat(20),
            "0f".repeat(32),
        );
        d.add_item(
            s("image"),
            s(&sha256),
            s(&md5),
            s(&sha1),
            s(&pdq),
            JsValue::from(100),
        )
        .unwrap();
        d.add_item(s("video"), s(&sha256), s(&md5), U, U, U)
            .unwrap();
        d.add_item(
            s("other"),
            s(&sha256),
            s(&md5),
            JsValue::NULL,
            JsValue::NULL,
            JsValue::NULL,
        )
        .unwrap();
        d.add_url(s("https://a.example/x")).unwrap();
        d.add_url(s("")).unwrap();
        d.add_url(s("http://b.example/?q=1")).unwrap();
        d.set_explanation(s(" Said \"hi\"\n ")).unwrap();
        d.set_name(s(" Sam ")).unwrap();
        d.set_email(U).unwrap();
        let want = format!(
            "{{\"schema\":\"report-helper/report@1\",\"idempotency_key\":\"0123456789abcdef\",\
             \"created_at\":\"2026-11-27T21:57:00Z\",\"language\":\"en\",\"situation\":\"shared\",\
             \"items\":[{{\"kind\":\"image\",\"sha256\":\"{sha256}\",\"md5\":\"{md5}\",\"sha1\":\"{sha1}\",\
             \"pdq\":{{\"hash\":\"{pdq}\",\"quality\":100}}}},\
             {{\"kind\":\"video\",\"sha256\":\"{sha256}\",\"md5\":\"{md5}\"}},\
             {{\"kind\":\"other\",\"sha256\":\"{sha256}\",\"md5\":\"{md5}\"}}],\
             \"urls\":[\"https://a.example/x\",\"http://b.example/?q=1\"],\
             \"explanation\":\"Said \\\"hi\\\"\",\"contact\":{{\"name\":\"Sam\"}},\"good_faith\":true}}"
        );
        assert_eq!(d.build().unwrap(), want);

        let mut d = draft();
        d.set_good_faith(JsValue::FALSE).unwrap();
        let error = d.build().unwrap_err();
        let message = report_error_of(&error, "good_faith", "good-faith-required");
        assert_eq!(message, "good_faith: the good-faith statement is required");
    }

    #[wasm_bindgen_test]
    fn a_video_s_frames_go_into_its_item() {
        let h1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        let (h2, h3) = ("0f".repeat(32), "00ff".repeat(16));
        let (sha256, md5) = ("ab".repeat(32), "cd".repeat(16));
        let mut d = draft();
        d.add_item(s("video"), s(&sha256), s(&md5), U, U, U)
            .unwrap();
        // Under quality 50 and a repeat are left out.
        d.add_video_frames(
            s(&[h1, &h2, h1, &h3].concat()),
            JsValue::from(vec![100u8, 49, 90, 50]),
        )
        .unwrap();
        // Python: base64.b64encode(bytes.fromhex(h1 + "00ff" * 16)).decode()
        let hashes = "+PjwzuD0qE8GNwoiA49j8LNuLtWWYh4dM+aznE6cmyIA/wD/AP8A/wD/AP8A/wD/AP8A/wD/AP8A/wD/AP8A/w==";
        let json = d.build().unwrap();
        assert!(
            json.contains(&format!(
                "{{\"kind\":\"video\",\"sha256\":\"{sha256}\",\"md5\":\"{md5}\",\
                 \"vpdq\":{{\"seconds_per_hash\":1,\"hashes\":\"{hashes}\"}}}}"
            )),
            "{json}"
        );

        // No usable frame: no vpdq.
        let mut d = draft();
        d.add_item(s("video"), s(&sha256), s(&md5), U, U, U)
            .unwrap();
        d.add_video_frames(s(&h2), JsValue::from(vec![10u8]))
            .unwrap();
        assert!(!d.build().unwrap().contains("vpdq"));

        let mut d = draft();
        report_error_of(
            &d.add_video_frames(s(h1), JsValue::from(vec![100u8]))
                .unwrap_err(),
            "items",
            "missing",
        );
        report_error_of(&d.add_video_frames(U, U).unwrap_err(), "items", "missing");
        d.add_item(s("image"), s(&sha256), s(&md5), U, U, U)
            .unwrap();
        let message = report_error_of(
            &d.add_video_frames(s(h1), JsValue::from(vec![100u8]))
                .unwrap_err(),
            "items[0].vpdq",
            "not-a-video",
        );
        assert_eq!(
            message,
            "items[0].vpdq: only an item of kind video has vpdq"
        );
        d.add_item(s("video"), s(&sha256), s(&md5), U, U, U)
            .unwrap();
        for (hashes, qualities, problem) in [
            (s(h1), JsValue::from(vec![100u8, 100]), "not-hex"),
            (s(&h1.to_uppercase()), JsValue::from(vec![100u8]), "not-hex"),
            (s(h1), JsValue::from(vec![101u8]), "quality-over-100"),
            (U, JsValue::from(vec![100u8]), "missing"),
            (JsValue::from(1), JsValue::from(vec![100u8]), "malformed"),
            (s(h1), U, "malformed"),
            (s(h1), s("d"), "malformed"),
            (s(h1), JsValue::from(vec![100.0f64]), "malformed"),
            (
                s(h1),
                JsValue::from(wasm_bindgen::Clamped(vec![100u8])),
                "malformed",
            ),
        ] {
            let error = d.add_video_frames(hashes, qualities).unwrap_err();
            report_error_of(&error, "items[1].vpdq", problem);
        }
        assert!(!d.build().unwrap().contains("vpdq"));

        // Over three hours is refused when built.
        let mut d = draft();
        d.add_item(s("video"), s(&sha256), s(&md5), U, U, U)
            .unwrap();
        let n = 10_801u32;
        let hex: String = (0..n)
            .map(|i| format!("{i:08x}{}", "5a".repeat(28)))
            .collect();
        d.add_video_frames(s(&hex), JsValue::from(vec![100u8; n as usize]))
            .unwrap();
        let message = report_error_of(&d.build().unwrap_err(), "items[0].vpdq.hashes", "too-many");
        assert_eq!(message, "items[0].vpdq.hashes: more than 10800 hashes");
    }

    #[wasm_bindgen_test]
    fn refusals_throw_a_report_error_with_field_and_code() {
        let new = |situation: JsValue| {
            JsReportDraft::new(
                s("0123456789abcdef"),
                s("2026-11-27T21:57:00Z"),
                s("en"),
                situation,
            )
        };
        let error = new(s("sextortion")).err().unwrap();
        let message = report_error_of(&error, "situation", "not-one-of");
        assert_eq!(
            message,
            "situation: must be one of shared, threatened, minor, other"
        );
        for not_chosen in [s(""), U, JsValue::NULL] {
            let mut d = new(not_chosen).unwrap();
            d.add_url(s("https://a.example/x")).unwrap();
            d.set_good_faith(JsValue::TRUE).unwrap();
            report_error_of(&d.build().unwrap_err(), "situation", "missing");
        }
        report_error_of(
            &new(JsValue::from(1)).err().unwrap(),
            "situation",
            "malformed",
        );
        let error = JsReportDraft::new(U, s("t"), s("en"), s("shared"))
            .err()
            .unwrap();
        report_error_of(&error, "idempotency_key", "missing");
        let error = JsReportDraft::new(s("k"), JsValue::from(0), s("en"), s("shared"))
            .err()
            .unwrap();
        report_error_of(&error, "created_at", "malformed");

        let mut d = draft();
        let hex = "ab".repeat(32);
        let error = d
            .add_item(s("photo"), s(&hex), s(&hex), U, U, U)
            .unwrap_err();
        let message = report_error_of(&error, "items[0].kind", "not-one-of");
        assert_eq!(message, "items[0].kind: must be one of image, video, other");
        d.add_item(s("image"), s(&hex), s(&hex[..32]), U, U, U)
            .unwrap();
        for (args, field, problem) in [
            ([U, s(&hex), s(&hex), U, U, U], "items[1].kind", "missing"),
            (
                [s("image"), U, s(&hex), U, U, U],
                "items[1].sha256",
                "missing",
            ),
            (
                [s("image"), s(&hex), JsValue::from(5), U, U, U],
                "items[1].md5",
                "malformed",
            ),
            (
                [s("image"), s(&hex), s(&hex), JsValue::TRUE, U, U],
                "items[1].sha1",
                "malformed",
            ),
            (
                [s("image"), s(&hex), s(&hex), U, s(&hex), U],
                "items[1].pdq.quality",
                "missing",
            ),
            (
                [s("image"), s(&hex), s(&hex), U, U, JsValue::from(9)],
                "items[1].pdq.hash",
                "missing",
            ),
            (
                [s("image"), s(&hex), s(&hex), U, s(&hex), JsValue::from(-1)],
                "items[1].pdq.quality",
                "malformed",
            ),
            (
                [
                    s("image"),
                    s(&hex),
                    s(&hex),
                    U,
                    s(&hex),
                    JsValue::from(50.5),
                ],
                "items[1].pdq.quality",
                "malformed",
            ),
            (
                [
                    s("image"),
                    s(&hex),
                    s(&hex),
                    U,
                    s(&hex),
                    JsValue::from(f64::NAN),
                ],
                "items[1].pdq.quality",
                "malformed",
            ),
            (
                [s("image"), s(&hex), s(&hex), U, s(&hex), s("100")],
                "items[1].pdq.quality",
                "malformed",
            ),
        ] {
            let [kind, sha256, md5, sha1, hash, quality] = args;
            let error = d
                .add_item(kind, sha256, md5, sha1, hash, quality)
                .unwrap_err();
            report_error_of(&error, field, problem);
        }
        // A refused item is not added.
        assert_eq!(d.build().unwrap().matches("\"kind\":").count(), 1);
        // The digests are checked when built.
        let mut d = draft();
        d.add_item(s("image"), s(&hex), s(&hex), U, U, U).unwrap();
        report_error_of(&d.build().unwrap_err(), "items[0].md5", "not-hex");
        let mut d = draft();
        d.add_item(
            s("image"),
            s(&hex),
            s(&hex[..32]),
            U,
            s(&hex),
            JsValue::from(300),
        )
        .unwrap();
        report_error_of(
            &d.build().unwrap_err(),
            "items[0].pdq.quality",
            "quality-over-100",
        );

        let mut d = draft();
        report_error_of(
            &d.add_url(JsValue::from(1)).unwrap_err(),
            "urls[1]",
            "malformed",
        );
        report_error_of(&d.add_url(U).unwrap_err(), "urls[1]", "missing");
        report_error_of(
            &d.set_explanation(JsValue::from(1)).unwrap_err(),
            "explanation",
            "malformed",
        );
        report_error_of(
            &d.set_name(JsValue::TRUE).unwrap_err(),
            "contact.name",
            "malformed",
        );
        report_error_of(
            &d.set_email(JsValue::from(1)).unwrap_err(),
            "contact.email",
            "malformed",
        );
        report_error_of(
            &d.set_good_faith(s("yes")).unwrap_err(),
            "good_faith",
            "malformed",
        );
        d.add_url(s("https://a.example/x#top")).unwrap();
        report_error_of(&d.build().unwrap_err(), "urls[1]", "not-normalised");
    }
}
