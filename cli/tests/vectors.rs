//! `report-helper hash --dihedral` on every JPEG and PNG of the upstream PDQ vectors, against the
//! rows of Meta's reference outputs (`expected/pdq_cpp_full.csv`, `expected/pdq_cpp_cli512.csv`).
//!
//! PNG decodes are lossless, so hash, quality and the seven dihedral hashes must be exact. JPEG
//! decoders differ slightly (ours is zune-jpeg, the reference's libjpeg-turbo), so each hash of a
//! JPEG may be up to 4 bits away; the distribution and any quality difference are printed.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::{distance, lines, pdq_data, run_in, vectors, Csv};

const JPEG_TOLERANCE: u32 = 4;

/// JPEGs left out of the tolerance, each for a measured decoder difference outside our control.
///
/// q0003.jpg: an almost flat picture (quality 3 in the reference, 2 here) whose DCT coefficients
/// are all near zero, so small pixel differences move bits across the median. zune-jpeg's decode
/// differs from libjpeg-turbo's in 7385 of its 196608 RGB bytes, by at most 3 levels (the decoded
/// RGB's SHA-256 is not the CSV's `decoded_rgb_sha256`), and that puts the hash 6 bits away and
/// the dihedral hashes 2 to 8 bits away, in both variants. The other JPEGs are at most 2 bits
/// away. Platforms discard hashes of quality under 50, so it is still checked that both qualities
/// are under 50, that no hash is more than `EXCLUDED_TOLERANCE` bits away, and the size.
const EXCLUDED_JPEGS: &[&str] = &["reg-test-input/labelme-subset/q0003.jpg"];
/// The bound for the excluded JPEGs: the 8 bits measured, and a little room for another
/// version of the decoder. Far under 31, PDQ's match threshold.
const EXCLUDED_TOLERANCE: u32 = 10;

/// The reference's advice: hashes of lower quality are discarded.
const MIN_USEFUL_QUALITY: u8 = 50;

#[test]
fn full_matches_the_reference() {
    check("full", "pdq_cpp_full.csv");
}

#[test]
fn cli512_matches_the_reference() {
    check("cli512", "pdq_cpp_cli512.csv");
}

/// The JPEG and PNG files under `pdq/data`, as paths relative to it, sorted.
fn images() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if is_image(&path) {
                let relative = path.strip_prefix(base).unwrap();
                out.push(relative.to_str().unwrap().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&pdq_data(), &pdq_data(), &mut out);
    out.sort();
    out
}

fn is_image(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(ext.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png")
}

fn is_png(file: &str) -> bool {
    file.to_ascii_lowercase().ends_with(".png")
}

fn check(variant: &str, csv_name: &str) {
    let csv = Csv::read(&vectors().join("expected").join(csv_name));
    let files = images();
    assert!(files.len() >= 30, "only {} images found", files.len());
    assert!(files.iter().any(|f| is_png(f)) && files.iter().any(|f| !is_png(f)));

    let mut args = vec!["hash", "--pdq", variant, "--dihedral"];
    args.extend(files.iter().map(String::as_str));
    // Run in pdq/data, so that each line's `file` is the path the CSV uses.
    let out = run_in(&pdq_data(), &args, Duration::from_secs(600));
    assert!(out.status.success(), "{}", out.stderr);
    let lines = lines(&out.stdout, false);
    assert_eq!(lines.len(), files.len());

    let mut failures = Vec::new();
    // Distance in bits -> how many hashes; for the hash alone and for all eight hashes.
    let mut main_hash: BTreeMap<u32, usize> = BTreeMap::new();
    let mut all_hashes: BTreeMap<u32, usize> = BTreeMap::new();
    let mut notes = Vec::new();
    for (file, line) in files.iter().zip(&lines) {
        assert_eq!(&line.file, file);
        let row = csv
            .row("file", file)
            .unwrap_or_else(|| panic!("{file} is not in {csv_name}"));
        let Some(pdq) = line.pdq.as_ref() else {
            failures.push(format!("{file}: no PDQ hash: {:?}", line.error));
            continue;
        };
        assert_eq!(line.error, None, "{file}");
        let size = (pdq.width.to_string(), pdq.height.to_string());
        if size != (row.get("width").into(), row.get("height").into()) {
            failures.push(format!("{file}: decoded size {size:?}"));
        }
        let expected_quality: u8 = row.get("quality").parse().unwrap();
        let distances: Vec<(&str, u32)> = pdq
            .columns()
            .into_iter()
            .map(|(column, hash)| (column, distance(hash, row.get(column))))
            .collect();

        if is_png(file) {
            if pdq.quality != expected_quality {
                failures.push(format!(
                    "{file}: quality {}, expected {expected_quality}",
                    pdq.quality
                ));
            }
            for (column, bits) in &distances {
                if *bits != 0 {
                    failures.push(format!("{file}: {column} is {bits} bits off"));
                }
            }
            continue;
        }

        if pdq.quality != expected_quality {
            notes.push(format!(
                "quality of {file}: {} (reference {expected_quality})",
                pdq.quality
            ));
        }
        if EXCLUDED_JPEGS.contains(&file.as_str()) {
            notes.push(format!("excluded {file}: bits off {distances:?}"));
            if pdq.quality >= MIN_USEFUL_QUALITY || expected_quality >= MIN_USEFUL_QUALITY {
                failures.push(format!(
                    "{file} is excluded for a near-flat picture, but its quality is {} \
                     (reference {expected_quality})",
                    pdq.quality
                ));
            }
            for (column, bits) in &distances {
                if *bits > EXCLUDED_TOLERANCE {
                    failures.push(format!(
                        "{file} (excluded): {column} is {bits} bits off (bound {EXCLUDED_TOLERANCE})"
                    ));
                }
            }
            continue;
        }
        *main_hash.entry(distances[0].1).or_default() += 1;
        for (column, bits) in &distances {
            *all_hashes.entry(*bits).or_default() += 1;
            if *bits > JPEG_TOLERANCE {
                failures.push(format!(
                    "{file}: {column} is {bits} bits off (tolerance {JPEG_TOLERANCE})"
                ));
            }
        }
    }
    for file in EXCLUDED_JPEGS {
        assert!(
            files.iter().any(|f| f == file),
            "{file} is excluded but gone"
        );
    }

    let show = |counts: &BTreeMap<u32, usize>| {
        counts
            .iter()
            .map(|(bits, n)| format!("{bits} bit{}: {n}", if *bits == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Straight to stderr, so that cargo test shows it even when the test passes.
    let mut report = format!(
        "\n{variant}: {} files, JPEG hash distance to the reference: {}\n\
         {variant}: all 8 hashes of each JPEG: {}\n",
        files.len(),
        show(&main_hash),
        show(&all_hashes)
    );
    for note in notes {
        report += &format!("{variant}: {note}\n");
    }
    let _ = std::io::stderr().write_all(report.as_bytes());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Issue 19: `oriented/orientation-N.jpg` (one vector JPEG with an Exif segment saying N) gives
/// `pdq` of the picture as displayed and, for N other than 1, `pdq_stored` of the pixels as
/// stored, against `expected/pdq_oriented.csv` (the reference on Pillow's `exif_transpose` and on
/// the stored pixels), within the JPEG decoders' tolerance; each stored hash is exactly the hash
/// of orientation 1 (the same pixels).
#[test]
fn orientations_give_the_displayed_and_the_stored_hash() {
    let dir = vectors();
    let csv = Csv::read(&dir.join("expected/pdq_oriented.csv"));
    let files: Vec<String> = (1..=8)
        .map(|n| format!("oriented/orientation-{n}.jpg"))
        .collect();
    let mut args = vec!["hash"];
    args.extend(files.iter().map(String::as_str));
    let out = run_in(&dir, &args, Duration::from_secs(60));
    assert!(out.status.success(), "{}", out.stderr);
    let lines = lines(&out.stdout, false);
    assert_eq!(lines.len(), 8);
    let upright = lines[0].pdq.as_ref().unwrap();
    assert!(
        lines[0].pdq_stored.is_none(),
        "orientation 1 has no stored hash"
    );
    for (n, (file, line)) in (1..=8).zip(files.iter().zip(&lines)) {
        let row = csv.row("file", file).unwrap();
        let pdq = line
            .pdq
            .as_ref()
            .unwrap_or_else(|| panic!("{file}: {:?}", line.error));
        assert_eq!(
            (pdq.width.to_string(), pdq.height.to_string()),
            (row.get("width").into(), row.get("height").into()),
            "{file}: displayed size"
        );
        assert_eq!(pdq.quality.to_string(), row.get("quality"), "{file}");
        let bits = distance(&pdq.hash, row.get("hash"));
        assert!(bits <= JPEG_TOLERANCE, "{file}: pdq {bits} bits off");
        if n == 1 {
            continue;
        }
        let stored = line.pdq_stored.as_ref().expect("a stored hash");
        assert_eq!(
            (&stored.hash, stored.quality),
            (&upright.hash, upright.quality),
            "{file}"
        );
        let bits = distance(&stored.hash, row.get("stored_hash"));
        assert!(bits <= JPEG_TOLERANCE, "{file}: pdq_stored {bits} bits off");
        assert_eq!(
            stored.quality.to_string(),
            row.get("stored_quality"),
            "{file}"
        );
    }
}
