//! The video track's packet list as FFmpeg's mov demuxer builds it: mov_build_index (samples from
//! the chunk, size, time and sync tables), mov_fix_index (the edit list: samples before the edit
//! are kept for decoding but flagged discard, timestamps are rewritten so the edit starts the
//! timeline), and mov_read_packet's pts = dts + dts_shift + composition offset.

use super::moov::{VideoTrak, MAX_SAMPLES};
use crate::video::error::{damaged, VideoError};
use crate::video::rational::rescale;

/// One AVIndexEntry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub(crate) pos: u64,
    pub(crate) size: u32,
    /// The decode timestamp FFmpeg gives the packet.
    pub(crate) timestamp: i64,
    pub(crate) key: bool,
    pub(crate) discard: bool,
}

/// One packet as FFmpeg's demuxer returns it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Packet {
    pub(crate) pos: u64,
    pub(crate) size: u32,
    pub(crate) dts: i64,
    pub(crate) pts: i64,
    pub(crate) key: bool,
    pub(crate) discard: bool,
}

/// The index of the video stream, and the stream state mov.c keeps beside it.
pub(crate) struct Index {
    pub(crate) entries: Vec<Entry>,
    /// sc->ctts_data: one composition offset per packet, in packet order; None when FFmpeg has
    /// none (packets then have pts = dts).
    pub(crate) ctts: Option<Vec<i32>>,
    pub(crate) dts_shift: i32,
    /// start_time - empty_duration of the edit list, which fragment timestamps are shifted by.
    pub(crate) time_offset: i64,
    /// st->duration, in the track timescale.
    pub(crate) duration: i64,
    /// sc->track_end: where the next fragment continues when it has no tfdt.
    pub(crate) track_end: i64,
    /// sc->nb_frames_for_fps and sc->duration_for_fps.
    pub(crate) fps_frames: i64,
    pub(crate) fps_duration: i64,
}

impl Index {
    /// The packets in the order the demuxer returns them.
    pub(crate) fn packets(&self) -> Vec<Packet> {
        let shift = i64::from(self.dts_shift);
        self.entries
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let pts = match &self.ctts {
                    Some(c) if k < c.len() => e
                        .timestamp
                        .saturating_add(shift.saturating_add(i64::from(c[k]))),
                    _ => e.timestamp,
                };
                Packet {
                    pos: e.pos,
                    size: e.size,
                    dts: e.timestamp,
                    pts,
                    key: e.key,
                    discard: e.discard,
                }
            })
            .collect()
    }
}

/// mov_build_index (the video branch), then mov_fix_index when advanced edit lists are on.
/// Edit list entries beyond this are refused: real files have a handful.
const MAX_EDITS: usize = 1000;

/// `file_size` bounds the sample count: every sample takes at least a byte.
pub(crate) fn build(
    t: &VideoTrak,
    movie_timescale: u32,
    advanced_editlist: bool,
    file_size: u64,
) -> Result<Index, VideoError> {
    let movie_ts = i64::from(movie_timescale);
    let track_ts = i64::from(t.timescale);
    let mut current_dts: i64 = 0;
    let mut time_offset = 0i64;
    if !t.edits.is_empty() {
        let (mut empty_duration, mut start_time, mut edit_start) = (0i64, 0i64, 0usize);
        for (i, &(duration, time)) in t.edits.iter().enumerate() {
            if i == 0 && time == -1 {
                empty_duration = duration;
                edit_start = 1;
            } else if i == edit_start && time >= 0 {
                start_time = time;
            }
        }
        if (empty_duration != 0 || start_time != 0) && movie_ts > 0 {
            if empty_duration != 0 {
                empty_duration = rescale(empty_duration, track_ts, movie_ts).unwrap_or(0);
            }
            time_offset = start_time.wrapping_sub(empty_duration);
            if !advanced_editlist {
                current_dts = time_offset.wrapping_neg();
            }
        }
    }
    current_dts -= i64::from(t.dts_shift);

    let mut index = Index {
        entries: Vec::new(),
        ctts: None,
        dts_shift: t.dts_shift,
        time_offset,
        duration: t.media_duration,
        track_end: t.stts_duration,
        fps_frames: t.stts_samples,
        fps_duration: t.stts_duration,
    };
    if t.stts_duration > 0 {
        index.duration = index.duration.min(t.stts_duration);
    }
    let sample_count = t.sample_count as usize;
    if sample_count == 0 {
        return Ok(index);
    }
    if sample_count as u64 > MAX_SAMPLES {
        return Err(VideoError::TooLarge(format!(
            "{sample_count} samples in one track"
        )));
    }
    if sample_count as u64 > file_size {
        return Err(damaged(format!(
            "{sample_count} samples in a file of {file_size} bytes"
        )));
    }
    if t.edits.len() > MAX_EDITS {
        return Err(VideoError::TooLarge(format!(
            "an edit list of {} entries",
            t.edits.len()
        )));
    }

    // Composition offsets expanded to one per sample.
    let ctts: Option<Vec<i32>> = t.ctts.as_ref().map(|runs| {
        let mut out = Vec::with_capacity(sample_count);
        'runs: for &(count, offset) in runs {
            for _ in 0..count {
                if out.len() >= sample_count {
                    break 'runs;
                }
                out.push(offset);
            }
        }
        out
    });

    let key_off = u32::from(
        t.keyframes.first().is_some_and(|&k| k > 0)
            || t.partial_sync.first().is_some_and(|&k| k > 0),
    );
    let (mut stts_index, mut stts_sample) = (0usize, 0u32);
    let (mut stsc_index, mut stss_index, mut stps_index) = (0usize, 0usize, 0usize);
    let (mut rap_index, mut rap_sample) = (0usize, 0u32);
    let rap_present = !t.rap_groups.is_empty();
    let mut current_sample = 0usize;
    let mut entries: Vec<Entry> = Vec::with_capacity(sample_count);
    'chunks: for (i, &chunk_offset) in t.chunk_offsets.iter().enumerate() {
        let mut current_offset = chunk_offset;
        while stsc_index + 1 < t.stsc.len() && i as i64 + 1 == t.stsc[stsc_index + 1].first {
            stsc_index += 1;
        }
        let Some(stsc) = t.stsc.get(stsc_index) else {
            break;
        };
        for j in 0..stsc.count.max(0) {
            if current_sample >= sample_count {
                break 'chunks; // "wrong sample count": FFmpeg keeps what it has
            }
            let number = current_sample as u32 + key_off;
            let mut keyframe = false;
            if !t.keyframe_absent
                && (t.keyframes.is_empty() || t.keyframes.get(stss_index) == Some(&number))
            {
                keyframe = true;
                if stss_index + 1 < t.keyframes.len() {
                    stss_index += 1;
                }
            } else if t.partial_sync.get(stps_index) == Some(&number) {
                keyframe = true;
                if stps_index + 1 < t.partial_sync.len() {
                    stps_index += 1;
                }
            }
            if rap_present && rap_index < t.rap_groups.len() {
                if t.rap_groups[rap_index].1 > 0 {
                    keyframe = true;
                }
                rap_sample += 1;
                if rap_sample == t.rap_groups[rap_index].0 {
                    rap_sample = 0;
                    rap_index += 1;
                }
            }
            if t.keyframe_absent && t.partial_sync.is_empty() && !rap_present && i == 0 && j == 0 {
                keyframe = true;
            }
            let size = if t.sample_size > 0 {
                t.sample_size
            } else {
                t.sample_sizes[current_sample]
            };
            if current_offset > i64::MAX as u64 - u64::from(size) {
                break 'chunks;
            }
            if t.pseudo_stream_id == -1 || stsc.id - 1 == t.pseudo_stream_id {
                if size > 0x3FFF_FFFF {
                    break 'chunks;
                }
                entries.push(Entry {
                    pos: current_offset,
                    size,
                    timestamp: current_dts,
                    key: keyframe,
                    discard: false,
                });
            }
            current_offset += u64::from(size);
            let delta = t.stts.get(stts_index).map_or(0, |&(_, d)| d);
            current_dts = current_dts.wrapping_add(i64::from(delta));
            stts_sample += 1;
            current_sample += 1;
            if stts_index + 1 < t.stts.len() && stts_sample == t.stts[stts_index].0 {
                stts_sample = 0;
                stts_index += 1;
            }
        }
    }

    if advanced_editlist && !t.edits.is_empty() && !entries.is_empty() {
        let fixed = fix_index(&entries, ctts.as_deref(), t, movie_ts, track_ts)?;
        index.entries = fixed.entries;
        index.ctts = fixed.ctts;
        index.duration = index.duration.min(fixed.edit_span);
    } else {
        index.entries = entries;
        index.ctts = ctts;
    }
    Ok(index)
}

struct Fixed {
    entries: Vec<Entry>,
    ctts: Option<Vec<i32>>,
    edit_span: i64,
}

/// mov_fix_index, for a video stream.
fn fix_index(
    old: &[Entry],
    ctts_old: Option<&[i32]>,
    t: &VideoTrak,
    movie_ts: i64,
    track_ts: i64,
) -> Result<Fixed, VideoError> {
    // Each edit walks the samples it covers; a hostile list could make that quadratic.
    let mut budget: u64 = 4 * MAX_SAMPLES;
    let mut spend = |n: u64| -> Result<(), VideoError> {
        budget = budget.checked_sub(n).ok_or_else(|| {
            VideoError::TooLarge("an edit list that walks the samples too many times".into())
        })?;
        Ok(())
    };
    let dts_shift = i64::from(t.dts_shift);
    let ctts_count_old = ctts_old.map_or(0, <[i32]>::len) as i64;
    let mut out: Vec<Entry> = Vec::with_capacity(old.len());
    let mut ctts_new: Option<Vec<i32>> = None;
    let mut edit_list_dts_entry_end: i64 = 0;
    let mut min_corrected_pts: i64 = -1;
    if dts_shift > 0 {
        edit_list_dts_entry_end -= dts_shift;
    }
    let start_dts = edit_list_dts_entry_end;
    let mut empty_edits_sum_duration = 0i64;
    let mut found_non_empty_edit = false;
    let (mut ctts_index_old, mut ctts_sample_old) = (0i64, 0i64);
    let mut frame_duration_buffer: Vec<i64> = Vec::new();

    for &(duration_movie, media_time) in &t.edits {
        // get_edit_list_entry: durations are in the movie timescale.
        let edit_list_duration = rescale(duration_movie, track_ts, movie_ts).unwrap_or(i64::MAX);
        let mut edit_list_dts_counter = edit_list_dts_entry_end;
        edit_list_dts_entry_end = edit_list_dts_entry_end.wrapping_add(edit_list_duration);
        frame_duration_buffer.clear();
        if !found_non_empty_edit && media_time == -1 {
            empty_edits_sum_duration = empty_edits_sum_duration.wrapping_add(edit_list_duration);
            continue;
        }
        found_non_empty_edit = true;

        spend(old.len() as u64 / 64 + 1)?;
        let search = |any: bool| find_prev_closest_index(old, ctts_old, dts_shift, media_time, any);
        let (start, ci, cs) = search(false).or_else(|| search(true)).unwrap_or((0, 0, 0));
        if ctts_old.is_some() {
            ctts_index_old = ci;
            ctts_sample_old = cs;
        }
        let mut start_encountered = false;
        let mut found_keyframe_after_edit = false;
        let edit_end = edit_list_duration.wrapping_add(media_time);
        let mut current = start;
        while current < old.len() {
            spend(1)?;
            let e = old[current];
            let frame_duration = match old.get(current + 1) {
                Some(next) => next.timestamp.wrapping_sub(e.timestamp),
                None => edit_list_duration,
            };
            let mut curr_cts = e.timestamp.wrapping_add(dts_shift);
            let mut curr_ctts = 0i64;
            if let Some(c) = ctts_old {
                if ctts_index_old < ctts_count_old {
                    let offset = c[ctts_index_old as usize];
                    curr_ctts = i64::from(offset);
                    curr_cts = curr_cts.wrapping_add(curr_ctts);
                    ctts_sample_old += 1;
                    // Every expanded run has a count of 1.
                    if ctts_sample_old == 1 {
                        ctts_new.get_or_insert_with(Vec::new).push(offset);
                        ctts_index_old += 1;
                        ctts_sample_old = 0;
                    }
                }
            }
            let mut entry = e;
            if curr_cts < media_time || curr_cts >= edit_end {
                entry.discard = true;
                if !start_encountered {
                    frame_duration_buffer.push(frame_duration);
                }
            } else {
                let corrected = edit_list_dts_counter
                    .wrapping_add(curr_ctts)
                    .wrapping_add(dts_shift);
                min_corrected_pts = if min_corrected_pts < 0 {
                    corrected
                } else {
                    min_corrected_pts.min(corrected)
                };
                if !start_encountered {
                    start_encountered = true;
                    // Discarded leading packets get timestamps counting back from the edit.
                    let mut end_ts = edit_list_dts_counter;
                    let end_index = out.len();
                    let n = frame_duration_buffer.len();
                    for i in 0..n {
                        end_ts = end_ts.wrapping_sub(frame_duration_buffer[n - 1 - i]);
                        if let Some(slot) =
                            end_index.checked_sub(1 + i).and_then(|k| out.get_mut(k))
                        {
                            slot.timestamp = end_ts;
                        }
                    }
                    frame_duration_buffer.clear();
                }
            }
            entry.timestamp = edit_list_dts_counter;
            out.push(entry);
            if start_encountered {
                edit_list_dts_counter = edit_list_dts_counter.wrapping_add(frame_duration);
            }
            // Stop at the first key frame after the edit's end (with B-frames, at the second:
            // frames after the first may still belong to the edit).
            if curr_cts.wrapping_add(frame_duration) >= edit_end && e.key {
                if ctts_old.is_some() && !found_keyframe_after_edit {
                    found_keyframe_after_edit = true;
                    current += 1;
                    continue;
                }
                break;
            }
            current += 1;
        }
    }
    min_corrected_pts = min_corrected_pts.wrapping_sub(empty_edits_sum_duration);
    if min_corrected_pts > 0 {
        for e in &mut out {
            e.timestamp = e.timestamp.wrapping_sub(min_corrected_pts);
        }
    }
    Ok(Fixed {
        entries: out,
        ctts: ctts_new,
        edit_span: edit_list_dts_entry_end.wrapping_sub(start_dts),
    })
}

/// find_prev_closest_index: the key frame from which decoding must start for the presentation
/// time `pts`, and the position in the composition offsets there.
fn find_prev_closest_index(
    old: &[Entry],
    ctts: Option<&[i32]>,
    dts_shift: i64,
    pts: i64,
    any: bool,
) -> Option<(usize, i64, i64)> {
    let pts = if dts_shift > 0 {
        pts.wrapping_sub(dts_shift)
    } else {
        pts
    };
    let mut index = index_search_timestamp(old, pts, any);
    if index >= 0 {
        let mut i = index as usize;
        while i > 0 && old[i].timestamp == old[i - 1].timestamp {
            if any || old[i - 1].key {
                index = i as i64 - 1;
            }
            i -= 1;
        }
    }
    let (mut ctts_index, ctts_sample) = (0i64, 0i64);
    if let (Some(c), true) = (ctts, index >= 0) {
        let count = c.len() as i64;
        ctts_index = index.min(count);
        while index >= 0 && ctts_index >= 0 && ctts_index < count {
            let e = old[index as usize];
            if e.timestamp.wrapping_add(i64::from(c[ctts_index as usize])) <= pts && e.key {
                break;
            }
            index -= 1;
            ctts_index -= 1;
        }
    }
    (index >= 0).then_some((index as usize, ctts_index, ctts_sample))
}

/// ff_index_search_timestamp with AVSEEK_FLAG_BACKWARD (the index has no discarded entries yet).
fn index_search_timestamp(entries: &[Entry], wanted: i64, any: bool) -> i64 {
    let n = entries.len() as i64;
    let (mut a, mut b) = (-1i64, n);
    if n > 0 && entries[n as usize - 1].timestamp < wanted {
        a = n - 1;
    }
    while b - a > 1 {
        let m = (a + b) >> 1;
        let ts = entries[m as usize].timestamp;
        if ts >= wanted {
            b = m;
        }
        if ts <= wanted {
            a = m;
        }
    }
    let mut m = a;
    if !any {
        while m >= 0 && m < n && !entries[m as usize].key {
            m -= 1;
        }
    }
    if m == n {
        -1
    } else {
        m
    }
}
