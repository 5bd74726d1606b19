//! MP4 / QuickTime (ISO BMFF). First a walk over the top-level boxes with small Range reads (the
//! moov may be at the start or the end; a fragmented file's moofs are small and are all read, as
//! FFmpeg does when it opens one), which yields the complete sample index; then the samples'
//! bytes, picked out of the caller's sequential stream (see fetch.rs).

mod boxes;
mod fetch;
mod fragment;
mod index;
mod moov;

use self::boxes::parse_header;
use self::fetch::{Fetcher, Need};
use self::fragment::{sidx_complete, Fragments};
use self::index::Index;
use self::moov::{check_tables, parse_moov};
use super::codec::{self, CodecConfig};
use super::error::{damaged, VideoError};
use super::frames::Inspector;
use super::rate::{self, Probe};
use super::{Codec, Ending, Request, Sample, VideoTrack};

/// A moov larger than this is refused (hours of 4K video stay far below it).
const MAX_MOOV: u64 = 256 * 1024 * 1024;
/// A moof (or sidx) larger than this is refused.
const MAX_MOOF: u64 = 64 * 1024 * 1024;
/// One sample larger than this is refused.
const MAX_SAMPLE: u32 = 64 * 1024 * 1024;
/// Each Range read of the walk reads at least this much, so that runs of small boxes (fragments
/// of a frame or two) cost one read per many boxes.
const READ_AHEAD: u64 = 64 * 1024;
/// Top-level boxes walked before giving up on a hostile file.
const MAX_BOXES: u64 = 4_000_000;

/// The movie once its moov is read.
struct Movie {
    timescale: u32,
    index: Index,
    codec: CodecConfig,
    width: u32,
    height: u32,
    first_stream: bool,
    fragments: Option<Fragments>,
}

enum Phase {
    Walk,
    Samples {
        fetcher: Fetcher,
        inspector: Inspector,
        ranks: Vec<u32>,
    },
}

pub(crate) struct Mp4 {
    /// The end of the file (lowered when a Range read comes back short).
    file_end: u64,
    /// Bytes of the file held from the last Range read (or the head), starting at `window_at`.
    window_at: u64,
    window: Vec<u8>,
    /// The Range read asked for and not yet supplied.
    pending: Option<(u64, u64)>,
    walk_at: u64,
    boxes: u64,
    movie: Option<Movie>,
    found_mdat: bool,
    sidx_complete: bool,
    /// FFmpeg stops reading top-level boxes (and counting fragment durations) here.
    fps_frozen: bool,
    /// A top-level box runs past the end of the file.
    cut_short: bool,
    phase: Phase,
    track: Option<VideoTrack>,
}

impl Mp4 {
    pub(crate) fn new(file_size: u64, head: &[u8]) -> Result<Mp4, VideoError> {
        let keep = head
            .len()
            .min(usize::try_from(file_size).unwrap_or(usize::MAX));
        let mut m = Mp4 {
            file_end: file_size,
            window_at: 0,
            window: head[..keep].to_vec(),
            pending: None,
            walk_at: 0,
            boxes: 0,
            movie: None,
            found_mdat: false,
            sidx_complete: false,
            fps_frozen: false,
            cut_short: false,
            phase: Phase::Walk,
            track: None,
        };
        m.advance()?;
        Ok(m)
    }

    pub(crate) fn track(&self) -> Option<&VideoTrack> {
        self.track.as_ref()
    }

    pub(crate) fn request(&self) -> Request {
        match &self.phase {
            Phase::Walk => match self.pending {
                Some((offset, len)) => Request::Range { offset, len },
                None => Request::Done,
            },
            Phase::Samples { fetcher, .. } => match fetcher.need() {
                Need::Stream => Request::Stream,
                Need::Range(offset, len) => Request::Range { offset, len },
                Need::Nothing => Request::Done,
            },
        }
    }

    pub(crate) fn supply(&mut self, offset: u64, bytes: &[u8]) -> Result<(), VideoError> {
        match &mut self.phase {
            Phase::Samples { fetcher, .. } => fetcher.supply(offset, bytes),
            Phase::Walk => {
                let Some((want, len)) = self.pending else {
                    return Err(VideoError::Misuse(
                        "supply() when no Range read is pending".into(),
                    ));
                };
                if offset != want || bytes.len() as u64 > len {
                    return Err(VideoError::Misuse(format!(
                        "supply() of {} bytes at {offset}, but {len} bytes at {want} were asked for",
                        bytes.len()
                    )));
                }
                if (bytes.len() as u64) < len {
                    // The file is shorter than its size said.
                    self.file_end = offset + bytes.len() as u64;
                }
                self.pending = None;
                self.window_at = offset;
                self.window.clear();
                self.window.extend_from_slice(bytes);
                self.advance()
            }
        }
    }

    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), VideoError> {
        match &mut self.phase {
            Phase::Samples { fetcher, .. } => fetcher.push(chunk),
            Phase::Walk => Err(VideoError::Misuse(
                "push() before the demuxer asked for the stream".into(),
            )),
        }
    }

    pub(crate) fn next_sample(&mut self) -> Option<Sample> {
        let Phase::Samples {
            fetcher, inspector, ..
        } = &mut self.phase
        else {
            return None;
        };
        let (k, data) = fetcher.pop()?;
        let p = fetcher.packet(k);
        Some(Sample {
            decode_index: k as u64,
            pts: p.pts,
            dts: p.dts,
            key: p.key,
            discard: p.discard,
            disposable: inspector.disposable(&data),
            pos: p.pos,
            data,
        })
    }

    pub(crate) fn sample_count(&self) -> Option<u64> {
        match &self.phase {
            Phase::Samples { ranks, .. } => Some(ranks.len() as u64),
            Phase::Walk => None,
        }
    }

    pub(crate) fn frame_number(&self, decode_index: u64) -> Option<u64> {
        let Phase::Samples { ranks, .. } = &self.phase else {
            return None;
        };
        let rank = *ranks.get(usize::try_from(decode_index).ok()?)?;
        (rank != u32::MAX).then_some(u64::from(rank))
    }

    pub(crate) fn end(&mut self) -> Result<Ending, VideoError> {
        match &self.phase {
            Phase::Walk => Err(damaged("the file ended before its index (moov) was read")),
            Phase::Samples { fetcher, .. } => {
                let missing = fetcher.missing();
                Ok(if missing == 0 {
                    Ending::Complete
                } else {
                    Ending::CutShort {
                        missing_samples: Some(missing),
                    }
                })
            }
        }
    }

    /// The bytes [at, at + len) if the window holds them.
    fn window_slice(&self, at: u64, len: u64) -> Option<&[u8]> {
        let from = at.checked_sub(self.window_at)?;
        let to = from.checked_add(len)?;
        if to > self.window.len() as u64 {
            return None;
        }
        Some(&self.window[from as usize..to as usize])
    }

    /// Asks for [at, at + len), reading ahead when `len` is small.
    fn ask(&mut self, at: u64, len: u64) {
        let len = len.max(READ_AHEAD).min(self.file_end - at);
        self.pending = Some((at, len));
    }

    /// Walks as far as the bytes at hand allow; stops with a pending Range read, or with the
    /// index complete.
    fn advance(&mut self) -> Result<(), VideoError> {
        while matches!(self.phase, Phase::Walk) {
            let at = self.walk_at;
            if at >= self.file_end || self.file_end - at < 8 {
                return self.finish_walk();
            }
            let head_len = (self.file_end - at).min(16);
            let Some(head) = self.window_slice(at, head_len) else {
                self.ask(at, head_len);
                return Ok(());
            };
            let Some(header) = parse_header(head).or_else(|e| {
                if self.movie.is_some() {
                    Ok(None)
                } else {
                    Err(e)
                }
            })?
            else {
                // An unreadable header after the moov: treat the rest as trailing garbage.
                return self.finish_walk();
            };
            self.boxes += 1;
            if self.boxes > MAX_BOXES {
                return Err(VideoError::TooLarge(
                    "more top-level boxes than any real video has".into(),
                ));
            }
            let room = self.file_end - at;
            let size = header.size.unwrap_or(room);
            if size > room {
                self.cut_short = true;
            }
            let size = size.min(room);
            let payload_at = at + header.header_len;
            let payload_len = size.saturating_sub(header.header_len);
            let end = at + size;
            match &header.kind {
                b"moov" if self.movie.is_none() => {
                    if self.cut_short {
                        return Err(damaged("the file is cut short inside its index (moov)"));
                    }
                    if size > MAX_MOOV {
                        return Err(VideoError::TooLarge(format!(
                            "an index (moov) of {size} bytes"
                        )));
                    }
                    let Some(payload) = self.window_slice(payload_at, payload_len) else {
                        self.ask(at, size);
                        return Ok(());
                    };
                    let movie = read_movie(payload, self.file_end)?;
                    self.movie = Some(movie);
                }
                b"moof" if self.movie.as_ref().is_some_and(|m| m.fragments.is_some()) => {
                    if size > MAX_MOOF {
                        return Err(VideoError::TooLarge(format!(
                            "a movie fragment of {size} bytes"
                        )));
                    }
                    if self.window_slice(payload_at, payload_len).is_none() {
                        self.ask(at, size);
                        return Ok(());
                    }
                    let count_fps = !self.fps_frozen;
                    let file_end = self.file_end;
                    let from = (payload_at - self.window_at) as usize;
                    let payload = &self.window[from..from + payload_len as usize];
                    if let Some(movie) = self.movie.as_mut() {
                        if let Some(f) = movie.fragments.as_mut() {
                            f.read_moof(
                                payload,
                                payload_at,
                                &mut movie.index,
                                count_fps,
                                file_end,
                            )?;
                        }
                    }
                }
                b"sidx" if size <= MAX_MOOF => {
                    let Some(payload) = self.window_slice(payload_at, payload_len) else {
                        self.ask(at, size);
                        return Ok(());
                    };
                    if sidx_complete(payload, end, self.file_end) {
                        self.sidx_complete = true;
                    }
                }
                b"mdat" => self.found_mdat = true,
                _ => {}
            }
            // mov_read_header stops after a box once it has the moov and media data, and either
            // an index covering the file or nothing left.
            if self.movie.is_some()
                && self.found_mdat
                && (self.sidx_complete || end == self.file_end)
            {
                self.fps_frozen = true;
            }
            self.walk_at = end;
            if self.movie.as_ref().is_some_and(|m| m.fragments.is_none()) {
                return self.finish_walk();
            }
        }
        Ok(())
    }

    /// The index is complete: publish the track and start fetching samples.
    fn finish_walk(&mut self) -> Result<(), VideoError> {
        self.pending = None;
        self.window = Vec::new();
        let Some(movie) = self.movie.take() else {
            return Err(if self.cut_short {
                damaged("the file is cut short before its index (moov)")
            } else {
                damaged("no index (moov box) in the file")
            });
        };
        let index = movie.index;
        let packets = index.packets();
        if let Some(big) = packets.iter().find(|p| p.size > MAX_SAMPLE) {
            return Err(VideoError::TooLarge(format!(
                "a video sample of {} bytes",
                big.size
            )));
        }
        let timescale = i64::from(movie.timescale);
        let (estimated, r_frame_rate) =
            estimate_rate(&packets, &index, timescale, &movie.codec.codec);
        let frame_rate =
            rate::from_totals(timescale, index.fps_frames, index.fps_duration).or(estimated);
        // Frame numbers as FFmpeg's decoder returns frames: by presentation time, discarded
        // packets left out.
        let mut order: Vec<usize> = (0..packets.len())
            .filter(|&k| !packets[k].discard)
            .collect();
        order.sort_by_key(|&k| (packets[k].pts, k));
        let mut ranks = vec![u32::MAX; packets.len()];
        for (rank, &k) in order.iter().enumerate() {
            ranks[k] = rank as u32;
        }
        let duration =
            (index.duration > 0 && timescale > 0).then(|| index.duration as f64 / timescale as f64);
        let inspector = Inspector::new(&movie.codec.codec, movie.codec.description.as_deref());
        self.track = Some(VideoTrack {
            codec: movie.codec.codec,
            codec_string: movie.codec.codec_string,
            description: movie.codec.description,
            coded_width: movie.width,
            coded_height: movie.height,
            timescale: movie.timescale,
            frame_rate,
            r_frame_rate,
            first_stream: movie.first_stream,
            frame_count: Some(order.len() as u64),
            duration_seconds: duration,
        });
        self.phase = Phase::Samples {
            fetcher: Fetcher::new(packets, self.file_end),
            inspector,
            ranks,
        };
        Ok(())
    }
}

/// The moov's video track, indexed.
fn read_movie(moov: &[u8], file_size: u64) -> Result<Movie, VideoError> {
    let parsed = parse_moov(moov)?;
    let Some(trak) = parsed.video else {
        return Err(VideoError::NotAVideo);
    };
    check_tables(&trak)?;
    let index = index::build(&trak, parsed.timescale, parsed.advanced_editlist, file_size)?;
    let codec = codec::from_mp4(trak.entry.fourcc, trak.entry.config.as_deref());
    let fragments = parsed.fragmented.then(|| {
        Fragments::new(
            trak.track_id,
            parsed.trex.unwrap_or_default(),
            trak.pseudo_stream_id,
        )
    });
    Ok(Movie {
        timescale: trak.timescale,
        index,
        codec,
        width: trak.entry.width,
        height: trak.entry.height,
        first_stream: parsed.video_is_first,
        fragments,
    })
}

/// When the sample durations say nothing (all zero), FFmpeg estimates the rate from the first
/// packets: durations are known to it only without composition offsets. Returns that estimate
/// (avg_frame_rate) and r_frame_rate (see [`Probe::r_frame_rate`]).
fn estimate_rate(
    packets: &[index::Packet],
    index: &Index,
    timescale: i64,
    codec: &Codec,
) -> (Option<rate::Rate>, Option<rate::Rate>) {
    if packets.is_empty() {
        return (None, None);
    }
    let mut probe = Probe::new(1, timescale, matches!(codec, Codec::H264 | Codec::H265));
    for (k, p) in packets.iter().enumerate() {
        if probe.done() {
            break;
        }
        let duration = if index.ctts.is_some() {
            0
        } else {
            let next = packets.get(k + 1).map_or(index.duration, |n| n.dts);
            next.saturating_sub(p.dts).max(0)
        };
        probe.add(Some(p.dts), duration);
    }
    (probe.avg_frame_rate(), Some(probe.r_frame_rate(None)))
}
