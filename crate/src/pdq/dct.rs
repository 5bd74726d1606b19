//! From the 64x64 downsample to hashes: quality, the 16x16 DCT, the median threshold and the
//! eight dihedral variants. Every sum runs in the reference's order, in `f32`.

use std::sync::OnceLock;

use super::hash::PdqHash;

pub(crate) type Grid64 = [[f32; 64]; 64];
pub(crate) type Dct16 = [[f32; 16]; 16];

/// The reference's image-domain quality: quantised gradients of the 64x64 grid, 0..=100.
pub(crate) fn quality(a: &Grid64) -> u8 {
    // Truncation toward zero of each term is part of the metric.
    let term = |u: f32, v: f32| (((u - v) * 100.0) / 255.0) as i32;
    let mut sum: i32 = 0;
    for (upper, lower) in a.iter().zip(&a[1..]) {
        for (u, v) in upper.iter().zip(lower) {
            sum += term(*u, *v).abs();
        }
    }
    for row in a.iter() {
        for (u, v) in row.iter().zip(&row[1..]) {
            sum += term(*u, *v).abs();
        }
    }
    (sum / 90).min(100) as u8
}

/// Rows 1..=16 of the 64-point DCT-II matrix, built the way the reference builds it: a float
/// scale factor times a double cosine, rounded to float.
fn dct_matrix() -> &'static [[f32; 64]; 16] {
    static MATRIX: OnceLock<[[f32; 64]; 16]> = OnceLock::new();
    MATRIX.get_or_init(|| {
        let scale = (2.0f64 / 64.0).sqrt() as f32;
        let mut d = [[0f32; 64]; 16];
        for (i, row) in d.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                let angle =
                    (core::f64::consts::PI / 2.0 / 64.0) * (i + 1) as f64 * (2 * j + 1) as f64;
                *x = (scale as f64 * angle.cos()) as f32;
            }
        }
        d
    })
}

/// `B = (D A) D^T`, keeping only the 16x16 low frequencies past DC.
pub(crate) fn dct64_to16(a: &Grid64) -> Dct16 {
    let d = dct_matrix();
    let mut t = [[0f32; 64]; 16];
    for i in 0..16 {
        for j in 0..64 {
            let mut sum = 0f32;
            for k in 0..64 {
                sum += d[i][k] * a[k][j];
            }
            t[i][j] = sum;
        }
    }
    let mut b = [[0f32; 16]; 16];
    for i in 0..16 {
        for j in 0..16 {
            let mut sum = 0f32;
            for k in 0..64 {
                sum += t[i][k] * d[j][k];
            }
            b[i][j] = sum;
        }
    }
    b
}

/// The 128th smallest of the 256 values: what the reference's Torben median returns.
///
/// An insertion sort of 256 numbers (a few microseconds): the library's selection would add
/// about 2.5 KB to the page's WebAssembly for no speed that matters here.
fn median(b: &Dct16) -> f32 {
    let mut v = [0f32; 256];
    for (slot, &x) in v.iter_mut().zip(b.iter().flatten()) {
        slot.clone_from(&x);
    }
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1].total_cmp(&x).is_gt() {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
    v[127]
}

/// One bit per coefficient: set when strictly above the median.
pub(crate) fn bits(b: &Dct16) -> PdqHash {
    let m = median(b);
    PdqHash::from_bits(|k| b[k >> 4][k & 15] > m)
}

/// The eight dihedral variants of an image, from its DCT alone.
#[derive(Clone, Copy)]
pub(crate) enum Dihedral {
    Rotate90,
    Rotate180,
    Rotate270,
    FlipX,
    FlipY,
    FlipPlus1,
    FlipMinus1,
}

impl Dihedral {
    pub(crate) const ALL: [Dihedral; 7] = [
        Dihedral::Rotate90,
        Dihedral::Rotate180,
        Dihedral::Rotate270,
        Dihedral::FlipX,
        Dihedral::FlipY,
        Dihedral::FlipPlus1,
        Dihedral::FlipMinus1,
    ];

    /// The DCT of the transformed image: a transpose and sign flips of the original's.
    pub(crate) fn apply(self, a: &Dct16) -> Dct16 {
        let (transpose, negate): (bool, fn(usize, usize) -> bool) = match self {
            Dihedral::Rotate90 => (true, |_, j| j & 1 == 0),
            Dihedral::Rotate180 => (false, |i, j| (i + j) & 1 == 1),
            Dihedral::Rotate270 => (true, |i, _| i & 1 == 0),
            Dihedral::FlipX => (false, |i, _| i & 1 == 0),
            Dihedral::FlipY => (false, |_, j| j & 1 == 0),
            Dihedral::FlipPlus1 => (true, |_, _| false),
            Dihedral::FlipMinus1 => (true, |i, j| (i + j) & 1 == 1),
        };
        let mut b = [[0f32; 16]; 16];
        for i in 0..16 {
            for j in 0..16 {
                let x = if negate(i, j) { -a[i][j] } else { a[i][j] };
                if transpose {
                    b[j][i] = x;
                } else {
                    b[i][j] = x;
                }
            }
        }
        b
    }
}
