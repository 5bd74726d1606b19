//! Digests against published vectors and against Python's hashlib, fed in every awkward chunking.
//! The same tests run natively and, under `wasm-bindgen-test`, in headless Chromium.

use report_helper::{Algorithms, Digests, StreamDigester};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const STANDARD: &str = include_str!("vectors/standard.tsv");
const AWKWARD: &str = include_str!("vectors/awkward.tsv");

fn rows(table: &str) -> impl Iterator<Item = Vec<&str>> {
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').collect())
}

/// The message `awkward.py` builds for size `n`.
fn awkward_message(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| ((i * 167 + (i >> 8) * 31 + 13) % 256) as u8)
        .collect()
}

fn hexes(d: &Digests) -> [String; 3] {
    let hex = |v: Option<String>| v.expect("digest was asked for");
    [
        hex(d.sha256.map(|v| v.to_hex())),
        hex(d.md5.map(|v| v.to_hex())),
        hex(d.sha1.map(|v| v.to_hex())),
    ]
}

fn digest_in_chunks(message: &[u8], chunk: usize) -> Digests {
    let mut digester = StreamDigester::new(Algorithms::ALL);
    for piece in message.chunks(chunk.max(1)) {
        digester.update(piece);
    }
    digester.finish()
}

#[test]
fn standard_vectors() {
    let mut checked = 0;
    for row in rows(STANDARD) {
        let [alg, count, text, expected] = row[..] else {
            panic!("bad row {row:?}")
        };
        let message = text.repeat(count.parse().unwrap());
        let d = Digests::of(message.as_bytes(), Algorithms::ALL);
        let got = match alg {
            "sha256" => d.sha256.unwrap().to_hex(),
            "md5" => d.md5.unwrap().to_hex(),
            "sha1" => d.sha1.unwrap().to_hex(),
            other => panic!("unknown algorithm {other}"),
        };
        assert_eq!(got, expected, "{alg} of {count} x {text:?}");
        assert_eq!(d.size, message.len() as u64);
        checked += 1;
    }
    assert_eq!(checked, 16);
}

#[test]
fn awkward_sizes_in_awkward_chunks() {
    let mut checked = 0;
    for row in rows(AWKWARD) {
        let size: usize = row[0].parse().unwrap();
        let expected = [row[1], row[2], row[3]];
        let message = awkward_message(size);
        let mut chunkings = vec![size, 7, 55, 56, 63, 64, 65, 4096, 16385, 65536];
        if size <= 20_000 {
            chunkings.push(1);
        }
        for chunk in chunkings {
            let d = digest_in_chunks(&message, chunk);
            assert_eq!(hexes(&d), expected, "size {size}, chunks of {chunk}");
            assert_eq!(d.size, size as u64);
        }
        checked += 1;
    }
    assert_eq!(checked, 23);
}

#[test]
fn every_split_point_of_two_blocks() {
    // Any cut of a 129-byte message into two chunks gives the same digests as Python's.
    let row = rows(AWKWARD).find(|r| r[0] == "129").unwrap();
    let message = awkward_message(129);
    for cut in 0..=message.len() {
        let mut digester = StreamDigester::new(Algorithms::ALL);
        digester.update(&message[..cut]);
        digester.update(&[]);
        digester.update(&message[cut..]);
        assert_eq!(
            hexes(&digester.finish()),
            [row[1], row[2], row[3]],
            "cut {cut}"
        );
    }
}

#[test]
fn report_algorithms_leave_sha1_out() {
    let d = Digests::of(b"abc", Algorithms::REPORT);
    assert_eq!(
        d.sha256.unwrap().to_hex(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(d.md5.unwrap().to_hex(), "900150983cd24fb0d6963f7d28e17f72");
    assert!(d.sha1.is_none());
}
