//! The demuxer on hostile input: every test video cut short at many points and with bytes
//! changed at many positions (deterministic pseudo-random), and a 2 GiB file. Nothing may panic,
//! the work must stay bounded (the harness fails on endless requests), and a cut file must say
//! so.

#[path = "video_harness.rs"]
mod harness;

use harness::{demux, listed, read, Source, FIXTURES, VECTORS};
use report_helper::video::Ending;
use std::panic::{catch_unwind, AssertUnwindSafe};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn videos() -> Vec<(String, &'static [u8])> {
    let mut out: Vec<(String, &[u8])> = [".mp4", ".mkv", ".webm"]
        .iter()
        .flat_map(|ext| listed(FIXTURES, ext))
        .chain(listed(&format!("{VECTORS}/derived"), ""))
        .map(|p| (p.to_string(), read(p)))
        .collect();
    out.sort();
    assert!(out.len() >= 20);
    out
}

/// xorshift64*: a fixed sequence, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Runs the demuxer, turning a panic into a failure that names the case.
fn survive(case: &str, bytes: &[u8], chunk: usize) -> Option<Ending> {
    let result = catch_unwind(AssertUnwindSafe(|| demux(&Source::new(bytes), chunk)));
    match result {
        Ok(Ok(o)) => {
            // Work stays bounded: Range reads are few and never read the file many times over.
            assert!(
                o.range_bytes <= 4 * bytes.len() as u64 + (1 << 20),
                "{case}: {} bytes of Range reads for a file of {}",
                o.range_bytes,
                bytes.len()
            );
            Some(o.ending)
        }
        Ok(Err(_)) => None,
        Err(_) => panic!("{case}: the demuxer panicked"),
    }
}

#[test]
fn cut_short_anywhere() {
    for (name, bytes) in videos() {
        let n = bytes.len();
        let mut points: Vec<usize> = (0..64).map(|i| n * i / 64).collect();
        points.extend([1, 7, 8, 15, 16, 40, 100, 1000, n - 1, n - 8]);
        for at in points {
            let cut = &bytes[..at.min(n)];
            if let Some(ending) = survive(&format!("{name} cut at {at}"), cut, 64 * 1024) {
                // A file cut inside its samples must not claim to be complete. (Cuts in trailing
                // metadata, such as Matroska Cues or an MP4's audio, lose no video.)
                if at + 1024 < n / 2 && !name.contains("fragmented") {
                    assert_ne!(
                        ending,
                        Ending::Complete,
                        "{name} cut at {at} claims to be complete"
                    );
                }
            }
        }
    }
}

#[test]
fn bytes_changed_anywhere() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut runs, mut read) = (0u32, 0u32);
    for (name, bytes) in videos() {
        let n = bytes.len() as u64;
        for round in 0..160 {
            let mut damaged = bytes.to_vec();
            // Mostly the headers and indexes near either end, where the structure is.
            let changes = 1 + rng.next() % 4;
            for _ in 0..changes {
                let r = rng.next();
                let at = match r % 3 {
                    0 => (r >> 8) % n.min(4096),
                    1 => n - 1 - (r >> 8) % n.min(16384),
                    _ => (r >> 8) % n,
                } as usize;
                damaged[at] = match (r >> 40) % 4 {
                    0 => damaged[at] ^ (1 << ((r >> 48) % 8)),
                    1 => 0xFF,
                    2 => 0,
                    _ => (r >> 32) as u8,
                };
            }
            let chunk = if round % 2 == 0 { 65536 } else { 4093 };
            runs += 1;
            if survive(&format!("{name} change round {round}"), &damaged, chunk).is_some() {
                read += 1;
            }
        }
    }
    // Most changes land in frame data, which the demuxer does not judge: those files still read.
    eprintln!("{read} of {runs} changed files read");
    assert!(read * 3 > runs, "{read} of {runs} changed files read");
}

#[test]
fn a_2_gib_file_keeps_memory_flat() {
    // The faststart H.264 fixture followed by zeros up to 2 GiB (read, not allocated), and the
    // same for the index at the end and for Matroska: the same samples as the fixture alone.
    for name in [
        "mandel-h264.mp4",
        "mandel-h264-moov-end.mp4",
        "mandel-h264.mkv",
    ] {
        let bytes = read(&format!("{FIXTURES}/{name}"));
        let alone = demux(&Source::new(bytes), 1 << 20).unwrap();
        let big = demux(
            &Source {
                bytes,
                size: 2 << 30,
            },
            1 << 20,
        )
        .unwrap();
        assert_eq!(big.samples, alone.samples, "{name}");
        assert_eq!(big.track, alone.track, "{name}");
        assert_eq!(big.ending, Ending::Complete, "{name}");
        // The walk read a few headers, not the zeros.
        assert!(
            big.range_bytes < 1 << 20,
            "{name}: {} bytes of Range reads",
            big.range_bytes
        );
    }
}

fn mp4_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut out = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(payload);
    out
}

/// A full box: version and flags, then the fields.
fn full(kind: &[u8; 4], fields: &[u32]) -> Vec<u8> {
    let mut payload = vec![0u8; 4];
    for f in fields {
        payload.extend_from_slice(&f.to_be_bytes());
    }
    mp4_box(kind, &payload)
}

/// A small MP4 with one H.264 track of three 10-byte samples in one chunk, its tables replaceable.
fn tiny_mp4(stsz: Vec<u8>, stts: Vec<u8>, edts: Vec<u8>, extra_moov: Vec<u8>) -> Vec<u8> {
    let avcc = mp4_box(b"avcC", &[1, 0x42, 0xC0, 0x1E, 0xFF, 0xE0, 0x00]);
    let mut entry = vec![0u8; 78];
    entry[24..26].copy_from_slice(&16u16.to_be_bytes());
    entry[26..28].copy_from_slice(&16u16.to_be_bytes());
    entry.extend(avcc);
    let mut stsd = vec![0, 0, 0, 0, 0, 0, 0, 1];
    stsd.extend(mp4_box(b"avc1", &entry));
    let ftyp = mp4_box(b"ftyp", b"isom\0\0\0\0isom");
    // The mdat's data start is known once the moov's size is.
    let build = |chunk_offset: u32| {
        let stbl = [
            mp4_box(b"stsd", &stsd),
            stts.clone(),
            full(b"stsc", &[1, 1, 3, 1]),
            stsz.clone(),
            full(b"stco", &[1, chunk_offset]),
        ]
        .concat();
        let minf = mp4_box(b"minf", &mp4_box(b"stbl", &stbl));
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(b"vide");
        hdlr.extend_from_slice(&[0; 13]);
        let mdia = [
            full(b"mdhd", &[0, 0, 1000, 300, 0]),
            mp4_box(b"hdlr", &hdlr),
            minf,
        ]
        .concat();
        let trak = [
            full(b"tkhd", &[0, 0, 1, 0, 300]),
            edts.clone(),
            mp4_box(b"mdia", &mdia),
        ]
        .concat();
        let moov = [
            full(b"mvhd", &[0, 0, 1000, 300]),
            mp4_box(b"trak", &trak),
            extra_moov.clone(),
        ]
        .concat();
        mp4_box(b"moov", &moov)
    };
    let moov_len = build(0).len();
    let data_at = (ftyp.len() + moov_len + 8) as u32;
    [ftyp, build(data_at), mp4_box(b"mdat", &[7u8; 30])].concat()
}

fn plain_tables() -> (Vec<u8>, Vec<u8>) {
    (full(b"stsz", &[10, 3]), full(b"stts", &[1, 3, 100]))
}

/// Runs a hostile file: it must end (within a second) in an error or a result, never a panic.
fn hostile(case: &str, bytes: &[u8]) -> Result<usize, String> {
    #[cfg(not(target_arch = "wasm32"))]
    let start = std::time::Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| demux(&Source::new(bytes), 4096)))
        .unwrap_or_else(|_| panic!("{case}: panicked"));
    #[cfg(not(target_arch = "wasm32"))]
    assert!(
        start.elapsed().as_secs_f64() < 1.0,
        "{case}: took {:?}",
        start.elapsed()
    );
    result.map(|o| o.samples.len()).map_err(|e| e.to_string())
}

fn expect_error(result: Result<usize, String>, needle: &str) {
    match result {
        Err(e) => assert!(e.contains(needle), "{e}"),
        Ok(n) => panic!("{n} samples where an error about '{needle}' was due"),
    }
}

#[test]
fn hostile_counts_and_sizes() {
    let (stsz, stts) = plain_tables();
    // The builder is right: three samples.
    assert_eq!(
        hostile(
            "tiny",
            &tiny_mp4(stsz.clone(), stts.clone(), vec![], vec![])
        ),
        Ok(3)
    );
    // Four million constant-size samples in a file of a few hundred bytes.
    let many = full(b"stsz", &[1, 3_999_999]);
    expect_error(
        hostile(
            "many samples",
            &tiny_mp4(many, stts.clone(), vec![], vec![]),
        ),
        "samples in a file of",
    );
    // Counts far beyond what their box holds.
    let table = full(b"stts", &[u32::MAX, 1, 100]);
    expect_error(
        hostile("stts count", &tiny_mp4(stsz.clone(), table, vec![], vec![])),
        "more entries",
    );
    let sizes = full(b"stsz", &[0, u32::MAX, 10]);
    expect_error(
        hostile("stsz count", &tiny_mp4(sizes, stts.clone(), vec![], vec![])),
        "samples in one track",
    );
    // An edit list of 5000 entries.
    let mut elst = vec![0, 0, 0, 0];
    elst.extend_from_slice(&5000u32.to_be_bytes());
    for _ in 0..5000 {
        elst.extend_from_slice(&[0, 0, 0, 100, 0, 0, 0, 0, 0, 1, 0, 0]);
    }
    let edts = mp4_box(b"edts", &mp4_box(b"elst", &elst));
    expect_error(
        hostile("edits", &tiny_mp4(stsz.clone(), stts.clone(), edts, vec![])),
        "edit list",
    );
    // A fragment whose trun announces four billion samples with no per-sample fields.
    let mvex = mp4_box(b"mvex", &full(b"trex", &[1, 1, 100, 10, 0]));
    let mut file = tiny_mp4(stsz.clone(), stts.clone(), vec![], mvex);
    let tfhd = full(b"tfhd", &[1]);
    let trun = full(b"trun", &[0xFFFF_FFF0]);
    file.extend(mp4_box(b"moof", &mp4_box(b"traf", &[tfhd, trun].concat())));
    expect_error(hostile("trun count", &file), "more samples");
    // A moov that claims more than the file.
    let mut file = tiny_mp4(stsz.clone(), stts.clone(), vec![], vec![]);
    let moov_at = file.windows(4).position(|w| w == b"moov").unwrap() - 4;
    file[moov_at..moov_at + 4].copy_from_slice(&0x7FFF_FFF0u32.to_be_bytes());
    expect_error(hostile("moov size", &file), "cut short");
}

#[test]
fn hostile_matroska_sizes() {
    let ebml = |id: &[u8], size: u64, payload: &[u8]| {
        let mut out = id.to_vec();
        out.push(0x01);
        out.extend_from_slice(&size.to_be_bytes()[1..]);
        out.extend_from_slice(payload);
        out
    };
    let head = ebml(&[0x1A, 0x45, 0xDF, 0xA3], 0, &[]);
    // Tracks of a terabyte: refused before anything is allocated.
    let tracks = [
        head.clone(),
        ebml(
            &[0x18, 0x53, 0x80, 0x67],
            1 << 41,
            &ebml(&[0x16, 0x54, 0xAE, 0x6B], 1 << 40, &[]),
        ),
    ]
    .concat();
    assert!(hostile("tracks size", &tracks)
        .unwrap_err()
        .contains("too large"));
    // A video block of a terabyte.
    let entry = [
        ebml(&[0xD7], 1, &[1]),
        ebml(&[0x83], 1, &[1]),
        ebml(&[0x86], 5, b"V_VP8"),
    ]
    .concat();
    let track_list = ebml(
        &[0x16, 0x54, 0xAE, 0x6B],
        (entry.len() + 9) as u64,
        &ebml(&[0xAE], entry.len() as u64, &entry),
    );
    let cluster = ebml(
        &[0x1F, 0x43, 0xB6, 0x75],
        1 << 41,
        &ebml(&[0xA3], 1 << 40, &[0x81, 0, 0, 0x80, 1, 2, 3]),
    );
    let file = [
        head,
        ebml(
            &[0x18, 0x53, 0x80, 0x67],
            1 << 42,
            &[track_list, cluster].concat(),
        ),
    ]
    .concat();
    assert!(hostile("block size", &file)
        .unwrap_err()
        .contains("too large"));
}
