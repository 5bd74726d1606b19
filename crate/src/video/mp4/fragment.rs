//! Movie fragments (moof: tfhd, tfdt, trun) and the segment index (sidx), read the way mov.c
//! reads them when it opens a fragmented file: every trun's samples are appended to the index
//! with FFmpeg's timestamps, and counted for the frame rate.

use super::boxes::Children;
use super::index::{Entry, Index};
use super::moov::{Trex, MAX_SAMPLES};
use crate::video::error::{damaged, VideoError};
use crate::video::reader::Reader;

const TFHD_BASE_DATA_OFFSET: u32 = 0x01;
const TFHD_STSD_ID: u32 = 0x02;
const TFHD_DEFAULT_DURATION: u32 = 0x08;
const TFHD_DEFAULT_SIZE: u32 = 0x10;
const TFHD_DEFAULT_FLAGS: u32 = 0x20;
const TFHD_DEFAULT_BASE_IS_MOOF: u32 = 0x02_0000;
const TRUN_DATA_OFFSET: u32 = 0x01;
const TRUN_FIRST_SAMPLE_FLAGS: u32 = 0x04;
const TRUN_SAMPLE_DURATION: u32 = 0x100;
const TRUN_SAMPLE_SIZE: u32 = 0x200;
const TRUN_SAMPLE_FLAGS: u32 = 0x400;
const TRUN_SAMPLE_CTS: u32 = 0x800;
const SAMPLE_IS_NON_SYNC: u32 = 0x0001_0000;
const SAMPLE_DEPENDS_YES: u32 = 0x0100_0000;

/// What fragments need from the movie.
pub(crate) struct Fragments {
    pub(crate) track_id: u32,
    pub(crate) trex: Trex,
    /// See VideoTrak::pseudo_stream_id.
    pub(crate) pseudo_stream_id: i64,
    /// frag->implicit_offset: where the previous trun's data ended.
    implicit_offset: u64,
    /// Bounds the sample count: every sample takes at least a byte.
    file_size: u64,
}

impl Fragments {
    pub(crate) fn new(track_id: u32, trex: Trex, pseudo_stream_id: i64) -> Self {
        Fragments {
            track_id,
            trex,
            pseudo_stream_id,
            implicit_offset: 0,
            file_size: 0,
        }
    }

    /// One moof; `payload_start` is the file offset of its payload. `count_fps`: the trun
    /// durations still count towards the frame rate (FFmpeg computes it when its header reading
    /// stops).
    pub(crate) fn read_moof(
        &mut self,
        moof: &[u8],
        payload_start: u64,
        index: &mut Index,
        count_fps: bool,
        file_size: u64,
    ) -> Result<(), VideoError> {
        self.file_size = file_size;
        // mov.c takes "the position after the header minus 8" as the moof's offset.
        let moof_offset = payload_start.saturating_sub(8);
        self.implicit_offset = moof_offset;
        for child in Children::new(moof) {
            let (kind, traf) = child?;
            if &kind == b"traf" {
                self.read_traf(traf, moof_offset, index, count_fps)?;
            }
        }
        Ok(())
    }

    fn read_traf(
        &mut self,
        traf: &[u8],
        moof_offset: u64,
        index: &mut Index,
        count_fps: bool,
    ) -> Result<(), VideoError> {
        let mut header: Option<Defaults> = None;
        let mut tfdt: Option<i64> = None;
        let mut next_trun_dts: Option<i64> = None;
        for child in Children::new(traf) {
            let (kind, p) = child?;
            match &kind {
                b"tfhd" => {
                    let mut r = Reader::new(p, "the tfhd box");
                    let flags = r.u32()? & 0x00ff_ffff;
                    let track_id = r.u32()?;
                    if track_id != self.track_id {
                        return Ok(()); // another track's fragment
                    }
                    let base = if flags & TFHD_BASE_DATA_OFFSET != 0 {
                        r.u64()?
                    } else if flags & TFHD_DEFAULT_BASE_IS_MOOF != 0 {
                        moof_offset
                    } else {
                        self.implicit_offset
                    };
                    let t = self.trex;
                    header = Some(Defaults {
                        base,
                        stsd_id: if flags & TFHD_STSD_ID != 0 {
                            r.u32()?
                        } else {
                            t.stsd_id
                        },
                        duration: if flags & TFHD_DEFAULT_DURATION != 0 {
                            r.u32()?
                        } else {
                            t.duration
                        },
                        size: if flags & TFHD_DEFAULT_SIZE != 0 {
                            r.u32()?
                        } else {
                            t.size
                        },
                        flags: if flags & TFHD_DEFAULT_FLAGS != 0 {
                            r.u32()?
                        } else {
                            t.flags
                        },
                    });
                    next_trun_dts = None;
                }
                b"tfdt" => {
                    let Some(h) = &header else { continue };
                    if !self.wants(h.stsd_id) {
                        continue;
                    }
                    let mut r = Reader::new(p, "the tfdt box");
                    let version = r.u8()?;
                    r.skip(3)?;
                    let t = if version != 0 {
                        r.i64()?
                    } else {
                        i64::from(r.u32()?)
                    };
                    tfdt = Some(t);
                    index.track_end = t;
                }
                b"trun" => {
                    let Some(h) = &header else {
                        return Err(damaged("a trun box comes before its tfhd"));
                    };
                    if !self.wants(h.stsd_id) {
                        continue;
                    }
                    let dts = match (next_trun_dts, tfdt) {
                        (Some(next), _) => next.wrapping_sub(index.time_offset),
                        (None, Some(t)) => t.wrapping_sub(index.time_offset),
                        (None, None) => index.track_end.wrapping_sub(index.time_offset),
                    };
                    let end = self.read_trun(p, h, dts, index, count_fps)?;
                    next_trun_dts = Some(end.wrapping_add(index.time_offset));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// mov.c skips fragments of other sample descriptions when only the first is indexed.
    fn wants(&self, stsd_id: u32) -> bool {
        self.pseudo_stream_id == -1 || i64::from(stsd_id) == self.pseudo_stream_id + 1
    }

    /// mov_read_trun; returns the dts after the last sample.
    fn read_trun(
        &mut self,
        p: &[u8],
        h: &Defaults,
        mut dts: i64,
        index: &mut Index,
        count_fps: bool,
    ) -> Result<i64, VideoError> {
        let mut r = Reader::new(p, "the trun box");
        r.skip(1)?;
        let flags = r.u24()?;
        let entries = r.u32()?;
        let data_offset = if flags & TRUN_DATA_OFFSET != 0 {
            r.i32()?
        } else {
            0
        };
        let first_flags = if flags & TRUN_FIRST_SAMPLE_FLAGS != 0 {
            r.u32()?
        } else {
            h.flags
        };
        let per_sample = [
            TRUN_SAMPLE_DURATION,
            TRUN_SAMPLE_SIZE,
            TRUN_SAMPLE_FLAGS,
            TRUN_SAMPLE_CTS,
        ]
        .iter()
        .filter(|&&f| flags & f != 0)
        .count() as u64
            * 4;
        if per_sample > 0 && u64::from(entries) * per_sample > r.remaining() as u64 {
            return Err(damaged("a trun box counts more samples than it holds"));
        }
        let total = index.entries.len() as u64 + u64::from(entries);
        if total > self.file_size {
            return Err(damaged(
                "fragments list more samples than the file has bytes",
            ));
        }
        if total > MAX_SAMPLES {
            return Err(VideoError::TooLarge(
                "more samples than any real video has".into(),
            ));
        }
        let mut offset = h.base.wrapping_add(data_offset as i64 as u64);
        let prev_dts = index.entries.last().map(|e| e.timestamp);
        // Packets without composition offsets get 0 once any fragment has them.
        let before = index.entries.len();
        let ctts = index.ctts.get_or_insert_with(Vec::new);
        ctts.resize(before, 0);
        for i in 0..entries {
            let duration = if flags & TRUN_SAMPLE_DURATION != 0 {
                r.u32()?
            } else {
                h.duration
            };
            let size = if flags & TRUN_SAMPLE_SIZE != 0 {
                r.u32()?
            } else {
                h.size
            };
            let sample_flags = if flags & TRUN_SAMPLE_FLAGS != 0 {
                r.u32()?
            } else if i == 0 {
                first_flags
            } else {
                h.flags
            };
            let cts = if flags & TRUN_SAMPLE_CTS != 0 {
                r.i32()?
            } else {
                0
            };
            if cts < 0 {
                let c = if cts == i32::MIN { cts + 1 } else { cts };
                index.dts_shift = index.dts_shift.max(-c);
            }
            if size == 0 {
                return Err(damaged("a fragment has an empty sample"));
            }
            if offset > i64::MAX as u64 - u64::from(size) {
                return Err(damaged("a fragment's sample lies beyond any file"));
            }
            let key = sample_flags & (SAMPLE_IS_NON_SYNC | SAMPLE_DEPENDS_YES) == 0;
            index.entries.push(Entry {
                pos: offset,
                size,
                timestamp: dts,
                key,
                // Fragments overlapping in time: FFmpeg decodes and drops the overlap.
                discard: prev_dts.is_some_and(|p| p >= dts),
            });
            ctts.push(cts);
            dts = dts
                .checked_add(i64::from(duration))
                .ok_or_else(|| damaged("fragment timestamps overflow"))?;
            offset = offset.wrapping_add(u64::from(size));
            if count_fps && index.fps_frames < i64::from(i32::MAX) {
                index.fps_duration = index.fps_duration.saturating_add(i64::from(duration));
                index.fps_frames += 1;
            }
        }
        self.implicit_offset = offset;
        index.track_end = dts.wrapping_add(index.time_offset);
        index.duration = index.duration.max(index.track_end);
        Ok(dts)
    }
}

/// tfhd values, with the trex defaults filled in.
struct Defaults {
    base: u64,
    stsd_id: u32,
    duration: u32,
    size: u32,
    flags: u32,
}

/// Whether a sidx box indexes the file to its very end, which makes FFmpeg stop reading the
/// file's top-level boxes early (and so count only the first fragments for the frame rate).
pub(crate) fn sidx_complete(p: &[u8], box_end: u64, file_size: u64) -> bool {
    let parse = || -> Result<bool, VideoError> {
        let mut r = Reader::new(p, "the sidx box");
        let version = r.u8()?;
        if version > 1 {
            return Ok(false);
        }
        r.skip(3 + 4)?;
        if r.u32()? == 0 {
            return Ok(false);
        }
        let first_offset = if version == 0 {
            r.skip(4)?;
            u64::from(r.u32()?)
        } else {
            r.skip(8)?;
            r.u64()?
        };
        r.skip(2)?;
        let items = r.u16()?;
        let mut offset = box_end.saturating_add(first_offset);
        for _ in 0..items {
            let size = r.u32()?;
            if size & 0x8000_0000 != 0 {
                return Ok(false);
            }
            r.skip(8)?;
            offset = offset.saturating_add(u64::from(size));
        }
        Ok(items > 0 && offset == file_size)
    };
    parse().unwrap_or(false)
}
