//! Which frames the core hashes, against the reference: for every test video, the demuxer and
//! the frame picker (`VideoHasher`) number the frames a decoder returns (those not cut by an edit
//! list, in presentation order) and pick the very frame numbers Meta's vPDQ hashed
//! (`tests/fixtures/video/expected/*.csv`): 29.97 fps, an edit list that cuts mid-GOP, a video
//! that is not the first stream (whose last reordered frames the reference never sees),
//! fragmented MP4, Matroska, and Chrome's MediaRecorder WebM, which says no frame rate. Natively over every fixture and, under `wasm-bindgen-test`, over a
//! few in headless Chromium.

use report_helper::pdq::PixelLayout;
use report_helper::video::Request;
use report_helper::vpdq::video::{VideoHasher, VpdqError};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The frame numbers the reference hashed: the first column of its CSV.
fn expected(csv: &str) -> Vec<u64> {
    csv.lines()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect()
}

fn serve(video: &mut VideoHasher, file: &[u8]) -> Result<(), VpdqError> {
    while let Request::Range { offset, len } = video.request() {
        let start = (offset as usize).min(file.len());
        let end = (offset.saturating_add(len) as usize).min(file.len());
        video.supply(offset, &file[start..end])?;
    }
    Ok(())
}

/// What the core picks in `file`, with a decoder simulated: it returns every frame not cut by
/// the edit list, in presentation order. Each picked frame is "hashed" from a blank picture, so
/// that `frames()` applies the reference's end-of-stream rule.
fn picked(file: &[u8], chunk: usize) -> Result<Vec<u64>, VpdqError> {
    let head = &file[..file.len().min(64 << 10)];
    let mut video = VideoHasher::open(file.len() as u64, head)?.expect("a video container");
    serve(&mut video, file)?;
    for part in file.chunks(chunk) {
        video.push(part)?;
        serve(&mut video, file)?;
    }
    video.end()?;
    video.start()?;
    let mut shown = Vec::new();
    while let Some(s) = video.next_sample() {
        if !s.discard {
            shown.push((s.pts, s.decode_index));
        }
    }
    shown.sort();
    for (_, index) in shown {
        if let Some(number) = video.returned(index) {
            video.frame_buffer(8 * 8 * 4);
            video.hash_rgb(number, 8, 8, PixelLayout::Rgba)?;
        }
    }
    Ok(video.frames().iter().map(|f| f.frame).collect())
}

macro_rules! fixture {
    ($name:literal) => {
        (
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../tests/fixtures/video/",
                $name
            )) as &[u8],
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../tests/fixtures/video/expected/",
                $name,
                ".csv"
            )),
        )
    };
}

/// Small ones, embedded so that the wasm build runs them too.
#[test]
fn picks_the_reference_frames_in_a_cut_an_audio_first_and_a_webm_video() {
    for (name, (file, csv)) in [
        ("mandel-cut.mp4", fixture!("mandel-cut.mp4")),
        (
            "mandel-h264-audio-first.mp4",
            fixture!("mandel-h264-audio-first.mp4"),
        ),
        ("mandel-h264.mkv", fixture!("mandel-h264.mkv")),
        ("mandel-vp9.webm", fixture!("mandel-vp9.webm")),
        // No average rate: the reference falls back to r_frame_rate, 1000/1.
        ("mediarecorder-vp8.webm", fixture!("mediarecorder-vp8.webm")),
    ] {
        for chunk in [1 << 20, 4093] {
            assert_eq!(
                picked(file, chunk).unwrap(),
                expected(csv),
                "{name}, chunks of {chunk}"
            );
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn picks_the_reference_frames_in_every_test_video() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/video");
    let mut checked = 0;
    for entry in std::fs::read_dir(format!("{root}/expected")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(video) = name.strip_suffix(".csv") else {
            continue;
        };
        let file = std::fs::read(format!("{root}/{}", video.replace("__", "/"))).unwrap();
        let csv = std::fs::read_to_string(format!("{root}/expected/{name}")).unwrap();
        assert_eq!(picked(&file, 1 << 20).unwrap(), expected(&csv), "{video}");
        checked += 1;
    }
    assert_eq!(checked, 17);
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn a_track_without_frames_and_an_audio_file_are_told_apart() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/video");
    let empty = std::fs::read(format!("{root}/empty-track.mp4")).unwrap();
    assert_eq!(picked(&empty, 1 << 20), Err(VpdqError::NoFrames));
    let audio = std::fs::read(format!("{root}/audio-only.mp4")).unwrap();
    assert_eq!(picked(&audio, 1 << 20), Err(VpdqError::NotAVideo));
    assert!(VideoHasher::open(10, b"not video!").unwrap().is_none());
}
