//! `report-helper match` against the references: a hash list made here from Meta's expected PDQ
//! hashes (tests/fixtures/pdq/expected), the oriented photos' displayed and stored hashes
//! (pdq_oriented.csv), Python's SHA-256 and MD5, and the reference vPDQ's frame hashes and its
//! own match percentages (tests/fixtures/video/expected); what each file must match is worked
//! out here from those values with a popcount of its own, never by the code under test.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{hashlib, pdq_data, python, scratch, vectors, Csv, BIN};
use serde_json::{json, Value};

const LIMIT: Duration = Duration::from_secs(300);

fn videos() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/video")
}

/// Hamming distance of two hashes in hex, digit by digit.
fn popcount_distance(a: &str, b: &str) -> u32 {
    assert_eq!((a.len(), b.len()), (64, 64));
    a.chars()
        .zip(b.chars())
        .map(|(x, y)| (x.to_digit(16).unwrap() ^ y.to_digit(16).unwrap()).count_ones())
        .sum()
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `report-helper ARGS` with `env` set (and the platform key unset otherwise); fails the
/// test if it still runs after `LIMIT`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("REPORT_HELPER_PLATFORM_KEY")
        // The test's server is on the loopback: no proxy of the environment in between.
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("start report-helper");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).map(|_| text)
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("report-helper {args:?} still ran after {LIMIT:?}: killed");
        }
        thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: stdout.join().unwrap().unwrap(),
        stderr: stderr.join().unwrap().unwrap(),
    }
}

/// The output's lines, checked for their keys and their order.
fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|text| {
            let value: Value = serde_json::from_str(text).expect(text);
            let keys: Vec<&str> = value
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut in_order = keys.clone();
            in_order.sort_by_key(|k| text.find(&format!("\"{k}\":")).unwrap());
            let expected: &[&str] = if keys.contains(&"note") {
                &["path", "matches", "note", "error"]
            } else {
                &["path", "matches", "error"]
            };
            assert_eq!(in_order, expected, "{text}");
            value
        })
        .collect()
}

/// A photo of the vectors: where it is, its reference hashes (displayed, and stored when its
/// EXIF orientation is not 1), which the lists here are made of, and the hashes `hash` gives
/// the file, which the matches are worked out from. (`hash` is checked against the reference in
/// tests/vectors.rs: a PNG exactly, a JPEG within 4 bits, as this JPEG decoder is not libjpeg's.)
struct Photo {
    source: PathBuf,
    name: &'static str,
    displayed: String,
    stored: Option<String>,
    file: FileHashes,
}

/// A file's PDQ hashes and qualities as `report-helper hash` prints them.
#[derive(Default)]
struct FileHashes {
    displayed: String,
    quality: u64,
    stored: Option<(String, u64)>,
}

/// `hash`'s PDQ hashes of `files`.
fn file_hashes(files: &[PathBuf]) -> Vec<FileHashes> {
    let mut args = vec!["hash".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&args, &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    r.stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            FileHashes {
                displayed: v["pdq"]["hash"].as_str().unwrap().to_string(),
                quality: v["pdq"]["quality"].as_u64().unwrap(),
                stored: v.get("pdq_stored").map(|s| {
                    (
                        s["hash"].as_str().unwrap().to_string(),
                        s["quality"].as_u64().unwrap(),
                    )
                }),
            }
        })
        .collect()
}

fn photos() -> Vec<Photo> {
    let full = Csv::read(&vectors().join("expected/pdq_cpp_full.csv"));
    let oriented = Csv::read(&vectors().join("expected/pdq_oriented.csv"));
    let upstream = |file: &str, name| Photo {
        source: pdq_data().join(file),
        name,
        displayed: full.row("file", file).unwrap().get("hash").to_string(),
        stored: None,
        file: FileHashes::default(),
    };
    let turned = |n: u32, name| {
        let row = oriented
            .row("file", &format!("oriented/orientation-{n}.jpg"))
            .unwrap();
        Photo {
            source: vectors().join(format!("oriented/orientation-{n}.jpg")),
            name,
            displayed: row.get("hash").to_string(),
            stored: (n != 1).then(|| row.get("stored_hash").to_string()),
            file: FileHashes::default(),
        }
    };
    vec![
        upstream("bridge-mods/aaa-orig.jpg", "a/aaa-orig.jpg"),
        upstream("bridge-mods/sharpen-a-lot.jpg", "a/sharpen-a-lot.jpg"),
        upstream("bridge-mods/shrink-a-lot.jpg", "shrink-a-lot.jpg"),
        upstream("misc-images/c.png", "b/c.png"),
        upstream("misc-images/wee.jpg", "b/wee.jpg"),
        upstream("reg-test-input/labelme-subset/q0122.jpg", "b/q0122.jpg"),
        // Almost flat: quality 3, under 50, so its PDQ hash is not compared.
        upstream("reg-test-input/labelme-subset/q0003.jpg", "b/q0003.jpg"),
        turned(6, "b/turned/orientation-6.jpg"),
        turned(3, "b/turned/orientation-3.jpg"),
    ]
}

/// A listed photo: its displayed hash and maybe a stored one.
#[derive(Clone)]
struct Listed {
    displayed: String,
    stored: Option<String>,
}

/// The matches the reference values give for a photo against the listed photos, as the
/// command must print them: the smallest distance per entry, displayed pictures first on a tie;
/// a hash of quality under 50 is not compared.
fn expected_pdq(
    photo: &Photo,
    listed: &BTreeMap<u64, Listed>,
    threshold: u32,
) -> Vec<(u64, Value)> {
    let mut out = Vec::new();
    let f = &photo.file;
    let usable = |hash: &str, quality: u64| (quality >= 50).then(|| hash.to_string());
    let files = [
        usable(&f.displayed, f.quality),
        f.stored.as_ref().and_then(|(h, q)| usable(h, *q)),
    ];
    for (&id, entry) in listed {
        let mut best: Option<(u32, u8, u8)> = None;
        let lists = [Some(&entry.displayed), entry.stored.as_ref()];
        for (f, file) in files.iter().enumerate() {
            for (l, list) in lists.iter().enumerate() {
                if let (Some(file), Some(list)) = (file, list) {
                    let pair = (popcount_distance(file, list), f as u8, l as u8);
                    best = Some(best.map_or(pair, |b| b.min(pair)));
                }
            }
        }
        let name = |i: u8| if i == 0 { "displayed" } else { "stored" };
        if let Some((d, f, l)) = best.filter(|b| b.0 <= threshold) {
            out.push((
                id,
                json!({"id": id, "signal": "pdq", "distance": d, "file": name(f), "listed": name(l)}),
            ));
        }
    }
    out
}

/// (quality, hash) of each frame the reference vPDQ hashes in `video`.
fn reference_frames(video: &str) -> Vec<(u32, String)> {
    let text =
        std::fs::read_to_string(videos().join("expected").join(format!("{video}.csv"))).unwrap();
    text.lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[1].parse().unwrap(), c[2].to_string())
        })
        .collect()
}

/// A video's list value, as a report carries it: the frames the reference matcher keeps
/// (duplicates and quality under 50 dropped), in base64 by Python.
fn vpdq_value(video: &str) -> String {
    let mut kept: Vec<String> = Vec::new();
    for (quality, hash) in reference_frames(video) {
        if quality >= 50 && !kept.contains(&hash) {
            kept.push(hash);
        }
    }
    assert!(!kept.is_empty());
    python(
        "import base64, sys\nprint(base64.b64encode(bytes.fromhex(''.join(sys.argv[1:]))).decode())",
        &kept,
    )
    .trim()
    .to_string()
}

/// The reference's percentages for `query` against `compared` (tests/fixtures/video/expected/matches.json).
fn reference_percentages(query: &str, compared: &str) -> (f64, f64) {
    let text = std::fs::read_to_string(videos().join("expected/matches.json")).unwrap();
    let all: Vec<Value> = serde_json::from_str(&text).unwrap();
    let row = all
        .iter()
        .find(|r| r["query"] == query && r["compared"] == compared)
        .unwrap_or_else(|| panic!("{query} / {compared}"));
    (
        row["query_percent"].as_f64().unwrap(),
        row["compared_percent"].as_f64().unwrap(),
    )
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
}

fn add_pdq(seq: u64, entry: &Listed) -> String {
    let mut line = json!({"seq": seq, "op": "add", "signal": "pdq", "value": entry.displayed});
    if let Some(stored) = &entry.stored {
        line["stored"] = json!(stored);
    }
    line["quality"] = json!(100);
    line["added"] = json!("2026-12-03T12:00:00Z");
    line.to_string()
}

struct Setup {
    dir: PathBuf,
    photos: Vec<Photo>,
    /// (size, sha256, md5, sha1) by Python, of each photo in order.
    digests: Vec<(u64, String, String, String)>,
    /// The list's lines, and the PDQ entries that are live at its end, by id.
    list: Vec<String>,
    pdq: BTreeMap<u64, Listed>,
}

/// The folder `photos/` with the vector photos under their names and a text file, `videos/`
/// with three videos, and a list with every kind of entry and a remove.
fn setup(name: &str) -> Setup {
    let dir = scratch(name);
    let _ = std::fs::remove_dir_all(&dir);
    let mut photos = photos();
    for p in &photos {
        copy(&p.source, &dir.join("photos").join(p.name));
    }
    let copies: Vec<PathBuf> = photos
        .iter()
        .map(|p| dir.join("photos").join(p.name))
        .collect();
    for (p, hashes) in photos.iter_mut().zip(file_hashes(&copies)) {
        p.file = hashes;
    }
    std::fs::write(dir.join("photos/b/notes.txt"), "not a picture\n").unwrap();
    for v in ["mandel-h264.mp4", "mandel-cut.mp4", "other-testsrc2.mp4"] {
        copy(&videos().join(v), &dir.join("videos").join(v));
    }
    let sources: Vec<PathBuf> = photos.iter().map(|p| p.source.clone()).collect();
    let digests = hashlib(&sources);
    let by_name = |n: &str| photos.iter().position(|p| p.name == n).unwrap();
    let (c, wee, orig, turned6, q3) = (
        by_name("b/c.png"),
        by_name("b/wee.jpg"),
        by_name("a/aaa-orig.jpg"),
        by_name("b/turned/orientation-6.jpg"),
        by_name("b/q0122.jpg"),
    );
    let listed = |i: usize| Listed {
        displayed: photos[i].displayed.clone(),
        stored: photos[i].stored.clone(),
    };
    let added = "2026-12-03T12:00:00Z";
    let list = vec![
        json!({"seq": 1, "op": "add", "signal": "sha256", "value": digests[c].1, "added": added}).to_string(),
        json!({"seq": 2, "op": "add", "signal": "md5", "value": digests[wee].2, "added": added}).to_string(),
        add_pdq(3, &listed(orig)),
        // A report of the turned photo: its displayed and its stored hash.
        add_pdq(5, &listed(turned6)),
        // q0122's photo, then taken out again.
        add_pdq(6, &listed(q3)),
        json!({"seq": 8, "op": "add", "signal": "vpdq", "value": vpdq_value("mandel-h264.mp4"), "added": added}).to_string(),
        json!({"seq": 9, "op": "add", "signal": "vpdq", "value": vpdq_value("mandel-cut.mp4"), "added": added}).to_string(),
        json!({"seq": 12, "op": "remove", "removes": 6, "removed": "2026-12-03T13:00:00Z"}).to_string(),
        // A remove of an entry this list never had: ignored.
        json!({"seq": 13, "op": "remove", "removes": 7, "removed": "2026-12-03T13:00:00Z"}).to_string(),
    ];
    let pdq = BTreeMap::from([(3, listed(orig)), (5, listed(turned6))]);
    Setup {
        dir,
        photos,
        digests,
        list,
        pdq,
    }
}

fn write_list(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    path
}

/// Every line the command must print for `photos/` and `videos/`, from the references.
fn expected_lines(s: &Setup, threshold: u32) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (photo, digests) in s.photos.iter().zip(&s.digests) {
        let mut matches = expected_pdq(photo, &s.pdq, threshold);
        for (seq, line) in s
            .list
            .iter()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .map(|l| (l["seq"].as_u64().unwrap(), l))
        {
            let exact = match line["signal"].as_str() {
                Some("sha256") => line["value"] == digests.1.as_str(),
                Some("md5") => line["value"] == digests.2.as_str(),
                _ => false,
            };
            if exact {
                matches.push((seq, json!({"id": seq, "signal": line["signal"]})));
            }
        }
        matches.sort_by_key(|m| m.0);
        let path = s.dir.join("photos").join(photo.name);
        let matches: Vec<Value> = matches.into_iter().map(|m| m.1).collect();
        out.insert(
            path.display().to_string(),
            json!({"path": path, "matches": matches, "error": null}),
        );
    }
    let notes = s.dir.join("photos/b/notes.txt");
    out.insert(
        notes.display().to_string(),
        json!({"path": notes, "matches": [], "error": null}),
    );
    for video in ["mandel-h264.mp4", "mandel-cut.mp4", "other-testsrc2.mp4"] {
        let mut matches = Vec::new();
        for (id, listed) in [(8, "mandel-h264.mp4"), (9, "mandel-cut.mp4")] {
            let (query, compared) = reference_percentages(video, listed);
            if query >= 80.0 {
                matches.push(json!({"id": id, "signal": "vpdq", "file_percent": query, "listed_percent": compared}));
            }
        }
        let path = s.dir.join("videos").join(video);
        out.insert(
            path.display().to_string(),
            json!({"path": path, "matches": matches, "error": null}),
        );
    }
    out
}

fn by_path(values: Vec<Value>) -> BTreeMap<String, Value> {
    values
        .into_iter()
        .map(|v| (v["path"].as_str().unwrap().to_string(), v))
        .collect()
}

#[test]
fn folders_match_the_list_as_the_references_say() {
    let s = setup("match-folders");
    let list = write_list(&s.dir, "list.jsonl", &s.list);
    let (photos, videos) = (s.dir.join("photos"), s.dir.join("videos"));
    let r = run(
        &[
            "match",
            "--list",
            list.to_str().unwrap(),
            photos.to_str().unwrap(),
            videos.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut got = lines(&r.stdout);
    // The almost flat photo's line says why its PDQ hash was not compared.
    let q3 = s.photos.iter().find(|p| p.name == "b/q0003.jpg").unwrap();
    assert!(q3.file.quality < 50);
    for line in &mut got {
        let note = line.as_object_mut().unwrap().remove("note");
        if line["path"].as_str().unwrap().ends_with("q0003.jpg") {
            let says = format!(
                "PDQ quality {} (under 50): the photo is compared by its digests only",
                q3.file.quality
            );
            assert_eq!(note, Some(json!(says)));
        } else {
            assert_eq!(note, None);
        }
    }
    // A folder's files by name, folders walked in place: the paths in sorted order.
    let paths: Vec<&str> = got.iter().map(|v| v["path"].as_str().unwrap()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    let expected = expected_lines(&s, 31);
    assert_eq!(by_path(got), expected);
    assert!(
        r.stderr
            .contains("the list has 6 entries: 1 sha256, 1 md5, 2 pdq, 2 vpdq"),
        "{}",
        r.stderr
    );

    // The cases the comparison above holds, spelled out (so that a change of the fixtures
    // cannot make them vacuous).
    let line = |name: &str| &expected[&s.dir.join(name).display().to_string()];
    let ids = |name: &str| -> Vec<u64> {
        line(name)["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ids("photos/b/c.png"), [1]);
    assert_eq!(ids("photos/b/wee.jpg"), [2]);
    // q0122 was listed (6) and removed: it matches nothing now.
    assert_eq!(ids("photos/b/q0122.jpg"), Vec::<u64>::new());
    assert_eq!(ids("photos/b/q0003.jpg"), Vec::<u64>::new());
    assert_eq!(ids("photos/b/notes.txt"), Vec::<u64>::new());
    // The turned photo's own entry, by its displayed picture.
    assert_eq!(
        line("photos/b/turned/orientation-6.jpg")["matches"][1],
        json!({"id": 5, "signal": "pdq", "distance": 0, "file": "displayed", "listed": "displayed"})
    );
    // The same stored pixels turned otherwise: stored against stored.
    assert_eq!(
        line("photos/b/turned/orientation-3.jpg")["matches"][1],
        json!({"id": 5, "signal": "pdq", "distance": 0, "file": "stored", "listed": "stored"})
    );
    // The photo as stored, with no orientation: against the entry's stored hash.
    assert_eq!(
        line("photos/shrink-a-lot.jpg")["matches"][1],
        json!({"id": 5, "signal": "pdq", "distance": 0, "file": "displayed", "listed": "stored"})
    );
    // Videos: the cut one is in both listed videos; the whole one holds only 72.7 % of its
    // frames in the cut one (under 80: no match); the other video matches neither.
    assert_eq!(ids("videos/mandel-cut.mp4"), [8, 9]);
    assert_eq!(ids("videos/mandel-h264.mp4"), [8]);
    assert_eq!(ids("videos/other-testsrc2.mp4"), Vec::<u64>::new());
    assert_ne!(
        line("videos/mandel-cut.mp4")["matches"][0]["listed_percent"],
        json!(100.0)
    );
}

#[test]
fn without_the_remove_the_removed_photo_matches() {
    let s = setup("match-no-remove");
    let list: Vec<String> = s
        .list
        .iter()
        .filter(|l| !l.contains("\"removes\":6"))
        .cloned()
        .collect();
    let list = write_list(&s.dir, "list.jsonl", &list);
    let q122 = s.photos.iter().find(|p| p.name == "b/q0122.jpg").unwrap();
    let path = s.dir.join("photos").join(q122.name);
    let r = run(
        &[
            "match",
            "--list",
            list.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let got = lines(&r.stdout);
    let d = popcount_distance(&q122.displayed, &q122.file.displayed);
    assert_eq!(
        got[0]["matches"],
        json!([{"id": 6, "signal": "pdq", "distance": d, "file": "displayed", "listed": "displayed"}])
    );
}

#[test]
fn the_threshold_includes_a_near_copy_at_its_distance_and_not_one_bit_under() {
    let s = setup("match-threshold");
    let orig = &s.photos[0];
    let sharp = &s.photos[1];
    assert_eq!(
        (orig.name, sharp.name),
        ("a/aaa-orig.jpg", "a/sharpen-a-lot.jpg")
    );
    // Meta's hash of the one and this file's of the other are this far apart (12 bits).
    let d = popcount_distance(&orig.displayed, &sharp.file.displayed);
    assert!((1..31).contains(&d), "{d}");
    let list = write_list(
        &s.dir,
        "one.jsonl",
        &[add_pdq(
            40,
            &Listed {
                displayed: orig.displayed.clone(),
                stored: None,
            },
        )],
    );
    let file = s.dir.join("photos").join(sharp.name);
    for (threshold, code, matches) in [
        (
            d,
            0,
            json!([{"id": 40, "signal": "pdq", "distance": d, "file": "displayed", "listed": "displayed"}]),
        ),
        (d - 1, 1, json!([])),
    ] {
        let r = run(
            &[
                "match",
                "--list",
                list.to_str().unwrap(),
                "--pdq-threshold",
                &threshold.to_string(),
                file.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(r.code, Some(code), "{threshold}: {}", r.stderr);
        assert_eq!(lines(&r.stdout)[0]["matches"], matches, "{threshold}");
    }
    // The default is Meta's 31.
    let r = run(
        &[
            "match",
            "--list",
            list.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, Some(0));
    // Over every pair of the vectors' photos, at a few thresholds, against the reference values.
    let all = write_list(
        &s.dir,
        "all.jsonl",
        &s.photos
            .iter()
            .enumerate()
            .map(|(i, p)| {
                add_pdq(
                    i as u64 + 1,
                    &Listed {
                        displayed: p.displayed.clone(),
                        stored: p.stored.clone(),
                    },
                )
            })
            .collect::<Vec<_>>(),
    );
    let listed: BTreeMap<u64, Listed> = s
        .photos
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                i as u64 + 1,
                Listed {
                    displayed: p.displayed.clone(),
                    stored: p.stored.clone(),
                },
            )
        })
        .collect();
    let photos = s.dir.join("photos");
    for threshold in [0, 8, 16, 31, 64, 128] {
        let r = run(
            &[
                "match",
                "--list",
                all.to_str().unwrap(),
                "--pdq-threshold",
                &threshold.to_string(),
                photos.to_str().unwrap(),
            ],
            &[],
        );
        let got = by_path(lines(&r.stdout));
        for photo in &s.photos {
            let path = photos.join(photo.name).display().to_string();
            let expected: Vec<Value> = expected_pdq(photo, &listed, threshold)
                .into_iter()
                .map(|m| m.1)
                .collect();
            assert_eq!(got[&path]["matches"], json!(expected), "{threshold} {path}");
        }
    }
}

#[test]
fn exit_status_is_1_when_nothing_matches_and_2_when_a_file_cannot_be_read() {
    let s = setup("match-status");
    let list = write_list(&s.dir, "list.jsonl", &s.list);
    let list = list.to_str().unwrap();
    let notes = s.dir.join("photos/b/notes.txt");
    let r = run(&["match", "--list", list, notes.to_str().unwrap()], &[]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("0 of 1 files match"), "{}", r.stderr);
    // A match and a missing file: 2, and both lines are printed.
    let c = s.dir.join("photos/b/c.png");
    let missing = s.dir.join("photos/nothing-here.jpg");
    let r = run(
        &[
            "match",
            "--list",
            list,
            missing.to_str().unwrap(),
            c.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    let got = lines(&r.stdout);
    assert_eq!(
        got[0],
        json!({"path": missing, "matches": [], "error": "could not read the file: no such file"})
    );
    assert_eq!(got[1]["matches"], json!([{"id": 1, "signal": "sha256"}]));
    // An empty list: nothing matches.
    let empty = write_list(&s.dir, "empty.jsonl", &[]);
    let r = run(
        &[
            "match",
            "--list",
            empty.to_str().unwrap(),
            c.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    // No paths, or a bad threshold: usage, 2.
    assert_eq!(run(&["match", "--list", list], &[]).code, Some(2));
    assert_eq!(
        run(
            &[
                "match",
                "--list",
                list,
                "--pdq-threshold",
                "257",
                c.to_str().unwrap()
            ],
            &[]
        )
        .code,
        Some(2)
    );
}

#[test]
fn a_bad_list_line_stops_with_its_number_and_exit_2() {
    let s = setup("match-bad");
    let c = s.dir.join("photos/b/c.png");
    let c = c.to_str().unwrap();
    // Line 1: c.png's sha256 (seq 1); line 2: wee.jpg's md5 (seq 2); line 3: the bad one.
    let good = [s.list[0].clone(), s.list[1].clone()];
    for (bad, says) in [
        (
            r#"{"seq":3,"op":"add","signal":"md5","value":"zz"}"#,
            "not 32 hex digits",
        ),
        (
            r#"{"seq":3,"op":"add","signal":"tmk","value":"00"}"#,
            "unknown signal",
        ),
        (r#"{"seq":3,"op":"replace"}"#, "unknown op"),
        (
            r#"{"seq":3,"op":"add","signal":"pdq","value":"f8f8"}"#,
            "64 hex digits",
        ),
        (
            r#"{"seq":3,"op":"add","signal":"vpdq","value":"AAAA"}"#,
            "not a whole number of 32-byte hashes",
        ),
        (
            r#"{"seq":3,"op":"add","signal":"vpdq","value":"not base64!"}"#,
            "base64",
        ),
        (r#"{"seq":2,"op":"remove","removes":1}"#, "seq must go up"),
        (r#"{"seq":3,"op":"remove"}"#, "without \"removes\""),
        ("not json", "not a list line"),
        ("", "empty line"),
    ] {
        let list = write_list(
            &s.dir,
            "bad.jsonl",
            &[good[0].clone(), good[1].clone(), bad.to_string()],
        );
        let r = run(&["match", "--list", list.to_str().unwrap(), c], &[]);
        assert_eq!(r.code, Some(2), "{bad}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{bad}");
        assert!(r.stderr.contains("bad line 3: "), "{bad}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{bad}: {}", r.stderr);
    }
    // The same list without the bad line is read, and matches.
    let list = write_list(&s.dir, "good.jsonl", &good);
    assert_eq!(
        run(&["match", "--list", list.to_str().unwrap(), c], &[]).code,
        Some(0)
    );
    let r = run(
        &[
            "match",
            "--list",
            s.dir.join("no-list.jsonl").to_str().unwrap(),
            c,
        ],
        &[],
    );
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("cannot read the list") && r.stderr.contains("no such file"),
        "{}",
        r.stderr
    );
}

/// A small HTTP/1.1 server of the list endpoint: `lines` paged by `after` and `limit`, for the
/// key `key`; it records each request's target.
struct Endpoint {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

fn endpoint(lines: Vec<String>, key: &'static str) -> Endpoint {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/api/platform/fingerprints",
        listener.local_addr().unwrap()
    );
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&requests);
    let seqs: Vec<u64> = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                head.push(line.trim_end().to_string());
            }
            let target = head[0].split(' ').nth(1).unwrap().to_string();
            seen.lock().unwrap().push(target.clone());
            let authorized = head
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&format!("authorization: Bearer {key}")));
            let query: BTreeMap<&str, u64> = target
                .split_once('?')
                .map(|(_, q)| {
                    q.split('&')
                        .filter_map(|kv| kv.split_once('='))
                        .map(|(k, v)| (k, v.parse().unwrap()))
                        .collect()
                })
                .unwrap_or_default();
            let (status, kind, body) = if authorized {
                let after = query.get("after").copied().unwrap_or(0);
                let limit = query.get("limit").copied().unwrap_or(1000).min(10_000) as usize;
                let body: String = lines
                    .iter()
                    .zip(&seqs)
                    .filter(|(_, &s)| s > after)
                    .take(limit)
                    .map(|(l, _)| format!("{l}\n"))
                    .collect();
                ("200 OK", "application/x-ndjson", body)
            } else {
                (
                    "401 Unauthorized",
                    "application/problem+json",
                    r#"{"error":"unauthorized"}"#.to_string(),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    Endpoint { url, requests }
}

#[test]
fn the_list_is_read_from_the_intakes_endpoint_page_by_page() {
    let s = setup("match-url");
    // 25,000 md5 adds before the list of the other tests (so three pages of 10,000), c.png's
    // md5 among them, removed at the end.
    let c = s.photos.iter().position(|p| p.name == "b/c.png").unwrap();
    let c_md5 = s.digests[c].2.clone();
    let mut served = Vec::new();
    for seq in 1..=25_000u64 {
        let value = if seq == 24_001 {
            c_md5.clone()
        } else {
            format!("{seq:032x}")
        };
        served.push(json!({"seq": seq, "op": "add", "signal": "md5", "value": value, "added": "2026-12-03T12:00:00Z"}).to_string());
    }
    // The other tests' list, its seqs moved past these; its remove of 6 becomes one of 25,006.
    for l in &s.list {
        let mut v: Value = serde_json::from_str(l).unwrap();
        v["seq"] = json!(v["seq"].as_u64().unwrap() + 25_000);
        if let Some(r) = v.get("removes").and_then(Value::as_u64) {
            v["removes"] = json!(r + 25_000);
        }
        served.push(v.to_string());
    }
    served.push(json!({"seq": 26_000, "op": "remove", "removes": 24_001, "removed": "2026-12-03T13:00:00Z"}).to_string());
    let server = endpoint(served.clone(), "K3Y");
    let photos = s.dir.join("photos");
    let key = [("REPORT_HELPER_PLATFORM_KEY", "K3Y")];
    let r = run(
        &["match", "--list", &server.url, photos.to_str().unwrap()],
        &key,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(
        requests,
        [
            "/api/platform/fingerprints?after=0&limit=10000",
            "/api/platform/fingerprints?after=10000&limit=10000",
            "/api/platform/fingerprints?after=20000&limit=10000",
        ]
    );
    let got = by_path(lines(&r.stdout));
    let c_path = photos.join("b/c.png").display().to_string();
    // 24,001 (c.png's md5) was removed at the end: only its sha256 entry, now 25,001, is left.
    assert_eq!(
        got[&c_path]["matches"],
        json!([{"id": 25_001, "signal": "sha256"}])
    );
    let orig = photos.join("a/aaa-orig.jpg").display().to_string();
    assert_eq!(got[&orig]["matches"][0]["id"], json!(25_003));
    assert!(
        r.stderr
            .contains("the list has 25005 entries: 1 sha256, 25000 md5, 2 pdq, 2 vpdq"),
        "{}",
        r.stderr
    );

    // Without the remove at the end, c.png's md5 entry matches too.
    let server = endpoint(served[..served.len() - 1].to_vec(), "K3Y");
    let c_file = photos.join("b/c.png");
    let r = run(
        &["match", "--list", &server.url, c_file.to_str().unwrap()],
        &key,
    );
    assert_eq!(
        lines(&r.stdout)[0]["matches"],
        json!([{"id": 24_001, "signal": "md5"}, {"id": 25_001, "signal": "sha256"}])
    );

    // A wrong key: the server's refusal, exit 2, nothing matched.
    let r = run(
        &["match", "--list", &server.url, c_file.to_str().unwrap()],
        &[("REPORT_HELPER_PLATFORM_KEY", "nope")],
    );
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("401") && r.stderr.contains("unauthorized"),
        "{}",
        r.stderr
    );
    // No key at all: not even asked.
    let before = server.requests.lock().unwrap().len();
    let r = run(
        &["match", "--list", &server.url, c_file.to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("REPORT_HELPER_PLATFORM_KEY"),
        "{}",
        r.stderr
    );
    assert_eq!(server.requests.lock().unwrap().len(), before);
    // A bad line on the second page: named by its page and line.
    let mut bad = served[..12_000].to_vec();
    bad[10_004] = r#"{"seq":10005,"op":"add","signal":"md5","value":"short"}"#.to_string();
    let server = endpoint(bad, "K3Y");
    let r = run(
        &["match", "--list", &server.url, c_file.to_str().unwrap()],
        &key,
    );
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("(page after=10000) has a bad line 5: "),
        "{}",
        r.stderr
    );
}

/// One request with `Connection: close`: the status and the body (the answers read here have a
/// length, not chunks).
fn http(addr: &str, method: &str, path: &str, auth: Option<&str>, body: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(token) = auth {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body);
    s.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    (
        head.split(' ').nth(1).unwrap().parse().unwrap(),
        body.to_string(),
    )
}

#[test]
fn a_shared_report_at_the_real_intake_is_matched_until_it_is_withdrawn() {
    let s = setup("match-intake");
    let (site, db) = common::intake::setup("match-intake");
    let intake = common::intake::start(&site, &db, &[]);
    let added = Command::new(BIN)
        .args(["platforms", "add", "Acme", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    let key = serde_json::from_slice::<Value>(&added.stdout).unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();

    // The report the page would send for the turned photo and the video, shared.
    let photo = s
        .photos
        .iter()
        .find(|p| p.name == "b/turned/orientation-6.jpg")
        .unwrap();
    let video = s.dir.join("videos/mandel-h264.mp4");
    let photo_path = s.dir.join("photos").join(photo.name);
    let digests = hashlib(&[photo_path.clone(), video.clone()]);
    let report = json!({
        "schema": "report-helper/report@1",
        "idempotency_key": "match-intake-00000001",
        "created_at": "2026-12-03T12:00:00.000Z",
        "language": "en",
        "situation": "shared",
        "items": [
            {"kind": "image", "sha256": digests[0].1, "md5": digests[0].2,
             "pdq": {"hash": photo.displayed, "quality": 100},
             "pdq_stored": {"hash": photo.stored.clone().unwrap(), "quality": 100}},
            {"kind": "video", "sha256": digests[1].1, "md5": digests[1].2,
             "vpdq": {"seconds_per_hash": 1, "hashes": vpdq_value("mandel-h264.mp4")}}
        ],
        "urls": ["https://example.com/a"],
        "good_faith": true,
        "share_with_platforms": true
    });
    let (status, body) = http(
        &intake.addr,
        "POST",
        "/api/reports",
        None,
        &report.to_string(),
    );
    assert_eq!(status, 201, "{body}");
    let posted: Value = serde_json::from_str(&body).unwrap();

    let url = format!("http://{}/api/platform/fingerprints", intake.addr);
    let (photos, videos) = (s.dir.join("photos"), s.dir.join("videos"));
    let args = [
        "match",
        "--list",
        &url,
        photos.to_str().unwrap(),
        videos.to_str().unwrap(),
    ];
    let env = [("REPORT_HELPER_PLATFORM_KEY", key.as_str())];
    let r = run(&args, &env);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the list has 6 entries: 2 sha256, 2 md5, 1 pdq, 1 vpdq"),
        "{}",
        r.stderr
    );
    let got = by_path(lines(&r.stdout));
    let at = |p: &Path| &got[&p.display().to_string()]["matches"];
    let signals = |p: &Path| -> Vec<String> {
        at(p)
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["signal"].as_str().unwrap().to_string())
            .collect()
    };
    // The photo by its PDQ hash and its digests; the photo turned otherwise, by the stored
    // pixels; the video by its digests and vPDQ; the cut video by vPDQ, with the reference's
    // percentages.
    assert_eq!(signals(&photo_path), ["pdq", "md5", "sha256"]);
    let listed = BTreeMap::from([(
        0,
        Listed {
            displayed: photo.displayed.clone(),
            stored: photo.stored.clone(),
        },
    )]);
    let mut pdq = expected_pdq(photo, &listed, 31)[0].1.clone();
    pdq["id"] = at(&photo_path)[0]["id"].clone();
    assert_eq!(at(&photo_path)[0], pdq);
    let turned3 = photos.join("b/turned/orientation-3.jpg");
    assert_eq!(at(&turned3)[0]["file"], "stored");
    assert_eq!(at(&turned3)[0]["listed"], "stored");
    assert_eq!(signals(&video), ["md5", "sha256", "vpdq"]);
    let cut = videos.join("mandel-cut.mp4");
    let (query, compared) = reference_percentages("mandel-cut.mp4", "mandel-h264.mp4");
    assert_eq!(signals(&cut), ["vpdq"]);
    assert_eq!(
        (
            at(&cut)[0]["file_percent"].as_f64(),
            at(&cut)[0]["listed_percent"].as_f64()
        ),
        (Some(query), Some(compared))
    );
    assert_eq!(
        signals(&videos.join("other-testsrc2.mp4")),
        Vec::<String>::new()
    );

    // Withdrawn: its removes reach the platform, and nothing matches any more.
    let path = format!("/api/reports/{}", posted["reference"].as_str().unwrap());
    let (status, body) = http(&intake.addr, "DELETE", &path, posted["token"].as_str(), "");
    assert!((200..300).contains(&status), "{status} {body}");
    let r = run(&args, &env);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("the list has 0 entries"), "{}", r.stderr);
    assert!(lines(&r.stdout).iter().all(|l| l["matches"] == json!([])));
}
