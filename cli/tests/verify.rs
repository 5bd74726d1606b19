//! `report-helper verify`: receipts written here (a schema-valid report inside, every digest from
//! Python's hashlib over files written here) and evidence ZIPs written by Python's zipfile; the
//! command must say which items each file is, and exit as documented.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{python, run_in, scratch};
use serde::Deserialize;
use serde_json::{json, Value};

const LIMIT: Duration = Duration::from_secs(120);

/// (sha256, md5, sha1) of a file, from Python's hashlib.
#[derive(Clone, Debug)]
struct Hex {
    sha256: String,
    md5: String,
    sha1: String,
}

fn hashlib(path: &Path) -> Hex {
    let (_, sha256, md5, sha1) = common::hashlib(&[path.to_path_buf()]).remove(0);
    Hex { sha256, md5, sha1 }
}

/// A folder of this test's own, with `files` written in it.
fn folder(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = scratch(&format!("verify-{name}"));
    for (file, bytes) in files {
        std::fs::write(dir.join(file), bytes).unwrap();
    }
    dir
}

/// "The valid report" of the schema's test cases, with `items` instead of its own.
fn report(items: Vec<Value>) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/tests/report-v1-cases.json");
    let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let case = cases
        .into_iter()
        .find(|c| c["name"] == "the valid report")
        .expect("the valid report");
    assert_eq!(case["valid"], true);
    let mut report = case["report"].clone();
    report["items"] = Value::Array(items);
    report
}

fn item(kind: &str, h: &Hex, sha1: bool) -> Value {
    let mut item = json!({"kind": kind, "sha256": h.sha256, "md5": h.md5});
    if sha1 {
        item["sha1"] = json!(h.sha1);
    }
    item
}

/// A receipt as the page writes it (`receipt()` in www/report.js), with `evidence` if given.
fn receipt(items: Vec<Value>, evidence: Option<Vec<Value>>) -> Value {
    let mut r = json!({
        "receipt": "report-helper/receipt@1",
        "endpoint": "http://127.0.0.1:8080/api/reports",
        "sent_at": "2026-11-28T04:30:00.000Z",
        "reference": "RH-7KQ2-9XWM",
        "token": "tok-not-a-secret",
        "report": report(items),
    });
    if let Some(evidence) = evidence {
        r["evidence"] = Value::Array(evidence);
    }
    r
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap() + "\n").unwrap();
    path
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    file: String,
    size: Option<u64>,
    sha256: Option<String>,
    md5: Option<String>,
    sha1: Option<String>,
    matches: Vec<Value>,
    conflicts: Vec<Value>,
    error: Option<String>,
}

/// Every line, each checked for the documented keys in the documented order.
fn lines(stdout: &str) -> Vec<Line> {
    assert!(stdout.ends_with('\n') || stdout.is_empty(), "{stdout:?}");
    let keys = [
        "file",
        "size",
        "sha256",
        "md5",
        "sha1",
        "matches",
        "conflicts",
        "error",
    ];
    stdout
        .lines()
        .map(|text| {
            let at: Vec<usize> = keys
                .iter()
                .map(|k| text.find(&format!("\"{k}\":")).expect(k))
                .collect();
            assert!(at[0] == 1 && at.windows(2).all(|w| w[0] < w[1]), "{text}");
            serde_json::from_str(text).expect(text)
        })
        .collect()
}

fn verify(dir: &Path, args: &[&str]) -> common::Run {
    let mut all = vec!["verify"];
    all.extend(args);
    run_in(dir, &all, LIMIT)
}

fn ins(line: &Line) -> Vec<&str> {
    line.matches
        .iter()
        .map(|m| m["in"].as_str().unwrap())
        .collect()
}

const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n not really a PNG, but bytes all the same";
const VIDEO: &[u8] = b"\x00\x00\x00\x18ftypmp42 a video, as far as digests care";

#[test]
fn files_that_are_items_match_them_and_exit_zero() {
    // 3 MiB + 5 bytes: across the 1 MiB read chunks.
    let big: Vec<u8> = (0..3 * 1024 * 1024 + 5u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let dir = folder(
        "match",
        &[("photo.png", PHOTO), ("clip.mp4", VIDEO), ("big.bin", &big)],
    );
    let (photo, clip, bigh) = (
        hashlib(&dir.join("photo.png")),
        hashlib(&dir.join("clip.mp4")),
        hashlib(&dir.join("big.bin")),
    );
    let r = receipt(
        vec![
            item("image", &photo, true),
            item("video", &clip, false),
            item("other", &bigh, true),
        ],
        None,
    );
    write_json(&dir, "receipt-RH-7KQ2-9XWM.json", &r);

    let out = verify(
        &dir,
        &[
            "receipt-RH-7KQ2-9XWM.json",
            "big.bin",
            "photo.png",
            "clip.mp4",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}{}", out.stdout, out.stderr);
    let got = lines(&out.stdout);
    assert_eq!(got.len(), 3);
    for (line, (name, h, size)) in got.iter().zip([
        ("big.bin", &bigh, big.len()),
        ("photo.png", &photo, PHOTO.len()),
        ("clip.mp4", &clip, VIDEO.len()),
    ]) {
        assert_eq!(line.file, name);
        assert_eq!(line.size, Some(size as u64));
        assert_eq!(line.sha256.as_ref(), Some(&h.sha256));
        assert_eq!(line.md5.as_ref(), Some(&h.md5));
        assert_eq!(line.sha1.as_ref(), Some(&h.sha1));
        assert!(
            line.conflicts.is_empty() && line.error.is_none(),
            "{line:?}"
        );
    }
    assert_eq!(
        got[0].matches,
        [json!({"in": "report.items[2]", "kind": "other"})]
    );
    assert_eq!(
        got[1].matches,
        [json!({"in": "report.items[0]", "kind": "image"})]
    );
    assert_eq!(
        got[2].matches,
        [json!({"in": "report.items[1]", "kind": "video"})]
    );
    assert_eq!(
        out.stderr,
        "report-helper: 3 of 3 files match the receipt RH-7KQ2-9XWM\n"
    );

    // The same file twice in the report is both items; a file may be given twice.
    let r = receipt(
        vec![item("image", &photo, false), item("image", &photo, true)],
        Some(vec![]),
    );
    write_json(&dir, "twice.json", &r);
    let out = verify(&dir, &["twice.json", "photo.png", "photo.png"]);
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    for line in lines(&out.stdout) {
        assert_eq!(ins(&line), ["report.items[0]", "report.items[1]"]);
    }
}

#[test]
fn a_file_that_is_in_no_item_fails_the_run_but_not_the_other_files() {
    let dir = folder(
        "unrelated",
        &[("photo.png", PHOTO), ("unrelated.txt", b"something else\n")],
    );
    let photo = hashlib(&dir.join("photo.png"));
    write_json(
        &dir,
        "receipt.json",
        &receipt(vec![item("image", &photo, false)], None),
    );
    let out = verify(&dir, &["receipt.json", "unrelated.txt", "photo.png"]);
    assert_eq!(out.status.code(), Some(1), "{}", out.stdout);
    let got = lines(&out.stdout);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].file, "unrelated.txt");
    assert!(got[0].matches.is_empty() && got[0].conflicts.is_empty());
    assert_eq!(
        got[0].sha256.as_deref(),
        Some(&*hashlib(&dir.join("unrelated.txt")).sha256)
    );
    assert!(got[0].error.is_none());
    assert_eq!(ins(&got[1]), ["report.items[0]"]);
    assert_eq!(
        out.stderr,
        "report-helper: 1 of 2 files match the receipt RH-7KQ2-9XWM\n"
    );
}

#[test]
fn an_item_whose_sha256_agrees_but_md5_or_sha1_differs_is_a_conflict_not_a_match() {
    let dir = folder("conflict", &[("photo.png", PHOTO), ("clip.mp4", VIDEO)]);
    let photo = hashlib(&dir.join("photo.png"));
    let clip = hashlib(&dir.join("clip.mp4"));
    let wrong_md5 = Hex {
        md5: clip.md5.clone(),
        ..photo.clone()
    };
    let wrong_sha1 = Hex {
        sha1: clip.sha1.clone(),
        ..photo.clone()
    };
    // The other way round: MD5 (and SHA-1) agree and SHA-256 differs, as after an MD5 collision.
    let wrong_sha256 = Hex {
        sha256: clip.sha256.clone(),
        ..photo.clone()
    };
    let r = receipt(
        vec![
            item("image", &wrong_md5, false),
            item("image", &wrong_sha1, true),
            item("image", &wrong_sha256, true),
        ],
        None,
    );
    write_json(&dir, "receipt.json", &r);
    let out = verify(&dir, &["receipt.json", "photo.png"]);
    assert_eq!(out.status.code(), Some(1), "{}", out.stdout);
    let got = lines(&out.stdout);
    assert!(got[0].matches.is_empty(), "{:?}", got[0]);
    assert_eq!(
        got[0].conflicts,
        [
            json!({"in": "report.items[0]", "kind": "image", "agree": ["sha256"], "differ": ["md5"]}),
            json!({"in": "report.items[1]", "kind": "image", "agree": ["sha256", "md5"], "differ": ["sha1"]}),
            json!({"in": "report.items[2]", "kind": "image", "agree": ["md5", "sha1"], "differ": ["sha256"]}),
        ]
    );
    assert!(out.stderr.contains("0 of 1 files match"), "{}", out.stderr);
    assert!(out.stderr.contains("1 file conflicts"), "{}", out.stderr);

    // A match elsewhere does not outweigh a conflict: the run still fails.
    let r = receipt(
        vec![
            item("image", &photo, true),
            item("image", &wrong_md5, false),
        ],
        None,
    );
    write_json(&dir, "both.json", &r);
    let out = verify(&dir, &["both.json", "photo.png"]);
    assert_eq!(out.status.code(), Some(1), "{}", out.stdout);
    let got = lines(&out.stdout);
    assert_eq!(ins(&got[0]), ["report.items[0]"]);
    assert_eq!(got[0].conflicts.len(), 1);
}

#[test]
fn a_file_that_cannot_be_read_has_an_error_and_no_matches() {
    let dir = folder("missing", &[("photo.png", PHOTO)]);
    let photo = hashlib(&dir.join("photo.png"));
    write_json(
        &dir,
        "receipt.json",
        &receipt(vec![item("image", &photo, false)], None),
    );
    std::fs::create_dir_all(dir.join("a folder")).unwrap();
    let out = verify(
        &dir,
        &["receipt.json", "photo.png", "no such file", "a folder"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", out.stdout);
    let got = lines(&out.stdout);
    assert_eq!(got.len(), 3);
    assert_eq!(ins(&got[0]), ["report.items[0]"]);
    for (line, why) in [(&got[1], "no such file"), (&got[2], "it is a directory")] {
        assert_eq!(
            line.error.as_deref(),
            Some(&*format!("could not read the file: {why}"))
        );
        assert_eq!(
            (line.size, &line.sha256, &line.md5, &line.sha1),
            (None, &None, &None, &None)
        );
        assert!(line.matches.is_empty() && line.conflicts.is_empty());
    }
    assert_eq!(
        out.stderr,
        "report-helper: 1 of 3 files match the receipt RH-7KQ2-9XWM\n"
    );
}

#[test]
fn a_bad_receipt_or_bad_usage_exits_two_with_nothing_on_stdout() {
    let dir = folder(
        "bad",
        &[
            ("photo.png", PHOTO),
            ("not-json.json", b"{\"receipt\": "),
            ("report.json", b"{\"schema\": \"report-helper/report@1\"}"),
            ("array.json", b"[]"),
        ],
    );
    let photo = hashlib(&dir.join("photo.png"));
    let good = receipt(vec![item("image", &photo, false)], None);
    let mut other_version = good.clone();
    other_version["receipt"] = json!("report-helper/receipt@2");
    write_json(&dir, "v2.json", &other_version);
    let mut short = good.clone();
    short["report"]["items"][0]["sha256"] = json!(&photo.sha256[..63]);
    write_json(&dir, "short.json", &short);
    let mut no_kind = good.clone();
    no_kind["report"]["items"][0]
        .as_object_mut()
        .unwrap()
        .remove("kind");
    write_json(&dir, "no-kind.json", &no_kind);
    let mut no_items = good.clone();
    no_items["report"].as_object_mut().unwrap().remove("items");
    write_json(&dir, "no-items.json", &no_items);
    let mut bad_evidence = good.clone();
    bad_evidence["evidence"] = json!([{"file": "evidence-1.png", "sha256": "zz"}]);
    write_json(&dir, "bad-evidence.json", &bad_evidence);
    // Just over 16 MiB of JSON whitespace before a good receipt.
    let mut big = vec![b' '; 16 << 20];
    big.extend(serde_json::to_vec(&good).unwrap());
    std::fs::write(dir.join("big.json"), big).unwrap();

    for (receipt, why) in [
        ("nothing here.json", "could not read the file: no such file"),
        (".", "could not read the file: it is a directory"),
        ("not-json.json", "not JSON: "),
        ("photo.png", "not JSON: "),
        ("array.json", "not a receipt: not a JSON object"),
        (
            "report.json",
            "not a receipt: no \"receipt\": \"report-helper/receipt@1\"",
        ),
        (
            "v2.json",
            "not a receipt this command reads: \"receipt\" is \"report-helper/receipt@2\"",
        ),
        ("short.json", "report.items[0].sha256 is not 64 hex digits"),
        ("no-kind.json", "report.items[0] has no kind"),
        ("no-items.json", "not a receipt: no report.items list"),
        (
            "bad-evidence.json",
            "evidence[0].sha256 is not 64 hex digits",
        ),
        ("big.json", "over 16 MiB: not a receipt"),
    ] {
        let out = verify(&dir, &[receipt, "photo.png"]);
        assert_eq!(out.status.code(), Some(2), "{receipt}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{receipt}: {}", out.stdout);
        let prefix = format!("report-helper: {receipt}: {why}");
        assert!(out.stderr.starts_with(&prefix), "{receipt}: {}", out.stderr);
    }

    // Usage: no RECEIPT, or a receipt's JSON and no FILE.
    write_json(&dir, "good.json", &good);
    for args in [
        &[][..],
        &["good.json"],
        &["--unknown", "good.json", "photo.png"],
    ] {
        let out = verify(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty() && !out.stderr.is_empty(), "{args:?}");
    }
    let out = verify(&dir, &["good.json", "photo.png"]);
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
}

/// A screenshot before redaction, and the PNG the page saved after blacking parts of it out.
const ORIGINAL: &[u8] = b"\x89PNG\r\n\x1a\n the screenshot as taken, names and all";
const REDACTED: &[u8] = b"\x89PNG\r\n\x1a\n the screenshot with three black rectangles";

fn evidence(file: &str, redacted: &Hex, original: &Hex) -> Value {
    json!({
        "file": file, "sha256": redacted.sha256, "width": 1170, "height": 2532, "rectangles": 3,
        "original": {"sha256": original.sha256, "md5": original.md5},
    })
}

#[test]
fn screenshots_match_as_redacted_and_as_taken() {
    let dir = folder(
        "evidence",
        &[
            ("photo.png", PHOTO),
            ("IMG_0001.PNG", ORIGINAL),
            ("evidence-1.png", REDACTED),
        ],
    );
    let (photo, original, redacted) = (
        hashlib(&dir.join("photo.png")),
        hashlib(&dir.join("IMG_0001.PNG")),
        hashlib(&dir.join("evidence-1.png")),
    );
    // The screenshot as taken was also reported as an item.
    let r = receipt(
        vec![item("image", &photo, false), item("image", &original, true)],
        Some(vec![evidence("evidence-1.png", &redacted, &original)]),
    );
    write_json(&dir, "receipt.json", &r);
    let out = verify(
        &dir,
        &[
            "receipt.json",
            "evidence-1.png",
            "IMG_0001.PNG",
            "photo.png",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}{}", out.stdout, out.stderr);
    let got = lines(&out.stdout);
    assert_eq!(
        got[0].matches,
        [json!({"in": "evidence[0]", "file": "evidence-1.png"})]
    );
    assert_eq!(
        got[1].matches,
        [
            json!({"in": "report.items[1]", "kind": "image"}),
            json!({"in": "evidence[0].original", "file": "evidence-1.png"}),
        ]
    );
    assert_eq!(ins(&got[2]), ["report.items[0]"]);

    // An original whose md5 is not the file's: a conflict.
    let tampered = Hex {
        md5: photo.md5.clone(),
        ..original.clone()
    };
    let r = receipt(
        vec![item("image", &photo, false)],
        Some(vec![evidence("evidence-1.png", &redacted, &tampered)]),
    );
    write_json(&dir, "tampered.json", &r);
    let out = verify(&dir, &["tampered.json", "IMG_0001.PNG"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        lines(&out.stdout)[0].conflicts,
        [
            json!({"in": "evidence[0].original", "file": "evidence-1.png", "agree": ["sha256"], "differ": ["md5"]})
        ]
    );
}

/// An evidence ZIP made by Python's zipfile: `entries` as (name, bytes), stored or deflated.
fn python_zip(path: &Path, entries: &[(&str, &[u8])], deflate: bool) {
    let dir = path.parent().unwrap();
    let mut names = Vec::new();
    for (i, (name, bytes)) in entries.iter().enumerate() {
        let part = dir.join(format!("zip-part-{i}"));
        std::fs::write(&part, bytes).unwrap();
        names.push(name.to_string());
        names.push(part.to_string_lossy().into_owned());
    }
    let mut args = vec![
        path.to_string_lossy().into_owned(),
        (if deflate { "deflate" } else { "store" }).to_string(),
    ];
    args.extend(names);
    python(
        "import sys, zipfile\n\
         method = zipfile.ZIP_DEFLATED if sys.argv[2] == 'deflate' else zipfile.ZIP_STORED\n\
         with zipfile.ZipFile(sys.argv[1], 'w', method) as z:\n\
         \x20   for name, part in zip(sys.argv[3::2], sys.argv[4::2]):\n\
         \x20       z.write(part, name)",
        &args,
    );
}

#[test]
fn an_evidence_zip_is_read_and_its_screenshots_checked() {
    let other: &[u8] = b"\x89PNG\r\n\x1a\n a second screenshot, redacted";
    let dir = folder(
        "zip",
        &[
            ("photo.png", PHOTO),
            ("IMG_0001.PNG", ORIGINAL),
            ("evidence-1.png", REDACTED),
            ("evidence-2.png", other),
        ],
    );
    let (photo, original, redacted, second) = (
        hashlib(&dir.join("photo.png")),
        hashlib(&dir.join("IMG_0001.PNG")),
        hashlib(&dir.join("evidence-1.png")),
        hashlib(&dir.join("evidence-2.png")),
    );
    let r = receipt(
        vec![item("image", &photo, false)],
        Some(vec![
            evidence("evidence-1.png", &redacted, &original),
            evidence("evidence-2.png", &second, &photo),
        ]),
    );
    let json = serde_json::to_vec_pretty(&r).unwrap();
    let html: &[u8] = b"<!doctype html><title>Receipt</title>";
    let zip = dir.join("evidence-RH-7KQ2-9XWM.zip");
    python_zip(
        &zip,
        &[
            ("evidence-1.png", REDACTED),
            ("evidence-2.png", other),
            ("receipt.json", &json),
            ("receipt.html", html),
        ],
        false,
    );
    let out = verify(&dir, &["evidence-RH-7KQ2-9XWM.zip", "IMG_0001.PNG"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", out.stdout, out.stderr);
    let got = lines(&out.stdout);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].file, "evidence-RH-7KQ2-9XWM.zip:evidence-1.png");
    assert_eq!(got[0].sha256.as_ref(), Some(&redacted.sha256));
    assert_eq!(
        got[0].matches,
        [json!({"in": "evidence[0]", "file": "evidence-1.png"})]
    );
    assert_eq!(got[1].file, "evidence-RH-7KQ2-9XWM.zip:evidence-2.png");
    assert_eq!(ins(&got[1]), ["evidence[1]"]);
    assert_eq!(got[2].file, "IMG_0001.PNG");
    assert_eq!(ins(&got[2]), ["evidence[0].original"]);
    assert_eq!(
        out.stderr,
        "report-helper: 3 of 3 files match the receipt RH-7KQ2-9XWM\n"
    );
    // The ZIP alone checks its own screenshots.
    let out = verify(&dir, &["evidence-RH-7KQ2-9XWM.zip"]);
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    assert_eq!(lines(&out.stdout).len(), 2);

    // A screenshot swapped in the package, and one missing from it.
    let altered = dir.join("altered.zip");
    python_zip(
        &altered,
        &[
            ("evidence-1.png", ORIGINAL),
            ("receipt.json", &json),
            ("receipt.html", html),
        ],
        false,
    );
    let out = verify(&dir, &["altered.zip"]);
    assert_eq!(out.status.code(), Some(1), "{}", out.stdout);
    let got = lines(&out.stdout);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].file, "altered.zip:evidence-1.png");
    assert_eq!(ins(&got[0]), ["evidence[0].original"], "the unredacted one");
    assert_eq!(
        got[0].error.as_deref(),
        Some("not the screenshot the receipt lists under this name (evidence[0])")
    );
    assert_eq!(got[1].file, "altered.zip:evidence-2.png");
    assert_eq!(got[1].error.as_deref(), Some("not in the ZIP"));
    assert!(got[1].matches.is_empty() && got[1].sha256.is_none());
    assert!(out.stderr.contains("0 of 2 files match"), "{}", out.stderr);

    // Compressed entries (a package unzipped and zipped again): the receipt cannot be read.
    let deflated = dir.join("deflated.zip");
    python_zip(
        &deflated,
        &[("evidence-1.png", REDACTED), ("receipt.json", &json)],
        true,
    );
    let out = verify(&dir, &["deflated.zip", "photo.png"]);
    assert_eq!(out.status.code(), Some(2), "{}", out.stdout);
    assert!(
        out.stderr.starts_with(
            "report-helper: deflated.zip: could not read receipt.json in the ZIP: the entry is compressed"
        ),
        "{}",
        out.stderr
    );

    // A ZIP without a receipt.
    let no_receipt = dir.join("no-receipt.zip");
    python_zip(&no_receipt, &[("evidence-1.png", REDACTED)], false);
    let out = verify(&dir, &["no-receipt.zip", "photo.png"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr
            .contains("a ZIP without receipt.json: not an evidence package"),
        "{}",
        out.stderr
    );
}

#[test]
fn help_says_what_is_compared_and_how_it_exits() {
    let out = run_in(Path::new("."), &["verify", "--help"], LIMIT);
    assert!(out.status.success());
    let help = out.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "report-helper/receipt@1",
        "evidence ZIP",
        "report.items[i]",
        "evidence[j].original",
        "conflict, never a match",
        "Exit status: 0 when every file matches",
        "stored entries",
    ] {
        assert!(
            help.contains(needle),
            "--help lacks {needle:?}:\n{}",
            out.stdout
        );
    }
}

#[test]
fn control_and_bidi_characters_reach_the_terminal_escaped() {
    // A reference that would clear the line, return to its start and print a fake summary
    // (reversed by U+202E), then a C1 CSI; a file name that retitles the terminal.
    let reference = "RH-1\u{1b}[2K\r\u{202e}report-helper: 9 of 9 files match\u{9b}2J";
    let name = "photo\u{1b}]0;owned\u{7}\u{2067}.png";
    let dir = folder("terminal", &[(name, PHOTO)]);
    let photo = hashlib(&dir.join(name));
    let mut r = receipt(vec![item("image", &photo, false)], None);
    r["reference"] = json!(reference);
    write_json(&dir, "receipt\u{1b}[31m.json", &r);
    let out = verify(&dir, &["receipt\u{1b}[31m.json", name]);
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "report-helper: 1 of 1 files match the receipt RH-1\\u{1b}[2K\\u{d}\\u{202e}report-helper: \
         9 of 9 files match\\u{9b}2J\n"
    );
    assert!(
        out.stdout
            .starts_with("{\"file\":\"photo\\u001b]0;owned\\u0007\\u2067.png\",\"size\":"),
        "{}",
        out.stdout
    );
    assert_eq!(lines(&out.stdout)[0].file, name);

    // A receipt that cannot be read: its name, escaped, in the message.
    std::fs::write(dir.join("bad\u{85}\u{202d}.json"), b"[]").unwrap();
    let out = verify(&dir, &["bad\u{85}\u{202d}.json", name]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        out.stderr,
        "report-helper: bad\\u{85}\\u{202d}.json: not a receipt: not a JSON object\n"
    );
}

/// Writes the hostile evidence ZIPs of `hostile_zips_are_refused_before_any_screenshot_is_read`
/// into `argv[1]`, packed by hand with Python's struct and zlib (CRC-32), the ZIP format's
/// records as APPNOTE.TXT gives them: argv[2] and argv[3] are two receipts, argv[4] and argv[5]
/// the two screenshots they list.
const HOSTILE_ZIPS: &str = r#"
import struct, sys, zlib
out, rj, rj2, e1, e2 = sys.argv[1], *(open(p, 'rb').read() for p in sys.argv[2:6])

def local(name, data):
    n = name.encode()
    return struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0x800, 0, 0, 0, zlib.crc32(data),
                       len(data), len(data), len(n), 0) + n + data

def central(name, offset, data, size=None, crc=None):
    n = name.encode()
    size = len(data) if size is None else size
    crc = zlib.crc32(data) if crc is None else crc
    return struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0x800, 0, 0, 0, crc, size, size,
                       len(n), 0, 0, 0, 0, 0, offset) + n

def write(name, body, centrals):
    d = b''.join(centrals)
    end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(centrals), len(centrals), len(d),
                      len(body), 0)
    open(f'{out}/{name}', 'wb').write(body + d + end)

def package(files, receipt=rj, **changes):
    body, cs = b'', []
    for name, data in [('receipt.json', receipt)] + files:
        cs.append(central(name, len(body), data, **changes.get(name, {})))
        body += local(name, data)
    return body, cs

files = [('evidence-1.png', e1), ('evidence-2.png', e2)]
write('good.zip', *package(files))
write('bad-crc.zip', *package(files, **{'evidence-2.png': {'crc': zlib.crc32(e2) ^ 1}}))
write('bad-crc-receipt.zip', *package(files, **{'receipt.json': {'crc': zlib.crc32(rj) ^ 1}}))
write('past-end.zip', *package(files, **{'evidence-2.png': {'size': len(e2) + 1000}}))
write('into-directory.zip', *package(files, **{'evidence-2.png': {'size': len(e2) + 10}}))
body, cs = package(files)
cs.append(central('receipt.json', len(body), rj2))
write('duplicate.zip', body + local('receipt.json', rj2), cs)
inner = local('evidence-2.png', e2)
body, cs = package([('evidence-1.png', inner)])
cs.append(central('evidence-2.png', body.index(inner), e2))
write('overlap.zip', body, cs)
blob = bytes(1 << 20)
body, cs = package([('evidence-1.png', e1), ('blob', blob)])
at, crc = body.index(local('blob', blob)), zlib.crc32(blob)
cs += [central(f'x{i}', at, blob, crc=crc) for i in range(60000)]
write('one-blob.zip', body, cs)
write('20k.zip', *package(files + [(f'e{i}.png', b'x') for i in range(20000)]))
"#;

#[test]
fn hostile_zips_are_refused_before_any_screenshot_is_read() {
    let other: &[u8] = b"\x89PNG\r\n\x1a\n a second screenshot, redacted";
    let dir = folder(
        "hostile-zip",
        &[("e1", REDACTED), ("e2", other), ("original", ORIGINAL)],
    );
    let (e1, e2, original) = (
        hashlib(&dir.join("e1")),
        hashlib(&dir.join("e2")),
        hashlib(&dir.join("original")),
    );
    let r = receipt(
        vec![item("image", &original, false)],
        Some(vec![
            evidence("evidence-1.png", &e1, &original),
            evidence("evidence-2.png", &e2, &original),
        ]),
    );
    write_json(&dir, "r1.json", &r);
    let mut r2 = r.clone();
    r2["reference"] = json!("RH-SECOND-ONE");
    write_json(&dir, "r2.json", &r2);
    let path = |n: &str| dir.join(n).to_string_lossy().into_owned();
    python(
        HOSTILE_ZIPS,
        &[
            path(""),
            path("r1.json"),
            path("r2.json"),
            path("e1"),
            path("e2"),
        ],
    );
    // The packing is sound: Python's zipfile reads the good one, and finds the bad CRC and the
    // second receipt.json where unzip does.
    let said = python(
        "import sys, zipfile\n\
         d = sys.argv[1]\n\
         print(zipfile.ZipFile(d + '/good.zip').testzip())\n\
         print(zipfile.ZipFile(d + '/bad-crc.zip').testzip())\n\
         print(b'RH-SECOND-ONE' in zipfile.ZipFile(d + '/duplicate.zip').read('receipt.json'))",
        &[path("")],
    );
    assert_eq!(said, "None\nevidence-2.png\nTrue\n");

    let out = verify(&dir, &["good.zip"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", out.stdout, out.stderr);
    assert_eq!(lines(&out.stdout).len(), 2);

    // A screenshot whose bytes do not have the CRC-32 its ZIP lists: no digests, a failed run.
    let out = verify(&dir, &["bad-crc.zip"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", out.stdout, out.stderr);
    let got = lines(&out.stdout);
    assert_eq!(ins(&got[0]), ["evidence[0]"]);
    assert_eq!(got[1].file, "bad-crc.zip:evidence-2.png");
    let error = got[1].error.as_deref().unwrap();
    assert!(
        error.starts_with("could not read the file: the entry's CRC-32 is ")
            && error.ends_with("the package is damaged or was altered"),
        "{error}"
    );
    assert!(got[1].sha256.is_none() && got[1].matches.is_empty());

    // The rest are refused whole, with nothing read past the directory and receipt: no line on
    // stdout, that is no screenshot hashed, whatever the entries point at.
    let entries = |n: usize| {
        format!(
            "not an evidence package: the ZIP has {n} entries, more than its receipt can name (4)"
        )
    };
    for (zip, why) in [
        (
            "bad-crc-receipt.zip",
            "could not read receipt.json in the ZIP: the entry's CRC-32 is ".to_string(),
        ),
        (
            "past-end.zip",
            "not a ZIP this command reads: the entry \"evidence-2.png\" runs past the end of its data"
                .to_string(),
        ),
        (
            "into-directory.zip",
            "not a ZIP this command reads: the entry \"evidence-2.png\" runs past the end of its data"
                .to_string(),
        ),
        (
            "duplicate.zip",
            "not a ZIP this command reads: two entries are named \"receipt.json\" (readers differ \
             on which one counts)"
                .to_string(),
        ),
        (
            "overlap.zip",
            "not a ZIP this command reads: the entries \"evidence-1.png\" and \"evidence-2.png\" \
             share bytes"
                .to_string(),
        ),
        // 60000 names for one 1 MiB blob: 60 GiB to hash, were they read.
        ("one-blob.zip", entries(60003)),
        // 20000 entries of their own: refused before any is hashed, not looked up one by one.
        ("20k.zip", entries(20003)),
    ] {
        let out = verify(&dir, &[zip]);
        assert_eq!(out.status.code(), Some(2), "{zip}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{zip}");
        let prefix = format!("report-helper: {zip}: {why}");
        assert!(out.stderr.starts_with(&prefix), "{zip}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{zip}: {}", out.stderr);
    }
}
