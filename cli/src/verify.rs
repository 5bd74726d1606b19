//! `report-helper verify RECEIPT FILE...`: which items of a receipt each file is.
//!
//! The receipt is the one the page saves after sending (`report-helper/receipt@1`), or the
//! evidence ZIP the page makes (stored entries: `receipt.json`, `receipt.html`,
//! `evidence-N.png`). Every file is read in chunks and its SHA-256, MD5 and SHA-1 compared with
//! every place of the receipt that lists digests: `report.items[i]`, `evidence[j]` (a redacted
//! screenshot as saved) and `evidence[j].original` (the screenshot before redaction).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use report_helper::{Algorithms, Digests};
use serde::Serialize;
use serde_json::Value;

use crate::read::{read_and_digest, read_full, ReadError};
use crate::terminal;

/// What the `receipt` key of a receipt says.
pub const RECEIPT_FORMAT: &str = "report-helper/receipt@1";
/// A receipt file (or the `receipt.json` of an evidence ZIP) larger than this is refused.
pub const MAX_RECEIPT: u64 = 16 << 20;
/// The name of the receipt inside an evidence ZIP.
const ZIP_RECEIPT: &str = "receipt.json";
/// Entries of an evidence ZIP that are not evidence.
const ZIP_NOT_EVIDENCE: [&str; 2] = [ZIP_RECEIPT, "receipt.html"];

/// A place of the receipt that lists the digests of one file.
#[derive(Debug)]
struct Place {
    /// Where it is: `report.items[0]`, `evidence[1]`, `evidence[1].original`.
    at: String,
    label: Label,
    sha256: String,
    md5: Option<String>,
    sha1: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "lowercase")]
enum Label {
    /// A report item's kind: image, video or other.
    Kind(String),
    /// An evidence entry's file name.
    File(String),
}

/// What a receipt lists, read and checked.
#[derive(Debug)]
pub struct Receipt {
    reference: Option<String>,
    places: Vec<Place>,
    /// The `file` of each `evidence` entry, in order, for checking an evidence ZIP.
    evidence_files: Vec<String>,
}

/// Why a receipt cannot be used: the run stops with exit status 2.
#[derive(Debug)]
pub struct BadReceipt(String);

impl fmt::Display for BadReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn bad(why: impl Into<String>) -> BadReceipt {
    BadReceipt(why.into())
}

impl Receipt {
    /// Reads a receipt from its JSON text.
    pub fn from_json(bytes: &[u8]) -> Result<Receipt, BadReceipt> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
        let Some(top) = value.as_object() else {
            return Err(bad("not a receipt: not a JSON object"));
        };
        match top.get("receipt") {
            Some(Value::String(s)) if s == RECEIPT_FORMAT => {}
            Some(Value::String(s)) => {
                return Err(bad(format!(
                "not a receipt this command reads: \"receipt\" is {s:?}, not \"{RECEIPT_FORMAT}\""
            )))
            }
            _ => {
                return Err(bad(format!(
                    "not a receipt: no \"receipt\": \"{RECEIPT_FORMAT}\""
                )))
            }
        }
        let reference = match top.get("reference") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad("\"reference\" is not a string")),
        };
        let items = top
            .get("report")
            .and_then(|r| r.get("items"))
            .and_then(Value::as_array)
            .ok_or_else(|| bad("not a receipt: no report.items list"))?;

        let mut places = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("report.items[{i}]");
            let kind = string(item, &at, "kind")?;
            places.push(place(item, at, Label::Kind(kind))?);
        }

        let mut evidence_files = Vec::new();
        let evidence = match top.get("evidence") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(list)) => list,
            Some(_) => return Err(bad("\"evidence\" is not a list")),
        };
        for (j, entry) in evidence.iter().enumerate() {
            let at = format!("evidence[{j}]");
            let file = string(entry, &at, "file")?;
            places.push(place(entry, at.clone(), Label::File(file.clone()))?);
            match entry.get("original") {
                None | Some(Value::Null) => {}
                Some(original) => places.push(place(
                    original,
                    format!("{at}.original"),
                    Label::File(file.clone()),
                )?),
            }
            evidence_files.push(file);
        }
        Ok(Receipt {
            reference,
            places,
            evidence_files,
        })
    }

    /// What this file is in the receipt: the places whose every listed digest equals the
    /// file's, and the places where some digests agree and others differ.
    fn compare(&self, digests: &Digests) -> (Vec<Found>, Vec<Conflict>) {
        let hex = |d: Option<String>| d.unwrap_or_default();
        let sha256 = hex(digests.sha256.map(|d| d.to_hex()));
        let md5 = hex(digests.md5.map(|d| d.to_hex()));
        let sha1 = hex(digests.sha1.map(|d| d.to_hex()));
        let mut matches = Vec::new();
        let mut conflicts = Vec::new();
        for place in &self.places {
            let listed = [
                ("sha256", Some(&place.sha256), &sha256),
                ("md5", place.md5.as_ref(), &md5),
                ("sha1", place.sha1.as_ref(), &sha1),
            ];
            let (mut agree, mut differ) = (Vec::new(), Vec::new());
            for (name, expected, actual) in listed {
                match expected {
                    Some(e) if e == actual => agree.push(name),
                    Some(_) => differ.push(name),
                    None => {}
                }
            }
            if differ.is_empty() {
                matches.push(Found {
                    at: place.at.clone(),
                    label: place.label.clone(),
                });
            } else if !agree.is_empty() {
                conflicts.push(Conflict {
                    at: place.at.clone(),
                    label: place.label.clone(),
                    agree,
                    differ,
                });
            }
        }
        (matches, conflicts)
    }
}

/// The string `key` of `object` at `at`.
fn string(object: &Value, at: &str, key: &str) -> Result<String, BadReceipt> {
    match object.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(bad(format!("{at}.{key} is not a string"))),
        None => Err(bad(format!("{at} has no {key}"))),
    }
}

/// The digest `key` of `object` at `at`: `len` hex digits (kept in lowercase), or `None` when
/// it is absent or null.
fn digest(object: &Value, at: &str, key: &str, len: usize) -> Result<Option<String>, BadReceipt> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(s.to_ascii_lowercase()))
        }
        Some(_) => Err(bad(format!("{at}.{key} is not {len} hex digits"))),
    }
}

/// The digests listed at `at`: sha256 always, md5 and sha1 when present.
fn place(object: &Value, at: String, label: Label) -> Result<Place, BadReceipt> {
    if !object.is_object() {
        return Err(bad(format!("{at} is not an object")));
    }
    let sha256 =
        digest(object, &at, "sha256", 64)?.ok_or_else(|| bad(format!("{at} has no sha256")))?;
    let md5 = digest(object, &at, "md5", 32)?;
    let sha1 = digest(object, &at, "sha1", 40)?;
    Ok(Place {
        at,
        label,
        sha256,
        md5,
        sha1,
    })
}

/// A place whose every listed digest equals the file's.
#[derive(Debug, Serialize)]
struct Found {
    #[serde(rename = "in")]
    at: String,
    #[serde(flatten)]
    label: Label,
}

/// A place where some digests equal the file's and others do not: one of the two was altered,
/// or a digest collides. Never counted as a match.
#[derive(Debug, Serialize)]
struct Conflict {
    #[serde(rename = "in")]
    at: String,
    #[serde(flatten)]
    label: Label,
    agree: Vec<&'static str>,
    differ: Vec<&'static str>,
}

/// One output line. Every line has the same keys, in this order.
#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    size: Option<u64>,
    sha256: Option<String>,
    md5: Option<String>,
    sha1: Option<String>,
    matches: Vec<Found>,
    conflicts: Vec<Conflict>,
    error: Option<String>,
}

/// The line for one file; whether it matched some place (for an entry of an evidence ZIP, the
/// `evidence[j]` the receipt lists under its name, `expected`); whether it conflicted with some
/// place.
fn line(
    file: &str,
    receipt: &Receipt,
    digests: Result<Digests, String>,
    expected: Option<&str>,
) -> (String, bool, bool) {
    let mut line = match digests {
        Err(error) => Line {
            file,
            size: None,
            sha256: None,
            md5: None,
            sha1: None,
            matches: Vec::new(),
            conflicts: Vec::new(),
            error: Some(error),
        },
        Ok(digests) => {
            let (matches, conflicts) = receipt.compare(&digests);
            Line {
                file,
                size: Some(digests.size),
                sha256: digests.sha256.map(|d| d.to_hex()),
                md5: digests.md5.map(|d| d.to_hex()),
                sha1: digests.sha1.map(|d| d.to_hex()),
                matches,
                conflicts,
                error: None,
            }
        }
    };
    let mut matched = !line.matches.is_empty();
    if let (Some(at), None) = (expected, &line.error) {
        if !line.matches.iter().any(|m| m.at == at) {
            matched = false;
            line.error = Some(format!(
                "not the screenshot the receipt lists under this name ({at})"
            ));
        }
    }
    let conflicted = !line.conflicts.is_empty();
    // Strings, numbers, nulls and lists of them: serialising cannot fail.
    let text = serde_json::to_string(&line).unwrap_or_default();
    (terminal::json(&text).into_owned(), matched, conflicted)
}

/// SHA-256, MD5 and SHA-1 of everything `reader` gives, read in chunks.
fn digest_stream(reader: impl Read) -> Result<Digests, ReadError> {
    // An image limit of 0 keeps no bytes of any file: only the digests are wanted here.
    read_and_digest(reader, Algorithms::ALL, 0, 0).map(|(digests, _)| digests)
}

fn digest_file(path: &Path) -> Result<Digests, String> {
    File::open(path)
        .map_err(ReadError)
        .and_then(digest_stream)
        .map_err(|e| e.to_string())
}

/// What RECEIPT turned out to be.
enum Source {
    Json,
    /// An evidence ZIP, open, with its directory checked.
    Zip(File, ZipDir),
}

/// Reads RECEIPT: a receipt's JSON, or an evidence ZIP holding `receipt.json`.
///
/// A ZIP is checked before any of its screenshots is read: no two entries of one name, at most
/// as many entries as its receipt can name, every entry inside the file and before the central
/// directory, no two entries sharing bytes, and `receipt.json`'s CRC-32. The work is linear in
/// the number of entries.
fn open_receipt(path: &Path) -> Result<(Receipt, Source), BadReceipt> {
    let read_error = |e: io::Error| bad(ReadError(e).to_string());
    let mut file = File::open(path).map_err(read_error)?;
    let mut start = [0u8; 4];
    let n = read_full(&mut file, &mut start).map_err(read_error)?;
    if start[..n] == *b"PK\x03\x04" {
        let not_read = |e: io::Error| bad(format!("not a ZIP this command reads: {e}"));
        let mut dir = zip_entries(&mut file).map_err(not_read)?;
        let Some(&at) = dir.by_name.get(ZIP_RECEIPT) else {
            return Err(bad(format!(
                "a ZIP without {ZIP_RECEIPT}: not an evidence package"
            )));
        };
        if dir.entries[at].size > MAX_RECEIPT {
            return Err(bad(format!(
                "its {ZIP_RECEIPT} is over 16 MiB: not a receipt"
            )));
        }
        let cannot_read =
            |e: io::Error| bad(format!("could not read {ZIP_RECEIPT} in the ZIP: {e}"));
        dir.entries[at].data =
            Some(zip_span(&mut file, &dir.entries[at], dir.data_end).map_err(not_read)?);
        let mut json = Vec::new();
        zip_reader(&mut file, &dir.entries[at])
            .and_then(|mut r| r.read_to_end(&mut json))
            .map_err(cannot_read)?;
        let receipt = Receipt::from_json(&json).map_err(|e| bad(format!("{ZIP_RECEIPT}: {e}")))?;
        // receipt.json, receipt.html and the screenshots it lists.
        let can_name = receipt.evidence_files.len() + ZIP_NOT_EVIDENCE.len();
        if dir.entries.len() > can_name {
            return Err(bad(format!(
                "not an evidence package: the ZIP has {} entries, more than its receipt can \
                 name ({can_name})",
                dir.entries.len()
            )));
        }
        check_spans(&mut file, &mut dir).map_err(not_read)?;
        return Ok((receipt, Source::Zip(file, dir)));
    }
    let mut json = start[..n].to_vec();
    file.take(MAX_RECEIPT + 1 - n as u64)
        .read_to_end(&mut json)
        .map_err(read_error)?;
    if json.len() as u64 > MAX_RECEIPT {
        return Err(bad("over 16 MiB: not a receipt"));
    }
    Ok((Receipt::from_json(&json)?, Source::Json))
}

/// One entry of a ZIP's central directory.
#[derive(Debug)]
struct ZipEntry {
    name: String,
    /// 0: stored.
    method: u16,
    /// Bytes as stored in the archive.
    size: u64,
    crc32: u32,
    local_header: u64,
    /// Where its bytes start, once its local header was read and checked (`zip_span`).
    data: Option<u64>,
}

/// A ZIP's central directory, read and checked.
#[derive(Debug)]
struct ZipDir {
    entries: Vec<ZipEntry>,
    /// Each name's entry: names are unique.
    by_name: HashMap<String, usize>,
    /// Where the central directory starts: every entry's bytes end before it.
    data_end: u64,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn invalid(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

/// The entries of the ZIP `file`, from its central directory (no ZIP64: the page's packages
/// are under 4 GiB). Two entries of the same name are refused: readers disagree on which one
/// counts (`unzip` and Python's zipfile take the last).
fn zip_entries(file: &mut (impl Read + Seek)) -> io::Result<ZipDir> {
    let len = file.seek(SeekFrom::End(0))?;
    // The end record: 22 bytes and a comment of at most 65535.
    let tail_len = len.min(22 + 0xffff);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0; tail_len as usize];
    file.read_exact(&mut tail)?;
    let end = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(&tail, i) == 0x0605_4b50)
        .ok_or_else(|| invalid("no end of central directory"))?;
    let end = &tail[end..];
    let count = u16_at(end, 10) as usize;
    let dir_size = u32_at(end, 12) as u64;
    let dir_start = u32_at(end, 16) as u64;
    if count == 0xffff || u32_at(end, 12) == u32::MAX || u32_at(end, 16) == u32::MAX {
        return Err(invalid("a ZIP64 archive (the page never writes one)"));
    }
    if dir_start.checked_add(dir_size).is_none_or(|e| e > len) || dir_size > MAX_RECEIPT {
        return Err(invalid("the central directory is not inside the file"));
    }
    file.seek(SeekFrom::Start(dir_start))?;
    let mut dir = vec![0; dir_size as usize];
    file.read_exact(&mut dir)?;
    let mut entries = Vec::with_capacity(count.min(dir.len() / 46));
    let mut by_name = HashMap::with_capacity(count.min(dir.len() / 46));
    let mut at = 0;
    for _ in 0..count {
        if at + 46 > dir.len() || u32_at(&dir, at) != 0x0201_4b50 {
            return Err(invalid("a central directory entry is cut short"));
        }
        let h = &dir[at..];
        let name_len = u16_at(h, 28) as usize;
        let extra_len = u16_at(h, 30) as usize;
        let comment_len = u16_at(h, 32) as usize;
        let next = at + 46 + name_len + extra_len + comment_len;
        if next > dir.len() {
            return Err(invalid("a central directory entry is cut short"));
        }
        let name = String::from_utf8_lossy(&h[46..46 + name_len]).into_owned();
        let (method, size, unpacked) = (u16_at(h, 10), u32_at(h, 20), u32_at(h, 24));
        if method == 0 && size != unpacked {
            return Err(invalid(format!(
                "the stored entry {name:?} has two different sizes"
            )));
        }
        if by_name.insert(name.clone(), entries.len()).is_some() {
            return Err(invalid(format!(
                "two entries are named {name:?} (readers differ on which one counts)"
            )));
        }
        entries.push(ZipEntry {
            name,
            method,
            size: size as u64,
            crc32: u32_at(h, 16),
            local_header: u32_at(h, 42) as u64,
            data: None,
        });
        at = next;
    }
    Ok(ZipDir {
        entries,
        by_name,
        data_end: dir_start,
    })
}

/// Reads and checks `entry`'s local header: where its bytes start and end. They must end by
/// `data_end` (the central directory), never past it or past the end of the file.
fn zip_span<R: Read + Seek>(file: &mut R, entry: &ZipEntry, data_end: u64) -> io::Result<u64> {
    file.seek(SeekFrom::Start(entry.local_header))?;
    let mut local = [0u8; 30];
    file.read_exact(&mut local)
        .map_err(|_| invalid(format!("no local header for {:?}", entry.name)))?;
    if u32_at(&local, 0) != 0x0403_4b50 {
        return Err(invalid(format!(
            "no local header for {:?} where the central directory says",
            entry.name
        )));
    }
    let name_len = u64::from(u16_at(&local, 26));
    let data = entry.local_header + 30 + name_len + u64::from(u16_at(&local, 28));
    if data + entry.size > data_end {
        return Err(invalid(format!(
            "the entry {:?} runs past the end of its data ({} bytes from {data}, the data \
             ends at {data_end})",
            entry.name, entry.size
        )));
    }
    let mut name = vec![0; name_len as usize];
    file.read_exact(&mut name)?;
    if name != entry.name.as_bytes() {
        return Err(invalid(format!(
            "the local header of {:?} names another file",
            entry.name
        )));
    }
    Ok(data)
}

/// Reads every entry's local header once, and refuses entries that share bytes (a small ZIP
/// whose thousands of entries all point at one large blob). Linear: sorted, then one pass.
fn check_spans<R: Read + Seek>(file: &mut R, dir: &mut ZipDir) -> io::Result<()> {
    let mut spans = Vec::with_capacity(dir.entries.len());
    for (i, entry) in dir.entries.iter_mut().enumerate() {
        let data = match entry.data {
            Some(data) => data,
            None => zip_span(file, entry, dir.data_end)?,
        };
        entry.data = Some(data);
        spans.push((entry.local_header, data + entry.size, i));
    }
    spans.sort_unstable();
    for pair in spans.windows(2) {
        let ((_, end, a), (start, _, b)) = (pair[0], pair[1]);
        if start < end {
            return Err(invalid(format!(
                "the entries {:?} and {:?} share bytes",
                dir.entries[a].name, dir.entries[b].name
            )));
        }
    }
    Ok(())
}

/// The bytes of a stored entry whose span was checked (`zip_span`), as a reader that fails at
/// the end unless they are `entry.size` bytes with `entry.crc32` as their CRC-32.
fn zip_reader<'a, R: Read + Seek>(
    file: &'a mut R,
    entry: &ZipEntry,
) -> io::Result<CrcChecked<io::Take<&'a mut R>>> {
    if entry.method != 0 {
        return Err(invalid(
            "the entry is compressed (this command reads stored entries, as the page writes \
             them): unzip the package and give its files",
        ));
    }
    let Some(data) = entry.data else {
        return Err(invalid("the entry's local header was not checked"));
    };
    file.seek(SeekFrom::Start(data))?;
    Ok(CrcChecked {
        inner: file.take(entry.size),
        crc: crc32fast::Hasher::new(),
        left: entry.size,
        expected: entry.crc32,
    })
}

/// A reader that checks, at its end, the length and CRC-32 of what it gave.
struct CrcChecked<R> {
    inner: R,
    crc: crc32fast::Hasher,
    left: u64,
    expected: u32,
}

impl<R: Read> Read for CrcChecked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        self.left = self.left.saturating_sub(n as u64);
        if n == 0 && !buf.is_empty() {
            if self.left > 0 {
                return Err(invalid("the entry is cut short"));
            }
            let crc = self.crc.clone().finalize();
            if crc != self.expected {
                return Err(invalid(format!(
                    "the entry's CRC-32 is {crc:08x}, not the {:08x} its ZIP lists: the \
                     package is damaged or was altered",
                    self.expected
                )));
            }
        }
        Ok(n)
    }
}

/// Writes `report-helper: MESSAGE` to stderr, its control and bidirectional characters escaped
/// (a receipt's reference, a file or entry name).
fn say(message: &str) {
    let _ = writeln!(io::stderr(), "report-helper: {}", terminal::text(message));
}

/// Runs `verify`: prints a line per file (the ZIP's evidence first, if RECEIPT is a ZIP) and
/// says on stderr how many matched.
pub fn run(receipt_path: &Path, files: &[PathBuf]) -> ExitCode {
    let shown = receipt_path.to_string_lossy();
    let (receipt, source) = match open_receipt(receipt_path) {
        Ok(r) => r,
        Err(e) => {
            say(&format!("{shown}: {e}"));
            return ExitCode::from(2);
        }
    };
    if files.is_empty() && matches!(source, Source::Json) {
        say(
            "verify needs at least one FILE after a receipt's JSON (only an evidence ZIP is \
             checked on its own)",
        );
        return ExitCode::from(2);
    }

    let mut stdout = io::stdout().lock();
    let (mut total, mut matched, mut conflicted) = (0usize, 0usize, 0usize);
    let mut print =
        |name: &str, digests: Result<Digests, String>, expected: Option<&str>| -> io::Result<()> {
            let (text, m, c) = line(name, &receipt, digests, expected);
            total += 1;
            matched += usize::from(m);
            conflicted += usize::from(c);
            writeln!(stdout, "{text}").and_then(|()| stdout.flush())
        };

    let mut written = Ok(());
    if let Source::Zip(mut zip, dir) = source {
        // Every evidence file the receipt lists, in its order, then any other entry that is not
        // the receipt itself.
        let mut seen = HashSet::new();
        let mut names: Vec<(&str, Option<String>)> = Vec::new();
        for (j, file) in receipt.evidence_files.iter().enumerate() {
            seen.insert(file.as_str());
            names.push((file.as_str(), Some(format!("evidence[{j}]"))));
        }
        for entry in &dir.entries {
            let name = entry.name.as_str();
            if !ZIP_NOT_EVIDENCE.contains(&name) && seen.insert(name) {
                names.push((name, None));
            }
        }
        for (name, expected) in names {
            let digests = match dir.by_name.get(name) {
                None => Err("not in the ZIP".to_string()),
                Some(&i) => zip_reader(&mut zip, &dir.entries[i])
                    .map_err(ReadError)
                    .and_then(digest_stream)
                    .map_err(|e| e.to_string()),
            };
            let shown = format!("{shown}:{name}");
            written = written.and_then(|()| print(&shown, digests, expected.as_deref()));
        }
    }
    for path in files {
        written = written.and_then(|()| print(&path.to_string_lossy(), digest_file(path), None));
    }
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            say(&format!("cannot write the output: {e}"));
        }
        return ExitCode::FAILURE;
    }

    let of = match &receipt.reference {
        Some(r) => format!("the receipt {r}"),
        None => "the receipt".to_string(),
    };
    let conflicts = match conflicted {
        0 => String::new(),
        1 => "; 1 file conflicts with it (some digests agree, others differ)".to_string(),
        n => format!("; {n} files conflict with it (some digests agree, others differ)"),
    };
    say(&format!("{matched} of {total} files match {of}{conflicts}"));
    if matched == total && conflicted == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn receipt(items: &str, evidence: &str) -> Result<Receipt, BadReceipt> {
        Receipt::from_json(
            format!(
                r#"{{"receipt": "{RECEIPT_FORMAT}", "reference": "RH-1", "report": {{"items": [{items}]}}, "evidence": [{evidence}]}}"#
            )
            .as_bytes(),
        )
    }

    #[test]
    fn places_are_compared_digest_by_digest() {
        // Digests of "abc" (FIPS 180-2, RFC 1321, FIPS 180-1).
        let abc = Digests::of(b"abc", Algorithms::ALL);
        let sha256 = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        let md5 = "900150983cd24fb0d6963f7d28e17f72";
        let sha1 = "a9993e364706816aba3e25717850c26c9cd0d89d";
        let other = "0".repeat(32);
        let r = receipt(
            &format!(
                r#"{{"kind": "image", "sha256": "{sha256}", "md5": "{md5}", "sha1": "{sha1}"}},
                   {{"kind": "video", "sha256": "{sha256}", "md5": "{other}"}}"#
            ),
            &format!(
                r#"{{"file": "evidence-1.png", "sha256": "{}", "original": {{"sha256": "{sha256}", "md5": "{md5}"}}}}"#,
                "1".repeat(64)
            ),
        )
        .unwrap();
        let (found, conflicts) = r.compare(&abc);
        let at: Vec<&str> = found.iter().map(|f| f.at.as_str()).collect();
        assert_eq!(at, ["report.items[0]", "evidence[0].original"]);
        assert_eq!(conflicts.len(), 1);
        assert_eq!(
            (
                conflicts[0].at.as_str(),
                &*conflicts[0].agree,
                &*conflicts[0].differ
            ),
            ("report.items[1]", &["sha256"][..], &["md5"][..])
        );
        let (found, conflicts) = r.compare(&Digests::of(b"abd", Algorithms::ALL));
        assert!(found.is_empty() && conflicts.is_empty());

        // An item that lists no md5 is compared by what it lists.
        let r = receipt(&format!(r#"{{"kind": "other", "sha256": "{sha256}"}}"#), "").unwrap();
        assert_eq!(r.compare(&abc).0.len(), 1);
    }

    #[test]
    fn receipts_without_evidence_or_reference_are_read() {
        let r = Receipt::from_json(
            br#"{"receipt": "report-helper/receipt@1", "report": {"items": []}}"#,
        )
        .unwrap();
        assert!(r.reference.is_none() && r.places.is_empty());
        assert!(receipt("", "").unwrap().evidence_files.is_empty());
    }

    /// CRC-32 of the bytes these tests store, from Python's `zlib.crc32`.
    fn crc(bytes: &[u8]) -> [u8; 4] {
        let crc: u32 = match bytes {
            b"{}" => 0xa3a6bf43,
            _ => panic!("no reference CRC for {bytes:?}"),
        };
        crc.to_le_bytes()
    }

    /// A stored ZIP of one entry, as www/zip.js writes it.
    fn one_entry_zip(name: &[u8], bytes: &[u8]) -> Vec<u8> {
        let mut z = Vec::new();
        let le16 = |v: usize| (v as u16).to_le_bytes();
        let le32 = |v: usize| (v as u32).to_le_bytes();
        z.extend(b"PK\x03\x04\x14\x00\x00\x08\x00\x00");
        z.extend([0; 4]); // time, date
        z.extend(crc(bytes));
        z.extend(le32(bytes.len()));
        z.extend(le32(bytes.len()));
        z.extend(le16(name.len()));
        z.extend(le16(0));
        z.extend(name);
        z.extend(bytes);
        let dir = z.len();
        z.extend(b"PK\x01\x02\x14\x00\x14\x00\x00\x08\x00\x00");
        z.extend([0; 4]);
        z.extend(crc(bytes));
        z.extend(le32(bytes.len()));
        z.extend(le32(bytes.len()));
        z.extend(le16(name.len()));
        z.extend([0; 12]);
        z.extend(le32(0));
        z.extend(name);
        let dir_size = z.len() - dir;
        z.extend(b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00");
        z.extend(le32(dir_size));
        z.extend(le32(dir));
        z.extend(le16(0));
        z
    }

    #[test]
    fn a_stored_entry_is_read_back() {
        let mut z = Cursor::new(one_entry_zip(b"receipt.json", b"{}"));
        let mut dir = zip_entries(&mut z).unwrap();
        check_spans(&mut z, &mut dir).unwrap();
        let entries = &dir.entries;
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].name.as_str(), entries[0].size),
            ("receipt.json", 2)
        );
        let mut got = Vec::new();
        zip_reader(&mut z, &entries[0])
            .unwrap()
            .read_to_end(&mut got)
            .unwrap();
        assert_eq!(got, b"{}");
    }

    #[test]
    fn broken_zips_are_errors_not_panics() {
        let good = one_entry_zip(b"receipt.json", b"{}");
        // Every truncation, and every single byte of the directory and end record set to 0xff.
        for len in 0..good.len() {
            let _ = zip_entries(&mut Cursor::new(&good[..len]));
        }
        for at in 30..good.len() {
            let mut z = good.clone();
            z[at] = 0xff;
            let mut z = Cursor::new(z);
            if let Ok(mut dir) = zip_entries(&mut z) {
                if check_spans(&mut z, &mut dir).is_ok() {
                    for e in &dir.entries {
                        if let Ok(mut r) = zip_reader(&mut z, e) {
                            let _ = r.read_to_end(&mut Vec::new());
                        }
                    }
                }
            }
        }
        let err = zip_entries(&mut Cursor::new(b"PK\x03\x04 and nothing")).unwrap_err();
        assert_eq!(err.to_string(), "no end of central directory");
    }
}

#[cfg(test)]
mod prop_tests;
