//! `hash --vpdq` against Meta's reference vPDQ (PyPI vpdq 0.2.5 on this machine's FFmpeg): the
//! frames, hashes and qualities of every test video equal the reference's own output in
//! tests/fixtures/video/expected/ bit for bit, and files the reference fails on, or that are not
//! videos, get an error code instead of a crash.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{pdq_data, run, scratch};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(300);

fn videos() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/video")
}

/// (frame, quality, hash) of each line of the reference's CSV (frame,quality,hash,timestamp).
fn expected(name: &str) -> Vec<(u64, u64, String)> {
    let path = videos().join("expected").join(format!("{name}.csv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), 4, "{line}");
            (
                cells[0].parse().unwrap(),
                cells[1].parse().unwrap(),
                cells[2].to_string(),
            )
        })
        .collect()
}

/// Runs `hash --vpdq FILES` and returns its JSON lines, checking the keys and their order.
fn hash_vpdq(files: &[&Path]) -> (Option<i32>, Vec<Value>) {
    let mut args = vec![Path::new("hash"), Path::new("--vpdq")];
    args.extend(files);
    let out = run(&args, LIMIT);
    assert!(out.stdout.ends_with('\n'), "{}\n{}", out.stdout, out.stderr);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|text| {
            let value: Value = serde_json::from_str(text).expect(text);
            let keys = [
                "file",
                "size",
                "sha256",
                "md5",
                "pdq",
                "vpdq",
                "vpdq_error",
                "error",
            ];
            let at: Vec<usize> = keys
                .iter()
                .map(|k| text.find(&format!("\"{k}\":")).expect(k))
                .collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
            assert_eq!(value.as_object().unwrap().len(), keys.len(), "{text}");
            value
        })
        .collect();
    assert_eq!(lines.len(), files.len(), "{}", out.stdout);
    (out.status.code(), lines)
}

/// The frames of a line with a vPDQ hash as (frame, quality, hash), and whether it is partial.
fn frames(line: &Value) -> (Vec<(u64, u64, String)>, bool) {
    let vpdq = &line["vpdq"];
    assert!(line["vpdq_error"].is_null(), "{line}");
    assert_eq!(vpdq["seconds_per_hash"], 1, "{line}");
    let partial = match vpdq.get("partial") {
        None => false,
        Some(Value::Bool(true)) => true,
        Some(other) => panic!("partial is {other}: present only when true"),
    };
    let frames = vpdq["frames"]
        .as_array()
        .expect("frames")
        .iter()
        .map(|f| {
            assert_eq!(f.as_object().unwrap().len(), 3, "{f}");
            (
                f["frame"].as_u64().unwrap(),
                f["quality"].as_u64().unwrap(),
                f["hash"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (frames, partial)
}

/// The error code of a line without a vPDQ hash (its message must say something).
fn error_code(line: &Value) -> &str {
    assert!(line["vpdq"].is_null(), "{line}");
    let message = line["vpdq_error"]["message"].as_str().expect("a message");
    assert!(!message.is_empty(), "{line}");
    line["vpdq_error"]["code"].as_str().expect("a code")
}

/// Every fixture the reference hashes (expected/NAME.csv), Meta's two sample videos included:
/// the same frames, hashes and qualities, in the same order, and none partial. Among them: the
/// video as the second stream (mandel-h264-audio-first.mp4, where the reference never drains the
/// decoder and so loses the last frame), index at the end, fragmented MP4, Matroska, full range,
/// VP8, VP9, AV1, H.265, an edit list, rescaled, and dimensions that are not multiples of 16.
#[test]
fn every_video_the_reference_hashes_gives_the_references_frames_and_hashes() {
    let dir = videos();
    let expected_dir = dir.join("expected");
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(&expected_dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let video = name.strip_suffix(".csv")?.to_string();
            let path = dir.join(video.replace("__", "/"));
            Some((video, path))
        })
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 17, "{cases:?}");
    let paths: Vec<&Path> = cases.iter().map(|(_, p)| p.as_path()).collect();
    let (status, lines) = hash_vpdq(&paths);
    assert_eq!(status, Some(0));
    for ((name, _), line) in cases.iter().zip(&lines) {
        let (got, partial) = frames(line);
        assert_eq!(got, expected(name), "{name}");
        assert!(!partial, "{name}");
    }
    let audio_first = cases
        .iter()
        .position(|(n, _)| n == "mandel-h264-audio-first.mp4")
        .unwrap();
    assert_eq!(frames(&lines[audio_first]).0.len(), 10);
}

/// The files the reference fails on (expected/NAME.error: an exception, or an abort in libswscale)
/// and other files that are not videos get a code, never a crash, and the run still exits 0.
#[test]
fn files_that_are_not_videos_get_an_error_code() {
    let dir = videos();
    let scratch = scratch("vpdq-not-videos");
    // Random bytes named like a video; a JPEG named like a video.
    let random = scratch.join("random.mp4");
    let bytes: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    std::fs::write(&random, bytes).unwrap();
    let jpeg = pdq_data().join("reg-test-input/dih/bridge-1-original.jpg");
    let jpeg_as_mp4 = scratch.join("photo.mp4");
    std::fs::copy(&jpeg, &jpeg_as_mp4).unwrap();
    let png = pdq_data().join("reg-test-input/pen-and-coaster.png");
    let empty = scratch.join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    // Playlists that name a video beside them: not videos themselves.
    std::fs::copy(dir.join("mandel-h264.mp4"), scratch.join("clip.mp4")).unwrap();
    let concat = scratch.join("list.txt");
    std::fs::write(&concat, "ffconcat version 1.0\nfile clip.mp4\n").unwrap();
    let hls = scratch.join("list.m3u8");
    let playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nclip.mp4\n#EXT-X-ENDLIST\n";
    std::fs::write(&hls, playlist).unwrap();
    // Text that FFmpeg would draw as ANSI art.
    let ansi = scratch.join("notes.txt");
    std::fs::write(&ansi, "\x1b[31mred\x1b[0m text\n".repeat(40)).unwrap();

    let cases: [(&Path, &str); 10] = [
        (&dir.join("audio-only.mp4"), "not-a-video"),
        (&dir.join("empty-track.mp4"), "no-frames"),
        (&jpeg, "not-a-video"),
        (&png, "not-a-video"),
        (&jpeg_as_mp4, "not-a-video"),
        (&random, "decode-failed"),
        (&empty, "not-a-video"),
        (&concat, "not-a-video"),
        (&hls, "not-a-video"),
        (&ansi, "not-a-video"),
    ];
    for name in ["audio-only.mp4", "empty-track.mp4"] {
        assert!(dir.join("expected").join(format!("{name}.error")).exists());
    }
    let paths: Vec<&Path> = cases.iter().map(|(p, _)| *p).collect();
    let (status, lines) = hash_vpdq(&paths);
    assert_eq!(status, Some(0), "vPDQ errors are not read errors");
    for ((path, code), line) in cases.iter().zip(&lines) {
        assert_eq!(error_code(line), *code, "{}: {line}", path.display());
        assert!(line["sha256"].is_string(), "{line}");
    }
    // The pictures still get their PDQ hash.
    assert!(lines[2]["pdq"].is_object() && lines[3]["pdq"].is_object());
}

/// A copy of mandel-h264.mp4 (index first) cut in the middle of its media data: the frames before
/// the cut, equal to the reference's first frames, marked partial. The same for Matroska, whose
/// Segment declares its size.
#[test]
fn a_video_cut_short_gives_the_frames_before_the_cut_marked_partial() {
    let dir = scratch("vpdq-cut");
    let full = expected("mandel-h264.mp4");
    let mut paths = Vec::new();
    for source in ["mandel-h264.mp4", "mandel-h264.mkv"] {
        let bytes = std::fs::read(videos().join(source)).unwrap();
        let path = dir.join(format!("half-{source}"));
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        paths.push(path);
    }
    let (status, lines) = hash_vpdq(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    assert_eq!(status, Some(0));
    for (path, line) in paths.iter().zip(&lines) {
        let (got, partial) = frames(line);
        assert!(partial, "{}: {line}", path.display());
        assert!(
            got.len() >= 3 && got.len() < full.len(),
            "{}: {got:?}",
            path.display()
        );
        assert_eq!(got, full[..got.len()], "{}", path.display());
    }
}

/// A copy of the video with its index (moov) at the end, cut short: without the index nothing
/// can be read. Cut at several places, in the header, the media data and the index, never a
/// crash. (Cut only in the index's last bytes, where the video's tables are whole, it is hashed
/// whole.)
#[test]
fn a_video_cut_before_its_index_is_decode_failed() {
    let dir = scratch("vpdq-cut-moov-end");
    let bytes = std::fs::read(videos().join("mandel-h264-moov-end.mp4")).unwrap();
    let paths: Vec<PathBuf> = [16, 1000, bytes.len() / 2, bytes.len() - 1000]
        .iter()
        .map(|&len| {
            let path = dir.join(format!("cut-{len}.mp4"));
            std::fs::write(&path, &bytes[..len]).unwrap();
            path
        })
        .collect();
    let (status, lines) = hash_vpdq(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    assert_eq!(status, Some(0));
    for (path, line) in paths.iter().zip(&lines) {
        assert_eq!(error_code(line), "decode-failed", "{}", path.display());
    }
}

/// Damaged copies (bits flipped, zeroed runs, cuts) of videos in several containers and codecs:
/// never a crash, a line for each, and the same line for the same file every time (a frame is
/// converted before the decoder runs again, as in the reference: H.264 may write again into a
/// frame it returned when the stream is damaged).
#[test]
fn damaged_videos_never_crash_and_hash_the_same_every_time() {
    let dir = scratch("vpdq-damaged");
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |below: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    };
    let sources = [
        "mandel-h264.mp4",
        "mandel-h264.mkv",
        "mandel-h264-moov-end.mp4",
        "mandel-h264-fragmented.mp4",
        "mandel-vp9.webm",
        "mandel-hevc.mp4",
    ];
    let mut paths = Vec::new();
    for i in 0..24 {
        let source = sources[i % sources.len()];
        let mut bytes = std::fs::read(videos().join(source)).unwrap();
        match i / sources.len() {
            0 => (0..20).for_each(|_| {
                let at = next(bytes.len());
                bytes[at] ^= 1 << next(8);
            }),
            1 => {
                let at = next(bytes.len());
                let end = (at + 1 + next(4000)).min(bytes.len());
                bytes[at..end].fill(0);
            }
            2 => bytes.truncate(next(bytes.len())),
            _ => (0..500).for_each(|_| {
                let at = next(bytes.len());
                bytes[at] = next(256) as u8;
            }),
        }
        let path = dir.join(format!("{i:02}-{source}"));
        std::fs::write(&path, &bytes).unwrap();
        paths.push(path);
    }
    let twice: Vec<&Path> = paths.iter().chain(&paths).map(PathBuf::as_path).collect();
    let (status, lines) = hash_vpdq(&twice);
    assert_eq!(status, Some(0));
    let (first, second) = lines.split_at(paths.len());
    for ((path, a), b) in paths.iter().zip(first).zip(second) {
        assert_eq!(a, b, "{}", path.display());
        assert!(a["vpdq"].is_object() != a["vpdq_error"].is_object(), "{a}");
    }
}

/// A video under 5 pixels a side (made here by the `ffmpeg` program, which tools/setup.sh
/// installs): every picked frame gets the all-zero hash with quality 0, as PDQ gives a picture that
/// small. (The reference throws on such a frame in a hashing thread: the process aborts.)
#[test]
fn a_video_under_five_pixels_a_side_gets_zero_hashes() {
    let path = scratch("vpdq-tiny").join("tiny-4x4.mkv");
    let made = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=4x4:rate=30")
        .args(["-t", "2", "-pix_fmt", "yuv444p", "-c:v", "ffv1"])
        .arg(&path)
        .status()
        .expect("the ffmpeg program (tools/setup.sh installs it)");
    assert!(made.success());
    let (_, lines) = hash_vpdq(&[&path]);
    let zero = "0".repeat(64);
    assert_eq!(
        frames(&lines[0]),
        (vec![(0, 0, zero.clone()), (30, 0, zero)], false)
    );
}

/// FFmpeg tells the container by its bytes: a video named like a photo is hashed as the video.
#[test]
fn the_file_name_does_not_decide() {
    let dir = scratch("vpdq-names");
    let path = dir.join("holiday.jpg");
    std::fs::copy(videos().join("mandel-h264.mp4"), &path).unwrap();
    let (_, lines) = hash_vpdq(&[&path]);
    assert_eq!(frames(&lines[0]), (expected("mandel-h264.mp4"), false));
    assert!(lines[0]["pdq"].is_null());
}

/// An unreadable file has both vPDQ keys null (and fails the run, as without --vpdq); without
/// --vpdq the line has neither key.
#[test]
fn vpdq_keys_only_with_the_flag_and_null_for_unreadable_files() {
    let missing = scratch("vpdq-missing").join("no such video.mp4");
    let (status, lines) = hash_vpdq(&[&missing]);
    assert_eq!(status, Some(1));
    assert!(lines[0]["vpdq"].is_null() && lines[0]["vpdq_error"].is_null());
    assert!(lines[0]["error"].is_string());

    let video = videos().join("mandel-h264.mp4");
    let out = run(&[Path::new("hash"), &video], LIMIT);
    assert!(out.status.success());
    assert!(!out.stdout.contains("vpdq"), "{}", out.stdout);
    common::lines(&out.stdout, false);
}

#[test]
fn help_describes_vpdq() {
    let out = run(&["hash", "--help"], LIMIT);
    assert!(out.status.success());
    let help = out.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "--vpdq",
        "\"seconds_per_hash\": 1",
        "not-a-video",
        "unsupported-codec",
        "decode-failed",
        "no-frames",
        "\"partial\": true",
        "do not change the exit status",
    ] {
        assert!(
            help.contains(needle),
            "--help lacks {needle:?}:\n{}",
            out.stdout
        );
    }
}
