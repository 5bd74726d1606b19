//! Exact digests (SHA-256, MD5, SHA-1) of a stream of chunks, computed in one pass.
//!
//! Platforms and hotlines match on these: `sha256` and `md5` for every file (StopNCII and
//! hash lists use MD5 for video), `sha1` where a hash list still asks for it.

use core::fmt;

use md5::Md5;
use sha1::Sha1;
use sha2::digest::Digest as _;
use sha2::Sha256;

/// Which digests a [`StreamDigester`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Algorithms {
    pub sha256: bool,
    pub md5: bool,
    pub sha1: bool,
}

impl Algorithms {
    /// What every report carries: SHA-256 and MD5.
    pub const REPORT: Self = Self {
        sha256: true,
        md5: true,
        sha1: false,
    };
    /// All three.
    pub const ALL: Self = Self {
        sha256: true,
        md5: true,
        sha1: true,
    };
}

/// Computes the selected digests over chunks of any size, in one pass, with constant memory.
#[derive(Clone, Debug)]
pub struct StreamDigester {
    sha256: Option<Sha256>,
    md5: Option<Md5>,
    sha1: Option<Sha1>,
    size: u64,
}

impl StreamDigester {
    pub fn new(algorithms: Algorithms) -> Self {
        Self {
            sha256: algorithms.sha256.then(Sha256::new),
            md5: algorithms.md5.then(Md5::new),
            sha1: algorithms.sha1.then(Sha1::new),
            size: 0,
        }
    }

    /// Adds the next chunk of the stream.
    pub fn update(&mut self, chunk: &[u8]) {
        if let Some(h) = &mut self.sha256 {
            h.update(chunk);
        }
        if let Some(h) = &mut self.md5 {
            h.update(chunk);
        }
        if let Some(h) = &mut self.sha1 {
            h.update(chunk);
        }
        self.size += chunk.len() as u64;
    }

    /// Bytes seen so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn finish(self) -> Digests {
        Digests {
            size: self.size,
            sha256: self.sha256.map(|h| DigestValue(h.finalize().into())),
            md5: self.md5.map(|h| DigestValue(h.finalize().into())),
            sha1: self.sha1.map(|h| DigestValue(h.finalize().into())),
        }
    }
}

/// The digests of one stream; a digest is `None` when it was not asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    pub size: u64,
    pub sha256: Option<DigestValue<32>>,
    pub md5: Option<DigestValue<16>>,
    pub sha1: Option<DigestValue<20>>,
}

impl Digests {
    /// The digests of bytes already in memory.
    pub fn of(bytes: &[u8], algorithms: Algorithms) -> Self {
        let mut digester = StreamDigester::new(algorithms);
        digester.update(bytes);
        digester.finish()
    }
}

/// A digest of `N` bytes; `Display` gives lowercase hex, the form every hash list uses.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DigestValue<const N: usize>(pub [u8; N]);

impl<const N: usize> DigestValue<N> {
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl<const N: usize> fmt::Display for DigestValue<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl<const N: usize> fmt::Debug for DigestValue<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(DigestValue([0x00, 0x0f, 0xa0, 0xff]).to_hex(), "000fa0ff");
    }

    #[test]
    fn unselected_digests_are_absent() {
        let d = Digests::of(b"abc", Algorithms::default());
        assert_eq!((d.size, d.sha256, d.md5, d.sha1), (3, None, None, None));
    }
}
