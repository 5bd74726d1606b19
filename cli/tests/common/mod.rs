//! Helpers shared by the tests of the `report-helper` binary: running it with a time limit,
//! reading its JSON lines, and Meta's PDQ vectors; `intake` for the intake's tests.

#![allow(dead_code)] // each test binary uses a different part

pub mod intake;

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use report_helper::PdqHash;
use serde::Deserialize;

pub const BIN: &str = env!("CARGO_BIN_EXE_report-helper");

/// Meta's PDQ vectors, in the repository: `tests/fixtures/pdq` (see its README.md).
pub fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pdq")
}

/// `pdq/data` of the upstream vectors: the images, by the paths the CSV files use.
pub fn pdq_data() -> PathBuf {
    vectors().join("upstream/pdq/data")
}

/// A folder of its own under the build's `target/` for files a test makes.
pub fn scratch(name: &str) -> PathBuf {
    // target/debug/report-helper -> target/
    let target = Path::new(BIN).ancestors().nth(2).expect("target folder");
    let dir = target.join("fixtures").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

/// Runs `report-helper` with `args` in `dir`; kills it and fails the test if it is still
/// running after `limit`.
pub fn run_in<S: AsRef<OsStr>>(dir: &Path, args: &[S], limit: Duration) -> Run {
    let shown: Vec<_> = args.iter().map(|a| a.as_ref().to_string_lossy()).collect();
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start report-helper");
    // Drain both pipes while waiting, so that a full pipe never stalls the child.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).map(|_| text)
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("report-helper {shown:?} still ran after {limit:?}: killed");
        }
        thread::sleep(Duration::from_millis(20));
    };
    Run {
        status,
        stdout: stdout.join().unwrap().expect("stdout is UTF-8"),
        stderr: stderr.join().unwrap().expect("stderr is UTF-8"),
        took: started.elapsed(),
    }
}

pub fn run<S: AsRef<OsStr>>(args: &[S], limit: Duration) -> Run {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, limit)
}

/// One output line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub file: String,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub pdq: Option<Pdq>,
    /// Only when the EXIF orientation is not 1.
    #[serde(default)]
    pub pdq_stored: Option<StoredPdq>,
    pub error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredPdq {
    pub hash: String,
    pub quality: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pdq {
    pub hash: String,
    pub quality: u8,
    pub width: u32,
    pub height: u32,
    pub dihedral: Option<Dihedral>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dihedral {
    pub rot90: String,
    pub rot180: String,
    pub rot270: String,
    pub flipx: String,
    pub flipy: String,
    pub flipp: String,
    pub flipm: String,
}

impl Pdq {
    /// The hash and the seven dihedral hashes under the CSV's column names.
    pub fn columns(&self) -> Vec<(&'static str, &str)> {
        let d = self.dihedral.as_ref().expect("run with --dihedral");
        vec![
            ("hash", &self.hash),
            ("rot90", &d.rot90),
            ("rot180", &d.rot180),
            ("rot270", &d.rot270),
            ("flipx", &d.flipx),
            ("flipy", &d.flipy),
            ("flipp", &d.flipp),
            ("flipm", &d.flipm),
        ]
    }
}

/// Parses every line of `stdout`, checking that each has exactly the documented keys in the
/// documented order (`sha1` only if `sha1`, `pdq_stored` only for a turned picture, right after
/// `pdq`), and the same for `pdq`, `pdq_stored` and `dihedral` when present.
pub fn lines(stdout: &str, sha1: bool) -> Vec<Line> {
    let top: &[&str] = if sha1 {
        &["file", "size", "sha256", "md5", "sha1", "pdq", "error"]
    } else {
        &["file", "size", "sha256", "md5", "pdq", "error"]
    };
    assert!(stdout.ends_with('\n') || stdout.is_empty(), "{stdout:?}");
    stdout
        .lines()
        .map(|text| {
            let value: serde_json::Value = serde_json::from_str(text).expect(text);
            let mut top = top.to_vec();
            if let Some(stored) = value.get("pdq_stored") {
                top.insert(top.len() - 1, "pdq_stored");
                assert_eq!(keys_in_order(text, stored), ["hash", "quality"], "{text}");
            }
            assert_eq!(keys_in_order(text, &value), top, "{text}");
            if let Some(pdq) = value.get("pdq").filter(|p| !p.is_null()) {
                let mut expected = vec!["hash", "quality", "width", "height"];
                if let Some(d) = pdq.get("dihedral") {
                    expected.push("dihedral");
                    let names = [
                        "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm",
                    ];
                    assert_eq!(keys_in_order(text, d), names, "{text}");
                }
                assert_eq!(keys_in_order(text, pdq), expected, "{text}");
            }
            serde_json::from_value(value).expect(text)
        })
        .collect()
}

/// The keys of `object`, ordered by where `"key":` first appears in `text`.
fn keys_in_order<'a>(text: &str, object: &'a serde_json::Value) -> Vec<&'a str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_by_key(|k| text.find(&format!("\"{k}\":")).expect(k));
    keys
}

/// Hamming distance between two hashes given as hex.
pub fn distance(a: &str, b: &str) -> u32 {
    let parse = |h: &str| {
        h.parse::<PdqHash>()
            .unwrap_or_else(|_| panic!("not a hash: {h}"))
    };
    parse(a).distance(&parse(b))
}

/// A CSV file without quoting (as the vectors' are), by column name.
pub struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn read(path: &Path) -> Csv {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!text.contains('"'), "{}: quoted CSV", path.display());
        let mut lines = text
            .lines()
            .map(|l| l.split(',').map(String::from).collect());
        let header: Vec<String> = lines.next().expect("a header");
        let rows: Vec<Vec<String>> = lines.collect();
        assert!(rows.iter().all(|r| r.len() == header.len()));
        Csv { header, rows }
    }

    /// The row whose `column` is `value`.
    pub fn row(&self, column: &str, value: &str) -> Option<Row<'_>> {
        let i = self.column(column);
        self.rows
            .iter()
            .find(|r| r[i] == value)
            .map(|cells| Row { csv: self, cells })
    }

    fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }
}

pub struct Row<'a> {
    csv: &'a Csv,
    cells: &'a [String],
}

impl Row<'_> {
    pub fn get(&self, column: &str) -> &str {
        &self.cells[self.csv.column(column)]
    }
}

/// Runs Python's `script` (`python3 -c`) with `args`, and gives its stdout; fails the test if
/// it fails.
pub fn python<S: AsRef<OsStr>>(script: &str, args: &[S]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// (size, sha256, md5, sha1) of each file, from Python's hashlib.
pub fn hashlib(files: &[PathBuf]) -> Vec<(u64, String, String, String)> {
    let out = python(
        "import hashlib, sys\n\
         for p in sys.argv[1:]:\n\
         \x20   b = open(p, 'rb').read()\n\
         \x20   print(len(b), *(hashlib.new(a, b).hexdigest() for a in ('sha256', 'md5', 'sha1')))",
        files,
    );
    out.lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0].parse().unwrap(), f[1].into(), f[2].into(), f[3].into())
        })
        .collect()
}
