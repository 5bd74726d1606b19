//! The WebAssembly boundary: thin wrappers over the core. The only file that imports
//! `wasm_bindgen`.

use wasm_bindgen::prelude::*;

use crate::digest::{Algorithms, Digests, StreamDigester};

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
