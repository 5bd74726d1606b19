//! `hash --vpdq`: vPDQ, Meta's video fingerprint, with the frames and hashes of the reference.
//!
//! The reference is `vpdq/cpp` of facebook/ThreatExchange (PyPI `vpdq` 0.2.5): FFmpeg decodes the
//! first video stream; every `step`-th frame the decoder returns (`step` = one second's worth of
//! frames by the stream's average frame rate, at least 1) is converted to RGB24 by libswscale
//! (`SWS_AREA`, same size) and hashed with PDQ. This module makes the very same calls into the
//! very same system libraries, in the same order and with the same settings (threads included),
//! and hashes the RGB rows with the core's PDQ, which is bit-exact with the reference's. So the
//! frame numbers, hashes and qualities are the reference's, including one quirk (see
//! [`flushes_the_decoder`]).
//!
//! Where the reference fails, aborts or has undefined behaviour, this module answers with an
//! error code or with the frames it could hash, marked partial; it never panics on any input.
//! Memory stays bounded: one decoded frame and two RGB frames at a time (FFmpeg's own buffers
//! aside), and frames over [`MAX_PIXELS`] are refused by the decoder itself.

use std::fmt;
use std::path::Path;
use std::ptr;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::Once;
use std::thread;

use ff::codec::Capabilities;
use ff::ffi;
use ff::format::stream::Disposition;
use ff::software::scaling;
use ff::util::format::Pixel;
use ffmpeg_next as ff;
use report_helper::pdq::{PdqHash, PdqHasher, PdqSize, PixelLayout};
use report_helper::vpdq::pick::{frame_step, FrameRate};
use report_helper::vpdq::{VpdqFrame, SECONDS_PER_HASH};

use crate::decode::MAX_DECODE_MEMORY;

/// Pixels a frame may have: its decoded form (at most 8 bytes a pixel, 4:4:4 at 16 bits) and its
/// RGB24 copy must fit in [`MAX_DECODE_MEMORY`] together. That is 97 megapixels: 8K video passes.
pub const MAX_PIXELS: u64 = MAX_DECODE_MEMORY / (8 + 3);

/// The vPDQ hash of a video: the hashed frames in the reference's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoHashes {
    pub frames: Vec<VpdqFrame>,
    /// The file ended before its index said it would, the demuxer reported an error other than
    /// the end of the file, a packet was marked corrupt, or a packet failed to decode (then the
    /// frames are those hashed before it; the reference would have failed).
    pub partial: bool,
}

/// Why a file has no vPDQ hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VpdqError {
    /// No video stream, or a still picture (see [`still_picture_demuxer`]).
    NotAVideo(String),
    /// This FFmpeg has no decoder for the video's codec.
    UnsupportedCodec(String),
    /// FFmpeg could not open the file or the stream, or no frame decoded.
    DecodeFailed(String),
    /// A video stream without a single frame.
    NoFrames,
}

impl VpdqError {
    pub fn code(&self) -> &'static str {
        match self {
            VpdqError::NotAVideo(_) => "not-a-video",
            VpdqError::UnsupportedCodec(_) => "unsupported-codec",
            VpdqError::DecodeFailed(_) => "decode-failed",
            VpdqError::NoFrames => "no-frames",
        }
    }
}

impl fmt::Display for VpdqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VpdqError::NotAVideo(why)
            | VpdqError::UnsupportedCodec(why)
            | VpdqError::DecodeFailed(why) => f.write_str(why),
            VpdqError::NoFrames => f.write_str("the video stream has no frames"),
        }
    }
}

impl std::error::Error for VpdqError {}

/// FFmpeg's demuxers of single pictures: `image2` (files named like pictures), `image2pipe` and
/// the `*_pipe` demuxers it probes pictures with by their first bytes (`jpeg_pipe`, `png_pipe`,
/// `webp_pipe`, `bmp_pipe`, `tiff_pipe`, ...), and `ico`. Their files are pictures: PDQ hashes
/// them, vPDQ does not. Animations (`gif`, `apng`) are videos unless they have a single frame.
fn still_picture_demuxer(name: &str) -> bool {
    matches!(name, "image2" | "image2pipe" | "ico") || name.ends_with("_pipe")
}

/// FFmpeg's demuxers of text art (ANSI, BIN, XBIN, ADF, IDF: text files drawn as pictures).
fn text_demuxer(name: &str) -> bool {
    matches!(name, "tty" | "bin" | "xbin" | "adf" | "idf")
}

/// FFmpeg's demuxers of playlists and stream descriptions (HLS, DASH, concat scripts, IMF, SDP,
/// RTP, RTSP): such a file names other files or streams, and is no video itself. (Only the file
/// protocol is allowed, so what it names on a network is never reached.)
fn playlist_demuxer(name: &str) -> bool {
    matches!(
        name,
        "hls" | "dash" | "concat" | "imf" | "sdp" | "rtp" | "rtsp" | "webm_dash_manifest"
    )
}

/// Demuxers of animated pictures: one frame of them is a still picture.
fn animation_demuxer(name: &str) -> bool {
    matches!(name, "gif" | "apng")
}

/// The reference's quirk: after the last packet it "flushes" the decoder by sending it the packet
/// that the failed `av_read_frame` left, which `av_packet_unref` reset to stream index 0. So the
/// decoder is drained only when the video is stream 0; otherwise the frames still inside it at
/// the end (B-frame reordering: the last few) are never returned, counted or hashed.
fn flushes_the_decoder(video_stream_index: usize) -> bool {
    video_stream_index == 0
}

/// Hashes the video at `path` as the reference does.
///
/// First with frame threads, which decode the same frames bit for bit about twice as fast on two
/// cores. But on a damaged stream FFmpeg's error concealment under frame threads depends on
/// timing, so the same file could hash differently from run to run: a video that shows any damage
/// (a packet or frame marked corrupt or concealed, a decoding error) is decoded again with the
/// reference's own threads, which are deterministic.
pub fn hash_video(path: &Path) -> Result<VideoHashes, VpdqError> {
    init();
    match decode(path, Threads::Frame) {
        Ok((hashes, Damage::None)) => Ok(hashes),
        Ok((_, Damage::Seen)) | Err(VpdqError::DecodeFailed(_)) => {
            decode(path, Threads::Reference).map(|(hashes, _)| hashes)
        }
        Err(e) => Err(e),
    }
}

/// How the decoder may use threads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Threads {
    /// The reference's: slice threads where the decoder has them, else one.
    Reference,
    /// Frame (and slice) threads where the decoder has them.
    Frame,
}

/// Whether decoding met anything damaged (then frame threads may not have been deterministic).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Damage {
    None,
    Seen,
}

fn decode(path: &Path, threads: Threads) -> Result<(VideoHashes, Damage), VpdqError> {
    let mut input = open(path)?;

    let demuxer = input.format().name().to_owned();
    // The first video stream, as in the reference, but cover art (an attached picture, as audio
    // files carry) is a picture: skipped. Where cover art comes before the video (rare: FFmpeg
    // puts MP4 and Matroska covers after the tracks) the reference would hash the cover.
    let stream = input
        .streams()
        .find(|s| {
            s.parameters().medium() == ff::media::Type::Video
                && !s.disposition().contains(Disposition::ATTACHED_PIC)
        })
        .ok_or_else(|| VpdqError::NotAVideo("no video stream".into()))?;
    let index = stream.index();
    let parameters = stream.parameters();
    let id = parameters.id();
    let codec = ff::decoder::find(id).ok_or_else(|| {
        VpdqError::UnsupportedCodec(format!("no decoder for the video codec {}", id.name()))
    })?;
    // SAFETY: the stream's codec parameters, alive as long as `input`; plain integer fields.
    let (width, height) = unsafe {
        let p = parameters.as_ptr();
        ((*p).width, (*p).height)
    };
    if width <= 0 || height <= 0 {
        return Err(VpdqError::DecodeFailed(
            "the video stream has no picture size".into(),
        ));
    }
    let (width, height) = (width as u32, height as u32);
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(VpdqError::DecodeFailed(format!(
            "video too large to decode: {width} x {height} pixels"
        )));
    }

    // The frame rate: avg_frame_rate, else r_frame_rate when avg is 0 (num or den).
    let avg = stream.avg_frame_rate();
    let rational = if avg.numerator() == 0 || avg.denominator() == 0 {
        stream.rate()
    } else {
        avg
    };
    // The core's rule, as the browser picks frames: `(int)(secondsPerHash * frameRate)`, at least 1.
    let rate = FrameRate {
        num: i64::from(rational.numerator()),
        den: i64::from(rational.denominator()),
    };
    let step = frame_step(rate, f64::from(SECONDS_PER_HASH))
        .map_err(|_| VpdqError::DecodeFailed("the video stream has no frame rate".into()))?
        .min(i64::MAX as u64) as i64;
    let index_end = furthest_index_byte(&stream);

    let mut context = ff::codec::Context::new_with_codec(codec);
    context
        .set_parameters(parameters)
        .map_err(|e| VpdqError::DecodeFailed(format!("cannot set up the decoder: {e}")))?;
    // SAFETY: fields of the context just allocated, before it is opened. The reference decodes
    // with slice threads where the decoder has them, else one thread; frame threads (FFmpeg's
    // choice of count) decode the same frames, bit for bit, about twice as fast on two cores, so
    // they are used where the decoder has them. They change one thing only: how many frames are
    // still inside the decoder at the end, which matters for the reference's flush quirk; that is
    // handled after the flush below. `max_pixels` (not set by the reference) only makes the
    // decoder refuse frames larger than we would convert, before it allocates them.
    unsafe {
        let c = context.as_mut_ptr();
        let capabilities = codec.capabilities();
        if threads == Threads::Frame && capabilities.contains(Capabilities::FRAME_THREADS) {
            (*c).thread_count = 0;
            (*c).thread_type = ffi::FF_THREAD_FRAME | ffi::FF_THREAD_SLICE;
        } else if capabilities.contains(Capabilities::SLICE_THREADS) {
            (*c).thread_count = 0;
            (*c).thread_type = ffi::FF_THREAD_SLICE;
        } else {
            (*c).thread_count = 1;
        }
        (*c).max_pixels = MAX_PIXELS as _;
    }
    let mut decoder = context
        .decoder()
        .open_as(codec)
        .and_then(|d| d.video())
        .map_err(|e| VpdqError::DecodeFailed(format!("cannot open the decoder: {e}")))?;

    // Decoding and the conversion to RGB here, PDQ on a second thread, as the reference hashes
    // on other threads while it decodes. A picked frame is converted at once, before the decoder
    // runs again, as in the reference: a decoder may still write into a frame it has returned
    // (H.264 does, on some damaged streams), so a frame converted later could differ. The RGB
    // frame goes to the hashing thread, and the next one waits until that one is hashed: one
    // decoded frame and at most two RGB frames (one being filled, one being hashed) at a time.
    let mut video_packets = 0u64;
    let mut corrupt = false;
    let mut read_error = None;
    let mut damaged_frames = false;
    let (frames, returned, failure) = thread::scope(|scope| {
        let (to_hasher, picked) = mpsc::sync_channel(0);
        let (recycle, recycled) = mpsc::channel();
        let hashing = scope.spawn(move || hash_frames(picked, recycle, width, height));
        let mut frames = Frames::new(step, Converter::new(width, height), to_hasher, recycled);
        let mut failure = None;
        let read_end = loop {
            let mut packet = ff::Packet::empty();
            if let Err(end) = packet.read(&mut input) {
                break end;
            }
            if packet.stream() != index {
                continue; // dropped: unref'd, as the reference does
            }
            video_packets += 1;
            corrupt |= packet.flags().contains(ff::packet::Flags::CORRUPT);
            if let Err(e) = decoder
                .send_packet(&packet)
                .map_err(|e| format!("a packet failed to decode: {e}"))
                .and_then(|()| frames.receive(&mut decoder))
            {
                failure = Some(e);
                break ff::Error::Eof;
            }
        };
        // Any error ends the reading in the reference, which then flushes as at the end.
        if read_end != ff::Error::Eof {
            read_error = Some(read_end);
        }
        // Drained always; the frames the reference would never have returned are dropped below.
        if failure.is_none() {
            if let Err(e) = decoder
                .send_eof()
                .map_err(|e| format!("flushing the decoder failed: {e}"))
                .and_then(|()| frames.receive(&mut decoder))
            {
                failure = Some(e);
            }
        }
        let mut returned = frames.returned;
        damaged_frames = frames.damaged;
        drop(frames); // hangs up: the hashing thread finishes
        let (hashed, hash_failure) = hashing
            .join()
            .unwrap_or_else(|_| (Vec::new(), Some("hashing failed".into())));
        // Without the flush, the reference's decoder (slice threads: no frame held for
        // threading) keeps the frames it holds for reordering, `has_b_frames` of them, as the
        // decoder knows at the end (H.264 and H.265 with B-frames; 0 for the others).
        let mut hashed = hashed;
        if !flushes_the_decoder(index) {
            // SAFETY: a plain integer field of the open decoder, read after decoding.
            let held = i64::from(unsafe { (*decoder.as_ptr()).has_b_frames }).max(0);
            returned = (returned - held).max(0);
            hashed.retain(|f| (f.frame as i64) < returned);
        }
        // The hashing thread's reason first: decoding stops only because hashing did.
        (hashed, returned, hash_failure.or(failure))
    });
    // A file cut short: the index (MP4's sample table) points past its end, or Matroska's
    // Segment, whose size is declared at its start, ends past it. (Other containers, and a
    // Matroska file written live, declare no size: a cut there shows only as an error or a
    // packet marked corrupt.)
    let cut_short = file_size(&input).is_some_and(|size| {
        index_end.is_some_and(|end| end > size)
            || (demuxer.starts_with("matroska")
                && matroska_segment_end(&mut input).is_some_and(|end| end > size))
    });

    if frames.is_empty() {
        let why = match (failure, read_error) {
            (Some(why), _) => why,
            (None, Some(e)) => format!("reading the file failed: {e}"),
            (None, None) if cut_short => "the file ends before its first frame".into(),
            (None, None) if video_packets == 0 => return Err(VpdqError::NoFrames),
            (None, None) => "no frame decoded".into(),
        };
        return Err(VpdqError::DecodeFailed(why));
    }
    if returned == 1 && animation_demuxer(&demuxer) {
        return Err(VpdqError::NotAVideo(format!(
            "a still picture ({demuxer} of one frame)"
        )));
    }
    let partial = cut_short || corrupt || read_error.is_some() || failure.is_some();
    let damage = if partial || damaged_frames {
        Damage::Seen
    } else {
        Damage::None
    };
    Ok((VideoHashes { frames, partial }, damage))
}

/// Once per process: FFmpeg's global setup, and its log silenced (the JSON line says what went
/// wrong; the reference, too, logs only fatal errors).
fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let _ = ff::init();
        ff::util::log::set_level(ff::util::log::Level::Quiet);
    });
}

/// `avformat_open_input` and `avformat_find_stream_info`, as the reference (and `ff::format::input`,
/// which panics on a path that is not UTF-8). The path is given as a `file:` URL and only the
/// file protocol is allowed: a file name such as `http:x.mp4`, or a playlist inside a file, can
/// never make FFmpeg reach the network or other protocols. Still pictures are told from their
/// demuxer before any of their data is decoded.
fn open(path: &Path) -> Result<ff::format::context::Input, VpdqError> {
    let mut url = b"file:".to_vec();
    url.extend_from_slice(path.as_os_str().as_encoded_bytes());
    let url = std::ffi::CString::new(url)
        .map_err(|_| VpdqError::DecodeFailed("the path contains a NUL byte".into()))?;
    let mut options = ff::Dictionary::new();
    options.set("protocol_whitelist", "file");

    let mut context: *mut ffi::AVFormatContext = ptr::null_mut();
    // SAFETY: `url` is a C string; `options` is handed over and taken back (with any entries the
    // demuxer did not use) to be freed. On failure avformat_open_input frees the context and sets
    // it to null; on success the context is owned by the `Input` that closes it when dropped.
    let opened = unsafe {
        let mut raw = options.disown();
        let opened = ffi::avformat_open_input(&mut context, url.as_ptr(), ptr::null(), &mut raw);
        drop(ff::Dictionary::own(raw));
        opened
    };
    if opened < 0 || context.is_null() {
        return Err(VpdqError::DecodeFailed(format!(
            "FFmpeg cannot open it: {}",
            ff::Error::from(opened)
        )));
    }
    // SAFETY: a context avformat_open_input opened; the Input closes it.
    let mut input = unsafe { ff::format::context::Input::wrap(context) };
    let demuxer = input.format().name().to_owned();
    if still_picture_demuxer(&demuxer) {
        return Err(VpdqError::NotAVideo(format!(
            "a still picture (FFmpeg reads it with {demuxer})"
        )));
    }
    if text_demuxer(&demuxer) {
        return Err(VpdqError::NotAVideo(format!(
            "text (FFmpeg would draw it as a picture with {demuxer})"
        )));
    }
    if playlist_demuxer(&demuxer) {
        return Err(VpdqError::NotAVideo(format!(
            "a playlist or stream description, which names other files ({demuxer})"
        )));
    }
    // SAFETY: the open context; no options.
    let found = unsafe { ffi::avformat_find_stream_info(input.as_mut_ptr(), ptr::null_mut()) };
    if found < 0 {
        return Err(VpdqError::DecodeFailed(format!(
            "FFmpeg cannot read the streams: {}",
            ff::Error::from(found)
        )));
    }
    Ok(input)
}

/// The byte just past the furthest packet that the stream's index (an MP4 sample table, Matroska
/// cues) lists, if it lists any.
fn furthest_index_byte(stream: &ff::format::stream::Stream) -> Option<i64> {
    // SAFETY: the stream is alive; the index entries are read in range, while nothing else uses
    // the format context.
    unsafe {
        let st = stream.as_ptr() as *mut ffi::AVStream;
        let count = ffi::avformat_index_get_entries_count(st);
        (0..count)
            .filter_map(|i| ffi::avformat_index_get_entry(st, i).as_ref())
            .map(|e| e.pos.saturating_add(i64::from(e.size())))
            .max()
    }
}

/// The size of the open file as FFmpeg's I/O sees it.
fn file_size(input: &ff::format::context::Input) -> Option<i64> {
    // SAFETY: the open context's I/O context (null for demuxers without a file).
    let size = unsafe {
        let pb = (*input.as_ptr()).pb;
        if pb.is_null() {
            return None;
        }
        ffi::avio_size(pb)
    };
    (size >= 0).then_some(size)
}

/// The byte just past the Segment of a Matroska or WebM file, when its size is declared: the
/// first bytes are read again through FFmpeg's open file and read by the core's EBML parser.
fn matroska_segment_end(input: &mut ff::format::context::Input) -> Option<i64> {
    let mut head = [0u8; 256];
    // SAFETY: the open context's I/O context, used only here, after the demuxing; reads at most
    // head.len() bytes into head.
    let got = unsafe {
        let pb = (*input.as_mut_ptr()).pb;
        if pb.is_null() || ffi::avio_seek(pb, 0, ffi::SEEK_SET) != 0 {
            return None;
        }
        ffi::avio_read(pb, head.as_mut_ptr(), head.len() as i32)
    };
    let head = head.get(..usize::try_from(got).ok()?)?;
    i64::try_from(report_helper::video::matroska_segment_end(head)?).ok()
}

/// The frames the decoder returns, numbered; every `step`-th is converted to RGB and handed to
/// the hashing thread.
struct Frames {
    step: i64,
    /// Frames the decoder has returned: the codec context's `frame_number`, which FFmpeg
    /// increments once for each frame `avcodec_receive_frame` returns, and only then. Counted here
    /// rather than read, as the field's name and type changed in FFmpeg 6 and 7.
    returned: i64,
    decoded: ff::frame::Video,
    converter: Converter,
    to_hasher: SyncSender<(u64, ff::frame::Video)>,
    /// RGB frames the hashing thread is done with, to be filled again.
    recycled: Receiver<ff::frame::Video>,
    /// A returned frame was marked corrupt, or its errors concealed.
    damaged: bool,
}

impl Frames {
    fn new(
        step: i64,
        converter: Converter,
        to_hasher: SyncSender<(u64, ff::frame::Video)>,
        recycled: Receiver<ff::frame::Video>,
    ) -> Self {
        Frames {
            step,
            returned: 0,
            decoded: ff::frame::Video::empty(),
            converter,
            to_hasher,
            recycled,
            damaged: false,
        }
    }

    /// Receives frames until the decoder wants input or has no more, as the reference does.
    fn receive(&mut self, decoder: &mut ff::decoder::Video) -> Result<(), String> {
        loop {
            match decoder.receive_frame(&mut self.decoded) {
                Ok(()) => {}
                Err(ff::Error::Eof) => return Ok(()),
                Err(ff::Error::Other { errno }) if errno == ff::util::error::EAGAIN => {
                    return Ok(())
                }
                Err(e) => return Err(format!("a frame failed to decode: {e}")),
            }
            self.returned += 1;
            let number = self.returned - 1;
            // SAFETY: plain integer fields of the frame the decoder just returned.
            self.damaged |= unsafe {
                let f = self.decoded.as_ptr();
                (*f).decode_error_flags != 0 || (*f).flags & ffi::AV_FRAME_FLAG_CORRUPT != 0
            };
            if number % self.step == 0 {
                let spare = self.recycled.try_recv().ok();
                let rgb = self.converter.convert(&self.decoded, spare)?;
                self.to_hasher
                    .send((number as u64, rgb))
                    .map_err(|_| "hashing stopped".to_string())?;
            }
        }
    }
}

/// The hashing thread: PDQ of each RGB frame (the rows of the stream's width, without the
/// padding), each frame then handed back to be filled again, until the decoding hangs up.
fn hash_frames(
    picked: Receiver<(u64, ff::frame::Video)>,
    recycle: Sender<ff::frame::Video>,
    width: u32,
    height: u32,
) -> (Vec<VpdqFrame>, Option<String>) {
    let mut frames = Vec::new();
    for (frame, rgb) in picked {
        match pdq_of_rgb(&rgb, width, height) {
            Ok((hash, quality)) => frames.push(VpdqFrame {
                frame,
                hash,
                quality,
            }),
            Err(why) => return (frames, Some(why)),
        }
        let _ = recycle.send(rgb); // the decoding may be over
    }
    (frames, None)
}

/// PDQ of an RGB24 frame of `width` x `height`, as the reference's `fillFloatLumaFromRGB` and
/// `pdqHash256FromFloatLuma` hash it (the core's PDQ is bit-exact with them).
fn pdq_of_rgb(rgb: &ff::frame::Video, width: u32, height: u32) -> Result<(PdqHash, u8), String> {
    let mut pdq = PdqHasher::new(width, height, PixelLayout::Rgb, PdqSize::Full)
        .map_err(|e| e.to_string())?;
    let row = pdq.row_bytes();
    let stride = rgb.stride(0);
    let data = rgb.data(0);
    for y in 0..height as usize {
        let start = y * stride;
        let pixels = data
            .get(start..start + row)
            .ok_or("the RGB frame is smaller than its size")?;
        pdq.push_rows(pixels).map_err(|e| e.to_string())?;
    }
    let hashed = pdq.finish().map_err(|e| e.to_string())?;
    Ok((hashed.hash, hashed.quality))
}

/// The reference's conversion of a decoded frame to RGB24 at the stream's size.
struct Converter {
    width: u32,
    height: u32,
    /// The scaler, made for the first frame converted and made again only if a frame's format or
    /// size differs (the reference makes it from the opened decoder's, which are the same).
    scaler: Option<scaling::Context>,
}

impl Converter {
    fn new(width: u32, height: u32) -> Self {
        Converter {
            width,
            height,
            scaler: None,
        }
    }

    /// Converts `decoded` into `spare` (or a new RGB frame; the reference allocates one per
    /// hashed frame) with the reference's scaler.
    fn convert(
        &mut self,
        decoded: &ff::frame::Video,
        spare: Option<ff::frame::Video>,
    ) -> Result<ff::frame::Video, String> {
        let source = scaling::context::Definition {
            format: decoded.format(),
            width: decoded.width(),
            height: decoded.height(),
        };
        // libswscale aborts the process on a frame without a pixel format (the reference dies so
        // on a track without frames).
        if source.format == Pixel::None || source.width == 0 || source.height == 0 {
            return Err("a decoded frame has no pixel format or size".into());
        }
        if self.scaler.as_ref().map(|s| *s.input()) != Some(source) {
            self.scaler = None;
            // The reference's sws_getContext: same size out, RGB24, SWS_AREA, no filters.
            let scaler = scaling::Context::get(
                source.format,
                source.width,
                source.height,
                Pixel::RGB24,
                self.width,
                self.height,
                scaling::Flags::AREA,
            )
            .map_err(|_| {
                format!(
                    "cannot convert frames of {:?} {} x {} to RGB",
                    source.format, source.width, source.height
                )
            })?;
            self.scaler = Some(scaler);
        }
        let mut rgb = match spare {
            Some(rgb) => rgb,
            None => rgb_frame(self.width, self.height)?,
        };
        let Some(scaler) = self.scaler.as_mut() else {
            return Err("no scaler".into());
        };
        // SAFETY: the scaler was made for this frame's format and size, and `rgb` holds a buffer
        // for the output's; the slice is the whole frame, as in the reference (srcSliceH is the
        // frame height). The pointer arrays are AVFrame's own.
        let scaled = unsafe {
            let src = decoded.as_ptr();
            let dst = rgb.as_mut_ptr();
            ffi::sws_scale(
                scaler.as_mut_ptr(),
                (*src).data.as_ptr() as *const *const u8,
                (*src).linesize.as_ptr(),
                0,
                source.height as i32,
                (*dst).data.as_ptr(),
                (*dst).linesize.as_ptr(),
            )
        };
        if scaled <= 0 {
            return Err("converting a frame to RGB failed".into());
        }
        Ok(rgb)
    }
}

/// An RGB24 frame with its buffer, as the reference's `createRGB24Frame` makes it
/// (`av_frame_get_buffer` with the default alignment).
fn rgb_frame(width: u32, height: u32) -> Result<ff::frame::Video, String> {
    let mut frame = ff::frame::Video::empty();
    frame.set_format(Pixel::RGB24);
    frame.set_width(width);
    frame.set_height(height);
    // SAFETY: a fresh frame with format and size set, as av_frame_get_buffer requires.
    let got = unsafe { ffi::av_frame_get_buffer(frame.as_mut_ptr(), 0) };
    // SAFETY: reads the frame's first data pointer.
    if got < 0 || unsafe { frame.is_empty() } {
        return Err(format!(
            "cannot allocate an RGB frame of {width} x {height}: {}",
            ff::Error::from(got)
        ));
    }
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_told_by_their_demuxer() {
        for name in [
            "image2",
            "image2pipe",
            "jpeg_pipe",
            "png_pipe",
            "webp_pipe",
            "ico",
        ] {
            assert!(still_picture_demuxer(name), "{name}");
        }
        for name in [
            "mov,mp4,m4a,3gp,3g2,mj2",
            "matroska,webm",
            "gif",
            "apng",
            "avi",
        ] {
            assert!(!still_picture_demuxer(name), "{name}");
            assert!(!text_demuxer(name) && !playlist_demuxer(name), "{name}");
        }
        assert!(text_demuxer("tty") && playlist_demuxer("hls") && playlist_demuxer("concat"));
    }

    #[test]
    fn error_codes() {
        assert_eq!(VpdqError::NoFrames.code(), "no-frames");
        assert_eq!(VpdqError::NotAVideo(String::new()).code(), "not-a-video");
        assert_eq!(
            VpdqError::UnsupportedCodec(String::new()).code(),
            "unsupported-codec"
        );
        assert_eq!(
            VpdqError::DecodeFailed(String::new()).code(),
            "decode-failed"
        );
    }
}
