//! The WebAssembly boundary of the hashing module (`report_helper`, loaded by the hashing worker):
//! thin wrappers over the core's digests, PDQ and file sniffing. The only file of the core that
//! imports `wasm_bindgen`; the report's boundary (`reportJson`) is the report module's,
//! `report-wasm/`, so the worker carries none of the report's rules.

use wasm_bindgen::prelude::*;

use crate::digest::{Algorithms, Digests, StreamDigester};
use crate::image_info::ImageInfo;
use crate::orientation::Orientation;
use crate::pdq::{OrientedPdq, Pdq, PdqHasher, PdqSize, PixelLayout};

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
/// `pushRows(bytes)` per band of whole rows, `finish()` once. For a picture whose EXIF orientation
/// is not 1, `orient(orientation, pushedAsDisplayed)` before the first row: `finish()` then gives
/// the displayed picture's hash and the stored pixels' (`storedHash`, `storedQuality`), the one
/// not pushed derived exactly from the pixels pushed.
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

    /// `orientation` 1-8 (1 changes nothing); `pushed_as_displayed` when the rows will be the
    /// picture with the orientation already applied (by the browser's decoder), false when they
    /// are the pixels as stored.
    pub fn orient(&mut self, orientation: u32, pushed_as_displayed: bool) -> Result<(), JsError> {
        let orientation = Orientation::from_exif(orientation)
            .ok_or_else(|| JsError::new("the orientation is not 1 to 8"))?;
        Ok(self.0.orient(orientation, pushed_as_displayed)?)
    }

    #[wasm_bindgen(js_name = pushRows)]
    pub fn push_rows(&mut self, rows: &[u8]) -> Result<(), JsError> {
        Ok(self.0.push_rows(rows)?)
    }

    /// Consumes the hasher; the JS object cannot be used afterwards.
    pub fn finish(self) -> Result<JsPdq, JsError> {
        Ok(JsPdq(self.0.finish_oriented()?))
    }
}

/// A PDQ result: `hash` (64 hex digits) and `quality` (0-100) of the picture as displayed;
/// `storedHash` and `storedQuality` of the pixels as stored, `undefined` when the orientation is
/// 1. (The dihedral hashes are the native command's: the page never used them, and they cost its
/// module 1.5 KB gzipped.)
#[wasm_bindgen(js_name = Pdq)]
pub struct JsPdq(OrientedPdq);

#[wasm_bindgen(js_class = Pdq)]
impl JsPdq {
    #[wasm_bindgen(getter)]
    pub fn hash(&self) -> String {
        hex(&self.0.displayed)
    }

    #[wasm_bindgen(getter)]
    pub fn quality(&self) -> u8 {
        self.0.displayed.quality
    }

    #[wasm_bindgen(getter, js_name = storedHash)]
    pub fn stored_hash(&self) -> Option<String> {
        self.0.stored.as_ref().map(hex)
    }

    #[wasm_bindgen(getter, js_name = storedQuality)]
    pub fn stored_quality(&self) -> Option<u8> {
        self.0.stored.map(|p| p.quality)
    }
}

/// One copy of the hex writer for both getters (inlined in each, it cost the module 0.4 KB).
#[inline(never)]
fn hex(pdq: &Pdq) -> String {
    pdq.hash.to_hex()
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

    /// A JPEG's EXIF orientation, 1-8; 1 when absent or invalid, and for other formats.
    #[wasm_bindgen(getter)]
    pub fn orientation(&self) -> u8 {
        self.0.orientation.exif()
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
