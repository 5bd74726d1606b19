//! The movie box: which track is the first video track, and that track's sample tables, read as
//! FFmpeg's mov.c reads them (including its repairs of odd tables), so that the sample list and
//! the timestamps built from them are the ones FFmpeg's demuxer returns.

use super::boxes::{find, Children};
use crate::video::error::{damaged, VideoError};
use crate::video::reader::Reader;

/// mov.c's default max_stts_delta: larger stts deltas are taken for negative corrections.
const MAX_STTS_DELTA: u32 = u32::MAX - 48000 * 10;

/// The movie as far as the video track needs it.
pub(crate) struct Movie {
    /// mvhd timescale (at least 1).
    pub(crate) timescale: u32,
    /// The first track whose handler is 'vide', with its tables.
    pub(crate) video: Option<VideoTrak>,
    /// The video track is the first trak, so FFmpeg numbers it stream 0.
    pub(crate) video_is_first: bool,
    /// FFmpeg's `advanced_editlist` as it stands when the video track is indexed: a preceding
    /// trak with empty tables (a fragmented file's) switches it off for every later trak.
    pub(crate) advanced_editlist: bool,
    /// mvex present: samples also come in movie fragments.
    pub(crate) fragmented: bool,
    /// The trex defaults for the video track.
    pub(crate) trex: Option<Trex>,
}

/// Track extends defaults (trex).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Trex {
    pub(crate) stsd_id: u32,
    pub(crate) duration: u32,
    pub(crate) size: u32,
    pub(crate) flags: u32,
}

/// The first sample description of the video track.
pub(crate) struct SampleEntry {
    pub(crate) fourcc: [u8; 4],
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// avcC, hvcC, vpcC or av1C payload.
    pub(crate) config: Option<Vec<u8>>,
}

/// One stsc entry, with FFmpeg's signed reading of the fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stsc {
    pub(crate) first: i64,
    pub(crate) count: i64,
    pub(crate) id: i64,
}

/// The video track's sample tables.
pub(crate) struct VideoTrak {
    pub(crate) track_id: u32,
    pub(crate) timescale: u32,
    /// mdhd duration, in the track timescale.
    pub(crate) media_duration: i64,
    pub(crate) entry: SampleEntry,
    /// 0 when only the first sample description is used (FFmpeg then indexes only the samples of
    /// chunks that point at it), -1 when several of the same codec are.
    pub(crate) pseudo_stream_id: i64,
    /// (count, delta) after FFmpeg's corrections.
    pub(crate) stts: Vec<(u32, u32)>,
    /// Sum of stts deltas, and the sample count they cover.
    pub(crate) stts_duration: i64,
    pub(crate) stts_samples: i64,
    /// None when the file has no composition offsets.
    pub(crate) ctts: Option<Vec<(u32, i32)>>,
    pub(crate) dts_shift: i32,
    pub(crate) stsc: Vec<Stsc>,
    pub(crate) sample_size: u32,
    pub(crate) sample_sizes: Vec<u32>,
    pub(crate) sample_count: u32,
    pub(crate) chunk_offsets: Vec<u64>,
    /// stss sample numbers; `keyframe_absent` when the box is present but empty.
    pub(crate) keyframes: Vec<u32>,
    pub(crate) keyframe_absent: bool,
    pub(crate) partial_sync: Vec<u32>,
    /// sbgp 'rap ' (count, group description index).
    pub(crate) rap_groups: Vec<(u32, u32)>,
    /// elst (segment duration in the movie timescale, media time).
    pub(crate) edits: Vec<(i64, i64)>,
}

/// Upper bound on samples in one track: far beyond any real video (37 hours at 30 fps) and small
/// enough for the index to fit a browser tab.
pub(crate) const MAX_SAMPLES: u64 = 4_000_000;

/// Parses the payload of a moov box.
pub(crate) fn parse_moov(moov: &[u8]) -> Result<Movie, VideoError> {
    let mut timescale = 1u32;
    let mut video: Option<VideoTrak> = None;
    let mut video_is_first = false;
    let mut advanced = true;
    let mut advanced_at_video = true;
    let mut fragmented = false;
    let mut trexes: Vec<(u32, Trex)> = Vec::new();
    let mut trak_index = 0usize;
    for child in Children::new(moov) {
        let (kind, payload) = child?;
        match &kind {
            b"mvhd" => timescale = parse_mvhd(payload)?,
            b"trak" => {
                let handler = trak_handler(payload)?;
                if video.is_none() {
                    // FFmpeg switches advanced edit lists off for all later traks when a trak
                    // with consistent but empty tables (a fragmented file's) is read.
                    let counts = TableCounts::read(payload)?;
                    if counts.consistent() && counts.stts == 0 {
                        advanced = false;
                    }
                    if &handler == b"vide" {
                        advanced_at_video = advanced;
                        video_is_first = trak_index == 0;
                        video = Some(parse_video_trak(payload)?);
                    }
                }
                trak_index += 1;
            }
            b"cmov" => {
                return Err(VideoError::Unsupported(
                    "a compressed QuickTime index (cmov)".into(),
                ));
            }
            b"mvex" => {
                fragmented = true;
                for c in Children::new(payload) {
                    let (k, p) = c?;
                    if &k == b"trex" {
                        let mut r = Reader::new(p, "the trex box");
                        r.skip(4)?;
                        let id = r.u32()?;
                        let trex = Trex {
                            stsd_id: r.u32()?,
                            duration: r.u32()?,
                            size: r.u32()?,
                            flags: r.u32()?,
                        };
                        trexes.push((id, trex));
                    }
                }
            }
            _ => {}
        }
    }
    let trex = video.as_ref().and_then(|v| {
        trexes
            .iter()
            .find(|(id, _)| *id == v.track_id)
            .map(|(_, t)| *t)
    });
    Ok(Movie {
        timescale,
        video,
        video_is_first,
        advanced_editlist: advanced_at_video,
        fragmented,
        trex,
    })
}

fn parse_mvhd(p: &[u8]) -> Result<u32, VideoError> {
    let mut r = Reader::new(p, "the mvhd box");
    let version = r.u8()?;
    r.skip(3)?;
    r.skip(if version == 1 { 16 } else { 8 })?;
    let scale = r.u32()?;
    // mov.c: a timescale that is not a positive int becomes 1.
    Ok(if scale == 0 || scale > i32::MAX as u32 {
        1
    } else {
        scale
    })
}

fn trak_handler(trak: &[u8]) -> Result<[u8; 4], VideoError> {
    let Some(mdia) = find(trak, b"mdia")? else {
        return Ok(*b"\0\0\0\0");
    };
    let Some(hdlr) = find(mdia, b"hdlr")? else {
        return Ok(*b"\0\0\0\0");
    };
    let mut r = Reader::new(hdlr, "the hdlr box");
    r.skip(8)?;
    r.fourcc()
}

fn stbl_of(trak: &[u8]) -> Result<Option<&[u8]>, VideoError> {
    let Some(mdia) = find(trak, b"mdia")? else {
        return Ok(None);
    };
    let Some(minf) = find(mdia, b"minf")? else {
        return Ok(None);
    };
    find(minf, b"stbl")
}

/// Only the entry counts of a trak's tables, for mov_read_trak's sanity rule on tracks before the
/// video track.
struct TableCounts {
    chunks: u64,
    stts: u64,
    stsc: u64,
    sample_size: u64,
    samples: u64,
}

impl TableCounts {
    fn read(trak: &[u8]) -> Result<TableCounts, VideoError> {
        let mut c = TableCounts {
            chunks: 0,
            stts: 0,
            stsc: 0,
            sample_size: 0,
            samples: 0,
        };
        let Some(stbl) = stbl_of(trak)? else {
            return Ok(c);
        };
        for child in Children::new(stbl) {
            let (kind, p) = child?;
            let word = |at: usize| -> u64 {
                p.get(at..at + 4).map_or(0, |b| {
                    u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                })
            };
            match &kind {
                b"stco" | b"co64" => c.chunks = word(4),
                b"stts" => c.stts = word(4),
                b"stsc" => c.stsc = word(4),
                b"stsz" => {
                    c.sample_size = word(4);
                    c.samples = word(8);
                }
                b"stz2" => c.samples = word(8),
                _ => {}
            }
        }
        if c.chunks == 0 && c.stts == 0 {
            c.stsc = 0;
        }
        Ok(c)
    }

    /// mov_read_trak's "missing mandatory atoms" test.
    fn consistent(&self) -> bool {
        !((self.chunks != 0
            && (self.stts == 0 || self.stsc == 0 || (self.sample_size == 0 && self.samples == 0)))
            || (self.chunks == 0 && self.samples != 0))
    }
}

fn parse_video_trak(trak: &[u8]) -> Result<VideoTrak, VideoError> {
    let tkhd = find(trak, b"tkhd")?.ok_or_else(|| damaged("the video track has no tkhd box"))?;
    let mut r = Reader::new(tkhd, "the tkhd box");
    let version = r.u8()?;
    r.skip(3)?;
    r.skip(if version == 1 { 16 } else { 8 })?;
    let track_id = r.u32()?;

    let mdia = find(trak, b"mdia")?.ok_or_else(|| damaged("the video track has no mdia box"))?;
    let mdhd = find(mdia, b"mdhd")?.ok_or_else(|| damaged("the video track has no mdhd box"))?;
    let mut r = Reader::new(mdhd, "the mdhd box");
    let version = r.u8()?;
    r.skip(3)?;
    r.skip(if version == 1 { 16 } else { 8 })?;
    let scale = r.u32()?;
    let timescale = if scale == 0 || scale > i32::MAX as u32 {
        1
    } else {
        scale
    };
    let media_duration = if version == 1 {
        r.i64()?
    } else {
        i64::from(r.u32()?)
    };

    let mut edits = Vec::new();
    if let Some(edts) = find(trak, b"edts")? {
        if let Some(elst) = find(edts, b"elst")? {
            edits = parse_elst(elst)?;
        }
    }

    let stbl = stbl_of(trak)?.ok_or_else(|| damaged("the video track has no sample table"))?;
    let mut t = VideoTrak {
        track_id,
        timescale,
        media_duration,
        entry: SampleEntry {
            fourcc: *b"\0\0\0\0",
            width: 0,
            height: 0,
            config: None,
        },
        pseudo_stream_id: 0,
        stts: Vec::new(),
        stts_duration: 0,
        stts_samples: 0,
        ctts: None,
        dts_shift: 0,
        stsc: Vec::new(),
        sample_size: 0,
        sample_sizes: Vec::new(),
        sample_count: 0,
        chunk_offsets: Vec::new(),
        keyframes: Vec::new(),
        keyframe_absent: false,
        partial_sync: Vec::new(),
        rap_groups: Vec::new(),
        edits,
    };
    let mut have_stsd = false;
    for child in Children::new(stbl) {
        let (kind, p) = child?;
        match &kind {
            b"stsd" => {
                let (entry, pseudo) = parse_stsd(p)?;
                t.entry = entry;
                t.pseudo_stream_id = pseudo;
                have_stsd = true;
            }
            b"stts" => parse_stts(p, &mut t)?,
            b"ctts" => parse_ctts(p, &mut t)?,
            b"stsc" => t.stsc = parse_stsc(p)?,
            b"stsz" | b"stz2" => parse_stsz(p, &kind, &mut t)?,
            b"stco" | b"co64" => t.chunk_offsets = parse_stco(p, &kind)?,
            b"stss" => {
                t.keyframes = parse_u32_list(p, "the stss box")?;
                t.keyframe_absent = t.keyframes.is_empty();
            }
            b"stps" => t.partial_sync = parse_u32_list(p, "the stps box")?,
            b"sbgp" => {
                if let Some(groups) = parse_rap_sbgp(p)? {
                    t.rap_groups = groups;
                }
            }
            _ => {}
        }
    }
    if !have_stsd {
        return Err(damaged("the video track has no sample description"));
    }
    Ok(t)
}

/// The first sample description; `pseudo_stream_id` as ff_mov_read_stsd_entries leaves it.
fn parse_stsd(p: &[u8]) -> Result<(SampleEntry, i64), VideoError> {
    let mut r = Reader::new(p, "the stsd box");
    r.skip(4)?;
    let count = r.u32()?;
    let mut entries = Children::new(r.rest());
    let (kind, body) = entries
        .next()
        .transpose()?
        .ok_or_else(|| damaged("the video track has an empty sample description"))?;
    let mut same = 1u32;
    for e in entries.take(count.saturating_sub(1) as usize) {
        let (k, _) = e?;
        if k == kind {
            same += 1;
        }
    }
    if &kind == b"encv" {
        return Err(VideoError::Unsupported(
            "encrypted (DRM-protected) video".into(),
        ));
    }
    let mut r = Reader::new(body, "the video sample entry");
    r.skip(24)?;
    let width = u32::from(r.u16()?);
    let height = u32::from(r.u16()?);
    r.skip(50)?;
    let config_kind: Option<&[u8; 4]> = match &kind {
        b"avc1" | b"avc3" | b"dva1" | b"dvav" => Some(b"avcC"),
        b"hvc1" | b"hev1" | b"dvh1" | b"dvhe" => Some(b"hvcC"),
        b"vp09" => Some(b"vpcC"),
        b"av01" => Some(b"av1C"),
        _ => None,
    };
    let config = match config_kind {
        Some(ck) => find(r.rest(), ck)?.map(<[u8]>::to_vec),
        None => None,
    };
    let pseudo = if same >= 2 { -1 } else { 0 };
    Ok((
        SampleEntry {
            fourcc: kind,
            width,
            height,
            config,
        },
        pseudo,
    ))
}

fn entries_fit(r: &Reader<'_>, entries: u64, each: u64, what: &str) -> Result<(), VideoError> {
    if entries.saturating_mul(each) > r.remaining() as u64 {
        return Err(damaged(format!("{what} counts more entries than it holds")));
    }
    Ok(())
}

/// mov_read_stts, with its clipping of absurd deltas.
fn parse_stts(p: &[u8], t: &mut VideoTrak) -> Result<(), VideoError> {
    let mut r = Reader::new(p, "the stts box");
    r.skip(4)?;
    let entries = r.u32()?;
    entries_fit(&r, u64::from(entries), 8, "the stts box")?;
    let mut out = Vec::with_capacity(entries as usize);
    let (mut duration, mut total, mut current_dts, mut corrected_dts) = (0i64, 0i64, 0i64, 0i64);
    for _ in 0..entries {
        let count = r.u32()?;
        let delta = r.u32()?;
        let mut d = delta;
        // The C code multiplies these unsigned ints in 32 bits.
        if delta > MAX_STTS_DELTA {
            let magnitude = delta as i32;
            d = 1;
            let step = if magnitude < 0 {
                i64::from(magnitude)
            } else {
                1
            };
            corrected_dts = corrected_dts.wrapping_add(step.wrapping_mul(i64::from(count)));
        } else {
            corrected_dts = corrected_dts.wrapping_add(i64::from(delta.wrapping_mul(count)));
        }
        current_dts = current_dts.wrapping_add(i64::from(d.wrapping_mul(count)));
        if current_dts > corrected_dts {
            let drift = (current_dts - corrected_dts) / i64::from(count.max(1));
            let correction: u32 = if i64::from(d) > drift {
                drift as u32
            } else {
                d - 1
            };
            current_dts -= i64::from(correction.wrapping_mul(count));
            d -= correction;
        }
        duration =
            duration.wrapping_add((i64::from(d) as u64).wrapping_mul(u64::from(count)) as i64);
        total += i64::from(count);
        out.push((count, d));
    }
    t.stts = out;
    if duration > 0 {
        t.stts_duration = duration;
        t.stts_samples = total;
    }
    Ok(())
}

/// mov_read_ctts: signed offsets in both versions, entries with a count of 0 ignored, and the
/// shift that makes negative offsets non-negative (not counting the last two entries).
fn parse_ctts(p: &[u8], t: &mut VideoTrak) -> Result<(), VideoError> {
    let mut r = Reader::new(p, "the ctts box");
    r.skip(4)?;
    let entries = r.u32()?;
    if entries == 0 {
        return Ok(());
    }
    entries_fit(&r, u64::from(entries), 8, "the ctts box")?;
    let mut out = Vec::with_capacity(entries as usize);
    let mut shift = 0i32;
    for i in 0..entries {
        let count = r.i32()?;
        let offset = r.i32()?;
        if count <= 0 {
            continue;
        }
        out.push((count as u32, offset));
        let later = u64::from(i) + 2 < u64::from(entries);
        if offset.unsigned_abs() > 1 << 28 && later {
            // "CTTS invalid": FFmpeg drops the whole table.
            t.ctts = None;
            t.dts_shift = 0;
            return Ok(());
        }
        if later && offset < 0 {
            let o = if offset == i32::MIN {
                offset + 1
            } else {
                offset
            };
            shift = shift.max(-o);
        }
    }
    t.ctts = Some(out);
    t.dts_shift = shift;
    Ok(())
}

/// mov_read_stsc with its repair of out-of-order or empty entries.
fn parse_stsc(p: &[u8]) -> Result<Vec<Stsc>, VideoError> {
    let mut r = Reader::new(p, "the stsc box");
    r.skip(4)?;
    let entries = r.u32()?;
    entries_fit(&r, u64::from(entries), 12, "the stsc box")?;
    let mut d = Vec::with_capacity(entries as usize);
    for _ in 0..entries {
        d.push(Stsc {
            first: i64::from(r.i32()?),
            count: i64::from(r.i32()?),
            id: i64::from(r.i32()?),
        });
    }
    let mut count = d.len();
    let mut i = d.len();
    while i > 0 {
        i -= 1;
        let first_min = i as i64 + 1;
        let bad = (i + 1 < count && d[i].first >= d[i + 1].first)
            || (i > 0 && d[i].first <= d[i - 1].first)
            || d[i].first < first_min
            || d[i].count < 1
            || d[i].id < 1;
        if !bad {
            continue;
        }
        if i + 1 >= count {
            if d[i].count == 0 && i > 0 {
                count -= 1;
                continue;
            }
            d[i].first = d[i].first.max(first_min);
            if i > 0 && d[i].first <= d[i - 1].first {
                d[i].first = (d[i - 1].first + 1).min(i64::from(i32::MAX));
            }
            d[i].count = d[i].count.max(1);
            d[i].id = d[i].id.max(1);
            continue;
        }
        d[i] = Stsc {
            first: d[i + 1].first - 1,
            ..d[i + 1]
        };
    }
    d.truncate(count);
    Ok(d)
}

/// mov_read_stsz for both stsz and the compact stz2.
fn parse_stsz(p: &[u8], kind: &[u8; 4], t: &mut VideoTrak) -> Result<(), VideoError> {
    let mut r = Reader::new(p, "the stsz box");
    r.skip(4)?;
    let (sample_size, field) = if kind == b"stsz" {
        (r.u32()?, 32u32)
    } else {
        r.skip(3)?;
        (0, u32::from(r.u8()?))
    };
    let entries = r.u32()?;
    if u64::from(entries) > MAX_SAMPLES {
        return Err(VideoError::TooLarge(format!(
            "{entries} samples in one track"
        )));
    }
    t.sample_size = sample_size;
    t.sample_count = entries;
    if sample_size != 0 || entries == 0 {
        return Ok(());
    }
    if ![4, 8, 16, 32].contains(&field) {
        return Err(damaged(format!("sample sizes of {field} bits")));
    }
    let bytes = (u64::from(entries) * u64::from(field)).div_ceil(8);
    entries_fit(&r, bytes, 1, "the stsz box")?;
    let table = r.bytes(bytes as usize)?;
    let mut sizes = Vec::with_capacity(entries as usize);
    for i in 0..entries as usize {
        let v = match field {
            4 => u32::from(if i % 2 == 0 {
                table[i / 2] >> 4
            } else {
                table[i / 2] & 15
            }),
            8 => u32::from(table[i]),
            16 => u32::from(u16::from_be_bytes([table[2 * i], table[2 * i + 1]])),
            _ => u32::from_be_bytes([
                table[4 * i],
                table[4 * i + 1],
                table[4 * i + 2],
                table[4 * i + 3],
            ]),
        };
        if v > i32::MAX as u32 {
            return Err(damaged(format!("a sample of {v} bytes")));
        }
        sizes.push(v);
    }
    t.sample_sizes = sizes;
    Ok(())
}

fn parse_stco(p: &[u8], kind: &[u8; 4]) -> Result<Vec<u64>, VideoError> {
    let mut r = Reader::new(p, "the chunk offset box");
    r.skip(4)?;
    let entries = r.u32()?;
    let wide = kind == b"co64";
    entries_fit(
        &r,
        u64::from(entries),
        if wide { 8 } else { 4 },
        "the chunk offset box",
    )?;
    let mut out = Vec::with_capacity(entries as usize);
    for _ in 0..entries {
        out.push(if wide { r.u64()? } else { u64::from(r.u32()?) });
    }
    Ok(out)
}

fn parse_u32_list(p: &[u8], what: &'static str) -> Result<Vec<u32>, VideoError> {
    let mut r = Reader::new(p, what);
    r.skip(4)?;
    let entries = r.u32()?;
    entries_fit(&r, u64::from(entries), 4, what)?;
    (0..entries).map(|_| r.u32()).collect()
}

/// sbgp with grouping type 'rap ' (random access points), which FFmpeg treats as key frames.
fn parse_rap_sbgp(p: &[u8]) -> Result<Option<Vec<(u32, u32)>>, VideoError> {
    let mut r = Reader::new(p, "the sbgp box");
    let version = r.u8()?;
    r.skip(3)?;
    if &r.fourcc()? != b"rap " {
        return Ok(None);
    }
    if version == 1 {
        r.skip(4)?;
    }
    let entries = r.u32()?;
    entries_fit(&r, u64::from(entries), 8, "the sbgp box")?;
    let groups = (0..entries)
        .map(|_| Ok((r.u32()?, r.u32()?)))
        .collect::<Result<Vec<_>, VideoError>>()?;
    Ok((!groups.is_empty()).then_some(groups))
}

/// mov_read_elst: (segment duration, media time); a count that disagrees with the box size is
/// replaced by what the size holds.
fn parse_elst(p: &[u8]) -> Result<Vec<(i64, i64)>, VideoError> {
    let mut r = Reader::new(p, "the elst box");
    let version = r.u8()?;
    r.skip(3)?;
    let mut count = u64::from(r.u32()?);
    let each: u64 = if version == 1 { 20 } else { 12 };
    let room = r.remaining() as u64;
    if count * each != room {
        count = room / each;
    }
    let mut out = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let (duration, time) = if version == 1 {
            (r.i64()?, r.i64()?)
        } else {
            (i64::from(r.u32()?), i64::from(r.i32()?))
        };
        r.skip(4)?; // rate, which FFmpeg ignores
        out.push((duration, time));
    }
    Ok(out)
}

/// A trak-level sanity check of mov_read_trak for the video track.
pub(crate) fn check_tables(t: &VideoTrak) -> Result<(), VideoError> {
    let chunks = t.chunk_offsets.len();
    let stsc = if chunks == 0 && t.stts.is_empty() {
        0
    } else {
        t.stsc.len()
    };
    if (chunks != 0
        && (t.stts.is_empty() || stsc == 0 || (t.sample_size == 0 && t.sample_count == 0)))
        || (chunks == 0 && t.sample_count != 0)
    {
        return Err(damaged("the video track misses mandatory sample tables"));
    }
    if stsc != 0 && t.stsc[stsc - 1].first > chunks as i64 {
        return Err(damaged(
            "the video track's stsc and stco boxes contradict each other",
        ));
    }
    if t.sample_size == 0 && t.sample_sizes.len() != t.sample_count as usize {
        return Err(damaged("the video track's sample sizes are missing"));
    }
    Ok(())
}
