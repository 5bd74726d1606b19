//! Drives `report_helper::video::Demuxer` as the browser does, for the video tests: Range reads
//! answered from the file, then the whole file pushed from offset 0 in chunks. Included by the
//! video_*.rs tests (`#[path]`); on its own it is an empty test target.
#![allow(dead_code)]

use report_helper::video::{Demuxer, Ending, Request, Sample, VideoError, VideoTrack};

/// Where the fixtures and the expected reports are, relative to the repository root (as the
/// reports name their files).
pub const FIXTURES: &str = "tests/fixtures/video";
pub const VECTORS: &str = "crate/tests/vectors/video";

/// Files embedded in the test binary, so that the same tests run in the browser.
macro_rules! files {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../", $path)) as &[u8])),*]
    };
}

/// Every test video, report and variant; `every_file_is_listed` checks that none is missing.
pub const FILES: &[(&str, &[u8])] = files![
    "tests/fixtures/video/audio-only.mp4",
    "tests/fixtures/video/empty-track.mp4",
    "tests/fixtures/video/mandel-480x360.mp4",
    "tests/fixtures/video/mandel-av1.mp4",
    "tests/fixtures/video/mandel-cut.mp4",
    "tests/fixtures/video/mandel-h264-audio-first.mp4",
    "tests/fixtures/video/mandel-h264-fragmented.mp4",
    "tests/fixtures/video/mandel-h264-full-range.mp4",
    "tests/fixtures/video/mandel-h264-moov-end.mp4",
    "tests/fixtures/video/mandel-h264.mkv",
    "tests/fixtures/video/mandel-h264.mp4",
    "tests/fixtures/video/mandel-hevc.mp4",
    "tests/fixtures/video/mandel-trimmed.mp4",
    "tests/fixtures/video/mandel-vp8.webm",
    "tests/fixtures/video/mandel-vp9.webm",
    "tests/fixtures/video/mediarecorder-vp8.webm",
    "tests/fixtures/video/other-testsrc2.mp4",
    "tests/fixtures/video/upstream/doorknob-hd-no-bar.mp4",
    "tests/fixtures/video/upstream/test-padded-dimensions.mp4",
    "tests/fixtures/video/expected/frame-rates.json",
    "crate/tests/vectors/video/audio-only.mp4.json",
    "crate/tests/vectors/video/empty-track.mp4.json",
    "crate/tests/vectors/video/mandel-480x360.mp4.json",
    "crate/tests/vectors/video/mandel-av1.mp4.json",
    "crate/tests/vectors/video/mandel-cut.mp4.json",
    "crate/tests/vectors/video/mandel-h264-audio-first.mp4.json",
    "crate/tests/vectors/video/mandel-h264-fragmented.mp4+uneven-fragments.json",
    "crate/tests/vectors/video/mandel-h264-fragmented.mp4.json",
    "crate/tests/vectors/video/mandel-h264-full-range.mp4.json",
    "crate/tests/vectors/video/mandel-h264-moov-end.mp4.json",
    "crate/tests/vectors/video/mandel-h264.mkv+no-default-duration.json",
    "crate/tests/vectors/video/mandel-h264.mkv.json",
    "crate/tests/vectors/video/mandel-h264.mp4.json",
    "crate/tests/vectors/video/mandel-hevc.mp4.json",
    "crate/tests/vectors/video/mandel-trimmed.mp4.json",
    "crate/tests/vectors/video/mandel-vp8.webm+no-default-duration.json",
    "crate/tests/vectors/video/mandel-vp8.webm.json",
    "crate/tests/vectors/video/mandel-vp9.webm+no-default-duration.json",
    "crate/tests/vectors/video/mandel-vp9.webm.json",
    "crate/tests/vectors/video/mediarecorder-vp8.webm.json",
    "crate/tests/vectors/video/other-testsrc2.mp4.json",
    "crate/tests/vectors/video/trimmed-empty-edit.json",
    "crate/tests/vectors/video/trimmed-short-edit.json",
    "crate/tests/vectors/video/trimmed-two-edits.json",
    "crate/tests/vectors/video/upstream__doorknob-hd-no-bar.mp4.json",
    "crate/tests/vectors/video/upstream__test-padded-dimensions.mp4.json",
    "crate/tests/vectors/video/vp8-live.json",
    "crate/tests/vectors/video/derived/trimmed-empty-edit.mp4",
    "crate/tests/vectors/video/derived/trimmed-short-edit.mp4",
    "crate/tests/vectors/video/derived/trimmed-two-edits.mp4",
    "crate/tests/vectors/video/derived/vp8-live.webm",
];

/// A file: `bytes`, followed by zeros up to `size` (a large file without allocating it).
pub struct Source<'a> {
    pub bytes: &'a [u8],
    pub size: u64,
}

impl<'a> Source<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Source {
            bytes,
            size: bytes.len() as u64,
        }
    }

    fn read(&self, offset: u64, len: u64) -> Vec<u8> {
        let end = offset.saturating_add(len).min(self.size);
        let mut out = Vec::with_capacity(end.saturating_sub(offset) as usize);
        if offset < self.bytes.len() as u64 {
            let to = end.min(self.bytes.len() as u64);
            out.extend_from_slice(&self.bytes[offset as usize..to as usize]);
        }
        out.resize(end.saturating_sub(offset) as usize, 0);
        out
    }
}

/// Everything the demuxer gave for one file.
pub struct Outcome {
    pub track: Option<VideoTrack>,
    pub samples: Vec<Sample>,
    pub frame_numbers: Vec<Option<u64>>,
    pub ending: Ending,
    pub range_reads: u64,
    pub range_bytes: u64,
}

/// Work bounds: a hostile file must not make the demuxer ask for more than this.
const MAX_RANGE_READS: u64 = 200_000;

/// Demuxes `source`, pushing the stream in chunks of `chunk` bytes. Panics when a sample is
/// handed out before the track, or the demuxer keeps asking without end.
pub fn demux(source: &Source<'_>, chunk: usize) -> Result<Outcome, VideoError> {
    let head = source.read(0, 64 * 1024);
    let mut d = Demuxer::new(source.size, &head)?;
    let mut samples: Vec<Sample> = Vec::new();
    let (mut range_reads, mut range_bytes) = (0u64, 0u64);
    let take = |d: &mut Demuxer, samples: &mut Vec<Sample>| {
        while let Some(s) = d.next_sample() {
            assert!(d.track().is_some(), "a sample before the track");
            samples.push(s);
        }
    };
    loop {
        match d.request() {
            Request::Range { offset, len } => {
                range_reads += 1;
                range_bytes += len;
                assert!(range_reads <= MAX_RANGE_READS, "endless Range reads");
                assert!(
                    offset < source.size && len > 0,
                    "an empty or outside Range read"
                );
                let bytes = source.read(offset, len);
                d.supply(offset, &bytes)?;
                take(&mut d, &mut samples);
            }
            Request::Stream => {
                let zeros = vec![0u8; chunk];
                let mut at = 0u64;
                while at < source.size {
                    let n = (chunk as u64).min(source.size - at);
                    if at >= source.bytes.len() as u64 {
                        d.push(&zeros[..n as usize])?;
                    } else {
                        let to = (at + n).min(source.bytes.len() as u64);
                        d.push(&source.bytes[at as usize..to as usize])?;
                        if to < at + n {
                            d.push(&zeros[..(at + n - to) as usize])?;
                        }
                    }
                    at += n;
                    take(&mut d, &mut samples);
                }
                break;
            }
            Request::Done => break,
        }
    }
    let ending = d.end()?;
    take(&mut d, &mut samples);
    let frame_numbers = samples
        .iter()
        .map(|s| d.frame_number(s.decode_index))
        .collect();
    Ok(Outcome {
        track: d.track().cloned(),
        samples,
        frame_numbers,
        ending,
        range_reads,
        range_bytes,
    })
}

/// A listed file, by its path from the repository root.
pub fn read(path: &str) -> &'static [u8] {
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .unwrap_or_else(|| panic!("{path} is not listed in FILES"))
        .1
}

/// The listed files under `folder` whose names end with `suffix`, sorted.
pub fn listed(folder: &str, suffix: &str) -> Vec<&'static str> {
    let mut out: Vec<&str> = FILES
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| {
            p.strip_prefix(folder).is_some_and(|r| r.starts_with('/')) && p.ends_with(suffix)
        })
        .collect();
    out.sort_unstable();
    out
}

/// The Matroska variant without DefaultDuration (see make_expected.py): the element is
/// overwritten by a Void element of the same length.
pub fn without_default_duration(mut data: Vec<u8>) -> Vec<u8> {
    let at = data
        .windows(4)
        .position(|w| w == [0x23, 0xE3, 0x83, 0x84])
        .expect("a DefaultDuration element");
    data[at..at + 8].copy_from_slice(&[0xEC, 0x86, 0, 0, 0, 0, 0, 0]);
    data
}

/// The fragmented variant of make_expected.py: every tfhd with flags 0x020038 gets the default
/// sample duration 1001, 2002, 1502 in turn.
pub fn uneven_fragments(mut data: Vec<u8>) -> Vec<u8> {
    let mut k = 0;
    let mut at = 0;
    while let Some(p) = data[at..].windows(4).position(|w| w == b"tfhd") {
        let t = at + p;
        if data[t + 4..t + 8] == [0, 2, 0, 0x38] {
            let d: u32 = [1001, 2002, 1502][k % 3];
            data[t + 12..t + 16].copy_from_slice(&d.to_be_bytes());
            k += 1;
        }
        at = t + 4;
    }
    data
}
