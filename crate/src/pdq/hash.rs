//! `PdqHash`: 256 bits in the reference's layout, its hex form and Hamming distance.

use core::fmt;
use core::str::FromStr;

/// A 256-bit PDQ hash. Bit `k = 16 * i + j` says whether DCT coefficient `(i, j)` lies above the
/// median; it is bit `k & 15` of word `k >> 4`, as in the reference's `Hash256`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PdqHash {
    words: [u16; 16],
}

/// Hamming distance at or under which two PDQ hashes are taken to match (reference README).
pub const MATCH_DISTANCE: u32 = 31;

impl PdqHash {
    /// The hash the reference gives images too small to hash: all bits clear.
    pub const ZERO: PdqHash = PdqHash { words: [0; 16] };

    pub(crate) fn from_bits(bit: impl Fn(usize) -> bool) -> PdqHash {
        let mut words = [0u16; 16];
        for k in 0..256 {
            if bit(k) {
                words[k >> 4] |= 1 << (k & 15);
            }
        }
        PdqHash { words }
    }

    /// The 16 words of 16 bits: word `i` holds bits `16 * i ..= 16 * i + 15`.
    pub fn words(&self) -> [u16; 16] {
        self.words
    }

    /// The inverse of [`PdqHash::words`].
    pub fn from_words(words: [u16; 16]) -> PdqHash {
        PdqHash { words }
    }

    /// Whether bit `k` (0..256) is set.
    pub fn bit(&self, k: usize) -> bool {
        self.words[k >> 4] >> (k & 15) & 1 == 1
    }

    /// Number of differing bits (0..=256).
    pub fn distance(&self, other: &PdqHash) -> u32 {
        self.words
            .iter()
            .zip(other.words.iter())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }

    /// 64 lowercase hex digits, word 15 first: the reference's text format.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// The 32 bytes the hex form spells, in its order: word 15 first, each word big-endian.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        for (pair, w) in bytes.chunks_exact_mut(2).zip(self.words.iter().rev()) {
            pair.copy_from_slice(&w.to_be_bytes());
        }
        bytes
    }

    /// The inverse of [`PdqHash::to_bytes`].
    pub fn from_bytes(bytes: [u8; 32]) -> PdqHash {
        let mut words = [0u16; 16];
        for (n, pair) in bytes.chunks_exact(2).enumerate() {
            words[15 - n] = u16::from_be_bytes([pair[0], pair[1]]);
        }
        PdqHash { words }
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for w in self.words.iter().rev() {
            write!(f, "{w:04x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({self})")
    }
}

/// Why a string is not a PDQ hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsePdqHashError;

impl fmt::Display for ParsePdqHashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a PDQ hash is 64 hexadecimal digits")
    }
}

impl std::error::Error for ParsePdqHashError {}

impl FromStr for PdqHash {
    type Err = ParsePdqHashError;

    /// Parses 64 hex digits, either case.
    fn from_str(s: &str) -> Result<PdqHash, ParsePdqHashError> {
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ParsePdqHashError);
        }
        let mut words = [0u16; 16];
        for (n, chunk) in s.as_bytes().chunks(4).enumerate() {
            // Checked above: ASCII hex, so both conversions succeed.
            let text = core::str::from_utf8(chunk).map_err(|_| ParsePdqHashError)?;
            words[15 - n] = u16::from_str_radix(text, 16).map_err(|_| ParsePdqHashError)?;
        }
        Ok(PdqHash { words })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_bit_order() {
        // Bit 0 is the last hex digit's lowest bit; bit 255 the first digit's highest.
        let h = PdqHash::from_bits(|k| k == 0 || k == 255);
        let hex = h.to_hex();
        assert_eq!(&hex[..1], "8");
        assert_eq!(&hex[63..], "1");
        assert_eq!(hex.parse::<PdqHash>().unwrap(), h);
        assert!(h.bit(0) && h.bit(255) && !h.bit(1));
    }

    #[test]
    fn bytes_are_the_hex_spelled_out() {
        let hex = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        let h: PdqHash = hex.parse().unwrap();
        let spelled: String = h.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(spelled, hex);
        assert_eq!(PdqHash::from_bytes(h.to_bytes()), h);
    }

    #[test]
    fn distance_counts_differing_bits() {
        let a = PdqHash::from_bits(|k| k % 3 == 0);
        let b = PdqHash::from_bits(|k| k % 3 == 0 && k != 9 && k != 201);
        assert_eq!(a.distance(&b), 2);
        assert_eq!(a.distance(&a), 0);
        assert_eq!(PdqHash::ZERO.distance(&PdqHash::from_bits(|_| true)), 256);
    }

    #[test]
    fn rejects_malformed_hex() {
        assert!("abc".parse::<PdqHash>().is_err());
        assert!("g".repeat(64).parse::<PdqHash>().is_err());
        assert!("A".repeat(64).parse::<PdqHash>().is_ok());
    }
}
