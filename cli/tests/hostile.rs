//! Bad input: the fixtures of `tests/fixtures/make-hostile.mjs` (truncated, empty, random and
//! mislabelled files, a 40000x40000 PNG, images under 5 pixels a side, an animated GIF, an SVG
//! with a script, a PNG of width 0, and large pictures of up to 110 megapixels with copies ten
//! times smaller), each hashed by its own run of `report-helper`, which must end in time, give the
//! digests Node computed in the manifest, and a sensible pdq/error.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use common::{distance, lines, run_in, scratch, Line};
use serde::Deserialize;

/// For a file that is refused or small: it must never take long, whatever the build.
const LIMIT: Duration = Duration::from_secs(20);

/// For a large picture, which is decoded and hashed in full: real work, which a build without
/// optimisations (`cargo test`) does some twenty times slower (measured here for the
/// 110-megapixel one: 42 s in the test build, 1.7 s in the release build).
const PICTURE_LIMIT: Duration = Duration::from_secs(if cfg!(debug_assertions) { 300 } else { 20 });

/// The reference's match threshold: hashes at most this many bits apart are the same picture.
const MATCH_DISTANCE: u32 = 31;

const NOT_AN_IMAGE: &str = "not an image this tool decodes (JPEG, PNG, WebP, GIF, BMP)";

#[derive(Deserialize)]
struct Manifest {
    files: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    size: u64,
    sha256: String,
    md5: String,
    sha1: String,
    width: Option<u32>,
    height: Option<u32>,
}

impl Entry {
    fn size(&self) -> (u32, u32) {
        (self.width.unwrap_or(0), self.height.unwrap_or(0))
    }
}

/// What `report-helper` must say about each fixture.
enum Expect {
    /// Decoded and hashed; sides under 5 pixels give the all-zero hash with quality 0.
    TooSmallToHash,
    /// Refused from its header, before decoding.
    TooLarge,
    /// The first of its three frames, which is one flat colour (quality 0).
    FirstFrameOfGif,
    /// A smooth picture, hashed in full at quality 100; a copy ten times smaller, if there is one,
    /// gets a matching hash.
    Picture,
    NotAnImage,
    Empty,
    DecodeError,
}

fn expectation(name: &str) -> Option<Expect> {
    Some(match name {
        "truncated.jpg" | "truncated.png" | "random-jpeg-header.jpg" | "zero-dims.png" => {
            Expect::DecodeError
        }
        "empty.jpg" => Expect::Empty,
        "random.jpg" | "image.svg" | "text.txt" => Expect::NotAnImage,
        // Over 100 megapixels: refused, as the browser decodes no more (it scales such a
        // picture down while decoding; the native decoders cannot).
        "huge-40000x40000.png" | "cells-11000x10000.png" => Expect::TooLarge,
        "tall-1x10000.png" | "wide-10000x1.png" | "tiny-4x4.png" => Expect::TooSmallToHash,
        "animated.gif" => Expect::FirstFrameOfGif,
        name if name.starts_with("cells-") => Expect::Picture,
        _ => return None,
    })
}

/// Makes the fixtures once for both tests (the script does nothing when they are already there
/// and up to date) and reads the manifest.
fn fixtures() -> &'static (PathBuf, Manifest) {
    static FIXTURES: OnceLock<(PathBuf, Manifest)> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = scratch("cli-hostile");
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/make-hostile.mjs");
        let out = Command::new("node")
            .arg(&script)
            .arg(&dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run node (Node.js is needed for this test): {e}"));
        assert!(
            out.status.success(),
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
        (dir, serde_json::from_str(&manifest).unwrap())
    })
}

#[test]
fn bad_and_odd_files_get_digests_and_a_clear_outcome_in_time() {
    let (dir, manifest) = fixtures();
    let names: BTreeSet<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    let unknown: Vec<_> = names.iter().filter(|n| expectation(n).is_none()).collect();
    assert!(
        unknown.is_empty(),
        "fixtures this test does not know: {unknown:?}"
    );
    for known in [
        "truncated.jpg",
        "huge-40000x40000.png",
        "animated.gif",
        "image.svg",
    ] {
        assert!(names.contains(known), "no {known} in the manifest");
    }

    let entries = manifest.files.iter().filter(|e| !is_picture(e));
    hash_each(dir, entries, LIMIT);
}

#[test]
fn large_pictures_are_hashed_like_their_small_copies() {
    let (dir, manifest) = fixtures();
    let pictures: Vec<&Entry> = manifest.files.iter().filter(|e| is_picture(e)).collect();
    assert!(!pictures.is_empty());
    let hashes = hash_each(dir, pictures.iter().copied(), PICTURE_LIMIT);

    let mut pairs = 0;
    for (big, big_hash) in pictures.iter().zip(&hashes) {
        let (w, h) = big.size();
        let small = pictures.iter().position(|s| s.size() == (w / 10, h / 10));
        if let Some(i) = small {
            let bits = distance(big_hash, &hashes[i]);
            let _ = writeln!(
                std::io::stderr(),
                "{} and {}: {bits} bits apart",
                big.name,
                pictures[i].name
            );
            assert!(
                bits <= MATCH_DISTANCE,
                "{} does not match its copy",
                big.name
            );
            pairs += 1;
        }
    }
    assert!(pairs > 0, "no picture has a copy ten times smaller");
}

fn is_picture(entry: &Entry) -> bool {
    matches!(expectation(&entry.name), Some(Expect::Picture))
}

/// Hashes each file in its own run and checks it; returns the PDQ hashes (empty if none).
fn hash_each<'a>(
    dir: &Path,
    entries: impl Iterator<Item = &'a Entry>,
    limit: Duration,
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut timings = Vec::new();
    let mut hashes = Vec::new();
    for entry in entries {
        let run = run_in(dir, &["hash", "--sha1", &entry.name], limit);
        timings.push(format!("{} {:.2?}", entry.name, run.took));
        assert!(run.status.success(), "{}: {:?}", entry.name, run.status);
        let [line]: [Line; 1] = lines(&run.stdout, true).try_into().unwrap();
        assert_eq!(line.file, entry.name);
        let digests = (line.size, line.sha256, line.md5, line.sha1);
        let expected = (
            Some(entry.size),
            Some(entry.sha256.clone()),
            Some(entry.md5.clone()),
            Some(entry.sha1.clone()),
        );
        if digests != expected {
            failures.push(format!("{}: digests {digests:?}", entry.name));
        }
        if let Err(why) = check(dir, entry, &line.pdq, line.error.as_deref()) {
            failures.push(format!("{}: {why}: {}", entry.name, run.stdout.trim_end()));
        }
        hashes.push(line.pdq.map(|p| p.hash).unwrap_or_default());
    }
    let _ = writeln!(std::io::stderr(), "\ntime per run: {}", timings.join(", "));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    hashes
}

fn check(
    dir: &Path,
    entry: &Entry,
    pdq: &Option<common::Pdq>,
    error: Option<&str>,
) -> Result<(), String> {
    let ok = |cond: bool, what: &str| if cond { Ok(()) } else { Err(what.to_string()) };
    let no_pdq = |expected_error: &dyn Fn(&str) -> bool| {
        ok(pdq.is_none(), "has a PDQ hash")?;
        ok(error.is_some_and(expected_error), "wrong error")
    };
    let size = entry.size();
    match expectation(&entry.name).unwrap() {
        Expect::DecodeError => no_pdq(&|e| e.starts_with("could not decode the image: ")),
        Expect::Empty => no_pdq(&|e| e == "empty file (0 bytes): not an image"),
        Expect::NotAnImage => no_pdq(&|e| e == NOT_AN_IMAGE),
        Expect::TooLarge => no_pdq(&|e| {
            e == format!(
                "image too large to decode: {} x {} pixels, over 100 megapixels",
                size.0, size.1
            )
        }),
        Expect::TooSmallToHash => {
            let pdq = pdq.as_ref().ok_or("no PDQ hash")?;
            ok(error.is_none(), "has an error")?;
            ok((pdq.width, pdq.height) == size, "wrong size")?;
            ok(
                pdq.hash == "0".repeat(64) && pdq.quality == 0,
                "not the zero hash",
            )
        }
        Expect::Picture => {
            let pdq = pdq.as_ref().ok_or("no PDQ hash")?;
            ok(error.is_none(), "has an error")?;
            ok((pdq.width, pdq.height) == size, "wrong size")?;
            ok(pdq.quality == 100, "quality under 100")
        }
        Expect::FirstFrameOfGif => {
            let pdq = pdq.as_ref().ok_or("no PDQ hash")?;
            ok(error.is_none(), "has an error")?;
            ok((pdq.width, pdq.height) == size, "wrong size")?;
            // The other two frames have stripes and checks, which give quality above 0.
            ok(
                pdq.quality == 0,
                "quality above 0: not the flat first frame",
            )?;
            // Same pixels, same hash: a BMP of the first frame's colour everywhere.
            let same = first_frame_as_bmp(dir, entry, size);
            let run = run_in(dir, &[Path::new("hash"), &same], LIMIT);
            let [bmp]: [Line; 1] = lines(&run.stdout, false).try_into().unwrap();
            let bmp = bmp.pdq.ok_or("the BMP has no PDQ hash")?;
            ok(
                bmp.hash == pdq.hash,
                "hash differs from the same pixels as a BMP",
            )
        }
    }
}

/// Writes a 24-bit BMP of the GIF fixture's first frame, which make-hostile.mjs draws in colour 1
/// of the GIF's global colour table at every pixel, and returns its path.
fn first_frame_as_bmp(dir: &Path, entry: &Entry, (width, height): (u32, u32)) -> PathBuf {
    let gif = std::fs::read(dir.join(&entry.name)).unwrap();
    assert_eq!(gif[10] & 0x80, 0x80, "no global colour table");
    let [r, g, b] = [gif[16], gif[17], gif[18]]; // entry 1: the table starts at byte 13
    let row_len = (width as usize * 3).div_ceil(4) * 4;
    let pixels = row_len * height as usize;
    let mut bmp = Vec::new();
    bmp.extend(b"BM");
    bmp.extend((54 + pixels as u32).to_le_bytes());
    bmp.extend([0; 4]);
    bmp.extend(54u32.to_le_bytes());
    bmp.extend(40u32.to_le_bytes()); // BITMAPINFOHEADER
    bmp.extend(width.to_le_bytes());
    bmp.extend(height.to_le_bytes());
    bmp.extend(1u16.to_le_bytes()); // planes
    bmp.extend(24u16.to_le_bytes()); // bits per pixel
    bmp.extend([0; 24]); // no compression, sizes and palette left at 0
    for _ in 0..height {
        let mut row: Vec<u8> = (0..width).flat_map(|_| [b, g, r]).collect();
        row.resize(row_len, 0);
        bmp.extend(row);
    }
    let path = scratch("cli-hostile-bmp").join("first-frame.bmp");
    std::fs::write(&path, bmp).unwrap();
    path
}
