//! A decoded video frame's YUV planes to the RGB the reference hashes, bit for bit.
//!
//! The reference converts every frame with `sws_scale` (FFmpeg's libswscale) to RGB24, with
//! `SWS_AREA` at the same size and libswscale's default coefficients (BT.601, whatever the video
//! says). For 8-bit 4:2:0 and 4:2:2 frames of even height, libswscale takes its special unscaled
//! converter (`ff_yuv2rgb_get_func_ptr`: on x86 the SIMD code of `yuv_2_rgb.asm`), which is a
//! function of each pixel's Y and its block's U and V alone, in 16-bit fixed point:
//!
//! ```text
//! y' = ((Y << 3) - y_offset) * y_coeff >> 16            (pmulhw: the high half, rounded down)
//! R  = sat8(y' + ((V << 3) - 1024) * vr_coeff >> 16)
//! G  = sat8(y' + (((U << 3) - 1024) * ug_coeff >> 16) + (((V << 3) - 1024) * vg_coeff >> 16))
//! B  = sat8(y' + ((U << 3) - 1024) * ub_coeff >> 16)
//! ```
//!
//! with the coefficients `ff_yuv2rgb_c_init_tables` derives from BT.601 (`ff_yuv2rgb_coeffs`).
//! This was checked against Debian 12's libswscale (FFmpeg 5.1) for all 2^24 (Y, U, V) triples,
//! both ranges and both subsamplings: `tests/fixtures/video/swscale/` holds the probe and its
//! digests, and `crate/tests/vpdq_yuv.rs` compares. Frames of odd height and 4:4:4 frames go
//! through libswscale's general scaler instead, which interpolates chroma; for those this
//! conversion is near the reference's but not equal to it.

use core::fmt;

use crate::pdq::{Pdq, PdqError, PdqHasher, PdqSize, PixelLayout};

/// How a frame's chroma is stored beside its luma plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chroma {
    /// Planar 4:2:0 (I420, yuv420p): U and V planes at half width and half height.
    I420,
    /// Planar 4:2:2 (I422): U and V planes at half width, full height.
    I422,
    /// Planar 4:4:4 (I444): U and V planes at full size.
    I444,
    /// 4:2:0 with one plane of interleaved U, V pairs (NV12), what hardware decoders give.
    Nv12,
}

impl Chroma {
    /// Which chroma row and column serve luma row `y` and column `x`.
    fn shifts(self) -> (u32, u32) {
        match self {
            Chroma::I420 | Chroma::Nv12 => (1, 1),
            Chroma::I422 => (1, 0),
            Chroma::I444 => (0, 0),
        }
    }
}

/// The range of the Y, U and V values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// Y in 16..=235, U and V in 16..=240 ("TV", "limited"): almost every video.
    Limited,
    /// 0..=255 ("PC", "JPEG"). The reference treats only H.264 and H.265 frames as full range
    /// (FFmpeg gives them as `yuvj` formats); a VP9 or AV1 frame that says full range is still
    /// converted as limited there, so the caller decides by codec.
    Full,
}

/// The fixed-point coefficients of libswscale's unscaled YUV to RGB converter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Coefficients {
    y: i32,
    y_offset: i32,
    vr: i32,
    ub: i32,
    ug: i32,
    vg: i32,
}

/// `roundToInt16` of libswscale's yuv2rgb.c.
const fn round_to_i16(f: i64) -> i32 {
    let r = (f + (1 << 15)) >> 16;
    if r < -0x7fff {
        -0x8000
    } else if r > 0x7fff {
        0x7fff
    } else {
        r as i32
    }
}

impl Coefficients {
    /// As `ff_yuv2rgb_c_init_tables` derives them from `ff_yuv2rgb_coeffs[SWS_CS_DEFAULT]`
    /// (BT.601: crv 104597, cbu 132201, cgu 25675, cgv 53279) at default brightness, contrast and
    /// saturation. C's integer division truncates toward zero, as Rust's does.
    const fn new(range: Range) -> Coefficients {
        let (mut crv, mut cbu, mut cgu, mut cgv) = (104597i64, 132201i64, -25675i64, -53279i64);
        let (cy, oy) = match range {
            Range::Limited => ((1i64 << 16) * 255 / 219, 16i64 << 16),
            Range::Full => {
                crv = crv * 224 / 255;
                cbu = cbu * 224 / 255;
                cgu = cgu * 224 / 255;
                cgv = cgv * 224 / 255;
                (1 << 16, 0)
            }
        };
        Coefficients {
            y: round_to_i16(cy * (1 << 13)),
            y_offset: round_to_i16(oy * (1 << 3)),
            vr: round_to_i16(crv * (1 << 13)),
            ub: round_to_i16(cbu * (1 << 13)),
            ug: round_to_i16(cgu * (1 << 13)),
            vg: round_to_i16(cgv * (1 << 13)),
        }
    }
}

const LIMITED: Coefficients = Coefficients::new(Range::Limited);
const FULL: Coefficients = Coefficients::new(Range::Full);

/// pmulhw: the high 16 bits of a signed 16x16-bit product.
#[inline(always)]
fn mul_hi(a: i32, b: i32) -> i32 {
    (a * b) >> 16
}

#[inline(always)]
fn sat8(x: i32) -> u8 {
    x.clamp(0, 255) as u8
}

/// The chroma terms of one U, V pair: what is added to y' for R, G and B.
#[inline(always)]
fn chroma(c: &Coefficients, u: u8, v: u8) -> (i32, i32, i32) {
    let u = ((u as i32) << 3) - 1024;
    let v = ((v as i32) << 3) - 1024;
    (
        mul_hi(v, c.vr),
        mul_hi(u, c.ug) + mul_hi(v, c.vg),
        mul_hi(u, c.ub),
    )
}

/// One pixel, as libswscale converts it.
pub fn yuv_to_rgb(y: u8, u: u8, v: u8, range: Range) -> [u8; 3] {
    let c = match range {
        Range::Limited => &LIMITED,
        Range::Full => &FULL,
    };
    let (r, g, b) = chroma(c, u, v);
    let y = mul_hi(((y as i32) << 3) - c.y_offset, c.y);
    [sat8(y + r), sat8(y + g), sat8(y + b)]
}

/// A decoded frame's planes, as a decoder or `VideoFrame.copyTo` lays them out: the visible
/// picture only, each plane starting at its first visible row and column.
#[derive(Clone, Copy, Debug)]
pub struct YuvFrame<'a> {
    pub width: u32,
    pub height: u32,
    pub chroma: Chroma,
    pub range: Range,
    pub y: &'a [u8],
    pub y_stride: usize,
    /// The U plane, or for [`Chroma::Nv12`] the interleaved U, V plane.
    pub u: &'a [u8],
    pub u_stride: usize,
    /// The V plane; unused for [`Chroma::Nv12`].
    pub v: &'a [u8],
    pub v_stride: usize,
}

/// Why a frame's planes could not be hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// Width or height is 0.
    Empty,
    /// A plane is shorter than its rows and stride say, or a stride is under the row's width.
    PlaneTooShort {
        plane: &'static str,
    },
    Pdq(PdqError),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Empty => f.write_str("the frame has no pixels (width or height is 0)"),
            FrameError::PlaneTooShort { plane } => {
                write!(
                    f,
                    "the {plane} plane is shorter than the frame's size and stride"
                )
            }
            FrameError::Pdq(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FrameError {}

impl From<PdqError> for FrameError {
    fn from(e: PdqError) -> FrameError {
        FrameError::Pdq(e)
    }
}

/// Bytes a plane of `rows` rows of `row_bytes` needs at `stride`.
fn plane_len(rows: usize, row_bytes: usize, stride: usize) -> Option<usize> {
    if rows == 0 {
        return Some(0);
    }
    if stride < row_bytes {
        return None;
    }
    (rows - 1).checked_mul(stride)?.checked_add(row_bytes)
}

impl YuvFrame<'_> {
    /// Chroma plane size in samples (width, height).
    fn chroma_size(&self) -> (usize, usize) {
        let (sx, sy) = self.chroma.shifts();
        let w = (self.width as usize).div_ceil(1 << sx);
        let h = (self.height as usize).div_ceil(1 << sy);
        (w, h)
    }

    fn check(&self) -> Result<(), FrameError> {
        if self.width == 0 || self.height == 0 {
            return Err(FrameError::Empty);
        }
        let (w, h) = (self.width as usize, self.height as usize);
        let too_short = |plane| FrameError::PlaneTooShort { plane };
        if plane_len(h, w, self.y_stride).is_none_or(|n| self.y.len() < n) {
            return Err(too_short("Y"));
        }
        let (cw, ch) = self.chroma_size();
        if self.chroma == Chroma::Nv12 {
            if plane_len(ch, cw * 2, self.u_stride).is_none_or(|n| self.u.len() < n) {
                return Err(too_short("UV"));
            }
        } else {
            if plane_len(ch, cw, self.u_stride).is_none_or(|n| self.u.len() < n) {
                return Err(too_short("U"));
            }
            if plane_len(ch, cw, self.v_stride).is_none_or(|n| self.v.len() < n) {
                return Err(too_short("V"));
            }
        }
        Ok(())
    }

    /// Converts luma row `row` into `out` (3 bytes a pixel).
    fn rgb_row(&self, row: usize, c: &Coefficients, out: &mut [u8]) {
        let w = self.width as usize;
        let (sx, sy) = self.chroma.shifts();
        let cy = row >> sy;
        let y = &self.y[row * self.y_stride..][..w];
        let out = &mut out[..w * 3];
        match self.chroma {
            Chroma::Nv12 => {
                let uv = &self.u[cy * self.u_stride..];
                self.convert(y, sx, |x| (uv[2 * x], uv[2 * x + 1]), c, out);
            }
            _ => {
                let u = &self.u[cy * self.u_stride..];
                let v = &self.v[cy * self.v_stride..];
                self.convert(y, sx, |x| (u[x], v[x]), c, out);
            }
        }
    }

    #[inline(always)]
    fn convert(
        &self,
        y: &[u8],
        sx: u32,
        uv: impl Fn(usize) -> (u8, u8),
        c: &Coefficients,
        out: &mut [u8],
    ) {
        for (x, (&luma, px)) in y.iter().zip(out.chunks_exact_mut(3)).enumerate() {
            let (u, v) = uv(x >> sx);
            let (r, g, b) = chroma(c, u, v);
            let l = mul_hi(((luma as i32) << 3) - c.y_offset, c.y);
            px[0] = sat8(l + r);
            px[1] = sat8(l + g);
            px[2] = sat8(l + b);
        }
    }

    /// The frame as the reference's RGB24, row-major without padding.
    pub fn to_rgb(&self) -> Result<Vec<u8>, FrameError> {
        self.check()?;
        let (w, h) = (self.width as usize, self.height as usize);
        let c = self.coefficients();
        let mut rgb = vec![0u8; w * h * 3];
        for (row, out) in rgb.chunks_exact_mut(w * 3).enumerate() {
            self.rgb_row(row, c, out);
        }
        Ok(rgb)
    }

    fn coefficients(&self) -> &'static Coefficients {
        match self.range {
            Range::Limited => &LIMITED,
            Range::Full => &FULL,
        }
    }

    /// PDQ of the frame, as the reference hashes it: converted to RGB as above, then PDQ of the
    /// whole picture. Converted a few rows at a time, so no RGB copy of the frame is kept.
    pub fn pdq(&self) -> Result<Pdq, FrameError> {
        self.check()?;
        const BAND: usize = 16;
        let (w, h) = (self.width as usize, self.height as usize);
        let c = self.coefficients();
        let mut hasher = PdqHasher::new(self.width, self.height, PixelLayout::Rgb, PdqSize::Full)?;
        let mut band = vec![0u8; w * 3 * BAND.min(h)];
        let mut row = 0;
        while row < h {
            let rows = BAND.min(h - row);
            for (i, out) in band.chunks_exact_mut(w * 3).take(rows).enumerate() {
                self.rgb_row(row + i, c, out);
            }
            hasher.push_rows(&band[..rows * w * 3])?;
            row += rows;
        }
        Ok(hasher.finish()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The coefficients libswscale 6.7.100 (FFmpeg 5.1) puts in its context, read off its output.
    #[test]
    fn coefficients_are_libswscales() {
        assert_eq!(
            LIMITED,
            Coefficients {
                y: 9539,
                y_offset: 128,
                vr: 13075,
                ub: 16525,
                ug: -3209,
                vg: -6660
            }
        );
        assert_eq!(
            FULL,
            Coefficients {
                y: 8192,
                y_offset: 0,
                vr: 11485,
                ub: 14516,
                ug: -2819,
                vg: -5850
            }
        );
    }

    #[test]
    fn short_planes_are_errors_not_panics() {
        let y = [0u8; 16];
        let frame = YuvFrame {
            width: 4,
            height: 4,
            chroma: Chroma::I420,
            range: Range::Limited,
            y: &y,
            y_stride: 4,
            u: &y[..3],
            u_stride: 2,
            v: &y[..4],
            v_stride: 2,
        };
        assert_eq!(
            frame.pdq().err(),
            Some(FrameError::PlaneTooShort { plane: "U" })
        );
        let narrow = YuvFrame {
            y_stride: 3,
            ..frame
        };
        assert_eq!(
            narrow.pdq().err(),
            Some(FrameError::PlaneTooShort { plane: "Y" })
        );
        let empty = YuvFrame { width: 0, ..frame };
        assert_eq!(empty.to_rgb().err(), Some(FrameError::Empty));
    }
}
