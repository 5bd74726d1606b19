//! `report-helper match`: the platform's side of the hash list. Reads the list (`list`), hashes
//! each file as `hash` does (`crate::hash`), and prints one JSON line per file with the live
//! entries it matches.
//!
//! Exact digests are looked up in hash maps; PDQ hashes, both sides' displayed and stored
//! pictures, in one [`PdqIndex`] (exact: the same set as a scan); vPDQ videos by the reference's
//! rule ([`match_hashes`]), on the listed videos that the index of all their frames finds to
//! share at least one frame with the file (a video that shares none has 0 % both ways).

pub mod list;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use report_helper::pdq::index::PdqIndex;
use report_helper::pdq::{PdqHash, PdqSize, MIN_USEFUL_QUALITY};
use report_helper::vpdq::matching::match_hashes;
use report_helper::vpdq::{usable_hashes, MATCH_DISTANCE as VPDQ_DISTANCE};
use serde::Serialize;

use crate::hash::{hash_file, video_hashes, FileHashes, Options};
use crate::read::ReadError;
use crate::terminal;
use list::{read_list, List, Value};

/// Which picture of a photo a hash is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Picture {
    /// As displayed: the EXIF orientation applied.
    Displayed,
    /// The pixels as stored (only for a photo with an EXIF orientation other than 1).
    Stored,
}

impl Picture {
    fn name(self) -> &'static str {
        match self {
            Picture::Displayed => "displayed",
            Picture::Stored => "stored",
        }
    }
}

/// One match of a file with a live entry of the list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Match {
    /// The entry's id: the `seq` of its add.
    pub id: u64,
    pub signal: &'static str,
    /// PDQ: the smallest distance between the file's hashes and the entry's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance: Option<u32>,
    /// PDQ: which of the file's pictures and which of the entry's are that close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed: Option<&'static str>,
    /// vPDQ: the share of the file's frames found in the listed video (the reference's query
    /// percentage; a match needs 80), and of the listed video's frames found in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed_percent: Option<f64>,
}

impl Match {
    fn exact(id: u64, signal: &'static str) -> Match {
        Match {
            id,
            signal,
            distance: None,
            file: None,
            listed: None,
            file_percent: None,
            listed_percent: None,
        }
    }
}

/// What of a file is compared with the list.
#[derive(Debug, Default)]
pub struct Query {
    pub sha256: Option<[u8; 32]>,
    pub md5: Option<[u8; 16]>,
    /// The photo's hashes of quality 50 or more, the displayed picture's first.
    pub pdq: Vec<(PdqHash, Picture)>,
    /// A video's frame hashes as the reference matcher prepares them ([`usable_hashes`]).
    pub vpdq: Option<Vec<PdqHash>>,
}

/// The live entries of a list, ready to be looked up.
pub struct Matcher {
    sha256: HashMap<[u8; 32], Vec<u64>>,
    md5: HashMap<[u8; 16], Vec<u64>>,
    pdq: PdqIndex,
    /// Slot of `pdq` -> the entry and which of its pictures.
    pdq_slots: Vec<(u64, Picture)>,
    pdq_threshold: u32,
    /// Every frame of every listed video.
    frames: PdqIndex,
    /// Slot of `frames` -> its video in `videos`.
    frame_video: Vec<u32>,
    videos: Vec<(u64, Vec<PdqHash>)>,
}

/// How many live entries of each signal a list has.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub sha256: usize,
    pub md5: usize,
    pub pdq: usize,
    pub vpdq: usize,
}

impl Matcher {
    /// Takes the list apart as it goes: a list of millions of entries is not held twice.
    pub fn new(list: List, pdq_threshold: u32) -> Matcher {
        let mut sha256: HashMap<[u8; 32], Vec<u64>> = HashMap::new();
        let mut md5: HashMap<[u8; 16], Vec<u64>> = HashMap::new();
        let (mut pdq, mut pdq_slots) = (Vec::new(), Vec::new());
        let (mut frames, mut frame_video, mut videos) = (Vec::new(), Vec::new(), Vec::new());
        for (id, value) in list.entries {
            match value {
                Value::Sha256(d) => sha256.entry(d).or_default().push(id),
                Value::Md5(d) => md5.entry(d).or_default().push(id),
                Value::Pdq { displayed, stored } => {
                    pdq.push(displayed);
                    pdq_slots.push((id, Picture::Displayed));
                    if let Some(stored) = stored.filter(|s| *s != displayed) {
                        pdq.push(stored);
                        pdq_slots.push((id, Picture::Stored));
                    }
                }
                Value::Vpdq(hashes) => {
                    frames.extend_from_slice(&hashes);
                    frame_video.extend(std::iter::repeat_n(videos.len() as u32, hashes.len()));
                    videos.push((id, hashes));
                }
            }
        }
        Matcher {
            sha256,
            md5,
            pdq: PdqIndex::new(pdq),
            pdq_slots,
            pdq_threshold,
            frames: PdqIndex::new(frames),
            frame_video,
            videos,
        }
    }

    pub fn counts(&self) -> Counts {
        Counts {
            sha256: self.sha256.values().map(Vec::len).sum(),
            md5: self.md5.values().map(Vec::len).sum(),
            pdq: self
                .pdq_slots
                .iter()
                .filter(|s| s.1 == Picture::Displayed)
                .count(),
            vpdq: self.videos.len(),
        }
    }

    /// Whether any video is listed (else no file is hashed as a video).
    pub fn has_videos(&self) -> bool {
        !self.videos.is_empty()
    }

    /// The entries `query` matches, by id.
    pub fn matches(&self, query: &Query) -> Vec<Match> {
        let mut found = Vec::new();
        let exact = |ids: Option<&Vec<u64>>, signal, found: &mut Vec<Match>| {
            found.extend(
                ids.into_iter()
                    .flatten()
                    .map(|&id| Match::exact(id, signal)),
            );
        };
        exact(
            query.sha256.and_then(|d| self.sha256.get(&d)),
            "sha256",
            &mut found,
        );
        exact(query.md5.and_then(|d| self.md5.get(&d)), "md5", &mut found);

        // The closest pair for each entry; on a tie, the displayed pictures first.
        let mut best: BTreeMap<u64, (u32, Picture, Picture)> = BTreeMap::new();
        let mut hits = Vec::new();
        for &(hash, file) in &query.pdq {
            hits.clear();
            self.pdq.search(&hash, self.pdq_threshold, &mut hits);
            for &(slot, distance) in &hits {
                let (id, listed) = self.pdq_slots[slot as usize];
                let pair = (distance, file, listed);
                best.entry(id)
                    .and_modify(|b| *b = (*b).min(pair))
                    .or_insert(pair);
            }
        }
        found.extend(
            best.into_iter()
                .map(|(id, (distance, file, listed))| Match {
                    distance: Some(distance),
                    file: Some(file.name()),
                    listed: Some(listed.name()),
                    ..Match::exact(id, "pdq")
                }),
        );

        if let Some(frames) = &query.vpdq {
            let mut candidates: Vec<u32> = Vec::new();
            for hash in frames {
                hits.clear();
                self.frames.search(hash, VPDQ_DISTANCE, &mut hits);
                candidates.extend(
                    hits.iter()
                        .map(|&(slot, _)| self.frame_video[slot as usize]),
                );
            }
            candidates.sort_unstable();
            candidates.dedup();
            for video in candidates {
                let (id, listed) = &self.videos[video as usize];
                let m = match_hashes(frames, listed);
                if m.is_match() {
                    found.push(Match {
                        file_percent: Some(m.query_percent),
                        listed_percent: Some(m.compared_percent),
                        ..Match::exact(*id, "vpdq")
                    });
                }
            }
        }
        found.sort_by_key(|m| m.id);
        found
    }
}

/// What a file gives to compare, and a note when its photo hash is too poor to compare.
fn query_of(path: &Path, hashes: &FileHashes, with_video: bool) -> (Query, Option<String>) {
    let mut query = Query {
        sha256: hashes.digests.sha256.map(|d| d.0),
        md5: hashes.digests.md5.map(|d| d.0),
        ..Query::default()
    };
    let mut note = None;
    match &hashes.pdq {
        Ok(hashed) => {
            let pictures = [Some(&hashed.pdq), hashed.stored.as_ref()];
            for (pdq, picture) in pictures
                .into_iter()
                .zip([Picture::Displayed, Picture::Stored])
            {
                let Some(pdq) = pdq else { continue };
                if pdq.quality >= MIN_USEFUL_QUALITY {
                    query.pdq.push((pdq.hash, picture));
                } else if note.is_none() {
                    note = Some(format!(
                        "PDQ quality {} (under {MIN_USEFUL_QUALITY}): the photo is compared by its digests only",
                        pdq.quality
                    ));
                }
            }
        }
        // Not a photo: a video, if the list has any (animated GIF and WebP are photos here, by
        // their first frame, as the page hashes them).
        Err(_) if with_video => {
            if let Ok(video) = video_hashes(path, hashes.digests.size) {
                query.vpdq = Some(usable_hashes(&video.frames));
            }
        }
        Err(_) => {}
    }
    (query, note)
}

/// One output line.
#[derive(Serialize)]
struct Line<'a> {
    path: &'a str,
    matches: &'a [Match],
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    error: Option<String>,
}

fn json_line(line: &Line) -> String {
    // Strings, numbers and arrays only: serialising cannot fail.
    let text = serde_json::to_string(line).unwrap_or_default();
    terminal::json(&text).into_owned()
}

/// What the walk met: a file to hash, or a path that could not be read.
enum Found<'a> {
    File(&'a Path),
    Unreadable(&'a Path, String),
}

/// Calls `visit` for each file under `path`: `path` itself if it is not a folder, else the
/// regular files in it and its subfolders, by name. Links inside a folder are followed to files
/// but not to folders (no loops); FIFOs, sockets and devices inside a folder are passed over
/// (opening a FIFO would wait for a writer).
fn walk(path: &Path, visit: &mut dyn FnMut(Found) -> io::Result<()>) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => walk_folder(path, visit),
        Ok(_) => visit(Found::File(path)),
        Err(e) => visit(Found::Unreadable(path, ReadError(e).to_string())),
    }
}

fn walk_folder(dir: &Path, visit: &mut dyn FnMut(Found) -> io::Result<()>) -> io::Result<()> {
    let entries = match fs::read_dir(dir).and_then(|d| d.collect::<io::Result<Vec<_>>>()) {
        Ok(entries) => entries,
        Err(e) => {
            let why = ReadError(e).to_string().replace("the file", "the folder");
            return visit(Found::Unreadable(dir, why));
        }
    };
    let mut entries: Vec<(PathBuf, fs::FileType)> = entries
        .into_iter()
        .filter_map(|e| Some((e.path(), e.file_type().ok()?)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        if kind.is_dir() {
            walk_folder(&path, visit)?;
        } else if kind.is_file() {
            visit(Found::File(&path))?;
        } else if kind.is_symlink() {
            match fs::metadata(&path) {
                Ok(meta) if meta.is_file() => visit(Found::File(&path))?,
                Ok(_) => {}
                Err(e) => visit(Found::Unreadable(&path, ReadError(e).to_string()))?,
            }
        }
    }
    Ok(())
}

/// `report-helper match`: exit status 0 when some file matched, 1 when none did, 2 on an error
/// (a list that cannot be read, or a file or folder that could not be; every line is still
/// printed), as grep's.
pub fn run(list: &str, pdq_threshold: u32, paths: &[PathBuf]) -> ExitCode {
    let mut stderr = io::stderr();
    let list = match read_list(list) {
        Ok(list) => list,
        Err(e) => {
            let _ = writeln!(stderr, "report-helper: {e}");
            return ExitCode::from(2);
        }
    };
    let matcher = Matcher::new(list, pdq_threshold);
    let c = matcher.counts();
    let _ = writeln!(
        stderr,
        "report-helper: the list has {} entries: {} sha256, {} md5, {} pdq, {} vpdq",
        c.sha256 + c.md5 + c.pdq + c.vpdq,
        c.sha256,
        c.md5,
        c.pdq,
        c.vpdq
    );
    let options = Options {
        size: PdqSize::Full,
        dihedral: false,
        sha1: false,
        vpdq: false,
    };
    let mut stdout = io::stdout().lock();
    let (mut files, mut matched, mut errors) = (0usize, 0usize, 0usize);
    let mut visit = |found: Found| -> io::Result<()> {
        let (path, matches, note, error) = match found {
            Found::File(path) => match hash_file(path, options) {
                Ok(hashes) => {
                    let (query, note) = query_of(path, &hashes, matcher.has_videos());
                    (path, matcher.matches(&query), note, None)
                }
                Err(e) => (path, Vec::new(), None, Some(e.to_string())),
            },
            Found::Unreadable(path, why) => (path, Vec::new(), None, Some(why)),
        };
        files += 1;
        matched += usize::from(!matches.is_empty());
        errors += usize::from(error.is_some());
        let line = json_line(&Line {
            path: &path.to_string_lossy(),
            matches: &matches,
            note,
            error,
        });
        writeln!(stdout, "{line}").and_then(|()| stdout.flush())
    };
    for path in paths {
        if let Err(e) = walk(path, &mut visit) {
            if e.kind() != io::ErrorKind::BrokenPipe {
                let _ = writeln!(stderr, "report-helper: cannot write the output: {e}");
            }
            return ExitCode::from(2);
        }
    }
    let _ = writeln!(
        stderr,
        "report-helper: {matched} of {files} files match the list{}",
        match errors {
            0 => String::new(),
            1 => "; 1 could not be read".to_string(),
            n => format!("; {n} could not be read"),
        }
    );
    ExitCode::from(match (errors, matched) {
        (1.., _) => 2,
        (0, 1..) => 0,
        (0, 0) => 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small xorshift generator: the same cases on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn hash(&mut self) -> PdqHash {
            let mut bytes = [0u8; 32];
            for b in &mut bytes {
                *b = self.next() as u8;
            }
            PdqHash::from_bytes(bytes)
        }

        /// `hash` with up to `most` random bits flipped (some may flip back).
        fn near(&mut self, hash: &PdqHash, most: u64) -> PdqHash {
            let mut bytes = hash.to_bytes();
            for _ in 0..self.next() % most {
                let k = (self.next() % 256) as usize;
                bytes[k / 8] ^= 1 << (k % 8);
            }
            PdqHash::from_bytes(bytes)
        }

        fn near_one_of(&mut self, bases: &[PdqHash], most: u64) -> PdqHash {
            let base = bases[(self.next() % bases.len() as u64) as usize];
            self.near(&base, most)
        }
    }

    /// The matcher's PDQ and vPDQ answers equal a brute force over every live entry: the
    /// closest pair per photo, and the reference's rule on every listed video.
    #[test]
    fn matches_equal_brute_force_on_random_near_duplicates() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let bases: Vec<PdqHash> = (0..8).map(|_| rng.hash()).collect();
        let mut list = List::default();
        for id in 1..=60u64 {
            let base = bases[(rng.next() % 8) as usize];
            let value = match rng.next() % 3 {
                0 => Value::Pdq {
                    displayed: rng.near(&base, 40),
                    stored: None,
                },
                1 => Value::Pdq {
                    displayed: rng.near(&base, 40),
                    stored: Some(rng.near(&base, 40)),
                },
                _ => Value::Vpdq(
                    (0..1 + rng.next() % 12)
                        .map(|_| rng.near_one_of(&bases, 40))
                        .collect(),
                ),
            };
            list.entries.insert(id, value);
        }
        let mut found: BTreeMap<(u32, &str), usize> = BTreeMap::new();
        for threshold in [0, 10, 31, 45] {
            let matcher = Matcher::new(
                List {
                    entries: list.entries.clone(),
                    last_seq: None,
                },
                threshold,
            );
            for _ in 0..200 {
                let base = bases[(rng.next() % 8) as usize];
                let mut query = Query {
                    pdq: vec![(rng.near(&base, 40), Picture::Displayed)],
                    vpdq: Some(
                        (0..1 + rng.next() % 10)
                            .map(|_| rng.near_one_of(&bases, 40))
                            .collect(),
                    ),
                    ..Query::default()
                };
                if rng.next().is_multiple_of(2) {
                    query.pdq.push((rng.near(&base, 40), Picture::Stored));
                }
                let mut expected = Vec::new();
                for (&id, value) in &list.entries {
                    match value {
                        Value::Pdq { displayed, stored } => {
                            let listed = [
                                Some((*displayed, Picture::Displayed)),
                                stored.map(|s| (s, Picture::Stored)),
                            ];
                            let best = query
                                .pdq
                                .iter()
                                .flat_map(|&(f, fp)| {
                                    listed
                                        .iter()
                                        .flatten()
                                        .map(move |&(l, lp)| (f.distance(&l), fp, lp))
                                })
                                .min()
                                .filter(|b| b.0 <= threshold);
                            if let Some((d, f, l)) = best {
                                expected.push(Match {
                                    distance: Some(d),
                                    file: Some(f.name()),
                                    listed: Some(l.name()),
                                    ..Match::exact(id, "pdq")
                                });
                            }
                        }
                        Value::Vpdq(hashes) => {
                            let m = match_hashes(query.vpdq.as_ref().unwrap(), hashes);
                            if m.is_match() {
                                expected.push(Match {
                                    file_percent: Some(m.query_percent),
                                    listed_percent: Some(m.compared_percent),
                                    ..Match::exact(id, "vpdq")
                                });
                            }
                        }
                        _ => {}
                    }
                }
                assert_eq!(matcher.matches(&query), expected);
                for m in &expected {
                    *found.entry((threshold, m.signal)).or_insert(0) += 1;
                }
            }
        }
        // Not vacuous: matches of both kinds (vPDQ's distance is the reference's 31 whatever
        // the PDQ threshold).
        for threshold in [10, 31, 45] {
            assert!(found.get(&(threshold, "pdq")) > Some(&20), "{found:?}");
            assert!(found.get(&(threshold, "vpdq")) > Some(&5), "{found:?}");
        }
    }
}
