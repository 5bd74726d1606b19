//! Property tests of `verify`'s ZIP reader (`zip_entries`, `check_spans`, `zip_reader`): a
//! stored ZIP that another writer made (the `zip` crate) is read back exactly; any ZIP changed
//! byte by byte, cut, or with its fields overwritten is read or refused, never a panic, with work
//! linear in its length (counted in bytes and calls, not timed); and whatever it accepts has
//! entries inside the file, before the central directory, sharing no bytes, each read back as
//! its listed size and CRC-32 or refused. `PROPTEST_CASES` runs them longer (`make fuzz`,
//! docs/testing.md).

use std::collections::BTreeMap;
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};

use proptest::prelude::*;
use proptest::sample::Index;

use super::{check_spans, zip_entries, zip_reader, ZipDir};

/// `default` cases, or `PROPTEST_CASES` when it is set.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Entries by name (so names are unique, as in any ZIP `verify` accepts).
type Entries = BTreeMap<String, Vec<u8>>;

fn entries() -> impl Strategy<Value = Entries> {
    let name = prop_oneof![
        4 => "[a-zA-Z0-9._-]{1,16}",
        1 => "\\PC{1,8}",
    ];
    proptest::collection::btree_map(name, proptest::collection::vec(any::<u8>(), 0..300), 0..6)
}

/// `entries` as the `zip` crate writes them: stored, with the archive comment `comment`.
fn zip_crate(entries: &Entries, comment: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), stored).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.set_comment(comment);
    zip.finish().unwrap().into_inner()
}

/// A reader that counts the bytes it gave and the calls made to it: the work of reading.
struct Counted<R> {
    inner: R,
    bytes: u64,
    calls: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for Counted<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.calls += 1;
        self.inner.seek(to)
    }
}

/// A directory `verify` accepted, and the file to read its entries from.
type Accepted<'a> = (ZipDir, Cursor<&'a [u8]>);

/// Reads the directory of `zip` and checks its entries' spans, as `verify` does before it reads
/// any entry; asserts that the work is linear in the file's length whatever the answer.
fn read_dir(zip: &[u8]) -> Result<Option<Accepted<'_>>, TestCaseError> {
    let mut file = Counted {
        inner: Cursor::new(zip),
        bytes: 0,
        calls: 0,
    };
    let dir = zip_entries(&mut file).and_then(|mut dir| {
        check_spans(&mut file, &mut dir)?;
        Ok(dir)
    });
    // The end record's search reads the last 64 KiB at most, the directory is read once, and
    // each of its entries (46 bytes or more) leads to one local header (30 bytes and a name as
    // long as the entry's, or one last name that does not match): under 5 times the file's
    // bytes, and 3 calls an entry. Quadratic work (every entry reading one large span) fails.
    let len = zip.len() as u64;
    let entries = len / 46 + 1;
    prop_assert!(
        file.bytes <= 5 * len,
        "{} bytes read of a {len}-byte file",
        file.bytes
    );
    prop_assert!(
        file.calls <= 10 + 3 * entries,
        "{} calls for a {len}-byte file",
        file.calls
    );
    Ok(dir.ok().map(|dir| (dir, file.inner)))
}

/// What an accepted directory must be: entries inside the file and before the central
/// directory, none sharing bytes, one per name; and each entry reads as exactly its listed
/// size with its listed CRC-32 (by crc32fast), or is refused.
fn check_accepted(zip: &[u8], dir: &ZipDir, file: &mut Cursor<&[u8]>) -> Result<(), TestCaseError> {
    prop_assert!(dir.data_end <= zip.len() as u64);
    prop_assert_eq!(dir.by_name.len(), dir.entries.len());
    let mut spans = Vec::new();
    for (i, entry) in dir.entries.iter().enumerate() {
        prop_assert_eq!(dir.by_name.get(&entry.name), Some(&i));
        let data = entry
            .data
            .expect("a checked entry knows where its bytes are");
        prop_assert!(entry.local_header + 30 <= data);
        prop_assert!(data + entry.size <= dir.data_end, "{:?}", entry);
        spans.push((entry.local_header, data + entry.size));
    }
    spans.sort_unstable();
    for pair in spans.windows(2) {
        prop_assert!(pair[0].1 <= pair[1].0, "overlapping entries: {:?}", pair);
    }
    for entry in &dir.entries {
        let mut bytes = Vec::new();
        let read = zip_reader(file, entry).and_then(|mut r| r.read_to_end(&mut bytes));
        if read.is_ok() {
            prop_assert_eq!(bytes.len() as u64, entry.size);
            prop_assert_eq!(crc32fast::hash(&bytes), entry.crc32);
            let data = entry.data.unwrap() as usize;
            prop_assert_eq!(&bytes[..], &zip[data..data + bytes.len()]);
        }
    }
    Ok(())
}

/// A change to a ZIP's bytes.
#[derive(Clone, Debug)]
enum Damage {
    /// Cut the file short.
    Cut(Index),
    /// One byte set to any value.
    Byte(Index, u8),
    /// A 16- or 32-bit field (little-endian) set to a value a hostile file would use.
    Field(Index, bool, u32),
    /// A run of the file copied over another place.
    Copy(Index, Index, u8),
    /// A central directory entry's two sizes set to one value (a size past the end, or one
    /// that covers the next entry), as a hostile file would.
    Sizes(Index, u32),
    /// A central directory entry's local header offset set anywhere (an entry overlapping
    /// another, or pointing at another's header).
    Offset(Index, u32),
}

fn damage() -> impl Strategy<Value = Damage> {
    let value = prop_oneof![
        Just(0u32),
        Just(1),
        Just(30),
        Just(46),
        Just(0xffff),
        Just(0xffff_ffff),
        Just(0x0201_4b50),
        Just(0x0403_4b50),
        any::<u32>(),
    ];
    prop_oneof![
        1 => any::<Index>().prop_map(Damage::Cut),
        3 => (any::<Index>(), any::<u8>()).prop_map(|(at, b)| Damage::Byte(at, b)),
        4 => (any::<Index>(), any::<bool>(), value).prop_map(|(at, wide, v)| Damage::Field(at, wide, v)),
        1 => (any::<Index>(), any::<Index>(), any::<u8>()).prop_map(|(from, to, n)| Damage::Copy(from, to, n)),
        2 => (any::<Index>(), prop_oneof![0u32..400, any::<u32>()]).prop_map(|(at, n)| Damage::Sizes(at, n)),
        2 => (any::<Index>(), prop_oneof![0u32..400, any::<u32>()]).prop_map(|(at, n)| Damage::Offset(at, n)),
    ]
}

fn apply(zip: &mut Vec<u8>, damage: &Damage) {
    if zip.is_empty() {
        return;
    }
    let len = zip.len();
    // Where the central directory's entries start (their signature), for the changes that
    // aim at one; a field that would run past the end is left.
    let central: Vec<usize> = zip
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .map(|(at, _)| at)
        .collect();
    let mut set = |at: usize, v: u32| {
        if at + 4 <= len {
            zip[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
    };
    match *damage {
        Damage::Cut(at) => zip.truncate(at.index(len)),
        Damage::Byte(at, b) => zip[at.index(len)] = b,
        Damage::Field(at, wide, v) => {
            let bytes = v.to_le_bytes();
            let n = if wide { 4 } else { 2 };
            let at = at.index(len);
            let end = (at + n).min(len);
            zip[at..end].copy_from_slice(&bytes[..end - at]);
        }
        Damage::Copy(from, to, n) => {
            let (from, to) = (from.index(len), to.index(len));
            let n = usize::from(n).min(len - from).min(len - to);
            zip.copy_within(from..from + n, to);
        }
        Damage::Sizes(at, n) if !central.is_empty() => {
            let entry = central[at.index(central.len())];
            set(entry + 20, n);
            set(entry + 24, n);
        }
        Damage::Offset(at, n) if !central.is_empty() => {
            set(central[at.index(central.len())] + 42, n);
        }
        Damage::Sizes(..) | Damage::Offset(..) => {}
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// A stored ZIP from the `zip` crate: every entry, in order, read back exactly.
    #[test]
    fn a_zip_from_another_writer_reads_back_exactly(
        entries in entries(),
        comment in prop_oneof!["", "[ -~]{0,40}"],
    ) {
        let zip = zip_crate(&entries, &comment);
        let (dir, mut file) = read_dir(&zip)?.expect("a valid ZIP is accepted");
        check_accepted(&zip, &dir, &mut file)?;
        let names: Vec<&str> = dir.entries.iter().map(|e| e.name.as_str()).collect();
        prop_assert_eq!(names, entries.keys().map(String::as_str).collect::<Vec<_>>());
        for (entry, bytes) in dir.entries.iter().zip(entries.values()) {
            let mut read = Vec::new();
            zip_reader(&mut file, entry).unwrap().read_to_end(&mut read).unwrap();
            prop_assert_eq!(&read, bytes);
        }
    }

    /// A ZIP damaged in any of these ways: read or refused, never a panic, in linear work; and
    /// if read, every entry lies inside the file and reads as listed or is refused.
    #[test]
    fn a_damaged_zip_is_read_or_refused(
        entries in entries(),
        damage in proptest::collection::vec(damage(), 1..5),
    ) {
        let mut zip = zip_crate(&entries, "");
        for d in &damage {
            apply(&mut zip, d);
        }
        if let Some((dir, mut file)) = read_dir(&zip)? {
            check_accepted(&zip, &dir, &mut file)?;
        }
    }

    /// Any bytes at all after a ZIP's first signature.
    #[test]
    fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let zip = [&b"PK\x03\x04"[..], &bytes].concat();
        if let Some((dir, mut file)) = read_dir(&zip)? {
            check_accepted(&zip, &dir, &mut file)?;
        }
    }
}
