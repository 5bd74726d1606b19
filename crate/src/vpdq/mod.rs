//! vPDQ, Meta's video fingerprint (ThreatExchange `vpdq/`, PyPI `vpdq`): PDQ hashes of frames
//! picked at one a second, and the rule that matches two videos by the share of frames that agree.

pub mod encoding;
pub mod matching;
pub mod pick;
pub mod video;
pub mod yuv;

use crate::pdq::PdqHash;

/// One hash a second: what python-threatexchange, HMA and StopNCII-style hash lists use.
pub const SECONDS_PER_HASH: u32 = 1;

/// Frames under this quality take no part in matching (python-threatexchange `vpdq_util`).
pub const MATCH_QUALITY: u8 = 50;

/// Two frames match at or under this Hamming distance (`VPDQ_DISTANCE_THRESHOLD`).
pub const MATCH_DISTANCE: u32 = 31;

/// A query video matches when at least this share of its frames match (`VPDQ_QUERY_MATCH_THRESHOLD_PERCENT`).
pub const QUERY_MATCH_PERCENT: f64 = 80.0;

/// Most frame hashes one report may carry: three hours at one a second.
pub const MAX_REPORT_HASHES: usize = 3 * 60 * 60;

/// A hashed frame, numbered as the reference numbers them: the decoder's output order from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VpdqFrame {
    pub frame: u64,
    pub hash: PdqHash,
    pub quality: u8,
}

/// The hashes of `frames` that take part in matching, as the reference matcher
/// (python-threatexchange `vpdq_brute_matcher`: `quality_filter(dedupe(...))`) prepares them:
/// exact duplicates dropped (the first kept), then frames of quality under [`MATCH_QUALITY`].
/// What a report carries of a video. Duplicates are found by sorting (`encoding::first_copies`),
/// not a hash table: no crafted list can slow it, and it keeps the page's module small.
pub fn usable_hashes(frames: &[VpdqFrame]) -> Vec<PdqHash> {
    let hashes: Vec<PdqHash> = frames.iter().map(|f| f.hash).collect();
    let first = encoding::first_copies(&hashes);
    frames
        .iter()
        .zip(first)
        .filter(|(f, first)| *first && f.quality >= MATCH_QUALITY)
        .map(|(f, _)| f.hash)
        .collect()
}
