//! Matroska and WebM, read from the caller's sequential stream in one pass: EBML elements are
//! parsed incrementally (they may straddle chunks), unknown-size Segments and Clusters (as
//! MediaRecorder writes them) end where a non-child element begins, and only the chosen video
//! track's blocks are copied; every other payload is skipped without being kept.

mod block;
mod ebml;
mod tracks;

pub(crate) use self::ebml::segment_end;

use std::collections::VecDeque;

use self::block::{frames, head_len, parse_head, BlockHead};
use self::ebml::*;
use self::tracks::{first_video_track, parse_info, TrackEntry};
use super::codec::{self, CodecConfig};
use super::error::{damaged, VideoError};
use super::frames::{h264_timing, Inspector};
use super::rate::{self, Probe};
use super::rational::{av_reduce, rescale_rnd, Round};
use super::{Codec, Ending, Request, Sample, VideoTrack};

/// A buffered Info or EBML header larger than this is refused.
const MAX_SMALL: u64 = 1024 * 1024;
/// A Tracks element larger than this is refused (CodecPrivate can be some kilobytes).
const MAX_TRACKS: u64 = 32 * 1024 * 1024;
/// One block of the video track larger than this is refused.
const MAX_BLOCK: u64 = 64 * 1024 * 1024;
/// Samples (and their bytes) held back while the frame rate is being estimated, at most: FFmpeg
/// needs some 40 frames; a file whose timestamps never advance gets the rate it has by then.
const MAX_HELD: usize = 512;
const MAX_HELD_BYTES: usize = 64 * 1024 * 1024;

/// A master element being read.
struct Open {
    id: u32,
    end: Option<u64>,
}

enum State {
    /// Between elements: `hdr` holds the start of the next header.
    Header,
    /// Skipping this many payload bytes.
    Skip(u64),
    /// Reading a whole small element.
    Collect { id: u32, size: usize, buf: Vec<u8> },
    /// Reading the head of a (Simple)Block to see which track it belongs to.
    BlockHead {
        id: u32,
        data_pos: u64,
        size: u64,
        buf: Vec<u8>,
    },
    /// Reading the rest of one of our blocks.
    BlockData {
        id: u32,
        data_pos: u64,
        head: BlockHead,
        remaining: u64,
        buf: Vec<u8>,
    },
    /// After the Segment (anything there is ignored, as FFmpeg ignores it), or after bytes that
    /// are not an element once the track is known (`garbage`: the file is damaged from there).
    Trailing { garbage: bool },
}

/// The chosen video track.
struct Track {
    entry: TrackEntry,
    config: CodecConfig,
    inspector: Inspector,
    first_stream: bool,
    /// FFmpeg's time base TimestampScale/1e9 reduced to n/d: pts are block times × n in units
    /// of 1/d.
    tb_num: i64,
    tb_den: i64,
    codec_delay: i64,
    frame_rate: Option<(i64, i64)>,
    /// H.264 SPS timing: FFmpeg's parser gives packets this duration when the container has none.
    h264_duration: i64,
}

/// A BlockGroup being read: its Block and what follows it.
#[derive(Default)]
struct Group {
    block: Option<(BlockHead, Vec<u8>, u64)>,
    duration: u64,
    referenced: bool,
}

pub(crate) struct Matroska {
    pos: u64,
    stack: Vec<Open>,
    state: State,
    hdr: Vec<u8>,
    timestamp_scale: u64,
    duration: Option<f64>,
    segment_seen: bool,
    track: Option<Track>,
    cluster_time: Option<u64>,
    group: Option<Group>,
    /// Samples not yet handed out; held back until the track is published.
    queue: VecDeque<Sample>,
    published: Option<VideoTrack>,
    probe: Option<Probe>,
    /// Reorders presentation times into decode times for the probe (H.264/H.265 reorder).
    reorder: Vec<i64>,
    count: u64,
    held_bytes: usize,
    ended: bool,
}

impl Matroska {
    pub(crate) fn new() -> Matroska {
        Matroska {
            pos: 0,
            stack: Vec::new(),
            state: State::Header,
            hdr: Vec::with_capacity(12),
            timestamp_scale: 1_000_000,
            duration: None,
            segment_seen: false,
            track: None,
            cluster_time: None,
            group: None,
            queue: VecDeque::new(),
            published: None,
            probe: None,
            reorder: Vec::new(),
            count: 0,
            held_bytes: 0,
            ended: false,
        }
    }

    pub(crate) fn track(&self) -> Option<&VideoTrack> {
        self.published.as_ref()
    }

    pub(crate) fn request(&self) -> Request {
        if self.ended {
            Request::Done
        } else {
            Request::Stream
        }
    }

    pub(crate) fn next_sample(&mut self) -> Option<Sample> {
        self.published.as_ref()?;
        self.queue.pop_front()
    }

    /// The next bytes of the file.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), VideoError> {
        if self.ended {
            return Err(VideoError::Misuse("push() after end()".into()));
        }
        let mut i = 0usize;
        while i < chunk.len() {
            let rest = &chunk[i..];
            match &mut self.state {
                State::Trailing { .. } => {
                    self.pos += rest.len() as u64;
                    break;
                }
                State::Header => {
                    if self.hdr.is_empty() && self.close_ended(self.pos)? {
                        // The Segment is over: what follows is not read.
                        self.state = State::Trailing { garbage: false };
                        continue;
                    }
                    let had = self.hdr.len();
                    let take = (12 - had).min(rest.len());
                    self.hdr.extend_from_slice(&rest[..take]);
                    let parsed = match parse_header(&self.hdr) {
                        Err(_) if self.track.is_some() => {
                            // Not an element: the rest of the file is unreadable.
                            self.hdr.clear();
                            self.pos += take as u64;
                            i += take;
                            self.state = State::Trailing { garbage: true };
                            continue;
                        }
                        other => other?,
                    };
                    match parsed {
                        None => {
                            i += take;
                            self.pos += take as u64;
                        }
                        Some(h) => {
                            let used = h.len - had;
                            i += used;
                            let start = self.pos - had as u64;
                            self.pos += used as u64;
                            self.hdr.clear();
                            self.element(h, start)?;
                        }
                    }
                }
                State::Skip(n) => {
                    let k = (*n).min(rest.len() as u64);
                    *n -= k;
                    i += k as usize;
                    self.pos += k;
                    if *n == 0 {
                        self.state = State::Header;
                    }
                }
                State::Collect { id, size, buf } => {
                    let k = (*size - buf.len()).min(rest.len());
                    buf.extend_from_slice(&rest[..k]);
                    i += k;
                    self.pos += k as u64;
                    if buf.len() == *size {
                        let (id, buf) = (*id, std::mem::take(buf));
                        self.state = State::Header;
                        self.collected(id, &buf)?;
                    }
                }
                State::BlockHead {
                    id,
                    data_pos,
                    size,
                    buf,
                } => {
                    if buf.is_empty() && *size == 0 {
                        self.state = State::Header;
                        continue;
                    }
                    let want = match buf.first().or(rest.first()) {
                        Some(&b) => head_len(b).ok_or_else(|| {
                            damaged("a Matroska block with an invalid track number")
                        })?,
                        None => break,
                    };
                    let want = (want as u64).min(*size) as usize;
                    let k = (want - buf.len()).min(rest.len());
                    buf.extend_from_slice(&rest[..k]);
                    i += k;
                    self.pos += k as u64;
                    if buf.len() == want {
                        let (id, data_pos, size) = (*id, *data_pos, *size);
                        let buf = std::mem::take(buf);
                        self.block_head(id, data_pos, size, &buf)?;
                    }
                }
                State::BlockData { remaining, buf, .. } => {
                    let k = (*remaining).min(rest.len() as u64);
                    buf.extend_from_slice(&rest[..k as usize]);
                    *remaining -= k;
                    i += k as usize;
                    self.pos += k;
                    if *remaining == 0 {
                        let State::BlockData {
                            id,
                            data_pos,
                            head,
                            buf,
                            ..
                        } = std::mem::replace(&mut self.state, State::Header)
                        else {
                            unreachable!()
                        };
                        self.block(id, data_pos, head, buf)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The stream has ended.
    pub(crate) fn end(&mut self) -> Result<Ending, VideoError> {
        if self.ended {
            return Err(VideoError::Misuse("end() called twice".into()));
        }
        self.ended = true;
        let inside = match self.state {
            State::Header => !self.hdr.is_empty(),
            State::Trailing { garbage } => garbage,
            _ => true,
        };
        let short = inside
            || self
                .stack
                .iter()
                .any(|o| o.end.is_some_and(|e| e > self.pos));
        // A group cut off after its Block still yields that block, as FFmpeg returns what it read.
        while let Some(open) = self.stack.pop() {
            self.close(open.id)?;
        }
        if self.track.is_none() {
            return Err(if self.segment_seen {
                damaged("the file ends before its track list")
            } else {
                damaged("no Matroska segment in the file")
            });
        }
        self.publish(true);
        Ok(if short {
            Ending::CutShort {
                missing_samples: None,
            }
        } else {
            Ending::Complete
        })
    }

    /// Closes the masters that end at or before `at`; true when the Segment is closed.
    fn close_ended(&mut self, at: u64) -> Result<bool, VideoError> {
        while let Some(top) = self.stack.last() {
            if top.end.is_none_or(|e| at < e) {
                break;
            }
            let id = top.id;
            self.stack.pop();
            self.close(id)?;
        }
        Ok(self.segment_seen && self.stack.is_empty())
    }

    /// A new element header at `start`.
    fn element(&mut self, h: Header, start: u64) -> Result<(), VideoError> {
        // Close unknown-size masters this element cannot be inside.
        while let Some(top) = self.stack.last() {
            if top.end.is_some() || is_child(top.id, h.id) {
                break;
            }
            let id = top.id;
            self.stack.pop();
            self.close(id)?;
        }
        let data_pos = start + h.len as u64;
        if let (Some(size), Some(parent_end)) = (h.size, self.stack.last().and_then(|o| o.end)) {
            if data_pos.checked_add(size).is_none_or(|e| e > parent_end) {
                return Err(damaged("a Matroska element runs past its parent"));
            }
        }
        let parent = self.stack.last().map(|o| o.id);
        let master = |m: &mut Matroska| {
            m.stack.push(Open {
                id: h.id,
                end: h.size.map(|s| data_pos + s),
            });
            m.state = State::Header;
        };
        match (parent, h.id) {
            (None, _) if self.segment_seen => self.state = State::Trailing { garbage: false },
            (None, SEGMENT) => {
                self.segment_seen = true;
                master(self);
            }
            (Some(SEGMENT), CLUSTER) => {
                self.cluster_time = None;
                master(self);
            }
            (Some(CLUSTER), BLOCK_GROUP) => {
                self.group = Some(Group::default());
                master(self);
            }
            (Some(SEGMENT), INFO) => self.collect(h, MAX_SMALL)?,
            (Some(SEGMENT), TRACKS) => self.collect(h, MAX_TRACKS)?,
            (Some(CLUSTER), CLUSTER_TIMESTAMP) | (Some(BLOCK_GROUP), BLOCK_DURATION) => {
                self.collect(h, 8)?
            }
            (Some(CLUSTER), SIMPLE_BLOCK) | (Some(BLOCK_GROUP), BLOCK) => {
                let size = h
                    .size
                    .ok_or_else(|| damaged("a Matroska block of unknown size"))?;
                self.state = State::BlockHead {
                    id: h.id,
                    data_pos,
                    size,
                    buf: Vec::new(),
                };
            }
            (Some(BLOCK_GROUP), REFERENCE_BLOCK) => {
                if let Some(g) = self.group.as_mut() {
                    g.referenced = true;
                }
                self.skip(h)?;
            }
            _ => self.skip(h)?,
        }
        Ok(())
    }

    fn skip(&mut self, h: Header) -> Result<(), VideoError> {
        let size = h.size.ok_or_else(|| {
            damaged(format!(
                "Matroska element 0x{:X} has an unknown size where none is allowed",
                h.id
            ))
        })?;
        self.state = if size == 0 {
            State::Header
        } else {
            State::Skip(size)
        };
        Ok(())
    }

    fn collect(&mut self, h: Header, max: u64) -> Result<(), VideoError> {
        let size = h
            .size
            .ok_or_else(|| damaged("a Matroska header element of unknown size"))?;
        if size > max {
            return Err(VideoError::TooLarge(format!(
                "a Matroska element of {size} bytes"
            )));
        }
        self.state = State::Collect {
            id: h.id,
            size: size as usize,
            buf: Vec::with_capacity(size as usize),
        };
        if size == 0 {
            self.state = State::Header;
            self.collected(h.id, &[])?;
        }
        Ok(())
    }

    fn collected(&mut self, id: u32, data: &[u8]) -> Result<(), VideoError> {
        match id {
            INFO => {
                let (scale, duration) = parse_info(data)?;
                self.timestamp_scale = scale;
                self.duration = duration;
            }
            TRACKS if self.track.is_none() => self.tracks(data)?,
            CLUSTER_TIMESTAMP => self.cluster_time = Some(uint(data)?),
            BLOCK_DURATION => {
                if let Some(g) = self.group.as_mut() {
                    g.duration = uint(data)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn tracks(&mut self, data: &[u8]) -> Result<(), VideoError> {
        let Some((position, entry)) = first_video_track(data)? else {
            return Err(VideoError::NotAVideo);
        };
        if let Some(why) = &entry.unreadable {
            return Err(VideoError::Unsupported(why.clone()));
        }
        let config = codec::from_matroska(&entry.codec_id, entry.private.as_deref());
        let inspector = Inspector::new(&config.codec, config.description.as_deref());
        let scale = i64::try_from(self.timestamp_scale).unwrap_or(i64::MAX);
        let (tb_num, tb_den, _) = av_reduce(scale, 1_000_000_000, i64::from(i32::MAX));
        let codec_delay = rescale_rnd(
            i64::try_from(entry.codec_delay).unwrap_or(i64::MAX),
            tb_den,
            tb_num.saturating_mul(1_000_000_000),
            Round::NearInf,
        )
        .unwrap_or(0);
        let frame_rate = rate::from_default_duration(entry.default_duration);
        let h264_duration = match (
            &config.codec,
            config.description.as_deref().and_then(h264_timing),
        ) {
            (Codec::H264, Some((units, scale))) => {
                // 2 × num_units_in_tick / time_scale seconds, rounded down to time-base units.
                rescale_rnd(
                    2 * i64::from(units),
                    tb_den,
                    i64::from(scale) * tb_num,
                    Round::Down,
                )
                .unwrap_or(0)
            }
            _ => 0,
        };
        if frame_rate.is_none() {
            self.probe = Some(Probe::new(
                tb_num,
                tb_den,
                matches!(config.codec, Codec::H264 | Codec::H265),
            ));
        }
        self.track = Some(Track {
            entry,
            config,
            inspector,
            first_stream: position == 0,
            tb_num,
            tb_den,
            codec_delay,
            frame_rate,
            h264_duration,
        });
        self.publish(false);
        Ok(())
    }

    /// The head of a block is read: keep the block when it is ours, else skip it.
    fn block_head(
        &mut self,
        id: u32,
        data_pos: u64,
        size: u64,
        buf: &[u8],
    ) -> Result<(), VideoError> {
        let ours = self.track.as_ref().map(|t| t.entry.number);
        let rest = size - buf.len() as u64;
        match parse_head(buf) {
            Some(head) if Some(head.track) == ours && rest > 0 => {
                if size > MAX_BLOCK {
                    return Err(VideoError::TooLarge(format!(
                        "a video block of {size} bytes"
                    )));
                }
                self.state = State::BlockData {
                    id,
                    data_pos,
                    head,
                    remaining: rest,
                    buf: Vec::with_capacity(rest as usize),
                };
            }
            _ => {
                self.state = if rest == 0 {
                    State::Header
                } else {
                    State::Skip(rest)
                }
            }
        }
        Ok(())
    }

    /// A whole block of our track.
    fn block(
        &mut self,
        id: u32,
        data_pos: u64,
        head: BlockHead,
        data: Vec<u8>,
    ) -> Result<(), VideoError> {
        if id == BLOCK {
            if let Some(g) = self.group.as_mut() {
                g.block = Some((head, data, data_pos));
            }
            return Ok(());
        }
        self.emit(head, &data, data_pos, head.flags & 0x80 != 0, 0)
    }

    fn close(&mut self, id: u32) -> Result<(), VideoError> {
        if id == BLOCK_GROUP {
            if let Some(g) = self.group.take() {
                if let Some((head, data, pos)) = g.block {
                    self.emit(head, &data, pos, !g.referenced, g.duration)?;
                }
            }
        }
        Ok(())
    }

    /// One block's frames become samples (matroska_parse_block).
    fn emit(
        &mut self,
        head: BlockHead,
        data: &[u8],
        pos: u64,
        key: bool,
        block_duration: u64,
    ) -> Result<(), VideoError> {
        let Some(t) = self.track.as_mut() else {
            return Ok(());
        };
        if data.is_empty() {
            return Ok(());
        }
        let ranges = frames(data, head.flags)?;
        let frame_bytes = data.len();
        let laces = ranges.len() as u64;
        let block_duration = if block_duration == 0 {
            t.entry.default_duration.saturating_mul(laces) / self.timestamp_scale
        } else {
            block_duration
        };
        let cluster = i64::try_from(self.cluster_time.unwrap_or(0)).unwrap_or(i64::MAX);
        let mut time = cluster
            .saturating_add(i64::from(head.time))
            .saturating_sub(t.codec_delay);
        for (n, range) in ranges.into_iter().enumerate() {
            let n = n as u64;
            let lace_duration = i64::try_from(
                block_duration.saturating_mul(n + 1) / laces
                    - block_duration.saturating_mul(n) / laces,
            )
            .unwrap_or(0);
            let frame = &data[range];
            let bytes = match &t.entry.strip {
                Some(prefix) => [prefix.as_slice(), frame].concat(),
                None => frame.to_vec(),
            };
            if t.config.codec == Codec::Vp9 && t.config.codec_string.is_none() {
                t.config.codec_string = Some(
                    codec::vp9_from_frame(&bytes).unwrap_or_else(|| "vp09.00.10.08".to_string()),
                );
            }
            if let Some(probe) = self.probe.as_mut() {
                let reorders = matches!(t.config.codec, Codec::H264 | Codec::H265);
                let dts = if reorders {
                    // FFmpeg guesses decode times by sorting presentation times.
                    self.reorder.push(time);
                    self.reorder.sort_unstable();
                    (self.reorder.len() > 16).then(|| self.reorder.remove(0))
                } else {
                    Some(time)
                };
                let duration = if lace_duration > 0 {
                    lace_duration
                } else {
                    t.h264_duration
                };
                probe.add(dts, duration);
            }
            let pts = time.saturating_mul(t.tb_num);
            self.queue.push_back(Sample {
                decode_index: self.count,
                pts,
                dts: pts,
                key: key && n == 0,
                discard: false,
                disposable: t.inspector.disposable(&bytes),
                pos,
                data: bytes,
            });
            self.count += 1;
            time = time.saturating_add(lace_duration);
        }
        self.publish(false);
        if self.published.is_none() {
            self.held_bytes += frame_bytes;
            if self.queue.len() > MAX_HELD || self.held_bytes > MAX_HELD_BYTES {
                self.publish(true);
            }
        }
        Ok(())
    }

    /// Publishes the track once its codec string and frame rate are known (or, `now`, with
    /// whatever is known).
    fn publish(&mut self, now: bool) {
        if self.published.is_some() {
            return;
        }
        let Some(t) = self.track.as_mut() else {
            return;
        };
        let string_pending = t.config.codec == Codec::Vp9 && t.config.codec_string.is_none();
        let rate_pending = self.probe.as_ref().is_some_and(|p| !p.done());
        if !now && (string_pending || rate_pending) {
            return;
        }
        let mut r_frame_rate = None;
        if let Some(p) = self.probe.take() {
            t.frame_rate = p.avg_frame_rate();
            // The decoder's own rate, which FFmpeg doubles for codecs that count fields (H.264):
            // the SPS's time_scale / num_units_in_tick.
            let codec_rate = match (
                &t.config.codec,
                t.config.description.as_deref().and_then(h264_timing),
            ) {
                (Codec::H264, Some((units, scale))) if units > 0 => {
                    Some((i64::from(scale), i64::from(units)))
                }
                _ => None,
            };
            r_frame_rate = Some(p.r_frame_rate(codec_rate));
        }
        let scale = self.timestamp_scale as f64;
        self.published = Some(VideoTrack {
            codec: t.config.codec.clone(),
            codec_string: t.config.codec_string.clone(),
            description: t.config.description.clone(),
            coded_width: t.entry.width,
            coded_height: t.entry.height,
            timescale: u32::try_from(t.tb_den).unwrap_or(u32::MAX),
            frame_rate: t.frame_rate,
            r_frame_rate,
            first_stream: t.first_stream,
            frame_count: None,
            duration_seconds: self
                .duration
                .map(|d| d * scale / 1e9)
                .filter(|d| d.is_finite() && *d > 0.0),
        });
    }
}
