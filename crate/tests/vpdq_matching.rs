//! The matching rule against python-threatexchange's (the reference's) own results: for every
//! ordered pair of test videos, the reference's frames (`tests/fixtures/video/expected/*.csv`)
//! matched by the core give the percentages `expected/matches.json` holds. Natively and, under
//! `wasm-bindgen-test`, in headless Chromium.

use report_helper::vpdq::matching::match_frames;
use report_helper::vpdq::VpdqFrame;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

macro_rules! expected {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/video/expected/", $name, ".csv"
        )))),*]
    };
}

/// Every `.csv` of `expected/`; `every_expected_file_is_listed` checks none is missing.
const VIDEOS: &[(&str, &str)] = expected![
    "mandel-480x360.mp4",
    "mandel-av1.mp4",
    "mandel-cut.mp4",
    "mandel-h264-audio-first.mp4",
    "mandel-h264-fragmented.mp4",
    "mandel-h264-full-range.mp4",
    "mandel-h264-moov-end.mp4",
    "mandel-h264.mkv",
    "mandel-h264.mp4",
    "mandel-hevc.mp4",
    "mandel-trimmed.mp4",
    "mandel-vp8.webm",
    "mandel-vp9.webm",
    "mediarecorder-vp8.webm",
    "other-testsrc2.mp4",
    "upstream__doorknob-hd-no-bar.mp4",
    "upstream__test-padded-dimensions.mp4",
];

const MATCHES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/video/expected/matches.json"
));

/// The reference's lines: `frame,quality,hash,timestamp`.
fn frames(csv: &str) -> Vec<VpdqFrame> {
    csv.lines()
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            VpdqFrame {
                frame: cells[0].parse().unwrap(),
                quality: cells[1].parse().unwrap(),
                hash: cells[2].parse().unwrap(),
            }
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct Expected {
    query: String,
    compared: String,
    query_percent: f64,
    compared_percent: f64,
}

#[test]
fn percentages_equal_the_reference_matchers() {
    let expected: Vec<Expected> = serde_json::from_str(MATCHES).unwrap();
    let video = |name: &str| frames(VIDEOS.iter().find(|(n, _)| *n == name).unwrap().1);
    assert_eq!(expected.len(), VIDEOS.len() * VIDEOS.len());
    let mut decisions = [0, 0];
    for e in &expected {
        let m = match_frames(&video(&e.query), &video(&e.compared));
        // The same arithmetic (count * 100 / n in doubles): equal, not merely close.
        assert_eq!(
            (m.query_percent, m.compared_percent),
            (e.query_percent, e.compared_percent),
            "{} in {}",
            e.query,
            e.compared
        );
        decisions[m.is_match() as usize] += 1;
    }
    // Both decisions occur, so the comparison above is not vacuous.
    assert!(decisions[0] > 0 && decisions[1] > 0, "{decisions:?}");
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_expected_file_is_listed() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/video/expected"
    );
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".csv").map(String::from))
        .collect();
    on_disk.sort();
    let listed: Vec<String> = VIDEOS.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(on_disk, listed);
}
