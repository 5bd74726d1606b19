//! Luma, the Jarosz filter and decimation to 64x64, streamed through small buffers.
//!
//! The reference runs four full-image passes (box along rows, along columns, twice) over two
//! full-size float buffers, and its column passes stride a whole row per step. Here:
//! - Row passes run `LANES` rows side by side, so each step is one vector operation.
//! - Column passes keep one running sum per column and walk the rows in order, a whole row at a
//!   time: contiguous, vectorised, and only the last `window` rows are kept.
//! - The last two passes compute only what decimation samples: 64 columns, then 64 rows.
//!
//! Every sum still adds and subtracts the same values in the same order as the reference, so the
//! result is bit-identical to it.

use super::dct::Grid64;

/// Rows filtered side by side in a row pass: two f32x4 vectors, two independent sum chains.
const LANES: usize = 8;
type Lanes = [f32; LANES];

/// Jarosz window for a line of `len` samples: `ceil(len / 128)`.
pub(crate) fn window_size(len: usize) -> usize {
    len.div_ceil(128)
}

/// Phase lengths of the reference's box filter (`box1DFloat`) over one line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BoxPlan {
    pub(crate) window: usize,
    /// Samples summed before the first output.
    pub(crate) warm: usize,
    /// Outputs while the window grows.
    pub(crate) grow: usize,
    /// Outputs with the full window (adds one sample, then removes one).
    pub(crate) full: usize,
    /// Outputs while the window shrinks at the end.
    pub(crate) shrink: usize,
}

impl BoxPlan {
    pub(crate) fn new(len: usize, window: usize) -> BoxPlan {
        let half = (window + 2) / 2;
        BoxPlan {
            window,
            warm: half - 1,
            grow: window - half + 1,
            full: len - window,
            shrink: half - 1,
        }
    }
}

fn add(sum: &mut Lanes, x: &Lanes) {
    for (s, x) in sum.iter_mut().zip(x) {
        *s += *x;
    }
}

fn add_sub(sum: &mut Lanes, x: &Lanes, y: &Lanes) {
    for ((s, x), y) in sum.iter_mut().zip(x).zip(y) {
        *s = (*s + *x) - *y;
    }
}

fn sub(sum: &mut Lanes, y: &Lanes) {
    for (s, y) in sum.iter_mut().zip(y) {
        *s -= *y;
    }
}

fn mean(sum: &Lanes, n: usize) -> Lanes {
    let n = n as f32;
    sum.map(|s| s / n)
}

/// The reference box filter along `LANES` lines at once: `input[i][k]` is sample `i` of line `k`.
fn box_lanes(input: &[Lanes], output: &mut [Lanes], plan: BoxPlan) {
    let mut sum = [0f32; LANES];
    let mut n = 0;
    for x in &input[..plan.warm] {
        add(&mut sum, x);
        n += 1;
    }
    let grown = plan.warm + plan.grow;
    for (x, out) in input[plan.warm..grown].iter().zip(&mut output[..plan.grow]) {
        add(&mut sum, x);
        n += 1;
        *out = mean(&sum, n);
    }
    let entering = &input[grown..grown + plan.full];
    let leaving = &input[..plan.full];
    let outs = &mut output[plan.grow..plan.grow + plan.full];
    for ((x, y), out) in entering.iter().zip(leaving).zip(outs) {
        add_sub(&mut sum, x, y);
        *out = mean(&sum, n);
    }
    let leaving = &input[plan.full..plan.full + plan.shrink];
    for (y, out) in leaving.iter().zip(&mut output[plan.grow + plan.full..]) {
        sub(&mut sum, y);
        n -= 1;
        *out = mean(&sum, n);
    }
}

/// A column pass fed one row at a time: one running sum per column, a ring of the last rows.
struct ColumnBox {
    width: usize,
    height: usize,
    plan: BoxPlan,
    ring: Vec<f32>,
    ring_rows: usize,
    sums: Vec<f32>,
    n: usize,
    pushed: usize,
    drained: usize,
}

impl ColumnBox {
    /// `ahead`: how many rows the producer writes before pushing them.
    fn new(width: usize, height: usize, ahead: usize) -> ColumnBox {
        let plan = BoxPlan::new(height, window_size(height));
        let ring_rows = plan.window + ahead + 1;
        ColumnBox {
            width,
            height,
            plan,
            ring: vec![0f32; ring_rows * width],
            ring_rows,
            sums: vec![0f32; width],
            n: 0,
            pushed: 0,
            drained: 0,
        }
    }

    fn slot(&self, row: usize) -> core::ops::Range<usize> {
        let start = (row % self.ring_rows) * self.width;
        start..start + self.width
    }

    /// Where the producer writes input row `row` (at most `ahead` rows past the last pushed one).
    fn row_mut(&mut self, row: usize) -> &mut [f32] {
        let slot = self.slot(row);
        &mut self.ring[slot]
    }

    /// Consumes the next input row; writes an output row to `out` and returns true when one is due.
    fn push(&mut self, out: &mut [f32]) -> bool {
        let ri = self.pushed;
        self.pushed += 1;
        let entering = &self.ring[self.slot(ri)];
        if ri < self.plan.warm + self.plan.grow {
            for (s, x) in self.sums.iter_mut().zip(entering) {
                *s += *x;
            }
            self.n += 1;
            if ri < self.plan.warm {
                return false;
            }
        } else {
            let leaving = &self.ring[self.slot(ri - self.plan.window)];
            for ((s, x), y) in self.sums.iter_mut().zip(entering).zip(leaving) {
                *s = (*s + *x) - *y;
            }
        }
        self.write_mean(out);
        true
    }

    /// After the last push: the outputs of the shrinking window, one per call, then false.
    fn drain(&mut self, out: &mut [f32]) -> bool {
        debug_assert_eq!(self.pushed, self.height);
        if self.drained == self.plan.shrink {
            return false;
        }
        let li = self.plan.full + self.drained;
        self.drained += 1;
        let leaving = &self.ring[self.slot(li)];
        for (s, y) in self.sums.iter_mut().zip(leaving) {
            *s -= *y;
        }
        self.n -= 1;
        self.write_mean(out);
        true
    }

    fn write_mean(&self, out: &mut [f32]) {
        let n = self.n as f32;
        for (o, s) in out.iter_mut().zip(&self.sums) {
            *o = *s / n;
        }
    }
}

/// 8-bit pixels, row-major, with `channels` bytes per pixel (R, G, B first; the rest ignored).
#[derive(Clone, Copy)]
pub(crate) struct Pixels<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) channels: usize,
}

impl Pixels<'_> {
    /// The reference's luma: `0.299 R + 0.587 G + 0.114 B` in f32, summed left to right.
    #[inline(always)]
    fn luma(&self, row: usize, col: usize) -> f32 {
        let p = (row * self.width + col) * self.channels;
        let (r, g, b) = (self.data[p], self.data[p + 1], self.data[p + 2]);
        0.299f32 * r as f32 + 0.587f32 * g as f32 + 0.114f32 * b as f32
    }
}

/// Indices decimation samples: `floor((i + 0.5) * len / 64)`, in double like the reference.
fn sample_indices(len: usize) -> [usize; 64] {
    core::array::from_fn(|i| ((i as f64 + 0.5) * len as f64 / 64.0) as usize)
}

/// Luma, two Jarosz passes and decimation: the 64x64 grid the DCT starts from.
pub(crate) fn downsample(px: Pixels<'_>) -> Grid64 {
    let (width, height) = (px.width, px.height);
    let mut grid = [[0f32; 64]; 64];
    if width == 64 && height == 64 {
        // The reference hashes a 64x64 luma as it is, without the filter.
        for (i, row) in grid.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                *x = px.luma(i, j);
            }
        }
        return grid;
    }

    let row_plan = BoxPlan::new(width, window_size(width));
    let cols = sample_indices(width);
    let rows = sample_indices(height);

    let mut lanes_in = vec![[0f32; LANES]; width];
    let mut lanes_out = vec![[0f32; LANES]; width];
    // Pass 1: box along rows (from luma), then along columns.
    let mut columns1 = ColumnBox::new(width, height, LANES);
    // Rows out of pass 1's column box, waiting to be filtered along rows `LANES` at a time.
    let mut strip = vec![0f32; LANES * width];
    let mut strip_rows = 0;
    let mut strip_start = 0;
    // Pass 2 along rows, only at the 64 sampled columns: `height` rows of 64.
    let mut sampled = vec![[0f32; 64]; height];

    let mut flush =
        |strip: &[f32], start: usize, count: usize, lin: &mut [Lanes], lout: &mut [Lanes]| {
            for (c, lane) in lin.iter_mut().enumerate() {
                for (k, x) in lane.iter_mut().enumerate().take(count) {
                    *x = strip[k * width + c];
                }
            }
            box_lanes(lin, lout, row_plan);
            for k in 0..count {
                for (j, &c) in cols.iter().enumerate() {
                    sampled[start + k][j] = lout[c][k];
                }
            }
        };

    let mut take_row = |columns1: &mut ColumnBox,
                        strip: &mut Vec<f32>,
                        lin: &mut [Lanes],
                        lout: &mut [Lanes],
                        draining: bool|
     -> bool {
        let out = &mut strip[strip_rows * width..(strip_rows + 1) * width];
        let produced = if draining {
            columns1.drain(out)
        } else {
            columns1.push(out)
        };
        if produced {
            strip_rows += 1;
            if strip_rows == LANES {
                flush(strip, strip_start, LANES, lin, lout);
                strip_start += LANES;
                strip_rows = 0;
            }
        }
        produced
    };

    for r0 in (0..height).step_by(LANES) {
        let count = LANES.min(height - r0);
        for (c, lane) in lanes_in.iter_mut().enumerate() {
            for (k, x) in lane.iter_mut().enumerate().take(count) {
                *x = px.luma(r0 + k, c);
            }
        }
        box_lanes(&lanes_in, &mut lanes_out, row_plan);
        for k in 0..count {
            let dst = columns1.row_mut(r0 + k);
            for (d, lane) in dst.iter_mut().zip(&lanes_out) {
                *d = lane[k];
            }
        }
        for _ in 0..count {
            take_row(
                &mut columns1,
                &mut strip,
                &mut lanes_in,
                &mut lanes_out,
                false,
            );
        }
    }
    while take_row(
        &mut columns1,
        &mut strip,
        &mut lanes_in,
        &mut lanes_out,
        true,
    ) {}
    if strip_rows > 0 {
        flush(
            &strip,
            strip_start,
            strip_rows,
            &mut lanes_in,
            &mut lanes_out,
        );
    }

    // Pass 2 along columns, over the 64 sampled columns only; keep the 64 sampled rows.
    let mut columns2 = ColumnBox::new(64, height, 1);
    let mut out = [0f32; 64];
    let mut next = 0;
    let mut emitted = 0;
    let mut keep = |out: &[f32; 64], emitted: &mut usize, next: &mut usize| {
        while *next < 64 && rows[*next] == *emitted {
            grid[*next] = *out;
            *next += 1;
        }
        *emitted += 1;
    };
    for (r, row) in sampled.iter().enumerate() {
        columns2.row_mut(r).copy_from_slice(row);
        if columns2.push(&mut out) {
            keep(&out, &mut emitted, &mut next);
        }
    }
    while columns2.drain(&mut out) {
        keep(&out, &mut emitted, &mut next);
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A direct transcription of the reference: full-size buffers, strided box filters.
    fn reference_downsample(px: Pixels<'_>) -> Grid64 {
        let (w, h) = (px.width, px.height);
        let mut a: Vec<f32> = (0..h * w).map(|i| px.luma(i / w, i % w)).collect();
        let mut grid = [[0f32; 64]; 64];
        if w == 64 && h == 64 {
            for i in 0..64 {
                grid[i].copy_from_slice(&a[i * 64..i * 64 + 64]);
            }
            return grid;
        }
        let mut b = vec![0f32; h * w];
        fn box1d(
            inv: &[f32],
            out: &mut [f32],
            start: usize,
            len: usize,
            stride: usize,
            window: usize,
        ) {
            let p = BoxPlan::new(len, window);
            let (mut li, mut ri, mut oi) = (start, start, start);
            let mut sum = 0f32;
            let mut n = 0usize;
            for _ in 0..p.warm {
                sum += inv[ri];
                n += 1;
                ri += stride;
            }
            for _ in 0..p.grow {
                sum += inv[ri];
                n += 1;
                out[oi] = sum / n as f32;
                ri += stride;
                oi += stride;
            }
            for _ in 0..p.full {
                sum += inv[ri];
                sum -= inv[li];
                out[oi] = sum / n as f32;
                li += stride;
                ri += stride;
                oi += stride;
            }
            for _ in 0..p.shrink {
                sum -= inv[li];
                n -= 1;
                out[oi] = sum / n as f32;
                li += stride;
                oi += stride;
            }
        }
        for _ in 0..2 {
            for r in 0..h {
                box1d(&a, &mut b, r * w, w, 1, window_size(w));
            }
            for c in 0..w {
                box1d(&b, &mut a, c, h, w, window_size(h));
            }
        }
        let rows = sample_indices(h);
        let cols = sample_indices(w);
        for i in 0..64 {
            for j in 0..64 {
                grid[i][j] = a[rows[i] * w + cols[j]];
            }
        }
        grid
    }

    fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut s = seed;
        (0..len)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 56) as u8
            })
            .collect()
    }

    /// The streamed filter against the strided transcription, on awkward sizes: sizes that are
    /// not multiples of the lane count, windows of 1 and 2, tall and wide images.
    #[test]
    fn streamed_equals_transcription_bit_for_bit() {
        let sizes = [
            (5, 5),
            (5, 300),
            (300, 5),
            (7, 9),
            (63, 65),
            (64, 64),
            (65, 64),
            (129, 130),
            (257, 255),
            (300, 17),
            (17, 300),
            (640, 480),
            (1000, 13),
        ];
        for (n, &(w, h)) in sizes.iter().enumerate() {
            for channels in [3, 4] {
                let data = noise(w * h * channels, n as u64 * 7 + channels as u64);
                let px = Pixels {
                    data: &data,
                    width: w,
                    height: h,
                    channels,
                };
                let fast = downsample(px);
                let slow = reference_downsample(px);
                for i in 0..64 {
                    for j in 0..64 {
                        assert_eq!(
                            fast[i][j].to_bits(),
                            slow[i][j].to_bits(),
                            "{w}x{h}x{channels} at ({i},{j})"
                        );
                    }
                }
            }
        }
    }
}
