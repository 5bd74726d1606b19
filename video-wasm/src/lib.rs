//! The WebAssembly boundary of the video module: vPDQ, a video's fingerprint, over the core's
//! demuxer (`report_helper::video`) and `report_helper::vpdq`. A module of its own so that the
//! page loads it only when a person adds a video: the main module (`crate/src/wasm.rs`) stays
//! within the page budget. www/video.js drives it; WebCodecs decodes at the edge.
#![cfg(target_arch = "wasm32")]

use report_helper::pdq::PixelLayout;
use report_helper::video::{Codec, Request};
use report_helper::vpdq::video::{VideoHasher, VpdqError};
use report_helper::vpdq::yuv::Chroma;
use wasm_bindgen::prelude::*;

/// Chunk timestamps start here, in microseconds (2^40, 12.7 days), so that no frame's is negative;
/// a video's times stay far from f64's last exact integer (2^53).
const TIME_ORIGIN: f64 = (1u64 << 40) as f64;

#[wasm_bindgen]
extern "C" {
    /// `Reflect.set(target, key, value)`, declared here rather than through js-sys.
    #[wasm_bindgen(js_namespace = Reflect, js_name = set, catch)]
    fn reflect_set(target: &JsValue, key: &JsValue, value: &JsValue) -> Result<bool, JsValue>;
}

/// The JS `Error` of a video that gets no fingerprint: `code` is one of `not-a-video`,
/// `unsupported-codec`, `decode-failed`, `no-frames`.
fn video_error(e: VpdqError) -> JsValue {
    let error = JsValue::from(JsError::new(&e.to_string()));
    let _ = reflect_set(
        &error,
        &JsValue::from_str("code"),
        &JsValue::from_str(e.code()),
    );
    error
}

/// One video being fingerprinted (see `VideoHasher` in the core and www/video.js):
/// `VideoHasher.open(size, head)` (undefined when not a video container), then `request()`
/// (`range`, `stream` or `done`) with `supply(offset, bytes)`, `push(chunk)`, `trackKnown()`,
/// `start()`, `nextSample()` and the `sample*` getters, `returned(index)`, `frameBuffer(len)`,
/// `hashYuv(...)` or `hashRgb(...)`, `end()` and `frames()`.
#[wasm_bindgen(js_name = VideoHasher)]
pub struct JsVideoHasher(VideoHasher);

#[wasm_bindgen(js_class = VideoHasher)]
impl JsVideoHasher {
    /// `undefined` when `head` (the file's first bytes) is not an MP4/MOV or Matroska/WebM file.
    pub fn open(size: f64, head: &[u8]) -> Result<Option<JsVideoHasher>, JsValue> {
        Ok(VideoHasher::open(size as u64, head)
            .map_err(video_error)?
            .map(JsVideoHasher))
    }

    /// `range` (read `requestLength()` bytes at `requestOffset()` and `supply` them), `stream`
    /// (`push` the file from its start) or `done`.
    pub fn request(&self) -> String {
        match self.0.request() {
            Request::Range { .. } => "range",
            Request::Stream => "stream",
            Request::Done => "done",
        }
        .into()
    }

    #[wasm_bindgen(js_name = requestOffset)]
    pub fn request_offset(&self) -> f64 {
        match self.0.request() {
            Request::Range { offset, .. } => offset as f64,
            _ => 0.0,
        }
    }

    #[wasm_bindgen(js_name = requestLength)]
    pub fn request_length(&self) -> f64 {
        match self.0.request() {
            Request::Range { len, .. } => len as f64,
            _ => 0.0,
        }
    }

    pub fn supply(&mut self, offset: f64, bytes: &[u8]) -> Result<(), JsValue> {
        self.0.supply(offset as u64, bytes).map_err(video_error)
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.0.push(chunk).map_err(video_error)
    }

    /// Whether samples the container promised were missing (the file is cut short).
    pub fn end(&mut self) -> Result<bool, JsValue> {
        self.0.end().map_err(video_error)
    }

    #[wasm_bindgen(js_name = trackKnown)]
    pub fn track_known(&self) -> bool {
        self.0.track().is_some()
    }

    pub fn start(&mut self) -> Result<(), JsValue> {
        self.0.start().map_err(video_error)
    }

    /// The WebCodecs codec string, `undefined` when the codec is not one a browser decodes.
    #[wasm_bindgen(js_name = codecString)]
    pub fn codec_string(&self) -> Option<String> {
        self.0.track()?.codec_string.clone()
    }

    /// The codec's name for messages (`h264`, `vp9`, or the container's own code).
    #[wasm_bindgen(js_name = codecName)]
    pub fn codec_name(&self) -> String {
        match self.0.track().map(|t| &t.codec) {
            Some(Codec::H264) => "h264".into(),
            Some(Codec::H265) => "h265".into(),
            Some(Codec::Vp8) => "vp8".into(),
            Some(Codec::Vp9) => "vp9".into(),
            Some(Codec::Av1) => "av1".into(),
            Some(Codec::Other(name)) => name.clone(),
            None => String::new(),
        }
    }

    /// The avcC or hvcC record WebCodecs wants as `description`.
    pub fn description(&self) -> Option<Vec<u8>> {
        self.0.track()?.description.clone()
    }

    #[wasm_bindgen(js_name = codedWidth)]
    pub fn coded_width(&self) -> u32 {
        self.0.track().map_or(0, |t| t.coded_width)
    }

    #[wasm_bindgen(js_name = codedHeight)]
    pub fn coded_height(&self) -> u32 {
        self.0.track().map_or(0, |t| t.coded_height)
    }

    /// Seconds, `NaN` when the container does not say.
    pub fn duration(&self) -> f64 {
        self.0
            .track()
            .and_then(|t| t.duration_seconds)
            .unwrap_or(f64::NAN)
    }

    /// Takes the next sample, if one is ready.
    #[wasm_bindgen(js_name = nextSample)]
    pub fn next_sample(&mut self) -> bool {
        self.0.next_sample().is_some()
    }

    /// The current sample's decode index: which sample a returned frame was (see `sampleTime`).
    #[wasm_bindgen(js_name = sampleIndex)]
    pub fn sample_index(&self) -> f64 {
        self.0.sample().map_or(0.0, |s| s.decode_index as f64)
    }

    /// The current sample's presentation time in whole microseconds plus `TIME_ORIGIN`: the
    /// chunk's timestamp, which its frame carries back. It must be in presentation order, not
    /// any other key: WebKitGTK's decoder hands the timestamps back in increasing order whatever
    /// frame they came with, so a key that is not (the decode index) lands on other frames. And
    /// it must not be negative (frames an MP4 edit list cuts away start before 0): after such
    /// frames WebKitGTK stamps every later frame with the last negative timestamp.
    #[wasm_bindgen(js_name = sampleTime)]
    pub fn sample_time(&self) -> f64 {
        match (self.0.sample(), self.0.track()) {
            (Some(s), Some(t)) if t.timescale > 0 => {
                TIME_ORIGIN + (s.pts as f64 * 1e6 / f64::from(t.timescale)).round()
            }
            _ => 0.0,
        }
    }

    #[wasm_bindgen(js_name = sampleKey)]
    pub fn sample_key(&self) -> bool {
        self.0.sample().is_some_and(|s| s.key)
    }

    /// Whether to decode the current sample (false: nothing needs its picture).
    #[wasm_bindgen(js_name = sampleDecode)]
    pub fn sample_decode(&self) -> bool {
        self.0.must_decode()
    }

    #[wasm_bindgen(js_name = sampleSeconds)]
    pub fn sample_seconds(&self) -> f64 {
        self.0.sample_seconds()
    }

    /// A copy of the current sample's bytes (EncodedVideoChunk copies them again).
    #[wasm_bindgen(js_name = sampleData)]
    pub fn sample_data(&self) -> Vec<u8> {
        self.0.sample().map(|s| s.data.clone()).unwrap_or_default()
    }

    /// The frame number to hash the returned frame of sample `index` as, or -1 for none.
    pub fn returned(&mut self, index: f64) -> f64 {
        self.0.returned(index as u64).map_or(-1.0, |n| n as f64)
    }

    /// Where in this module's memory to copy a frame of `len` bytes (valid until the next call).
    #[wasm_bindgen(js_name = frameBuffer)]
    pub fn frame_buffer(&mut self, len: usize) -> *mut u8 {
        self.0.frame_buffer(len).as_mut_ptr()
    }

    /// Hashes frame `number` from the planes copied into the frame buffer: Y at 0 with stride
    /// `width`; `chroma` `i420`, `i422`, `i444` or `nv12`; U (or UV) and V at their offsets.
    #[wasm_bindgen(js_name = hashYuv)]
    #[allow(clippy::too_many_arguments)]
    pub fn hash_yuv(
        &mut self,
        number: f64,
        width: u32,
        height: u32,
        chroma: &str,
        #[wasm_bindgen(js_name = fullRange)] full_range: bool,
        #[wasm_bindgen(js_name = uOffset)] u_offset: usize,
        #[wasm_bindgen(js_name = uStride)] u_stride: usize,
        #[wasm_bindgen(js_name = vOffset)] v_offset: usize,
        #[wasm_bindgen(js_name = vStride)] v_stride: usize,
    ) -> Result<(), JsValue> {
        let chroma = match chroma {
            "i420" => Chroma::I420,
            "i422" => Chroma::I422,
            "i444" => Chroma::I444,
            "nv12" => Chroma::Nv12,
            other => return Err(JsError::new(&format!("unknown chroma layout {other:?}")).into()),
        };
        self.0
            .hash_yuv(
                number as u64,
                width,
                height,
                chroma,
                full_range,
                (u_offset, u_stride),
                (v_offset, v_stride),
            )
            .map_err(video_error)
    }

    /// Hashes frame `number` from 4-byte pixels (`rgba` or `bgra`) in the frame buffer.
    #[wasm_bindgen(js_name = hashRgb)]
    pub fn hash_rgb(
        &mut self,
        number: f64,
        width: u32,
        height: u32,
        layout: &str,
    ) -> Result<(), JsValue> {
        let layout = match layout {
            "rgba" => PixelLayout::Rgba,
            "bgra" => PixelLayout::Bgra,
            other => return Err(JsError::new(&format!("unknown pixel layout {other:?}")).into()),
        };
        self.0
            .hash_rgb(number as u64, width, height, layout)
            .map_err(video_error)
    }

    /// The frame numbers hashed, in order (with `hashes()` and `qualities()` beside them).
    #[wasm_bindgen(js_name = frameNumbers)]
    pub fn frame_numbers(&self) -> Vec<f64> {
        self.0.frames().iter().map(|f| f.frame as f64).collect()
    }

    /// The frames' PDQ hashes, 64 hex digits each, one after the other.
    pub fn hashes(&self) -> String {
        self.0.frames().iter().map(|f| f.hash.to_hex()).collect()
    }

    pub fn qualities(&self) -> Vec<u8> {
        self.0.frames().iter().map(|f| f.quality).collect()
    }
}
