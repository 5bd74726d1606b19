//! The WebAssembly boundary of the evidence module: thin wrappers over the core's `redact` and
//! `png_writer`. A module of its own (about 20 KB gzipped) so that the page loads it only when a
//! person adds a screenshot; the main module (`crate/src/wasm.rs`) stays within the page budget.
#![cfg(target_arch = "wasm32")]

use report_helper::png_writer::encode_png;
use report_helper::redact::{redact, Rect};
use wasm_bindgen::prelude::*;

/// The pixels (RGBA, `width * height * 4` bytes, as `ImageData` holds them) with each rectangle
/// painted opaque black, as a PNG without metadata. `rects` is flat: `x, y, width, height` per
/// rectangle. Refusals throw an `Error` named `RedactError`.
#[wasm_bindgen(js_name = redactToPng)]
pub fn redact_to_png(
    mut rgba: Vec<u8>,
    width: u32,
    height: u32,
    rects: Vec<u32>,
) -> Result<Vec<u8>, JsValue> {
    let rects = Rect::from_flat(&rects).map_err(|e| redact_error(&e))?;
    redact(&mut rgba, width, height, &rects).map_err(|e| redact_error(&e))?;
    encode_png(&rgba, width, height).map_err(|e| redact_error(&e))
}

/// A JS `Error` named `RedactError` with the refusal's English message.
fn redact_error(e: &dyn std::fmt::Display) -> JsValue {
    let error = JsValue::from(JsError::new(&e.to_string()));
    // Setting a property on a fresh Error cannot fail.
    let _ = reflect_set(
        &error,
        &JsValue::from_str("name"),
        &JsValue::from_str("RedactError"),
    );
    error
}

#[wasm_bindgen]
extern "C" {
    /// `Reflect.set(target, key, value)`, declared here rather than through js-sys.
    #[wasm_bindgen(js_namespace = Reflect, js_name = set, catch)]
    fn reflect_set(target: &JsValue, key: &JsValue, value: &JsValue) -> Result<bool, JsValue>;
}
