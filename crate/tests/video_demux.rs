//! The demuxer against FFmpeg 5.1: for every test video (and a few variants), the sample list,
//! timestamps, flags, file positions, frame count, codec configuration and frame rate must be what
//! ffprobe reports (crate/tests/vectors/video/make_expected.py wrote those reports).

#[path = "video_harness.rs"]
mod harness;

use harness::{
    demux, listed, read, uneven_fragments, without_default_duration, Outcome, Source, FIXTURES,
    VECTORS,
};
use report_helper::video::rational::av_reduce;
use report_helper::video::{sniff, Codec, Container, Ending, VideoError};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Every expected report, with the bytes of the file it describes.
fn cases() -> Vec<(String, Value, Vec<u8>)> {
    let names: Vec<&str> = listed(VECTORS, ".json");
    assert!(names.len() >= 20, "expected reports are missing");
    names
        .into_iter()
        .map(|name| {
            let v: Value = serde_json::from_slice(read(name)).unwrap();
            let mut bytes = read(v["file"].as_str().unwrap()).to_vec();
            if v["derive"] == "no-default-duration" {
                bytes = without_default_duration(bytes);
            }
            if v["derive"] == "uneven-fragments" {
                bytes = uneven_fragments(bytes);
            }
            (name.to_string(), v, bytes)
        })
        .collect()
}

/// The embedded list holds every file of the fixture and vector folders (natively only: the
/// browser has no file system).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_file_is_listed() {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path.to_string_lossy().into_owned());
            }
        }
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut found = Vec::new();
    walk(&std::path::Path::new(root).join(FIXTURES), &mut found);
    walk(&std::path::Path::new(root).join(VECTORS), &mut found);
    let wanted = [".mp4", ".mkv", ".webm", "frame-rates.json"];
    let vectors = format!("{VECTORS}/");
    for path in found {
        let rel = path.trim_start_matches(root).trim_start_matches('/');
        let listable = wanted.iter().any(|w| rel.ends_with(w))
            || (rel.starts_with(&vectors) && rel.ends_with(".json"));
        if listable {
            assert!(
                harness::FILES.iter().any(|(p, _)| *p == rel),
                "{rel} is not in FILES"
            );
        }
    }
}

fn column(v: &Value, name: &str) -> Vec<Option<i64>> {
    v["packets"][name]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::as_i64)
        .collect()
}

fn rate(text: &str) -> Option<(i64, i64)> {
    let (n, d) = text.split_once('/').unwrap();
    let (n, d): (i64, i64) = (n.parse().unwrap(), d.parse().unwrap());
    (n != 0 && d != 0).then_some((n, d))
}

/// Checks one outcome against its report and the file; returns the first difference.
fn compare(v: &Value, bytes: &[u8], o: &Outcome) -> Result<(), String> {
    let t = o.track.as_ref().ok_or("no track")?;
    let file = v["file"].as_str().unwrap();
    let mkv = file.ends_with(".mkv") || file.ends_with(".webm");
    let tb = v["time_base"].as_str().unwrap();
    if tb != format!("1/{}", t.timescale) {
        return Err(format!("time base {tb}, demuxer timescale {}", t.timescale));
    }
    if t.first_stream != (v["stream_index"] == 0) {
        return Err(format!(
            "first_stream {} for stream index {}",
            t.first_stream, v["stream_index"]
        ));
    }
    if (i64::from(t.coded_width), i64::from(t.coded_height))
        != (v["width"].as_i64().unwrap(), v["height"].as_i64().unwrap())
    {
        return Err(format!("size {}x{}", t.coded_width, t.coded_height));
    }
    if t.codec_string.as_deref() != v["codec_string"].as_str() {
        return Err(format!(
            "codec string {:?}, expected {}",
            t.codec_string, v["codec_string"]
        ));
    }
    let extradata = v["extradata"].as_str().unwrap();
    let description: String = t
        .description
        .iter()
        .flatten()
        .map(|b| format!("{b:02x}"))
        .collect();
    let h26x = matches!(t.codec, Codec::H264 | Codec::H265);
    if h26x && description != extradata {
        return Err("description is not the avcC/hvcC record".into());
    }
    if !h26x && t.description.is_some() {
        return Err("a description for a codec that has none".into());
    }
    if let Some(expected) = v["avg_frame_rate"].as_str() {
        if t.frame_rate != rate(expected) {
            return Err(format!("frame rate {:?}, FFmpeg {expected}", t.frame_rate));
        }
    }

    let pts = column(v, "pts");
    let dts = column(v, "dts");
    let size = column(v, "size");
    let pos = column(v, "pos");
    let key = column(v, "key");
    let discard = column(v, "discard");
    if o.samples.len() != size.len() {
        return Err(format!(
            "{} samples, FFmpeg {} packets",
            o.samples.len(),
            size.len()
        ));
    }
    let disposable = v["disposable"].as_array();
    for (k, s) in o.samples.iter().enumerate() {
        let got = (
            Some(s.pts),
            (!mkv).then_some(s.dts),
            Some(s.data.len() as i64),
            Some(s.pos as i64),
            Some(i64::from(s.key)),
            Some(i64::from(s.discard)),
        );
        let want = (
            pts[k],
            if mkv { None } else { dts[k] },
            size[k],
            pos[k],
            key[k],
            discard[k],
        );
        if got != want || s.decode_index != k as u64 {
            return Err(format!(
                "packet {k}: (pts, dts, size, pos, key, discard) {got:?}, FFmpeg {want:?}"
            ));
        }
        // The bytes are the file's at that position (after the block head in Matroska: track
        // number 1, time and flags).
        let at = s.pos as usize + if mkv { 4 } else { 0 };
        if bytes.get(at..at + s.data.len()) != Some(&s.data[..]) {
            return Err(format!(
                "packet {k}: the data are not the file's bytes at {at}"
            ));
        }
        if let Some(d) = disposable {
            if d[k].as_i64() != Some(i64::from(s.disposable)) {
                return Err(format!(
                    "packet {k}: disposable {}, trace_headers {}",
                    s.disposable, d[k]
                ));
            }
        }
    }
    // The frames FFmpeg's decoder returns are the samples not discarded.
    let frames = o.samples.iter().filter(|s| !s.discard).count() as u64;
    let decoded = v["nb_read_frames"].as_u64().unwrap_or(0);
    if frames != decoded {
        return Err(format!(
            "{frames} samples not discarded, FFmpeg decodes {decoded} frames"
        ));
    }
    if !mkv && t.frame_count != Some(decoded) {
        return Err(format!("frame_count {:?}, FFmpeg {decoded}", t.frame_count));
    }
    if o.ending != Ending::Complete {
        return Err(format!("ending {:?}", o.ending));
    }
    Ok(())
}

#[test]
fn every_video_matches_ffprobe() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, v, bytes) in cases() {
        if v["video"] == false {
            continue;
        }
        // Chunks that split every element and box, and the browser's 1 MiB.
        for chunk in [1 << 20, 4093, 7] {
            let outcome = demux(&Source::new(&bytes), chunk);
            let result = match &outcome {
                Ok(o) => compare(&v, &bytes, o),
                Err(e) => Err(format!("error {e}")),
            };
            if let Err(e) = result {
                failures.push(format!("{name} (chunks of {chunk}): {e}"));
                break;
            }
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 22);
}

#[test]
fn frame_rates_match_libavformat() {
    let rates: Value =
        serde_json::from_slice(read(&format!("{FIXTURES}/expected/frame-rates.json"))).unwrap();
    let rates = rates.as_object().unwrap();
    assert_eq!(rates.len(), 19);
    for (name, expected) in rates {
        let path = format!("{FIXTURES}/{}", name.replace("__", "/"));
        let result = demux(&Source::new(read(&path)), 1 << 20);
        match (expected.is_null(), result) {
            (true, Err(VideoError::NotAVideo)) => {}
            (false, Ok(o)) => {
                let t = o.track.unwrap();
                assert_eq!(
                    t.frame_rate,
                    rate(expected["avg_frame_rate"].as_str().unwrap()),
                    "{name}"
                );
                // Where there is no average rate, the reference takes r_frame_rate.
                if t.frame_rate.is_none() && t.frame_count != Some(0) {
                    assert_eq!(
                        t.r_frame_rate,
                        rate(expected["r_frame_rate"].as_str().unwrap()),
                        "{name}: r_frame_rate"
                    );
                }
            }
            (_, other) => panic!("{name}: {:?}", other.map(|o| o.track)),
        }
    }
}

#[test]
fn cut_file_decodes_the_frames_ffmpeg_counts() {
    // A stream-copied cut at 3.5 s: the edit list starts mid-GOP, so the leading samples are
    // decoded and dropped.
    let o = demux(
        &Source::new(read(&format!("{FIXTURES}/mandel-cut.mp4"))),
        1 << 20,
    )
    .unwrap();
    let t = o.track.as_ref().unwrap();
    assert_eq!(t.frame_count, Some(186));
    assert_eq!(o.samples.len(), 231);
    assert_eq!(o.samples.iter().filter(|s| s.discard).count(), 45);
    // Frame numbers: presentation order of the kept samples, 0..186 each once.
    let mut numbered: Vec<(u64, i64)> = o
        .samples
        .iter()
        .zip(&o.frame_numbers)
        .filter_map(|(s, n)| n.map(|n| (n, s.pts)))
        .collect();
    assert_eq!(numbered.len(), 186);
    numbered.sort();
    assert!(numbered
        .iter()
        .enumerate()
        .all(|(i, &(n, _))| n == i as u64));
    assert!(numbered.windows(2).all(|w| w[0].1 < w[1].1));
    assert_eq!(numbered[0].1, 0);
    for (s, n) in o.samples.iter().zip(&o.frame_numbers) {
        assert_eq!(s.discard, n.is_none());
    }
    // Decoding starts at a key frame.
    assert!(o.samples[0].key);
}

#[test]
fn repeated_samples_are_read_with_ranges() {
    // Two edits that show a second twice: samples repeat, so they cannot come from one pass.
    let bytes = read(&format!("{VECTORS}/derived/trimmed-two-edits.mp4"));
    let o = demux(&Source::new(bytes), 1 << 20).unwrap();
    assert_eq!(o.samples.len(), 242);
    // One coalesced read for each edit (the moov is in the head), and no stream.
    assert_eq!(o.range_reads, 2);
    assert!(o.range_bytes < 3 * bytes.len() as u64);
    // The same file in order needs one stream and a few header reads.
    let o = demux(
        &Source::new(read(&format!("{FIXTURES}/mandel-h264-moov-end.mp4"))),
        1 << 20,
    )
    .unwrap();
    assert!(o.range_reads <= 3, "{} Range reads", o.range_reads);
}

#[test]
fn matroska_has_no_frame_numbers() {
    let o = demux(
        &Source::new(read(&format!("{FIXTURES}/mandel-vp9.webm"))),
        1 << 20,
    )
    .unwrap();
    assert!(o.frame_numbers.iter().all(Option::is_none));
    assert_eq!(o.track.unwrap().frame_count, None);
}

#[test]
fn tracks_describe_the_stream() {
    let o = demux(
        &Source::new(read(&format!("{FIXTURES}/mandel-h264.mp4"))),
        1 << 20,
    )
    .unwrap();
    let t = o.track.unwrap();
    assert_eq!(t.codec, Codec::H264);
    assert_eq!(t.frame_rate, Some((30000, 1001)));
    let seconds = t.duration_seconds.unwrap();
    assert!((seconds - 9.7097).abs() < 0.001, "{seconds}");
    let o = demux(
        &Source::new(read(&format!("{FIXTURES}/mandel-vp9.webm"))),
        1 << 20,
    )
    .unwrap();
    let t = o.track.unwrap();
    assert_eq!(t.codec, Codec::Vp9);
    assert!((t.duration_seconds.unwrap() - 9.709).abs() < 0.001);
    let o = demux(
        &Source::new(read(&format!("{FIXTURES}/mandel-h264-audio-first.mp4"))),
        1 << 20,
    )
    .unwrap();
    assert!(!o.track.unwrap().first_stream);
}

#[test]
fn audio_only_and_empty_tracks() {
    let audio = read(&format!("{FIXTURES}/audio-only.mp4"));
    assert_eq!(
        demux(&Source::new(audio), 1 << 20).err(),
        Some(VideoError::NotAVideo)
    );
    let o = demux(
        &Source::new(read(&format!("{FIXTURES}/empty-track.mp4"))),
        1 << 20,
    )
    .unwrap();
    let t = o.track.unwrap();
    assert_eq!((t.frame_count, t.frame_rate), (Some(0), None));
    assert!(o.samples.is_empty());
    assert_eq!(o.ending, Ending::Complete);
}

#[test]
fn sniffs_by_signature_only() {
    assert_eq!(
        sniff(read(&format!("{FIXTURES}/mandel-h264.mp4"))),
        Some(Container::Mp4)
    );
    assert_eq!(
        sniff(read(&format!("{FIXTURES}/mandel-vp8.webm"))),
        Some(Container::Matroska)
    );
    assert_eq!(
        sniff(read(&format!("{FIXTURES}/mandel-h264.mkv"))),
        Some(Container::Matroska)
    );
    // Files that start with a box other than ftyp.
    assert_eq!(sniff(b"\0\0\0\x08free\0\0\0\x10moov"), Some(Container::Mp4));
    assert_eq!(
        sniff(b"\0\0\0\x01mdat\0\0\0\0\0\0\0\x10"),
        Some(Container::Mp4)
    );
    assert_eq!(sniff(b"\0\0\0\x01mdat\0\0\0\0\0\0\0\x02"), None);
    assert_eq!(sniff(b"\0\0\0\x04moov"), None);
    assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), None);
    assert_eq!(sniff(b"RIFF\0\0\0\0AVI "), None);
    assert_eq!(sniff(b""), None);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    assert_eq!(
        report_helper::video::Demuxer::new(png.len() as u64, png).err(),
        Some(VideoError::UnknownFormat)
    );
}

#[test]
fn reduces_rates_as_ffmpeg_does() {
    // matroskadec.c with DefaultDuration 33366667 ns (29.97 fps), and av_reduce's approximation.
    assert_eq!(
        av_reduce(1_000_000_000, 33_366_667, 30000),
        (30000, 1001, false)
    );
    assert_eq!(av_reduce(1_000_000_000, 33_333_333, 30000), (30, 1, false));
    assert_eq!(
        av_reduce(30000 * 291, 1001 * 291, i64::from(i32::MAX)),
        (30000, 1001, true)
    );
    assert_eq!(
        av_reduce(15360 * 120, 61440, i64::from(i32::MAX)),
        (30, 1, true)
    );
}

/// An EBML element with an 8-byte size.
fn el(id: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    out.push(0x01);
    out.extend_from_slice(&(payload.len() as u64).to_be_bytes()[1..]);
    out.extend_from_slice(payload);
    out
}

/// An EBML element of unknown size (its children follow).
fn open(id: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    out.extend_from_slice(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    out
}

/// Appends a block element; returns where its data starts in `f`.
fn block(f: &mut Vec<u8>, id: &[u8], data: &[u8]) -> u64 {
    let at = (f.len() + id.len() + 8) as u64;
    f.extend(el(id, data));
    at
}

/// A recording as Chrome's MediaRecorder writes it: unknown-size Segment and Clusters, an audio
/// track first, no Duration, no Cues; plus what MediaRecorder does not write but Matroska allows:
/// BlockGroups, Xiph lacing and header stripping. Returns the file and the position of each video
/// block's data.
fn recorder_webm() -> (Vec<u8>, Vec<u64>) {
    let mut f = el(&[0x1A, 0x45, 0xDF, 0xA3], &el(&[0x42, 0x82], b"webm"));
    f.extend(open(&[0x18, 0x53, 0x80, 0x67]));
    f.extend(el(
        &[0x15, 0x49, 0xA9, 0x66],
        &el(&[0x2A, 0xD7, 0xB1], &[0x0F, 0x42, 0x40]),
    ));
    let audio = [el(&[0xD7], &[2]), el(&[0x83], &[2]), el(&[0x86], b"A_OPUS")].concat();
    let strip = el(
        &[0x6D, 0x80],
        &el(
            &[0x62, 0x40],
            &[
                el(&[0x50, 0x32], &[1]),
                el(
                    &[0x50, 0x34],
                    &[el(&[0x42, 0x54], &[3]), el(&[0x42, 0x55], &[0xAB])].concat(),
                ),
            ]
            .concat(),
        ),
    );
    let video = [
        el(&[0xD7], &[1]),
        el(&[0x83], &[1]),
        el(&[0x86], b"V_VP8"),
        el(&[0x23, 0xE3, 0x83], &40_000_000u32.to_be_bytes()),
        el(
            &[0xE0],
            &[el(&[0xB0], &[0x01, 0x40]), el(&[0xBA], &[0xF0])].concat(),
        ),
        strip,
    ]
    .concat();
    f.extend(el(
        &[0x16, 0x54, 0xAE, 0x6B],
        &[el(&[0xAE], &audio), el(&[0xAE], &video)].concat(),
    ));
    let mut positions = Vec::new();
    f.extend(open(&[0x1F, 0x43, 0xB6, 0x75]));
    f.extend(el(&[0xE7], &[0x03, 0xE8])); // cluster at 1000 ms
    positions.push(block(&mut f, &[0xA3], &[0x81, 0x00, 0x00, 0x80, 1, 1, 1])); // key, +0
    f.extend(el(&[0xA3], &[0x82, 0x00, 0x05, 0x80, 9, 9, 9, 9])); // audio: skipped
                                                                  // A BlockGroup with a ReferenceBlock (+40), one without (+80, key).
    let mut group = Vec::new();
    let inner = block(&mut group, &[0xA1], &[0x81, 0x00, 0x28, 0x00, 2, 2]);
    group.extend(el(&[0xFB], &[0xD8]));
    positions.push(f.len() as u64 + 9 + inner);
    f.extend(el(&[0xA0], &group));
    let mut group = Vec::new();
    let inner = block(&mut group, &[0xA1], &[0x81, 0x00, 0x50, 0x00, 3]);
    group.extend(el(&[0x9B], &[0x28]));
    positions.push(f.len() as u64 + 9 + inner);
    f.extend(el(&[0xA0], &group));
    // Two Xiph-laced frames at +120 (key), of 3 bytes and the rest.
    positions.push(block(
        &mut f,
        &[0xA3],
        &[0x81, 0x00, 0x78, 0x82, 1, 3, 4, 4, 4, 5, 5],
    ));
    f.extend(open(&[0x1F, 0x43, 0xB6, 0x75]));
    f.extend(el(&[0xE7], &[0x07, 0xD0])); // cluster at 2000 ms
    positions.push(block(&mut f, &[0xA3], &[0x81, 0x00, 0x00, 0x80, 6]));
    f.extend(el(&[0x12, 0x54, 0xC3, 0x67], &[0xEC, 0x80])); // Tags end the cluster
    (f, positions)
}

#[test]
fn recorder_style_webm() {
    let (file, at) = recorder_webm();
    for chunk in [1, 2, 3, 5, 7, 64, 1 << 20] {
        let o = demux(&Source::new(&file), chunk).unwrap();
        let t = o.track.as_ref().unwrap();
        assert_eq!(t.codec_string.as_deref(), Some("vp8"));
        assert_eq!(
            (t.coded_width, t.coded_height, t.timescale),
            (320, 240, 1000)
        );
        assert_eq!(t.frame_rate, Some((25, 1)));
        assert!(!t.first_stream);
        assert_eq!(t.duration_seconds, None);
        let got: Vec<(i64, bool, Vec<u8>, u64)> = o
            .samples
            .iter()
            .map(|s| (s.pts, s.key, s.data.clone(), s.pos))
            .collect();
        let want = vec![
            (1000, true, vec![0xAB, 1, 1, 1], at[0]),
            (1040, false, vec![0xAB, 2, 2], at[1]),
            (1080, true, vec![0xAB, 3], at[2]),
            // The lace of a block lasting 2 × 40 ms: 40 ms each; only the first is a key frame.
            (1120, true, vec![0xAB, 4, 4, 4], at[3]),
            (1160, false, vec![0xAB, 5, 5], at[3]),
            (2000, true, vec![0xAB, 6], at[4]),
        ];
        assert_eq!(got, want, "chunks of {chunk}");
        assert_eq!(o.ending, Ending::Complete);
        assert!(o
            .samples
            .iter()
            .enumerate()
            .all(|(i, s)| s.decode_index == i as u64));
    }
    // Cut inside a block: the file says it is cut short.
    let o = demux(&Source::new(&file[..at[3] as usize + 2]), 7).unwrap();
    assert_eq!(o.samples.len(), 3);
    assert_eq!(
        o.ending,
        Ending::CutShort {
            missing_samples: None
        }
    );
}

#[test]
fn matroska_compression_is_refused() {
    let (file, _) = recorder_webm();
    // ContentCompAlgo 3 (header stripping) becomes 0 (zlib).
    let at = file
        .windows(4)
        .position(|w| w == [0x42, 0x54, 0x01, 0x00])
        .unwrap();
    let mut zlib = file.clone();
    assert_eq!(zlib[at + 10], 3);
    zlib[at + 10] = 0;
    match demux(&Source::new(&zlib), 4096) {
        Err(VideoError::Unsupported(why)) => assert!(why.contains("zlib"), "{why}"),
        other => panic!("{:?}", other.map(|o| o.samples.len())),
    }
}

/// Offsets of the stco entries in `moov` (a test helper, not a parser).
fn stco_entries(file: &[u8], moov_at: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = moov_at;
    while let Some(p) = file[at..].windows(4).position(|w| w == b"stco") {
        let start = at + p + 4;
        let count = u32::from_be_bytes(file[start + 4..start + 8].try_into().unwrap()) as usize;
        out.extend((0..count).map(|i| start + 8 + 4 * i));
        at = start;
    }
    out
}

#[test]
fn mp4_with_a_64_bit_mdat_and_a_moov_to_the_end() {
    let file = read(&format!("{FIXTURES}/mandel-h264-moov-end.mp4")).to_vec();
    let plain = demux(&Source::new(&file), 1 << 20).unwrap();
    // The mdat gets a 16-byte header (size 1, then the 64-bit size); the moov at the end gets
    // size 0 ("to the end of the file"); chunk offsets move by 8.
    let mut at = 0usize;
    let mdat_at = loop {
        let size = u32::from_be_bytes(file[at..at + 4].try_into().unwrap()) as usize;
        if &file[at + 4..at + 8] == b"mdat" {
            break at;
        }
        at += size;
    };
    let mdat_size = u64::from(u32::from_be_bytes(
        file[mdat_at..mdat_at + 4].try_into().unwrap(),
    ));
    let mut big = file[..mdat_at].to_vec();
    big.extend_from_slice(&[0, 0, 0, 1]);
    big.extend_from_slice(b"mdat");
    big.extend_from_slice(&(mdat_size + 8).to_be_bytes());
    big.extend_from_slice(&file[mdat_at + 8..]);
    let moov_at = mdat_at + mdat_size as usize + 8;
    assert_eq!(&big[moov_at + 4..moov_at + 8], b"moov");
    assert_eq!(
        moov_at + u32::from_be_bytes(big[moov_at..moov_at + 4].try_into().unwrap()) as usize,
        big.len()
    );
    big[moov_at..moov_at + 4].copy_from_slice(&[0, 0, 0, 0]);
    for e in stco_entries(&big, moov_at) {
        let v = u32::from_be_bytes(big[e..e + 4].try_into().unwrap()) + 8;
        big[e..e + 4].copy_from_slice(&v.to_be_bytes());
    }
    let moved = demux(&Source::new(&big), 1 << 20).unwrap();
    assert_eq!(moved.samples.len(), plain.samples.len());
    for (a, b) in moved.samples.iter().zip(&plain.samples) {
        assert_eq!(
            (a.pts, a.dts, a.key, &a.data),
            (b.pts, b.dts, b.key, &b.data)
        );
        assert_eq!(a.pos, b.pos + 8);
    }
    assert_eq!(moved.track, plain.track);
}
