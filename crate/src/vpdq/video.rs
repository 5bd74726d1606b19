//! A video's vPDQ on the device: the demuxer reads the container, [`FramePicker`] says which
//! frames the reference hashes, and the frames a decoder at the edge returns are hashed here
//! from their planes. The browser's worker drives it through `wasm.rs`; nothing here decodes.
//!
//! The caller's loop: serve [`VideoHasher::request`]s, push the file's bytes, take samples with
//! [`VideoHasher::next_sample`] and decode those [`VideoHasher::must_decode`] says, number each
//! returned frame with [`VideoHasher::returned`], copy a hashed one into
//! [`VideoHasher::frame_buffer`] and call [`VideoHasher::hash_yuv`] (or `hash_rgb`); at the end
//! [`VideoHasher::end`] and [`VideoHasher::frames`].

use core::fmt;

use super::pick::{frame_step, FramePicker, FrameRate};
use super::yuv::{Chroma, FrameError, Range, YuvFrame};
use super::{VpdqFrame, SECONDS_PER_HASH};
use crate::pdq::{PdqHasher, PdqSize, PixelLayout};
use crate::video::{
    h264_full_range, Codec, Demuxer, Ending, Request, Sample, VideoError, VideoTrack,
};

/// Why a video gets no fingerprint, by the codes the page translates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VpdqError {
    /// A container without a video track (audio only).
    NotAVideo,
    /// A codec or container feature this helper does not read.
    Unsupported(String),
    /// The container is broken, or says no frame rate.
    Damaged(String),
    /// A video track without a single frame.
    NoFrames,
    /// A decoded frame's planes do not fit its size.
    Frame(FrameError),
}

impl VpdqError {
    /// The stable code: `not-a-video`, `unsupported-codec`, `decode-failed` or `no-frames`.
    pub fn code(&self) -> &'static str {
        match self {
            VpdqError::NotAVideo => "not-a-video",
            VpdqError::Unsupported(_) => "unsupported-codec",
            VpdqError::Damaged(_) | VpdqError::Frame(_) => "decode-failed",
            VpdqError::NoFrames => "no-frames",
        }
    }
}

impl fmt::Display for VpdqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VpdqError::NotAVideo => f.write_str("the file has no video track"),
            VpdqError::Unsupported(what) => write!(f, "unsupported: {what}"),
            VpdqError::Damaged(what) => f.write_str(what),
            VpdqError::NoFrames => f.write_str("the video track has no frames"),
            VpdqError::Frame(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for VpdqError {}

impl From<VideoError> for VpdqError {
    fn from(e: VideoError) -> VpdqError {
        match e {
            VideoError::NotAVideo => VpdqError::NotAVideo,
            VideoError::Unsupported(what) => VpdqError::Unsupported(what),
            other => VpdqError::Damaged(other.to_string()),
        }
    }
}

impl From<FrameError> for VpdqError {
    fn from(e: FrameError) -> VpdqError {
        VpdqError::Frame(e)
    }
}

/// One video being fingerprinted.
pub struct VideoHasher {
    demuxer: Demuxer,
    picker: Option<FramePicker>,
    frames: Vec<VpdqFrame>,
    buffer: Vec<u8>,
    current: Option<Sample>,
    /// The H.264 stream's SPS says full range (known at `start`).
    sps_full_range: bool,
}

impl VideoHasher {
    /// `None` when the first bytes are not a video container (then the file is not a video).
    pub fn open(file_size: u64, head: &[u8]) -> Result<Option<VideoHasher>, VpdqError> {
        if crate::video::sniff(head).is_none() {
            return Ok(None);
        }
        Ok(Some(VideoHasher {
            demuxer: Demuxer::new(file_size, head)?,
            picker: None,
            frames: Vec::new(),
            buffer: Vec::new(),
            current: None,
            sps_full_range: false,
        }))
    }

    pub fn request(&self) -> Request {
        self.demuxer.request()
    }

    pub fn supply(&mut self, offset: u64, bytes: &[u8]) -> Result<(), VpdqError> {
        Ok(self.demuxer.supply(offset, bytes)?)
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), VpdqError> {
        Ok(self.demuxer.push(chunk)?)
    }

    /// The stream is over: whether samples the container promised were missing (cut short).
    pub fn end(&mut self) -> Result<bool, VpdqError> {
        Ok(matches!(self.demuxer.end()?, Ending::CutShort { .. }))
    }

    pub fn track(&self) -> Option<&VideoTrack> {
        self.demuxer.track()
    }

    /// Once the track is known: picks the frames to hash, from its frame rate and, where the
    /// container lists every frame, its sample table.
    pub fn start(&mut self) -> Result<(), VpdqError> {
        let track = self
            .demuxer
            .track()
            .ok_or_else(|| VpdqError::Damaged("the video track is not known yet".into()))?;
        if track.frame_count == Some(0) {
            return Err(VpdqError::NoFrames);
        }
        // The reference's rate: avg_frame_rate, else r_frame_rate.
        let (num, den) = track
            .frame_rate
            .or(track.r_frame_rate)
            .ok_or_else(|| VpdqError::Damaged("the video does not say its frame rate".into()))?;
        let step = frame_step(FrameRate { num, den }, SECONDS_PER_HASH as f64)
            .map_err(|e| VpdqError::Damaged(e.to_string()))?;
        let first = track.first_stream;
        self.sps_full_range =
            track.codec == Codec::H264 && track.description.as_deref().is_some_and(h264_full_range);
        self.picker = Some(match self.demuxer.sample_count() {
            Some(count) => {
                let numbers = (0..count).map(|i| self.demuxer.frame_number(i)).collect();
                FramePicker::known(step, first, numbers)
            }
            None => FramePicker::counting(step, first),
        });
        Ok(())
    }

    /// Takes the next sample; its fields are then read with the `sample` accessors.
    pub fn next_sample(&mut self) -> Option<&Sample> {
        self.current = self.demuxer.next_sample();
        self.current.as_ref()
    }

    /// The sample taken by the last [`VideoHasher::next_sample`].
    pub fn sample(&self) -> Option<&Sample> {
        self.current.as_ref()
    }

    /// Whether the current sample must go to the decoder (false: nothing needs its picture).
    pub fn must_decode(&self) -> bool {
        match (&self.current, &self.picker) {
            (Some(s), Some(p)) => p.must_decode(s.decode_index, s.disposable),
            _ => true,
        }
    }

    /// Seconds from the start of the current sample's presentation time.
    pub fn sample_seconds(&self) -> f64 {
        match (&self.current, self.demuxer.track()) {
            (Some(s), Some(t)) if t.timescale > 0 => s.pts.max(0) as f64 / t.timescale as f64,
            _ => 0.0,
        }
    }

    /// The decoder returned the frame of sample `decode_index`: its frame number when the
    /// reference hashes it, else None.
    pub fn returned(&mut self, decode_index: u64) -> Option<u64> {
        let (number, hashed) = self.picker.as_mut()?.returned(decode_index)?;
        hashed.then_some(number)
    }

    /// A buffer of `len` bytes to copy a decoded frame into (kept from frame to frame).
    pub fn frame_buffer(&mut self, len: usize) -> &mut [u8] {
        self.buffer.resize(len, 0);
        &mut self.buffer
    }

    /// Frames of H.264 and H.265 that say full range are converted as such; the reference's
    /// FFmpeg gives VP8, VP9 and AV1 frames as limited range whatever they say. An H.264 SPS
    /// that says full range counts even when the browser's frame says otherwise, as FFmpeg
    /// takes the range from it.
    fn range(&self, full_range: bool) -> Range {
        let codec = self.demuxer.track().map(|t| &t.codec);
        if self.sps_full_range || full_range && matches!(codec, Some(Codec::H264 | Codec::H265)) {
            Range::Full
        } else {
            Range::Limited
        }
    }

    /// Hashes frame `number` from the planes in the frame buffer: Y at offset 0 with stride
    /// `width`, then U and V (or NV12's UV at `u_offset`) at the given offsets and strides.
    #[allow(clippy::too_many_arguments)]
    pub fn hash_yuv(
        &mut self,
        number: u64,
        width: u32,
        height: u32,
        chroma: Chroma,
        full_range: bool,
        (u_offset, u_stride): (usize, usize),
        (v_offset, v_stride): (usize, usize),
    ) -> Result<(), VpdqError> {
        let range = self.range(full_range);
        let plane = |offset: usize| self.buffer.get(offset..).unwrap_or(&[]);
        let frame = YuvFrame {
            width,
            height,
            chroma,
            range,
            y: &self.buffer,
            y_stride: width as usize,
            u: plane(u_offset),
            u_stride,
            v: plane(v_offset),
            v_stride,
        };
        let pdq = frame.pdq()?;
        self.frames.push(VpdqFrame {
            frame: number,
            hash: pdq.hash,
            quality: pdq.quality,
        });
        Ok(())
    }

    /// Hashes frame `number` from 4-byte pixels in the frame buffer (a browser's own RGB
    /// conversion: near the reference's, not equal to it).
    pub fn hash_rgb(
        &mut self,
        number: u64,
        width: u32,
        height: u32,
        layout: PixelLayout,
    ) -> Result<(), VpdqError> {
        let len = width as usize * height as usize * layout.channels();
        let pixels = self
            .buffer
            .get(..len)
            .ok_or(VpdqError::Frame(FrameError::PlaneTooShort { plane: "RGB" }))?;
        let mut hasher = PdqHasher::new(width, height, layout, PdqSize::Full)
            .map_err(|e| VpdqError::Frame(e.into()))?;
        hasher
            .push_rows(pixels)
            .map_err(|e| VpdqError::Frame(e.into()))?;
        let pdq = hasher.finish().map_err(|e| VpdqError::Frame(e.into()))?;
        self.frames.push(VpdqFrame {
            frame: number,
            hash: pdq.hash,
            quality: pdq.quality,
        });
        Ok(())
    }

    /// The hashed frames in frame order, without those the reference would not have returned.
    pub fn frames(&self) -> Vec<VpdqFrame> {
        let mut frames: Vec<VpdqFrame> = self
            .frames
            .iter()
            .filter(|f| self.picker.as_ref().is_none_or(|p| p.keep(f.frame)))
            .copied()
            .collect();
        frames.sort_by_key(|f| f.frame);
        frames
    }
}
