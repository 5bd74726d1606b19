//! PDQ, Meta's perceptual hash, bit-exact with the reference C++ (`pdq/cpp` in
//! facebook/ThreatExchange): the same pixels give the same hash, quality and dihedral hashes.
//!
//! Pipeline: luma, a Jarosz (tent) filter, decimation to 64x64, quality, a 16x16 DCT, bits above
//! the median. `jarosz.rs` streams the filter instead of running full-image passes; see there.

mod dct;
mod hash;
pub mod index;
mod jarosz;

use core::fmt;

pub use hash::{ParsePdqHashError, PdqHash, MATCH_DISTANCE};

use crate::orientation::Orientation;
use dct::Dihedral;
use jarosz::Downsampler;

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
    /// Blue, green, red, alpha (or unused): what browsers' video frames often hold.
    Bgra,
}

impl PixelLayout {
    pub fn channels(self) -> usize {
        match self {
            PixelLayout::Rgb => 3,
            PixelLayout::Rgba | PixelLayout::Bgra => 4,
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

impl DihedralHashes {
    /// From `[rot90, rot180, rot270, flipx, flipy, flipp, flipm]`, the reference's order.
    pub fn from_array(h: [PdqHash; 7]) -> DihedralHashes {
        let [rotate90, rotate180, rotate270, flip_x, flip_y, flip_plus1, flip_minus1] = h;
        DihedralHashes {
            rotate90,
            rotate180,
            rotate270,
            flip_x,
            flip_y,
            flip_plus1,
            flip_minus1,
        }
    }

    /// In the reference's order, as [`DihedralHashes::from_array`] takes them.
    pub fn to_array(&self) -> [PdqHash; 7] {
        [
            self.rotate90,
            self.rotate180,
            self.rotate270,
            self.flip_x,
            self.flip_y,
            self.flip_plus1,
            self.flip_minus1,
        ]
    }
}

/// A PDQ result: the hash, its quality and the dihedral hashes from the same DCT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pdq {
    pub hash: PdqHash,
    /// 0..=100; under [`MIN_USEFUL_QUALITY`] the hash says little.
    pub quality: u8,
    /// From the same DCT as `hash`. One corner differs from the reference: an image of exactly
    /// 64x64 skips the filter (as the reference's `pdqHash256FromFloatLuma` does), while the
    /// reference's dihedral entry point filters it, so its dihedral hashes of such an image can
    /// differ from these by a few bits.
    pub dihedral: DihedralHashes,
    /// The size actually hashed (512x512 after a `cli512` resize).
    pub hashed_width: u32,
    pub hashed_height: u32,
}

/// Why pixels could not be hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PdqError {
    /// Width or height is 0.
    Empty,
    /// The bytes given are not whole rows of `width` pixels of the layout.
    PartialRow { row_bytes: u64, given: u64 },
    /// More rows than `height`.
    TooManyRows { height: u32 },
    /// Finished with fewer rows than `height`.
    MissingRows { expected: u32, received: u32 },
    /// `orient` after rows were pushed.
    OrientAfterRows,
    /// The copy of the pixels that `orient` keeps (3 bytes a pixel) could not be allocated.
    OrientOutOfMemory { bytes: u64 },
}

impl fmt::Display for PdqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdqError::Empty => f.write_str("the image has no pixels (width or height is 0)"),
            PdqError::PartialRow { row_bytes, given } => write!(
                f,
                "{given} bytes of pixels are not whole rows of {row_bytes} bytes"
            ),
            PdqError::TooManyRows { height } => {
                write!(f, "more pixel rows than the image's height of {height}")
            }
            PdqError::MissingRows { expected, received } => {
                write!(f, "{received} pixel rows of {expected} were given")
            }
            PdqError::OrientAfterRows => {
                f.write_str("the orientation must be set before the first row of pixels")
            }
            PdqError::OrientOutOfMemory { bytes } => write!(
                f,
                "not enough memory for the {bytes} bytes of the turned picture's pixels"
            ),
        }
    }
}

impl std::error::Error for PdqError {}

/// The PDQ results of a picture whose EXIF orientation is known: [`PdqHasher::finish_oriented`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrientedPdq {
    /// The picture as displayed (orientation applied): what a site that re-encodes an upload
    /// upright would hash.
    pub displayed: Pdq,
    /// The pixels as stored (what the reference tools hash, as they ignore the orientation);
    /// `None` when the orientation is 1, where both are the same picture.
    pub stored: Option<Pdq>,
}

/// Hashes an image fed a band of rows at a time, so that a large image never has to be in
/// memory whole: `new`, `push_rows` until `height` rows are in, `finish`. With `orient` after
/// `new`, the hasher also keeps a copy of the pixels, turned, to hash the other picture too.
pub struct PdqHasher {
    width: u32,
    height: u32,
    layout: PixelLayout,
    size: PdqSize,
    rows_in: u32,
    stage: Stage,
    other: Option<OtherPicture>,
}

/// The other orientation of the picture pushed, built pixel by pixel as the rows come: packed
/// RGB, each pixel written straight to its place after `transform`. An exact permutation of the
/// pixels, so its hash equals the reference's run on the transformed picture (the DCT-domain
/// dihedral hashes differ from that by a few bits: the filter and decimation do not commute with
/// the transform exactly).
struct OtherPicture {
    transform: Orientation,
    /// The pushed picture is the displayed one (the other is the stored one).
    pushed_as_displayed: bool,
    /// Empty for an image with a side under [`MIN_HASHABLE_SIDE`]: its hashes are zero anyway.
    rgb: Vec<u8>,
}

enum Stage {
    /// A side under [`MIN_HASHABLE_SIDE`]: nothing to compute.
    Tiny,
    Full(Downsampler),
    /// `cli512` on a large image: each source row is resized to 512 pixels and handed on once per
    /// destination row that samples it.
    Resized {
        down: Downsampler,
        row: Vec<u8>,
    },
}

impl PdqHasher {
    pub fn new(
        width: u32,
        height: u32,
        layout: PixelLayout,
        size: PdqSize,
    ) -> Result<Self, PdqError> {
        if width == 0 || height == 0 {
            return Err(PdqError::Empty);
        }
        let channels = layout.channels();
        let stage = if width < MIN_HASHABLE_SIDE || height < MIN_HASHABLE_SIDE {
            Stage::Tiny
        } else if size == PdqSize::Cli512 && (width > 512 || height > 512) {
            Stage::Resized {
                down: Downsampler::new(512, 512, layout),
                row: vec![0; 512 * channels],
            }
        } else {
            Stage::Full(Downsampler::new(width as usize, height as usize, layout))
        };
        Ok(PdqHasher {
            width,
            height,
            layout,
            size,
            rows_in: 0,
            stage,
            other: None,
        })
    }

    /// Says the picture's EXIF orientation and which picture the rows will be: the displayed one
    /// (`pushed_as_displayed`, the orientation already applied by the decoder) or the stored
    /// pixels. Before the first row. For any orientation but 1 the hasher keeps a turned copy of
    /// the pixels (3 bytes a pixel) and [`PdqHasher::finish_oriented`] hashes both pictures;
    /// orientation 1 changes nothing.
    pub fn orient(
        &mut self,
        orientation: Orientation,
        pushed_as_displayed: bool,
    ) -> Result<(), PdqError> {
        if self.rows_in > 0 {
            return Err(PdqError::OrientAfterRows);
        }
        if orientation == Orientation::Normal {
            self.other = None;
            return Ok(());
        }
        let mut rgb = Vec::new();
        if !matches!(self.stage, Stage::Tiny) {
            let bytes = self.width as u64 * self.height as u64 * 3;
            let fits = usize::try_from(bytes)
                .ok()
                .is_some_and(|n| rgb.try_reserve_exact(n).is_ok());
            if !fits {
                return Err(PdqError::OrientOutOfMemory { bytes });
            }
            rgb.resize(bytes as usize, 0);
        }
        self.other = Some(OtherPicture {
            // The stored pixels become the displayed picture by the orientation's transform, and
            // back by its inverse.
            transform: if pushed_as_displayed {
                orientation.inverse()
            } else {
                orientation
            },
            pushed_as_displayed,
            rgb,
        });
        Ok(())
    }

    /// Bytes in one row of pixels.
    pub fn row_bytes(&self) -> usize {
        self.width as usize * self.layout.channels()
    }

    /// Whole rows of pixels, continuing from the last row pushed.
    pub fn push_rows(&mut self, rows: &[u8]) -> Result<(), PdqError> {
        let row_bytes = self.row_bytes();
        if !rows.len().is_multiple_of(row_bytes) {
            return Err(PdqError::PartialRow {
                row_bytes: row_bytes as u64,
                given: rows.len() as u64,
            });
        }
        if (rows.len() / row_bytes) as u64 > (self.height - self.rows_in) as u64 {
            return Err(PdqError::TooManyRows {
                height: self.height,
            });
        }
        let (width, height) = (self.width as usize, self.height as usize);
        let channels = self.layout.channels();
        if let Some(other) = &mut self.other {
            other.put_rows(rows, self.rows_in, self.width, self.height, self.layout);
        }
        for src in rows.chunks_exact(row_bytes) {
            let sy = self.rows_in as usize;
            self.rows_in += 1;
            match &mut self.stage {
                Stage::Tiny => {}
                Stage::Full(down) => down.push_row(src),
                Stage::Resized { down, row } => {
                    // CImg's nearest neighbour: destination y samples source row y * height / 512.
                    let mut resized = false;
                    while down.rows_in() < 512 && down.rows_in() * height / 512 == sy {
                        if !resized {
                            for (x, px) in row.chunks_exact_mut(channels).enumerate() {
                                let sx = x * width / 512;
                                px.copy_from_slice(&src[sx * channels..(sx + 1) * channels]);
                            }
                            resized = true;
                        }
                        down.push_row(row);
                    }
                }
            }
        }
        Ok(())
    }

    /// The pushed picture's result (the displayed one's when `orient` was not called).
    pub fn finish(mut self) -> Result<Pdq, PdqError> {
        self.other = None;
        self.finish_pushed()
    }

    /// Both pictures' results after [`PdqHasher::orient`]; without it (or with orientation 1)
    /// the pushed picture is the displayed one and `stored` is `None`.
    pub fn finish_oriented(mut self) -> Result<OrientedPdq, PdqError> {
        let other = self.other.take();
        let (width, height, size) = (self.width, self.height, self.size);
        let pushed = self.finish_pushed()?;
        let Some(other) = other else {
            return Ok(OrientedPdq {
                displayed: pushed,
                stored: None,
            });
        };
        let (other_width, other_height) = other.transform.transformed_size(width, height);
        let turned = if other.rgb.is_empty() {
            tiny_result(other_width, other_height)
        } else {
            hash_pixels(
                &other.rgb,
                other_width,
                other_height,
                PixelLayout::Rgb,
                size,
            )?
        };
        let (displayed, stored) = if other.pushed_as_displayed {
            (pushed, turned)
        } else {
            (turned, pushed)
        };
        Ok(OrientedPdq {
            displayed,
            stored: Some(stored),
        })
    }

    fn finish_pushed(self) -> Result<Pdq, PdqError> {
        if self.rows_in != self.height {
            return Err(PdqError::MissingRows {
                expected: self.height,
                received: self.rows_in,
            });
        }
        let down = match self.stage {
            Stage::Tiny => return Ok(tiny_result(self.width, self.height)),
            Stage::Full(down) => (down, self.width, self.height),
            Stage::Resized { down, .. } => (down, 512, 512),
        };
        let (down, hashed_width, hashed_height) = down;
        let grid = down.finish();
        let quality = dct::quality(&grid);
        let dct = dct::dct64_to16(&grid);
        Ok(Pdq {
            hash: dct::bits(&dct),
            quality,
            dihedral: DihedralHashes::from_array(Dihedral::ALL.map(|d| dct::bits(&d.apply(&dct)))),
            hashed_width,
            hashed_height,
        })
    }
}

/// What the reference gives an image with a side under [`MIN_HASHABLE_SIDE`].
fn tiny_result(width: u32, height: u32) -> Pdq {
    Pdq {
        hash: PdqHash::ZERO,
        quality: 0,
        dihedral: DihedralHashes::from_array([PdqHash::ZERO; 7]),
        hashed_width: width,
        hashed_height: height,
    }
}

impl OtherPicture {
    /// Columns written at a time when a quarter turn makes each row a column: a tile of the
    /// band's rows, so that the writes stay within a few cache lines per turned row.
    const TILE: u32 = 32;

    /// Writes the rows of the pushed `width` x `height` picture that start at row `y0` to their
    /// places in the turned copy.
    fn put_rows(&mut self, rows: &[u8], y0: u32, width: u32, height: u32, layout: PixelLayout) {
        if self.rgb.is_empty() {
            return;
        }
        let row_bytes = width as usize * layout.channels();
        let tile = if self.transform.swaps_sides() {
            Self::TILE
        } else {
            width
        };
        for x0 in (0..width).step_by(tile as usize) {
            let x1 = (x0 + tile).min(width);
            for (i, src) in rows.chunks_exact(row_bytes).enumerate() {
                self.put_span(src, y0 + i as u32, x0..x1, width, height, layout);
            }
        }
    }

    /// Writes the pixels `xs` of row `y` to their places in the turned copy.
    fn put_span(
        &mut self,
        src: &[u8],
        y: u32,
        xs: core::ops::Range<u32>,
        width: u32,
        height: u32,
        layout: PixelLayout,
    ) {
        let (turned_width, _) = self.transform.transformed_size(width, height);
        let at = |x: u32| {
            let (tx, ty) = self.transform.map(x, y, width, height);
            (ty as usize * turned_width as usize + tx as usize) * 3
        };
        // Along a row the place moves by a fixed step: one pixel left or right, or one row up or
        // down.
        let first = at(xs.start) as isize;
        let step = if width > 1 {
            at(1) as isize - at(0) as isize
        } else {
            0
        };
        let channels = layout.channels();
        let pixels = &src[xs.start as usize * channels..xs.end as usize * channels];
        let rgb = &mut self.rgb;
        let mut to = first;
        for px in pixels.chunks_exact(channels) {
            let (r, g, b) = match layout {
                PixelLayout::Rgb | PixelLayout::Rgba => (px[0], px[1], px[2]),
                PixelLayout::Bgra => (px[2], px[1], px[0]),
            };
            let dst = &mut rgb[to as usize..to as usize + 3];
            dst.copy_from_slice(&[r, g, b]);
            to += step;
        }
    }
}

/// Hashes a whole image of 8-bit RGB or RGBA pixels (row-major, no row padding).
#[inline(never)]
pub fn hash_pixels(
    pixels: &[u8],
    width: u32,
    height: u32,
    layout: PixelLayout,
    size: PdqSize,
) -> Result<Pdq, PdqError> {
    let mut hasher = PdqHasher::new(width, height, layout, size)?;
    hasher.push_rows(pixels)?;
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(len: usize) -> Vec<u8> {
        let mut s = 7u32;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                s as u8
            })
            .collect()
    }

    /// Bands of any number of rows give what the whole image gives, at both sizes, including the
    /// cli512 resize of a short wide image (a source row sampled by several destination rows).
    #[test]
    fn bands_of_rows_equal_the_whole_image() {
        for (w, h) in [(700, 300), (300, 700), (97, 61)] {
            let px = noise(w * h * 3);
            for size in [PdqSize::Full, PdqSize::Cli512] {
                let whole = hash_pixels(&px, w as u32, h as u32, PixelLayout::Rgb, size).unwrap();
                let mut hasher =
                    PdqHasher::new(w as u32, h as u32, PixelLayout::Rgb, size).unwrap();
                let mut rows = px.chunks(w * 3);
                let mut band = 1;
                loop {
                    let part: Vec<u8> = rows.by_ref().take(band).flatten().copied().collect();
                    if part.is_empty() {
                        break;
                    }
                    hasher.push_rows(&part).unwrap();
                    band = band % 5 + 1;
                }
                assert_eq!(hasher.finish().unwrap(), whole, "{w}x{h} {size:?}");
            }
        }
    }

    #[test]
    fn wrong_row_counts_are_errors_not_panics() {
        let px = noise(10 * 10 * 4);
        assert_eq!(
            PdqHasher::new(0, 5, PixelLayout::Rgb, PdqSize::Full).err(),
            Some(PdqError::Empty)
        );
        let mut h = PdqHasher::new(10, 10, PixelLayout::Rgba, PdqSize::Full).unwrap();
        assert!(matches!(
            h.push_rows(&px[..39]),
            Err(PdqError::PartialRow { .. })
        ));
        h.push_rows(&px[..40 * 9]).unwrap();
        assert!(matches!(
            h.push_rows(&px[..80]),
            Err(PdqError::TooManyRows { .. })
        ));
        assert!(matches!(
            h.finish(),
            Err(PdqError::MissingRows {
                expected: 10,
                received: 9
            })
        ));
        assert!(hash_pixels(&px[..12], 2, 2, PixelLayout::Rgb, PdqSize::Full).is_ok());
    }

    /// The picture as displayed, made from the stored one by the EXIF definitions, written as
    /// "which stored pixel shows at each displayed place" (independent of `Orientation::map`).
    fn displayed_of(stored: &[u8], w: usize, h: usize, exif: u8) -> (Vec<u8>, usize, usize) {
        let (dw, dh) = if exif >= 5 { (h, w) } else { (w, h) };
        let mut out = Vec::with_capacity(stored.len());
        for dy in 0..dh {
            for dx in 0..dw {
                let (sx, sy) = match exif {
                    1 => (dx, dy),
                    2 => (w - 1 - dx, dy),
                    3 => (w - 1 - dx, h - 1 - dy),
                    4 => (dx, h - 1 - dy),
                    5 => (dy, dx),
                    6 => (dy, h - 1 - dx),
                    7 => (w - 1 - dy, h - 1 - dx),
                    8 => (w - 1 - dy, dx),
                    _ => unreachable!(),
                };
                let i = (sy * w + sx) * 3;
                out.extend_from_slice(&stored[i..i + 3]);
            }
        }
        (out, dw, dh)
    }

    fn hash_oriented(
        px: &[u8],
        w: usize,
        h: usize,
        size: PdqSize,
        o: Orientation,
        pushed_as_displayed: bool,
        layout: PixelLayout,
    ) -> OrientedPdq {
        let wide: Vec<u8> = match layout {
            PixelLayout::Rgb => px.to_vec(),
            PixelLayout::Rgba => px.chunks(3).flat_map(|p| [p[0], p[1], p[2], 9]).collect(),
            PixelLayout::Bgra => px.chunks(3).flat_map(|p| [p[2], p[1], p[0], 9]).collect(),
        };
        let mut hasher = PdqHasher::new(w as u32, h as u32, layout, size).unwrap();
        hasher.orient(o, pushed_as_displayed).unwrap();
        let row = w * layout.channels();
        for band in wide.chunks(row * 3) {
            hasher.push_rows(band).unwrap();
        }
        hasher.finish_oriented().unwrap()
    }

    /// With `orient`, both pictures' results equal hashing each picture directly, pushed either
    /// way, at both sizes (the cli512 resize applies to the turned picture, as a reference run on
    /// it would), in every layout, tiny images and one-pixel-wide ones included.
    #[test]
    fn oriented_hashes_equal_hashing_each_picture() {
        for (w, h) in [(700, 300), (300, 520), (97, 61), (4, 100), (1, 9), (64, 64)] {
            let stored = noise(w * h * 3);
            for o in Orientation::ALL {
                let (displayed, dw, dh) = displayed_of(&stored, w, h, o.exif());
                for size in [PdqSize::Full, PdqSize::Cli512] {
                    let want_displayed =
                        hash_pixels(&displayed, dw as u32, dh as u32, PixelLayout::Rgb, size)
                            .unwrap();
                    let want_stored =
                        hash_pixels(&stored, w as u32, h as u32, PixelLayout::Rgb, size).unwrap();
                    let want = OrientedPdq {
                        displayed: want_displayed,
                        stored: (o != Orientation::Normal).then_some(want_stored),
                    };
                    for layout in [PixelLayout::Rgb, PixelLayout::Rgba, PixelLayout::Bgra] {
                        let from_stored = hash_oriented(&stored, w, h, size, o, false, layout);
                        assert_eq!(from_stored, want, "{w}x{h} {o:?} {size:?} as stored");
                        let from_displayed =
                            hash_oriented(&displayed, dw, dh, size, o, true, layout);
                        assert_eq!(from_displayed, want, "{w}x{h} {o:?} {size:?} as displayed");
                    }
                }
            }
        }
    }

    #[test]
    fn orient_after_rows_is_an_error_and_one_changes_nothing() {
        let px = noise(20 * 10 * 3);
        let mut h = PdqHasher::new(20, 10, PixelLayout::Rgb, PdqSize::Full).unwrap();
        h.orient(Orientation::Normal, true).unwrap();
        h.push_rows(&px[..60]).unwrap();
        assert_eq!(
            h.orient(Orientation::Rotate180, false),
            Err(PdqError::OrientAfterRows)
        );
        h.push_rows(&px[60..]).unwrap();
        let got = h.finish_oriented().unwrap();
        let want = hash_pixels(&px, 20, 10, PixelLayout::Rgb, PdqSize::Full).unwrap();
        assert_eq!((got.displayed, got.stored), (want, None));
    }

    /// Under 5 pixels a side the reference gives the all-zero hash and quality 0.
    #[test]
    fn tiny_images_get_the_zero_hash() {
        for (w, h) in [(4, 100), (100, 4), (1, 10000)] {
            let pdq = hash_pixels(
                &noise(w * h * 3),
                w as u32,
                h as u32,
                PixelLayout::Rgb,
                PdqSize::Full,
            )
            .unwrap();
            assert_eq!((pdq.hash, pdq.quality), (PdqHash::ZERO, 0));
            assert_eq!(pdq.dihedral.rotate90, PdqHash::ZERO);
        }
    }
}
