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
use super::PixelLayout;

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

    /// How many samples output `i` averages: the divisor the reference uses there.
    fn count(&self, i: usize) -> usize {
        if i < self.grow {
            self.warm + i + 1
        } else if i < self.grow + self.full {
            self.window
        } else {
            self.window - (i - self.grow - self.full) - 1
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
/// With `DIVIDE` false, `output` gets the running sums instead of the means, for a caller that
/// needs only a few of them (divide by [`BoxPlan::count`] to get the mean, bit for bit).
fn box_lanes<const DIVIDE: bool>(input: &[Lanes], output: &mut [Lanes], plan: BoxPlan) {
    let out = |sum: &Lanes, n: usize| if DIVIDE { mean(sum, n) } else { *sum };
    let mut sum = [0f32; LANES];
    let mut n = 0;
    for x in &input[..plan.warm] {
        add(&mut sum, x);
        n += 1;
    }
    let grown = plan.warm + plan.grow;
    for (x, o) in input[plan.warm..grown].iter().zip(&mut output[..plan.grow]) {
        add(&mut sum, x);
        n += 1;
        *o = out(&sum, n);
    }
    let entering = &input[grown..grown + plan.full];
    let leaving = &input[..plan.full];
    let outs = &mut output[plan.grow..plan.grow + plan.full];
    for ((x, y), o) in entering.iter().zip(leaving).zip(outs) {
        add_sub(&mut sum, x, y);
        *o = out(&sum, n);
    }
    let leaving = &input[plan.full..plan.full + plan.shrink];
    for (y, o) in leaving.iter().zip(&mut output[plan.grow + plan.full..]) {
        sub(&mut sum, y);
        n -= 1;
        *o = out(&sum, n);
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

/// The reference's luma of one row of 8-bit pixels, one value into each of `out`:
/// `0.299 R + 0.587 G + 0.114 B` in f32, summed left to right; alpha ignored.
pub(crate) fn luma_into<'a>(
    row: &[u8],
    layout: PixelLayout,
    out: impl Iterator<Item = &'a mut f32>,
) {
    #[inline(always)]
    fn luma(r: u8, g: u8, b: u8) -> f32 {
        0.299f32 * r as f32 + 0.587f32 * g as f32 + 0.114f32 * b as f32
    }
    // One loop per layout, so each is compiled with a constant stride.
    match layout {
        PixelLayout::Rgb => out
            .zip(row.chunks_exact(3))
            .for_each(|(o, p)| *o = luma(p[0], p[1], p[2])),
        PixelLayout::Rgba => out
            .zip(row.chunks_exact(4))
            .for_each(|(o, p)| *o = luma(p[0], p[1], p[2])),
        PixelLayout::Bgra => out
            .zip(row.chunks_exact(4))
            .for_each(|(o, p)| *o = luma(p[2], p[1], p[0])),
    }
}

/// Indices decimation samples: `floor((i + 0.5) * len / 64)`, in double like the reference.
fn sample_indices(len: usize) -> [usize; 64] {
    core::array::from_fn(|i| ((i as f64 + 0.5) * len as f64 / 64.0) as usize)
}

/// Luma, two Jarosz passes and decimation to the 64x64 grid the DCT starts from, fed one row of
/// pixels at a time, so the image never has to be in memory whole.
pub(crate) struct Downsampler {
    width: usize,
    height: usize,
    layout: PixelLayout,
    rows_in: usize,
    grid: Grid64,
    /// The reference hashes a 64x64 image as it is, without the filter.
    direct: bool,
    row_plan: BoxPlan,
    cols: [usize; 64],
    /// Rows waiting in `lanes_in` for the first row pass.
    luma_rows: usize,
    lanes_in: Vec<Lanes>,
    lanes_out: Vec<Lanes>,
    /// Pass 1 along columns.
    columns1: ColumnBox,
    /// Its output rows, waiting to be filtered along rows `LANES` at a time.
    strip: Vec<f32>,
    strip_rows: usize,
    strip_start: usize,
    /// Pass 2 along rows, kept only at the 64 sampled columns: `height` rows of 64.
    sampled: Vec<[f32; 64]>,
}

impl Downsampler {
    /// `width` and `height` at least 1.
    pub(crate) fn new(width: usize, height: usize, layout: PixelLayout) -> Downsampler {
        let direct = width == 64 && height == 64;
        let filtered = |n: usize| if direct { 0 } else { n };
        Downsampler {
            width,
            height,
            layout,
            rows_in: 0,
            grid: [[0f32; 64]; 64],
            direct,
            row_plan: BoxPlan::new(width, window_size(width)),
            cols: sample_indices(width),
            luma_rows: 0,
            lanes_in: vec![[0f32; LANES]; filtered(width)],
            lanes_out: vec![[0f32; LANES]; filtered(width)],
            columns1: ColumnBox::new(filtered(width), height, LANES),
            strip: vec![0f32; filtered(LANES * width)],
            strip_rows: 0,
            strip_start: 0,
            sampled: vec![[0f32; 64]; filtered(height)],
        }
    }

    pub(crate) fn rows_in(&self) -> usize {
        self.rows_in
    }

    /// One row of `width` pixels; at most `height` rows in all.
    pub(crate) fn push_row(&mut self, row: &[u8]) {
        debug_assert!(
            self.rows_in < self.height && row.len() == self.width * self.layout.channels()
        );
        if self.direct {
            luma_into(row, self.layout, self.grid[self.rows_in].iter_mut());
            self.rows_in += 1;
            return;
        }
        // Straight into the lanes: no row buffer to write and read again.
        let k = self.luma_rows;
        luma_into(
            row,
            self.layout,
            self.lanes_in.iter_mut().map(|lane| &mut lane[k]),
        );
        self.luma_rows += 1;
        self.rows_in += 1;
        if self.luma_rows == LANES {
            self.filter_luma_rows();
        }
    }

    /// Pass 1 along rows for the waiting luma rows, then on into pass 1 along columns.
    fn filter_luma_rows(&mut self) {
        let count = self.luma_rows;
        let first = self.rows_in - count;
        box_lanes::<true>(&self.lanes_in, &mut self.lanes_out, self.row_plan);
        for k in 0..count {
            let dst = self.columns1.row_mut(first + k);
            for (d, lane) in dst.iter_mut().zip(&self.lanes_out) {
                *d = lane[k];
            }
        }
        self.luma_rows = 0;
        for _ in 0..count {
            self.column_row(false);
        }
    }

    /// Takes the next output row of pass 1 along columns, if one is due.
    fn column_row(&mut self, draining: bool) -> bool {
        let w = self.width;
        let out = &mut self.strip[self.strip_rows * w..(self.strip_rows + 1) * w];
        let produced = if draining {
            self.columns1.drain(out)
        } else {
            self.columns1.push(out)
        };
        if produced {
            self.strip_rows += 1;
            if self.strip_rows == LANES {
                self.filter_strip();
            }
        }
        produced
    }

    /// Pass 2 along rows for the waiting strip, kept at the sampled columns only.
    fn filter_strip(&mut self) {
        let (w, count) = (self.width, self.strip_rows);
        for (c, lane) in self.lanes_in.iter_mut().enumerate() {
            for (k, x) in lane.iter_mut().enumerate().take(count) {
                *x = self.strip[k * w + c];
            }
        }
        box_lanes::<false>(&self.lanes_in, &mut self.lanes_out, self.row_plan);
        for k in 0..count {
            let row = &mut self.sampled[self.strip_start + k];
            for (x, &c) in row.iter_mut().zip(&self.cols) {
                *x = self.lanes_out[c][k] / self.row_plan.count(c) as f32;
            }
        }
        self.strip_start += count;
        self.strip_rows = 0;
    }

    /// After the last row: the rest of the passes, and decimation.
    pub(crate) fn finish(mut self) -> Grid64 {
        debug_assert_eq!(self.rows_in, self.height);
        if self.direct {
            return self.grid;
        }
        if self.luma_rows > 0 {
            self.filter_luma_rows();
        }
        while self.column_row(true) {}
        if self.strip_rows > 0 {
            self.filter_strip();
        }

        // Pass 2 along columns, over the 64 sampled columns only; keep the 64 sampled rows.
        let rows = sample_indices(self.height);
        let mut columns2 = ColumnBox::new(64, self.height, 1);
        let mut out = [0f32; 64];
        let (mut next, mut emitted) = (0, 0);
        let mut pushed = 0;
        loop {
            let produced = if pushed < self.height {
                columns2
                    .row_mut(pushed)
                    .copy_from_slice(&self.sampled[pushed]);
                pushed += 1;
                columns2.push(&mut out)
            } else if columns2.drain(&mut out) {
                true
            } else {
                break;
            };
            if produced {
                while next < 64 && rows[next] == emitted {
                    self.grid[next] = out;
                    next += 1;
                }
                emitted += 1;
            }
        }
        self.grid
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod prop_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// A direct transcription of the reference: full-size buffers, strided box filters.
    pub(super) fn reference_downsample(
        data: &[u8],
        w: usize,
        h: usize,
        layout: PixelLayout,
    ) -> Grid64 {
        let mut a = vec![0f32; w * h];
        for (row, out) in data.chunks(w * layout.channels()).zip(a.chunks_mut(w)) {
            luma_into(row, layout, out.iter_mut());
        }
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

    pub(super) fn noise(len: usize, seed: u64) -> Vec<u8> {
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
            for layout in [PixelLayout::Rgb, PixelLayout::Rgba, PixelLayout::Bgra] {
                let channels = layout.channels();
                let data = noise(w * h * channels, n as u64 * 7 + channels as u64);
                // Rows pushed one at a time: the streamed path as the hasher drives it.
                let mut down = Downsampler::new(w, h, layout);
                data.chunks(w * channels).for_each(|row| down.push_row(row));
                let fast = down.finish();
                let slow = reference_downsample(&data, w, h, layout);
                for i in 0..64 {
                    for j in 0..64 {
                        assert_eq!(
                            fast[i][j].to_bits(),
                            slow[i][j].to_bits(),
                            "{w}x{h} {layout:?} at ({i},{j})"
                        );
                    }
                }
            }
        }
    }
}
