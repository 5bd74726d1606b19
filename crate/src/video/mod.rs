//! Video containers, read on the device: which container a file is, its first video track, and
//! that track's compressed frames (samples) with their timestamps, for a decoder at the edge
//! (WebCodecs in the browser). No decoding here.
//!
//! [`Demuxer`] is driven by the caller's reads of the file (Range reads, then one sequential
//! stream), so a video of several gigabytes never has to be in memory. The sample list, its
//! timestamps, discard flags (edit lists) and the frame rate follow FFmpeg 5.1's libavformat, the
//! demuxer under Meta's vPDQ reference, so that the frames hashed are the frames it hashes.
//!
//! Why our own and not mp4box.js (ISO BMFF) plus a WebM parser in JavaScript: vPDQ numbers frames
//! as FFmpeg returns them, so the demuxer must agree with libavformat on edit lists (frames
//! decoded but discarded), on the frame rate that sets which frames are hashed (stts totals,
//! DefaultDuration, or FFmpeg's estimate), and on stream order; no JS demuxer does, and two of
//! them (MP4 and WebM) would add more JavaScript to the worker than this adds WebAssembly to the
//! video module. Here it is tested against `ffprobe` packet by packet, runs natively too, and is
//! bounded against hostile files in one place.

mod bits;
mod codec;
mod demux;
mod error;
mod frames;
pub(crate) use frames::h264_full_range;
mod matroska;
mod mp4;
mod rate;
pub mod rational;
mod reader;

pub use demux::{Demuxer, Ending, Request};
pub use error::VideoError;

/// The container families this demuxer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// ISO base media file format: MP4, MOV, M4V, 3GP.
    Mp4,
    /// Matroska and WebM.
    Matroska,
}

/// Tells the container from the first bytes of a file, by signature only (never by name).
pub fn sniff(head: &[u8]) -> Option<Container> {
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Some(Container::Matroska);
    }
    if head.len() < 8 {
        return None;
    }
    if &head[4..8] == b"ftyp" {
        return Some(Container::Mp4);
    }
    let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let sane = match size {
        0 => true,
        1 => head.len() >= 16 && u64::from_be_bytes(head[8..16].try_into().ok()?) >= 16,
        n => n >= 8,
    };
    let known = matches!(
        &head[4..8],
        b"moov" | b"mdat" | b"free" | b"skip" | b"wide" | b"moof"
    );
    (sane && known).then_some(Container::Mp4)
}

/// Where a Matroska or WebM file's Segment ends, from the file's first bytes (a few hundred are
/// enough), when its size is declared: past the file's end, the file is cut short. None for a
/// Segment of unknown size (a live recording) or bytes that are not Matroska.
pub fn matroska_segment_end(head: &[u8]) -> Option<u64> {
    matroska::segment_end(head)
}

/// Video codecs by name; `Other` keeps the MP4 fourcc or Matroska CodecID for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Codec {
    H264,
    H265,
    Vp8,
    Vp9,
    Av1,
    Other(String),
}

/// The video track, with what `VideoDecoder.configure()` needs.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoTrack {
    pub codec: Codec,
    /// WebCodecs codec string: `avc1.PPCCLL`, `hvc1.…`/`hev1.…` (ISO/IEC 14496-15 Annex E),
    /// `vp8`, `vp09.PP.LL.DD`, `av01.P.LLT.DD`. None when the configuration is missing.
    pub codec_string: Option<String>,
    /// The avcC or hvcC record for H.264/H.265 (WebCodecs' `description`).
    pub description: Option<Vec<u8>>,
    /// The frame size the container declares (sample entry, or PixelWidth/PixelHeight); the
    /// decoder's own size is authoritative.
    pub coded_width: u32,
    pub coded_height: u32,
    /// Units per second of `Sample::pts` and `Sample::dts`: the MP4 media timescale; for
    /// Matroska the denominator of FFmpeg's time base TimestampScale/10⁹ in lowest terms (1000 for
    /// the usual millisecond timestamps), block times scaled by its numerator.
    pub timescale: u32,
    /// FFmpeg's avg_frame_rate as (num, den), None where FFmpeg reports 0/0.
    pub frame_rate: Option<(i64, i64)>,
    /// FFmpeg's r_frame_rate where its probing computes one (no rate in the container), which
    /// the reference uses when there is no avg_frame_rate.
    pub r_frame_rate: Option<(i64, i64)>,
    /// FFmpeg would number this stream 0 (it is the file's first track).
    pub first_stream: bool,
    /// Frames FFmpeg's decoder would return (samples not discarded), when known up front (MP4).
    pub frame_count: Option<u64>,
    pub duration_seconds: Option<f64>,
}

/// One compressed frame of the video track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Position in decode order, from 0, counting discarded samples.
    pub decode_index: u64,
    /// Presentation and decode time in `VideoTrack::timescale` units, as FFmpeg's packets carry
    /// them (MP4: after the edit list; Matroska stores no decode time, so dts = pts).
    pub pts: i64,
    pub dts: i64,
    /// A random access point (sync sample, key frame).
    pub key: bool,
    /// Outside the edit list: decode it (others may refer to it), but it is not a frame FFmpeg's
    /// decoder returns.
    pub discard: bool,
    /// No other frame refers to it, so it may be skipped when its picture is not wanted.
    pub disposable: bool,
    /// Where it is in the file, as FFmpeg's packet `pos` says: MP4, its first byte; Matroska,
    /// the start of its Block's data (the few bytes of block head come first).
    pub pos: u64,
    pub data: Vec<u8>,
}
