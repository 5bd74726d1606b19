//! PDQ, Meta's perceptual hash, bit-exact with the reference C++ (`pdq/cpp` in
//! facebook/ThreatExchange): the same pixels give the same hash, quality and dihedral hashes.
//!
//! Pipeline: luma, a Jarosz (tent) filter, decimation to 64x64, quality, a 16x16 DCT, bits above
//! the median. `jarosz.rs` streams the filter instead of running full-image passes; see there.

mod dct;
mod hash;
mod jarosz;

use core::fmt;

pub use hash::{ParsePdqHashError, PdqHash, MATCH_DISTANCE};

use dct::Dihedral;
use jarosz::Pixels;

/// Images with a side under this many pixels get the all-zero hash and quality 0, as in the
/// reference.
pub const MIN_HASHABLE_SIDE: u32 = 5;

/// Quality under which platforms discard a hash (reference advice).
pub const MIN_USEFUL_QUALITY: u8 = 50;

/// How the pixels are laid out: 8 bits per channel, row-major, no padding between rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelLayout {
    Rgb,
    /// Alpha is ignored, as the reference ignores it (RGB as stored).
    Rgba,
}

impl PixelLayout {
    pub fn channels(self) -> usize {
        match self {
            PixelLayout::Rgb => 3,
            PixelLayout::Rgba => 4,
        }
    }
}

/// Which of the two sizes in use to hash at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PdqSize {
    /// The whole image (the C++ library, PyPI `pdqhash`, python-threatexchange, HMA).
    #[default]
    Full,
    /// First resize to exactly 512x512 by nearest neighbour, ignoring the aspect ratio, when a side
    /// is over 512: Meta's command-line hasher and its WebAssembly build.
    Cli512,
}

impl PdqSize {
    pub fn name(self) -> &'static str {
        match self {
            PdqSize::Full => "full",
            PdqSize::Cli512 => "cli512",
        }
    }
}

/// The hashes of the seven other dihedral transforms (rotations and flips) of the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DihedralHashes {
    pub rotate90: PdqHash,
    pub rotate180: PdqHash,
    pub rotate270: PdqHash,
    pub flip_x: PdqHash,
    pub flip_y: PdqHash,
    /// Flipped about the main diagonal (transposed).
    pub flip_plus1: PdqHash,
    /// Flipped about the anti-diagonal.
    pub flip_minus1: PdqHash,
}

/// A PDQ result: the hash, its quality and the dihedral hashes from the same DCT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pdq {
    pub hash: PdqHash,
    /// 0..=100; under [`MIN_USEFUL_QUALITY`] the hash says little.
    pub quality: u8,
    pub dihedral: DihedralHashes,
    /// The size actually hashed (512x512 after a `cli512` resize).
    pub hashed_width: u32,
    pub hashed_height: u32,
}

/// Why pixels could not be hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PdqError {
    /// The buffer does not hold `width * height` pixels of the layout.
    BufferSize { expected: u64, actual: u64 },
}

impl fmt::Display for PdqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdqError::BufferSize { expected, actual } => write!(
                f,
                "pixel buffer holds {actual} bytes, but the width, height and layout need {expected}"
            ),
        }
    }
}

impl std::error::Error for PdqError {}

/// Hashes 8-bit RGB or RGBA pixels (row-major, no row padding).
pub fn hash_pixels(
    pixels: &[u8],
    width: u32,
    height: u32,
    layout: PixelLayout,
    size: PdqSize,
) -> Result<Pdq, PdqError> {
    let channels = layout.channels();
    let expected = width as u64 * height as u64 * channels as u64;
    if pixels.len() as u64 != expected {
        return Err(PdqError::BufferSize {
            expected,
            actual: pixels.len() as u64,
        });
    }
    if width < MIN_HASHABLE_SIDE || height < MIN_HASHABLE_SIDE {
        return Ok(Pdq {
            hash: PdqHash::ZERO,
            quality: 0,
            dihedral: DihedralHashes {
                rotate90: PdqHash::ZERO,
                rotate180: PdqHash::ZERO,
                rotate270: PdqHash::ZERO,
                flip_x: PdqHash::ZERO,
                flip_y: PdqHash::ZERO,
                flip_plus1: PdqHash::ZERO,
                flip_minus1: PdqHash::ZERO,
            },
            hashed_width: width,
            hashed_height: height,
        });
    }
    let px = Pixels {
        data: pixels,
        width: width as usize,
        height: height as usize,
        channels,
    };
    if size == PdqSize::Cli512 && (width > 512 || height > 512) {
        let resized = resize_nearest_512(px);
        let px = Pixels {
            data: &resized,
            width: 512,
            height: 512,
            channels,
        };
        return Ok(hash_unchecked(px));
    }
    Ok(hash_unchecked(px))
}

fn hash_unchecked(px: Pixels<'_>) -> Pdq {
    let grid = jarosz::downsample(px);
    let quality = dct::quality(&grid);
    let dct = dct::dct64_to16(&grid);
    let [rotate90, rotate180, rotate270, flip_x, flip_y, flip_plus1, flip_minus1] =
        Dihedral::ALL.map(|d| dct::bits(&d.apply(&dct)));
    Pdq {
        hash: dct::bits(&dct),
        quality,
        dihedral: DihedralHashes {
            rotate90,
            rotate180,
            rotate270,
            flip_x,
            flip_y,
            flip_plus1,
            flip_minus1,
        },
        hashed_width: px.width as u32,
        hashed_height: px.height as u32,
    }
}

/// CImg's nearest-neighbour resize to 512x512 as the reference CLI uses it:
/// source index `floor(dst * src_len / 512)`.
fn resize_nearest_512(px: Pixels<'_>) -> Vec<u8> {
    let ch = px.channels;
    let mut out = Vec::with_capacity(512 * 512 * ch);
    for y in 0..512 {
        let sy = y * px.height / 512;
        for x in 0..512 {
            let sx = x * px.width / 512;
            let p = (sy * px.width + sx) * ch;
            out.extend_from_slice(&px.data[p..p + ch]);
        }
    }
    out
}
