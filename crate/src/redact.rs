//! Redaction: rectangles of an RGBA image painted over with opaque black, so that a screenshot
//! can be shared without the parts the person hides. The fill overwrites every byte of every
//! covered pixel with a constant: nothing inside a rectangle depends on what was there (no blur
//! or pixelation, which can be reversed). Encoding the result without metadata is
//! the job of `png_writer` (feature `png`).

use std::fmt;

/// The colour every covered pixel becomes: opaque black, RGBA.
pub const FILL: [u8; 4] = [0, 0, 0, 255];

/// Largest width or height accepted, a canvas's usual limit.
pub const MAX_SIDE: u32 = 16_384;

/// Largest image accepted, in pixels: 400 MB of RGBA, about what a browser tab can hold twice.
pub const MAX_PIXELS: u64 = 100_000_000;

/// Most rectangles in one call; a person marks a handful.
pub const MAX_RECTS: usize = 1_000;

/// A rectangle in pixels, `x` and `y` its top-left corner. One that runs over the image's right
/// or bottom edge is clipped to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    /// Rectangles from flat quadruples `x, y, width, height` (how JavaScript passes them).
    pub fn from_flat(flat: &[u32]) -> Result<Vec<Rect>, RedactError> {
        if !flat.len().is_multiple_of(4) {
            return Err(RedactError::NotQuadruples { len: flat.len() });
        }
        if flat.len() / 4 > MAX_RECTS {
            return Err(RedactError::TooManyRects {
                given: flat.len() / 4,
            });
        }
        Ok(flat
            .chunks_exact(4)
            .map(|q| Rect {
                x: q[0],
                y: q[1],
                width: q[2],
                height: q[3],
            })
            .collect())
    }

    /// The covered columns and rows inside a `width` x `height` image, end exclusive; `None` when
    /// the rectangle covers no pixel of it.
    fn clip(&self, width: u32, height: u32) -> Option<(u32, u32, u32, u32)> {
        let x_end = self.x.saturating_add(self.width).min(width);
        let y_end = self.y.saturating_add(self.height).min(height);
        (self.x < x_end && self.y < y_end).then_some((self.x, x_end, self.y, y_end))
    }
}

/// Why an image could not be redacted. Nothing is changed when one is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedactError {
    /// Width or height is 0.
    Empty,
    /// A side over [`MAX_SIDE`] or more than [`MAX_PIXELS`] pixels.
    TooLarge { width: u32, height: u32 },
    /// The buffer is not `width * height * 4` bytes.
    BufferLength { expected: u64, given: u64 },
    /// More than [`MAX_RECTS`] rectangles.
    TooManyRects { given: usize },
    /// The flat list of rectangles is not whole quadruples.
    NotQuadruples { len: usize },
    /// The rectangle at `index` has no width or no height. Refused rather than skipped: the
    /// caller meant to hide something, and a silent no-op would leave it visible.
    EmptyRect { index: usize },
    /// The rectangle at `index` lies wholly right of or below the image; refused for the same
    /// reason.
    RectOutside { index: usize },
}

impl fmt::Display for RedactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedactError::Empty => f.write_str("the image has no pixels (width or height is 0)"),
            RedactError::TooLarge { width, height } => write!(
                f,
                "a {width}x{height} image is too large to redact (at most {MAX_SIDE} pixels a \
                 side and {MAX_PIXELS} pixels)"
            ),
            RedactError::BufferLength { expected, given } => write!(
                f,
                "{given} bytes of pixels given where the RGBA image takes {expected}"
            ),
            RedactError::TooManyRects { given } => {
                write!(f, "{given} rectangles given, at most {MAX_RECTS} are taken")
            }
            RedactError::NotQuadruples { len } => write!(
                f,
                "{len} numbers are not whole rectangles (x, y, width, height each)"
            ),
            RedactError::EmptyRect { index } => {
                write!(f, "rectangle {index} has no width or no height")
            }
            RedactError::RectOutside { index } => {
                write!(f, "rectangle {index} lies outside the image")
            }
        }
    }
}

impl std::error::Error for RedactError {}

/// Checks an image's size and its buffer's length against the limits.
fn check_image(len: usize, width: u32, height: u32) -> Result<(), RedactError> {
    if width == 0 || height == 0 {
        return Err(RedactError::Empty);
    }
    let pixels = width as u64 * height as u64;
    if width > MAX_SIDE || height > MAX_SIDE || pixels > MAX_PIXELS {
        return Err(RedactError::TooLarge { width, height });
    }
    // At most 400 MB: fits a 32-bit usize.
    let expected = pixels * 4;
    if len as u64 != expected {
        return Err(RedactError::BufferLength {
            expected,
            given: len as u64,
        });
    }
    Ok(())
}

/// Paints each rectangle (clipped to the image) opaque black in `rgba`, `width * height` pixels
/// of 4 bytes, rows top to bottom. Everything is checked before any pixel changes; pixels outside
/// every rectangle are left as they were.
pub fn redact(rgba: &mut [u8], width: u32, height: u32, rects: &[Rect]) -> Result<(), RedactError> {
    check_image(rgba.len(), width, height)?;
    if rects.len() > MAX_RECTS {
        return Err(RedactError::TooManyRects { given: rects.len() });
    }
    for (index, rect) in rects.iter().enumerate() {
        if rect.width == 0 || rect.height == 0 {
            return Err(RedactError::EmptyRect { index });
        }
        if rect.clip(width, height).is_none() {
            return Err(RedactError::RectOutside { index });
        }
    }
    // Every index below is under width * height * 4, which check_image bounded to 400 MB.
    let stride = width as usize * 4;
    for rect in rects {
        let Some((x0, x1, y0, y1)) = rect.clip(width, height) else {
            continue;
        };
        for y in y0 as usize..y1 as usize {
            let row = &mut rgba[y * stride..(y + 1) * stride];
            for px in row[x0 as usize * 4..x1 as usize * 4].chunks_exact_mut(4) {
                px.copy_from_slice(&FILL);
            }
        }
    }
    Ok(())
}
