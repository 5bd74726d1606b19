//! Which frames of a video the reference hashes, and so which it numbers how.
//!
//! The reference (vpdq `FFmpegHasher`) numbers frames in the order the decoder returns them,
//! from 0, and hashes frame `n` when `n % step == 0`, with
//! `step = max(1, (int)(seconds_per_hash * fps))` and `fps` the stream's `avg_frame_rate` (else
//! `r_frame_rate`) as a double: at 30000/1001 the step is 29, not 30. Frames an MP4 edit list cuts away are decoded but never
//! returned, so they get no number.
//!
//! One quirk is kept on purpose: the reference flushes its decoder by sending a packet that
//! `av_packet_unref` has reset to stream 0, so when the video is not the file's first stream the
//! frames still held for reordering at the end (H.264 and H.265 with B-frames) are never
//! returned, and never hashed. Those frames are as many as the stream's reordering depth, which
//! FFmpeg reads from the stream's headers; here it is the deepest reordering the frames show (the
//! same for encoders that write their depth, as x264 does).

use core::fmt;

/// A frame rate as a fraction, as libavformat gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameRate {
    pub num: i64,
    pub den: i64,
}

impl FrameRate {
    pub fn fps(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// Why frames cannot be picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickError {
    /// The container gives no frame rate (or 0): the reference refuses such a video too.
    NoFrameRate,
}

impl fmt::Display for PickError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PickError::NoFrameRate => f.write_str("the video does not say its frame rate"),
        }
    }
}

impl std::error::Error for PickError {}

/// `max(1, (int)(seconds_per_hash * fps))`, C's truncation included.
pub fn frame_step(rate: FrameRate, seconds_per_hash: f64) -> Result<u64, PickError> {
    if rate.num <= 0 || rate.den <= 0 {
        return Err(PickError::NoFrameRate);
    }
    let step = (seconds_per_hash * rate.fps()) as i64;
    Ok(step.max(1) as u64)
}

/// Numbers the frames a decoder returns and says which the reference hashes.
///
/// Two ways to know a frame's number. When the container lists every frame up front (an MP4
/// sample table), the number comes from the table ([`FramePicker::known`]): then frames nobody
/// needs need not be decoded at all. Otherwise frames are counted as the decoder returns them,
/// as the reference counts them.
#[derive(Clone, Debug)]
pub struct FramePicker {
    step: u64,
    /// The reference returns every frame (its video is stream 0).
    flushed: bool,
    /// Frames returned so far, when counting.
    returned: u64,
    /// The deepest reordering seen: a frame returned as number `n` that was decoded `d`-th.
    depth: u64,
    table: Option<Table>,
}

/// What an up-front sample table says.
#[derive(Clone, Debug)]
struct Table {
    /// Frame number of each sample in decode order; `None` for one the edit list cuts away.
    numbers: Vec<Option<u64>>,
    /// Frames in all.
    frames: u64,
}

impl FramePicker {
    /// For a video whose frames are counted as the decoder returns them. `first_stream`: the
    /// video is the file's first stream (then the reference returns every frame).
    pub fn counting(step: u64, first_stream: bool) -> FramePicker {
        FramePicker {
            step: step.max(1),
            flushed: first_stream,
            returned: 0,
            depth: 0,
            table: None,
        }
    }

    /// For a video whose every sample's frame number is known (`numbers[decode_index]`, `None`
    /// for a sample that is decoded but never returned).
    pub fn known(step: u64, first_stream: bool, numbers: Vec<Option<u64>>) -> FramePicker {
        let frames = numbers.iter().flatten().count() as u64;
        // The reordering depth: how far a frame's number falls behind the count of frames
        // decoded before it.
        let depth = numbers
            .iter()
            .flatten()
            .zip(0u64..)
            .map(|(n, decoded)| decoded.saturating_sub(*n))
            .max()
            .unwrap_or(0);
        FramePicker {
            step: step.max(1),
            flushed: first_stream,
            returned: 0,
            depth,
            table: Some(Table { numbers, frames }),
        }
    }

    pub fn step(&self) -> u64 {
        self.step
    }

    /// The number of the frame of sample `decode_index` when the table is known.
    fn number(&self, decode_index: u64) -> Option<u64> {
        let table = self.table.as_ref()?;
        *table.numbers.get(usize::try_from(decode_index).ok()?)?
    }

    fn hashed(&self, number: u64) -> bool {
        if !number.is_multiple_of(self.step) {
            return false;
        }
        match &self.table {
            Some(t) if !self.flushed => number + self.depth < t.frames,
            _ => true,
        }
    }

    /// Whether sample `decode_index` must go to the decoder: always, unless the table is known,
    /// nothing refers to the sample (`disposable`) and its frame is not hashed.
    pub fn must_decode(&self, decode_index: u64, disposable: bool) -> bool {
        if !disposable || self.table.is_none() {
            return true;
        }
        self.number(decode_index).is_some_and(|n| self.hashed(n))
    }

    /// The decoder returned the frame of sample `decode_index`: its number, and whether the
    /// reference hashes it. `None` for a frame the reference never returns (cut by the edit
    /// list). When counting, at the end [`FramePicker::keep`] still drops frames the reference
    /// held back.
    pub fn returned(&mut self, decode_index: u64) -> Option<(u64, bool)> {
        if self.table.is_some() {
            let n = self.number(decode_index)?;
            return Some((n, self.hashed(n)));
        }
        let n = self.returned;
        self.returned += 1;
        self.depth = self.depth.max(decode_index.saturating_sub(n));
        Some((n, n.is_multiple_of(self.step)))
    }

    /// Whether frame `number`, hashed while counting, is one the reference returned too: all
    /// of them when the video is the first stream, else all but the last `depth` frames.
    pub fn keep(&self, number: u64) -> bool {
        match &self.table {
            Some(_) => self.hashed(number),
            None => self.flushed || number + self.depth < self.returned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_truncates_as_c_does() {
        let step = |num, den| frame_step(FrameRate { num, den }, 1.0).unwrap();
        assert_eq!(step(30000, 1001), 29);
        assert_eq!(step(30, 1), 30);
        assert_eq!(step(24000, 1001), 23);
        assert_eq!(step(1, 2), 1, "under one frame a second: every frame");
        assert_eq!(
            frame_step(FrameRate { num: 0, den: 0 }, 1.0),
            Err(PickError::NoFrameRate)
        );
    }

    /// Decode order I0 P4 B2 b1 b3 (a B-pyramid): numbers 0 4 2 1 3, depth 2.
    #[test]
    fn a_video_that_is_not_the_first_stream_loses_its_last_reordered_frames() {
        let numbers = [0, 4, 2, 1, 3].map(Some).to_vec();
        let first = FramePicker::known(1, true, numbers.clone());
        assert!((0..5).all(|n| first.keep(n)));
        let second = FramePicker::known(1, false, numbers);
        assert_eq!(
            (0..5).filter(|&n| second.keep(n)).collect::<Vec<_>>(),
            [0, 1, 2]
        );

        let mut counting = FramePicker::counting(1, false);
        for d in [0, 3, 2, 4, 1] {
            // The decoder returns in presentation order; decode indexes as above.
            counting.returned(d);
        }
        assert_eq!(
            (0..5).filter(|&n| counting.keep(n)).collect::<Vec<_>>(),
            [0, 1, 2]
        );
    }

    #[test]
    fn disposable_frames_are_decoded_only_when_hashed() {
        let picker = FramePicker::known(2, true, vec![Some(0), Some(2), Some(1), None, Some(3)]);
        assert!(picker.must_decode(0, false));
        assert!(picker.must_decode(1, true), "frame 2 is hashed");
        assert!(!picker.must_decode(2, true), "frame 1 is not");
        assert!(!picker.must_decode(3, true), "cut by the edit list");
        assert!(!picker.must_decode(99, true), "not in the table");
        let counting = FramePicker::counting(2, true);
        assert!(
            counting.must_decode(2, true),
            "unknown numbers: decode everything"
        );
    }
}
