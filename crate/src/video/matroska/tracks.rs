//! The Segment's Info (timestamp scale, duration) and Tracks (the first video track, its codec,
//! frame duration and content encodings), parsed from the buffered elements.

use super::ebml::*;
use crate::video::error::VideoError;

/// Info: TimestampScale in nanoseconds (1 ms unless said otherwise), Duration in its units.
pub(crate) fn parse_info(payload: &[u8]) -> Result<(u64, Option<f64>), VideoError> {
    let (mut scale, mut duration) = (1_000_000u64, None);
    for child in Children::new(payload) {
        let (id, p) = child?;
        match id {
            TIMESTAMP_SCALE => scale = uint(p)?,
            DURATION => duration = Some(float(p)?),
            _ => {}
        }
    }
    Ok((if scale == 0 { 1_000_000 } else { scale }, duration))
}

/// The video track as the demuxer uses it.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrackEntry {
    pub(crate) number: u64,
    pub(crate) kind: u64,
    pub(crate) codec_id: String,
    pub(crate) private: Option<Vec<u8>>,
    /// Nanoseconds per frame (0 when absent).
    pub(crate) default_duration: u64,
    /// Nanoseconds the codec delays output (subtracted from timestamps, as FFmpeg does).
    pub(crate) codec_delay: u64,
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Header stripping: bytes removed from the start of every frame, to put back.
    pub(crate) strip: Option<Vec<u8>>,
    /// Why the frames cannot be read as they are (compression, encryption).
    pub(crate) unreadable: Option<String>,
}

/// Tracks: (position among the track entries, entry) of the first video track (TrackType 1).
pub(crate) fn first_video_track(payload: &[u8]) -> Result<Option<(usize, TrackEntry)>, VideoError> {
    let mut position = 0usize;
    for child in Children::new(payload) {
        let (id, p) = child?;
        if id != TRACK_ENTRY {
            continue;
        }
        let entry = parse_entry(p)?;
        if entry.kind == 1 {
            return Ok(Some((position, entry)));
        }
        position += 1;
    }
    Ok(None)
}

fn parse_entry(p: &[u8]) -> Result<TrackEntry, VideoError> {
    let mut t = TrackEntry::default();
    for child in Children::new(p) {
        let (id, v) = child?;
        match id {
            TRACK_NUMBER => t.number = uint(v)?,
            TRACK_TYPE => t.kind = uint(v)?,
            CODEC_ID => {
                t.codec_id = String::from_utf8_lossy(v)
                    .trim_end_matches('\0')
                    .to_string();
            }
            CODEC_PRIVATE => t.private = Some(v.to_vec()),
            DEFAULT_DURATION => t.default_duration = uint(v)?,
            CODEC_DELAY => t.codec_delay = uint(v)?,
            VIDEO => {
                for c in Children::new(v) {
                    let (vid, vv) = c?;
                    match vid {
                        PIXEL_WIDTH => t.width = u32::try_from(uint(vv)?).unwrap_or(0),
                        PIXEL_HEIGHT => t.height = u32::try_from(uint(vv)?).unwrap_or(0),
                        _ => {}
                    }
                }
            }
            CONTENT_ENCODINGS => parse_encodings(v, &mut t)?,
            _ => {}
        }
    }
    Ok(t)
}

/// ContentEncodings: header stripping is undone; compression and encryption are not read.
fn parse_encodings(p: &[u8], t: &mut TrackEntry) -> Result<(), VideoError> {
    let mut encodings = Vec::new();
    for c in Children::new(p) {
        let (id, v) = c?;
        if id == CONTENT_ENCODING {
            encodings.push(v);
        }
    }
    if encodings.len() > 1 {
        t.unreadable = Some("several content encodings on one Matroska track".into());
        return Ok(());
    }
    let Some(encoding) = encodings.first() else {
        return Ok(());
    };
    let (mut scope, mut kind) = (1u64, 0u64);
    let (mut algo, mut settings) = (0u64, Vec::new());
    let mut compression = false;
    for c in Children::new(encoding) {
        let (id, v) = c?;
        match id {
            CONTENT_ENCODING_SCOPE => scope = uint(v)?,
            CONTENT_ENCODING_TYPE => kind = uint(v)?,
            CONTENT_COMPRESSION => {
                compression = true;
                for cc in Children::new(v) {
                    let (cid, cv) = cc?;
                    match cid {
                        CONTENT_COMP_ALGO => algo = uint(cv)?,
                        CONTENT_COMP_SETTINGS => settings = cv.to_vec(),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if scope & 1 == 0 {
        return Ok(()); // applies to CodecPrivate only
    }
    if kind != 0 {
        t.unreadable = Some("encrypted Matroska frames".into());
    } else if compression && algo == 3 {
        t.strip = Some(settings);
    } else {
        let name = match algo {
            0 => "zlib",
            1 => "bzlib",
            2 => "lzo",
            _ => "unknown",
        };
        t.unreadable = Some(format!("{name}-compressed Matroska frames"));
    }
    Ok(())
}
