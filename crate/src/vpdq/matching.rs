//! The reference's rule for matching two videos (python-threatexchange `vpdq_brute_matcher`):
//! each side's frames are prepared by [`usable_hashes`](super::usable_hashes) (exact duplicates
//! dropped, quality under 50 dropped); a frame matches when some frame of the other side is within
//! Hamming distance 31; each side's percentage is its matching frames over its frames. The query
//! matches when its percentage is at least 80.
//!
//! (Meta's C++ `matchTwoHash` differs: distance under 31, no duplicates dropped. HMA and
//! python-threatexchange use the rule here.)

use super::{usable_hashes, VpdqFrame, MATCH_DISTANCE, QUERY_MATCH_PERCENT};
use crate::pdq::PdqHash;

/// How much of each video the other holds, in percent (0.0 to 100.0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoMatch {
    /// Of the query's usable frames, the share that match some frame of the compared video.
    pub query_percent: f64,
    /// Of the compared video's usable frames, the share that match some frame of the query.
    pub compared_percent: f64,
}

impl VideoMatch {
    /// The reference's decision: the query is found in the compared video.
    pub fn is_match(&self) -> bool {
        self.query_percent >= QUERY_MATCH_PERCENT
    }
}

/// Matches two videos' hashed frames by the reference's rule.
pub fn match_frames(query: &[VpdqFrame], compared: &[VpdqFrame]) -> VideoMatch {
    match_hashes(&usable_hashes(query), &usable_hashes(compared))
}

/// As [`match_frames`], for hashes already prepared (a report carries them so). A side without
/// hashes has 0 % (the reference divides by zero there).
pub fn match_hashes(query: &[PdqHash], compared: &[PdqHash]) -> VideoMatch {
    VideoMatch {
        query_percent: percent_found(query, compared),
        compared_percent: percent_found(compared, query),
    }
}

/// `count * 100 / len` as Python computes it: an integer product, then one float division.
fn percent_found(these: &[PdqHash], those: &[PdqHash]) -> f64 {
    if these.is_empty() {
        return 0.0;
    }
    let found = these
        .iter()
        .filter(|h| those.iter().any(|t| h.distance(t) <= MATCH_DISTANCE))
        .count();
    (found * 100) as f64 / these.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(n: u64, bits: &[usize], quality: u8) -> VpdqFrame {
        let mut hex = [b'0'; 64];
        for &k in bits {
            // Bit k is bit (k % 4) of hex digit 63 - k / 4.
            let d = &mut hex[63 - k / 4];
            let v = (*d as char).to_digit(16).unwrap() | 1 << (k % 4);
            *d = char::from_digit(v, 16).unwrap() as u8;
        }
        VpdqFrame {
            frame: n,
            hash: core::str::from_utf8(&hex).unwrap().parse().unwrap(),
            quality,
        }
    }

    #[test]
    fn distance_31_matches_and_32_does_not() {
        let zero = [frame(0, &[], 100)];
        let near = [frame(0, &(0..31).collect::<Vec<_>>(), 100)];
        let far = [frame(0, &(0..32).collect::<Vec<_>>(), 100)];
        assert_eq!(match_frames(&zero, &near).query_percent, 100.0);
        assert_eq!(match_frames(&zero, &far).query_percent, 0.0);
    }

    #[test]
    fn duplicates_and_poor_frames_do_not_count() {
        let a = [
            frame(0, &[], 100),
            frame(29, &[], 100),
            frame(58, &(0..100).collect::<Vec<_>>(), 49),
            frame(87, &(100..200).collect::<Vec<_>>(), 100),
        ];
        let b = [frame(0, &[1], 90)];
        // a: duplicates dropped, quality 49 dropped: two frames, one of which b holds.
        let m = match_frames(&a, &b);
        assert_eq!((m.query_percent, m.compared_percent), (50.0, 100.0));
        assert!(!m.is_match());
        assert!(match_frames(&b, &a).is_match());
        assert_eq!(match_frames(&[], &a).query_percent, 0.0);
    }
}
