//! The compact encoding of a video's frame hashes in a report: RFC 4648 base64 (standard
//! alphabet, `=` padding, no line breaks) of the 32-byte hashes one after another, each hash's
//! bytes in the order its 64-hex form spells them ([`PdqHash::to_bytes`]).
//!
//! Written by hand: the WebAssembly carries no serde or base64 crate, and the code is small.
//! Decoding is strict, so that one list of hashes has exactly one text: the length is a
//! multiple of 4, only the last quantum has padding (one or two `=`), and the bits that padding
//! leaves over are zero. Anything else is refused.

use core::fmt;

use crate::pdq::PdqHash;

/// Bytes in one hash.
pub const HASH_BYTES: usize = 32;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Length of the base64 text of `bytes` bytes: 4 characters for every 3 bytes begun.
pub const fn encoded_len(bytes: usize) -> usize {
    4 * bytes.div_ceil(3)
}

/// `bytes` as base64: standard alphabet, `=` padding, no line breaks.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(encoded_len(bytes.len()));
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = byte(0) << 16 | byte(1) << 8 | byte(2);
        // A chunk of k bytes gives k + 1 characters, then `=` up to 4.
        for k in 0..4 {
            out.push(if k <= chunk.len() {
                char::from(ALPHABET[(n >> (18 - 6 * k) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}

/// The text is not canonical base64 (see the module's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotBase64;

impl fmt::Display for NotBase64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not canonical base64 (RFC 4648: standard alphabet, = padding, no line breaks)")
    }
}

impl std::error::Error for NotBase64 {}

/// The value of one base64 character, `None` for anything else (`=` included).
fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// The bytes of canonical base64 `text`; the empty text is no bytes.
pub fn decode(text: &str) -> Result<Vec<u8>, NotBase64> {
    let b = text.as_bytes();
    if !b.len().is_multiple_of(4) {
        return Err(NotBase64);
    }
    let quanta = b.len() / 4;
    let mut out = Vec::with_capacity(quanta * 3);
    for (q, quad) in b.chunks_exact(4).enumerate() {
        // Only the last quantum may be padded, with one or two `=`.
        let pad = if q + 1 == quanta {
            quad.iter().rev().take_while(|&&c| c == b'=').count()
        } else {
            0
        };
        if pad > 2 {
            return Err(NotBase64);
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = n << 6 | value(c).ok_or(NotBase64)?;
        }
        n <<= 6 * pad;
        // The bits under the padding must be zero, or two texts would give the same bytes.
        if n & ((1 << (8 * pad)) - 1) != 0 {
            return Err(NotBase64);
        }
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8][..3 - pad]);
    }
    Ok(out)
}

/// Why a text is not a list of hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashesError {
    /// Not canonical base64.
    NotBase64,
    /// Base64 of a number of bytes that is not a multiple of [`HASH_BYTES`].
    NotWholeHashes,
}

impl fmt::Display for HashesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HashesError::NotBase64 => NotBase64.fmt(f),
            HashesError::NotWholeHashes => f.write_str("not a whole number of 32-byte hashes"),
        }
    }
}

impl std::error::Error for HashesError {}

/// For each of `hashes`, whether it is the first copy of its value in the list.
///
/// By a heapsort of the indices, by hash and then by place: O(n log n) whatever the hashes (a
/// hash table keyed by them could be slowed down on purpose by a crafted report), and a fraction
/// of the WebAssembly that a `HashSet` or the library's sorts cost.
pub fn first_copies(hashes: &[PdqHash]) -> Vec<bool> {
    let bytes: Vec<[u8; HASH_BYTES]> = hashes.iter().map(PdqHash::to_bytes).collect();
    first_copies_of_bytes(&bytes)
}

/// [`first_copies`] of hashes given as their bytes.
pub fn first_copies_of_bytes(hashes: &[[u8; HASH_BYTES]]) -> Vec<bool> {
    // Each hash as two numbers, which compare as the hashes' bytes do, and its place.
    let keys: Vec<(u128, u128, usize)> = hashes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let half = |r: core::ops::Range<usize>| {
                b[r].iter()
                    .fold(0u128, |n, &byte| n << 8 | u128::from(byte))
            };
            (half(0..16), half(16..32), i)
        })
        .collect();
    let n = keys.len();
    let mut order: Vec<usize> = (0..n).collect();
    for root in (0..n / 2).rev() {
        sift(&keys, &mut order, root);
    }
    for end in (1..n).rev() {
        order.swap(0, end);
        sift(&keys, &mut order[..end], 0);
    }
    // Equal hashes now come together, each run in the order of the list: its first copy first.
    let mut first = vec![true; n];
    for w in order.windows(2) {
        let (a, b) = (keys[w[0]], keys[w[1]]);
        first[w[1]] = (a.0, a.1) != (b.0, b.1);
    }
    first
}

/// Moves `heap[root]` down the max-heap `heap` of indices into `keys` to its place.
fn sift(keys: &[(u128, u128, usize)], heap: &mut [usize], mut root: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= heap.len() {
            return;
        }
        if child + 1 < heap.len() && keys[heap[child]] < keys[heap[child + 1]] {
            child += 1;
        }
        if keys[heap[root]] >= keys[heap[child]] {
            return;
        }
        heap.swap(root, child);
        root = child;
    }
}

/// The first hash that `hashes` holds again: the index of the repeat and of its first copy,
/// counting from 0; `None` when each is there once.
pub fn first_repeat(hashes: &[[u8; HASH_BYTES]]) -> Option<(usize, usize)> {
    let index = first_copies_of_bytes(hashes)
        .iter()
        .position(|first| !first)?;
    let first = hashes.iter().position(|h| *h == hashes[index])?;
    Some((index, first))
}

/// `hashes` as a report carries them: their bytes one after another, in base64.
pub fn encode_hashes(hashes: &[PdqHash]) -> String {
    let bytes: Vec<u8> = hashes.iter().flat_map(PdqHash::to_bytes).collect();
    encode(&bytes)
}

/// The hashes of a report's text, in order.
pub fn decode_hashes(text: &str) -> Result<Vec<PdqHash>, HashesError> {
    let bytes = decode(text).map_err(|NotBase64| HashesError::NotBase64)?;
    if !bytes.len().is_multiple_of(HASH_BYTES) {
        return Err(HashesError::NotWholeHashes);
    }
    Ok(bytes
        .chunks_exact(HASH_BYTES)
        .map(|c| {
            let mut hash = [0u8; HASH_BYTES];
            hash.copy_from_slice(c);
            PdqHash::from_bytes(hash)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648, section 10.
    const RFC_4648: [(&str, &str); 7] = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn the_rfc_4648_vectors() {
        for (bytes, text) in RFC_4648 {
            assert_eq!(encode(bytes.as_bytes()), text);
            assert_eq!(decode(text).unwrap(), bytes.as_bytes(), "{text}");
            assert_eq!(encoded_len(bytes.len()), text.len());
        }
    }

    /// Bytes `(i * 37 + 11) % 256` for `i` in `0..len`, and what Python's
    /// `base64.b64encode(bytes((i * 37 + 11) % 256 for i in range(len))).decode()` gives.
    const PYTHON: [(usize, &str); 10] = [
        (1, "Cw=="),
        (2, "CzA="),
        (3, "CzBV"),
        (4, "CzBVeg=="),
        (5, "CzBVep8="),
        (31, "CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YQ=="),
        (32, "CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYY="),
        (33, "CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYar"),
        (64, "CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYar0PUaP2SJrtP4HUJnjLHW+yBFao+02f4jSG2St9wBJg=="),
        (100, "CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYar0PUaP2SJrtP4HUJnjLHW+yBFao+02f4jSG2St9wBJktwlbrfBClOc5i94gcsUXabwOUKL1R5nsPoDTJXfKHG6xA1Wg=="),
    ];

    #[test]
    fn generated_bytes_as_python_encodes_them() {
        for (len, text) in PYTHON {
            let bytes: Vec<u8> = (0..len).map(|i| ((i * 37 + 11) % 256) as u8).collect();
            assert_eq!(encode(&bytes), text, "{len}");
            assert_eq!(decode(text).unwrap(), bytes, "{len}");
        }
    }

    #[test]
    fn every_byte_value_in_every_position_round_trips() {
        let bytes: Vec<u8> = (0..=255).chain((0..=255).rev()).collect();
        for start in 0..3 {
            let text = encode(&bytes[start..]);
            assert_eq!(decode(&text).unwrap(), &bytes[start..]);
        }
    }

    /// Texts that are not canonical base64: each would decode leniently somewhere (Python's
    /// `b64decode` without `validate`, Node's `Buffer`), but one list has one text only.
    #[test]
    fn anything_but_canonical_base64_is_refused() {
        for bad in [
            "Zg",
            "Zg=",
            "Zg===",
            "Z===",
            "====",
            "Zh==",
            "Zm9=",
            "Zm8",
            "Zm8==",
            "Zg==Zg==",
            "Zm9v\n",
            "Zm9v ",
            " Zm9v",
            "Zm9v=",
            "Zm-v",
            "Zm_v",
            "Zm9\u{e9}",
            "Zg=a",
            "=Zg=",
            "Zm9vYg=\n",
            "Z m9v",
        ] {
            assert_eq!(decode(bad), Err(NotBase64), "{bad:?}");
        }
        // The canonical neighbours of the trailing-bit cases.
        assert_eq!(decode("Zg==").unwrap(), b"f");
        assert_eq!(decode("Zm8=").unwrap(), b"fo");
    }

    #[test]
    fn the_first_repeat_is_found_whatever_the_order() {
        // Hash `n`: byte n at place 7n mod 32, zeros elsewhere (0 is all zeros), so that hashes
        // differ in either half and at either end.
        let bytes = |ns: &[u8]| {
            ns.iter()
                .map(|&n| {
                    let mut b = [0; 32];
                    b[usize::from(n) * 7 % 32] = n;
                    b
                })
                .collect::<Vec<_>>()
        };
        let list = |ns: &[u8]| {
            bytes(ns)
                .into_iter()
                .map(PdqHash::from_bytes)
                .collect::<Vec<_>>()
        };
        assert_eq!(first_repeat(&[]), None);
        assert_eq!(first_repeat(&bytes(&[1])), None);
        assert_eq!(first_repeat(&bytes(&[3, 1, 2])), None);
        assert_eq!(first_repeat(&bytes(&[1, 1])), Some((1, 0)));
        // The earliest repeat, not the smallest hash's: 9 at 3 repeats 9 at 1; 1 at 5 is later.
        assert_eq!(first_repeat(&bytes(&[1, 9, 4, 9, 9, 1])), Some((3, 1)));
        assert_eq!(first_repeat(&bytes(&[5, 2, 7, 2])), Some((3, 1)));
        // Hashes that differ in their first or their last byte only.
        let mut first = [0; 32];
        first[0] = 1;
        let mut last = [0; 32];
        last[31] = 1;
        assert_eq!(first_repeat(&[[0; 32], last, first]), None);
        assert_eq!(first_repeat(&[[0; 32], last, first, last]), Some((3, 1)));
        assert_eq!(
            first_copies(&list(&[4, 2, 4, 4, 2, 0])),
            [true, true, false, false, false, true]
        );
        // Against the obvious quadratic search, on lists of every length up to 40 drawn from
        // few hashes (many repeats) and from many (few or none).
        let naive = |ns: &[u8]| {
            (0..ns.len()).find_map(|i| ns[..i].iter().position(|&m| m == ns[i]).map(|f| (i, f)))
        };
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in 0..40 {
            for spread in [3, 40, 250] {
                let ns: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        (state % spread) as u8
                    })
                    .collect();
                assert_eq!(first_repeat(&bytes(&ns)), naive(&ns), "{ns:?}");
                let firsts: Vec<bool> = (0..ns.len()).map(|i| !ns[..i].contains(&ns[i])).collect();
                assert_eq!(first_copies(&list(&ns)), firsts, "{ns:?}");
            }
        }
    }

    #[test]
    fn hashes_are_their_bytes_in_hex_order() {
        let hex = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        let h: PdqHash = hex.parse().unwrap();
        // Python: base64.b64encode(bytes.fromhex(hex)).decode()
        let one = "+PjwzuD0qE8GNwoiA49j8LNuLtWWYh4dM+aznE6cmyI=";
        assert_eq!(encode_hashes(&[h]), one);
        assert_eq!(decode_hashes(one).unwrap(), [h]);
        // Python: base64.b64encode(bytes.fromhex(hex + "00" * 32 + hex)).decode()
        let three = "+PjwzuD0qE8GNwoiA49j8LNuLtWWYh4dM+aznE6cmyIAAAAAAAAAAAAAAAAAAAAA\
                     AAAAAAAAAAAAAAAAAAAAAPj48M7g9KhPBjcKIgOPY/Czbi7VlmIeHTPms5xOnJsi";
        let list = [h, PdqHash::ZERO, h];
        assert_eq!(encode_hashes(&list), three);
        assert_eq!(decode_hashes(three).unwrap(), list);
        assert_eq!(encode_hashes(&[]), "");
        assert_eq!(decode_hashes(""), Ok(vec![]));
        assert_eq!(decode_hashes("Zm9v"), Err(HashesError::NotWholeHashes));
        assert_eq!(decode_hashes(&one[1..]), Err(HashesError::NotBase64));
        let short = encode(&[7; 31]);
        assert_eq!(decode_hashes(&short), Err(HashesError::NotWholeHashes));
    }
}
