//! The command as a user meets it: digests against Python's hashlib, formats told by content and
//! not by name, exit status, and what `--help` says.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use common::{lines, pdq_data, run, scratch};

const LIMIT: Duration = Duration::from_secs(120);

/// Test files: an empty file, UTF-8 text named like a JPEG, 3 MiB + 5 bytes of binary (across
/// the 1 MiB read chunks), and a PDQ vector JPEG named like text. Made once for all the tests
/// here, which run at the same time.
fn make_files() -> &'static [PathBuf] {
    static FILES: OnceLock<Vec<PathBuf>> = OnceLock::new();
    FILES.get_or_init(write_files)
}

fn write_files() -> Vec<PathBuf> {
    let dir = scratch("cli-digests");
    let jpeg = std::fs::read(pdq_data().join("reg-test-input/dih/bridge-1-original.jpg")).unwrap();
    let binary: Vec<u8> = (0..3 * 1024 * 1024 + 5u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let files: [(&str, &[u8]); 4] = [
        ("empty", b""),
        ("text.jpg", "Geen afbeelding. Pas une image. ✓\n".as_bytes()),
        ("binary.bin", &binary),
        ("photo.txt", &jpeg),
    ];
    files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect()
}

fn hash(args: &[&Path]) -> common::Run {
    let mut all = vec![Path::new("hash")];
    all.extend(args);
    run(&all, LIMIT)
}

#[test]
fn digests_equal_pythons_hashlib() {
    let files = make_files();
    let expected = common::hashlib(files);
    assert_eq!(expected.len(), files.len());

    let mut args = vec![Path::new("--sha1")];
    args.extend(files.iter().map(PathBuf::as_path));
    let out = hash(&args);
    assert!(out.status.success(), "{}", out.stderr);
    let got = lines(&out.stdout, true);
    assert_eq!(got.len(), files.len());
    for ((line, file), (size, sha256, md5, sha1)) in got.iter().zip(files).zip(expected) {
        assert_eq!(line.file, file.to_str().unwrap());
        assert_eq!(line.size, Some(size), "{}", line.file);
        assert_eq!(line.sha256.as_ref(), Some(&sha256), "{}", line.file);
        assert_eq!(line.md5.as_ref(), Some(&md5), "{}", line.file);
        assert_eq!(line.sha1.as_ref(), Some(&sha1), "{}", line.file);
    }

    // Without --sha1 there is no sha1 key (checked by `lines`), and the rest is the same.
    let without: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let out = hash(&without);
    for (a, b) in lines(&out.stdout, false).iter().zip(&got) {
        assert_eq!((&a.sha256, &a.md5), (&b.sha256, &b.md5));
    }
}

#[test]
fn the_format_comes_from_the_content_not_the_name() {
    let files = make_files();
    let out = hash(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    let got = lines(&out.stdout, false);
    let error = |i: usize| got[i].error.as_deref();
    assert_eq!(error(0), Some("empty file (0 bytes): not an image"));
    let not_an_image = Some("not an image this tool decodes (JPEG, PNG, WebP, GIF, BMP)");
    assert_eq!(error(1), not_an_image, "text named .jpg");
    assert_eq!(error(2), not_an_image, "binary");
    assert!(got[0].pdq.is_none() && got[1].pdq.is_none() && got[2].pdq.is_none());
    let photo = got[3].pdq.as_ref().expect("a JPEG named .txt is hashed");
    assert_eq!((photo.width, photo.height, error(3)), (1600, 1004, None));
    assert!(
        photo.dihedral.is_none(),
        "dihedral hashes without --dihedral"
    );
}

#[test]
fn an_unreadable_file_fails_the_run_but_not_the_other_files() {
    let files = make_files();
    let dir = scratch("cli-digests");
    let missing = dir.join("no such file");
    let out = hash(&[&missing, &files[1], &dir, &files[3]]);
    assert_eq!(out.status.code(), Some(1), "{}", out.stdout);
    let got = lines(&out.stdout, false);
    assert_eq!(got.len(), 4);
    for (line, why) in [(&got[0], "no such file"), (&got[2], "it is a directory")] {
        assert_eq!(
            line.error.as_deref(),
            Some(&*format!("could not read the file: {why}"))
        );
        assert_eq!((line.size, &line.sha256, &line.md5), (None, &None, &None));
        assert!(line.pdq.is_none());
    }
    assert!(got[1].sha256.is_some() && got[1].error.is_some());
    assert!(got[3].pdq.is_some() && got[3].error.is_none());

    // --sha1 adds the key, null, for an unreadable file too.
    let out = hash(&[Path::new("--sha1"), &missing]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.contains(r#""md5":null,"sha1":null,"pdq":null"#),
        "{}",
        out.stdout
    );
}

#[test]
fn files_that_are_read_exit_zero_and_bad_usage_exits_two() {
    let files = make_files();
    let out = hash(&[&files[1]]);
    assert_eq!(out.status.code(), Some(0), "a non-image alone");
    assert_eq!(lines(&out.stdout, false).len(), 1);

    for args in [
        &["hash"][..],
        &["hash", "--pdq", "small", "x"],
        &["hash", "--unknown", "x"],
        &["scan", "x"],
        &[],
    ] {
        let out = run(args, LIMIT);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty() && !out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn help_says_what_is_hashed_and_what_is_not() {
    let out = run(&["hash", "--help"], LIMIT);
    assert!(out.status.success());
    let help = out.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "JPEG, PNG, WebP, GIF or BMP",
        "EXIF orientation is applied",
        "\"pdq_stored\"",
        "rotated or flipped",
        "--dihedral",
        "quality 0",
        "useless for matching",
        "--pdq <VARIANT>",
        "cli512",
        "Exit status: 0 when every file was read",
    ] {
        assert!(
            help.contains(needle),
            "--help lacks {needle:?}:\n{}",
            out.stdout
        );
    }
}

#[test]
fn control_and_bidi_characters_in_a_file_name_are_escaped() {
    // ESC ] 0 ; ... BEL retitles a terminal; U+202E reverses what follows; U+0085 (C1 NEL) and
    // U+009B (C1 CSI) are controls too; U+2066 starts an isolate.
    let name = "evil\u{1b}]0;owned\u{7}\u{202e}gpj.txt\u{85}\u{9b}2J\u{2066}";
    let dir = scratch("cli-terminal");
    std::fs::write(dir.join(name), b"").unwrap();
    let out = common::run_in(&dir, &["hash", name], LIMIT);
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    // The digests of the empty string (FIPS 180-4 and RFC 1321 examples, coreutils).
    assert_eq!(
        out.stdout,
        "{\"file\":\"evil\\u001b]0;owned\\u0007\\u202egpj.txt\\u0085\\u009b2J\\u2066\",\"size\":0,\
         \"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\
         \"md5\":\"d41d8cd98f00b204e9800998ecf8427e\",\"pdq\":null,\
         \"error\":\"empty file (0 bytes): not an image\"}\n"
    );
    // The same name to a JSON reader (Python's json).
    let back = common::python(
        "import json, sys\nprint(json.loads(sys.argv[1])['file'] == sys.argv[2])",
        &[out.stdout.trim_end(), name],
    );
    assert_eq!(back, "True\n");
}

/// Tiny images that declare huge dimensions, packed by Python's struct and zlib as the GIF89a
/// and PNG specifications give them: argv[1] is the folder.
const DECLARED_HUGE: &str = r#"
import struct, sys, zlib
out = sys.argv[1]
# A 35-byte GIF of 16383 x 16383 pixels: a 2-colour table, one image of the whole canvas, its
# LZW data a clear code and an end code.
gif = b'GIF89a' + struct.pack('<HHBBB', 16383, 16383, 0x80, 0, 0) + bytes(3) + b'\xff' * 3
gif += b',' + struct.pack('<HHHHB', 0, 0, 16383, 16383, 0) + b'\x02\x02\x44\x01\x00;'
assert len(gif) == 35
open(f'{out}/bomb.gif', 'wb').write(gif)
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
def png(name, width, height, depth, colour):
    ihdr = struct.pack('>IIBBBBB', width, height, depth, colour, 0, 0, 0)
    body = chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(bytes(100))) + chunk(b'IEND', b'')
    open(f'{out}/{name}', 'wb').write(b'\x89PNG\r\n\x1a\n' + body)
png('over-100mp.png', 10001, 10000, 8, 2)       # RGB, 100010000 pixels, 300 MB
png('at-100mp.png', 10000, 10000, 8, 6)         # RGBA, exactly 100000000 pixels, 400 MB
png('rgba16-100mp.png', 10000, 10000, 16, 6)    # 800 MB decoded and 300 MB of RGB at once
"#;

#[test]
fn images_declaring_huge_dimensions_get_digests_and_a_too_large_reason() {
    let dir = scratch("cli-declared-huge");
    common::python(DECLARED_HUGE, &[&dir]);
    let names = [
        "bomb.gif",
        "over-100mp.png",
        "at-100mp.png",
        "rgba16-100mp.png",
    ];
    let paths: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    let out = hash(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    let got = lines(&out.stdout, false);
    let reference = common::hashlib(&paths);
    let over = "image too large to decode: 16383 x 16383 pixels, over 100 megapixels";
    for (i, why) in [
        over.to_string(),
        "image too large to decode: 10001 x 10000 pixels, over 100 megapixels".to_string(),
        // At the limit, as in the browser (pixels > MAX_PIXELS): decoded, and cut short.
        "could not decode the image: ".to_string(),
        // Within the pixels, but the decoded 16-bit pixels and the RGB copy exceed 1 GiB.
        "image too large to decode: 10000 x 10000 pixels need more than 1 GiB of memory"
            .to_string(),
    ]
    .iter()
    .enumerate()
    {
        let line = &got[i];
        assert_eq!(line.size, Some(reference[i].0), "{}", names[i]);
        assert_eq!(line.sha256.as_ref(), Some(&reference[i].1), "{}", names[i]);
        assert_eq!(line.md5.as_ref(), Some(&reference[i].2), "{}", names[i]);
        assert!(line.pdq.is_none(), "{}", names[i]);
        let error = line.error.as_deref().unwrap();
        if why.ends_with(": ") {
            assert!(error.starts_with(why.as_str()), "{}: {error}", names[i]);
        } else {
            assert_eq!(error, why, "{}", names[i]);
        }
    }
}
