//! PNG's filters (specification, 9): each scanline is written after one of None, Sub, Up, Average
//! or Paeth, chosen per row by libpng's heuristic, so that DEFLATE finds runs where the pixels
//! change smoothly.

/// The scanlines, each a filter-type byte then the filtered row; RGBA in, `channels` 3 drops
/// alpha. The filter of each row is the one whose output, read as signed bytes, has the least sum
/// of magnitudes (libpng's heuristic).
pub(super) fn filter_rows(
    rgba: &[u8],
    width: usize,
    channels: usize,
    filtered_len: usize,
) -> Vec<u8> {
    let row_len = width * channels;
    let mut out = Vec::with_capacity(filtered_len);
    let mut prev = vec![0u8; row_len];
    let mut cur = vec![0u8; row_len];
    let mut candidates = [
        vec![0u8; row_len],
        vec![0u8; row_len],
        vec![0u8; row_len],
        vec![0u8; row_len],
    ];
    for src in rgba.chunks_exact(width * 4) {
        if channels == 4 {
            cur.copy_from_slice(src);
        } else {
            for (dst, px) in cur.chunks_exact_mut(3).zip(src.chunks_exact(4)) {
                dst.copy_from_slice(&px[..3]);
            }
        }
        let [sub, up, avg, paeth] = &mut candidates;
        filter_row(&cur, &prev, channels, sub, up, avg, paeth);
        // The first of the least sums: None wins ties, then Sub, Up, Average, Paeth.
        let sums = [
            magnitude(&cur),
            magnitude(sub),
            magnitude(up),
            magnitude(avg),
            magnitude(paeth),
        ];
        let mut best = 0;
        for f in 1..5 {
            if sums[f] < sums[best] {
                best = f;
            }
        }
        out.push(best as u8);
        out.extend_from_slice(if best == 0 {
            &cur
        } else {
            &candidates[best - 1]
        });
        std::mem::swap(&mut prev, &mut cur);
    }
    out
}

/// The Sub, Up, Average and Paeth filters of one row, given the row above (`prev`, zeros for the
/// first). Each is one pass of independent bytes, so the compiler can vectorise it.
fn filter_row(
    cur: &[u8],
    prev: &[u8],
    bpp: usize,
    sub: &mut [u8],
    up: &mut [u8],
    avg: &mut [u8],
    paeth: &mut [u8],
) {
    let n = cur.len();
    // The first pixel has no left neighbour: a = c = 0.
    let head = bpp.min(n);
    for i in 0..head {
        sub[i] = cur[i];
        up[i] = cur[i].wrapping_sub(prev[i]);
        avg[i] = cur[i].wrapping_sub(prev[i] / 2);
        paeth[i] = cur[i].wrapping_sub(paeth_predictor(0, prev[i], 0));
    }
    let (x, a) = (&cur[head..], &cur[..n - head]);
    let (b, c) = (&prev[head..], &prev[..n - head]);
    for ((o, &x), &a) in sub[head..].iter_mut().zip(x).zip(a) {
        *o = x.wrapping_sub(a);
    }
    for ((o, &x), &b) in up[head..].iter_mut().zip(x).zip(b) {
        *o = x.wrapping_sub(b);
    }
    for (((o, &x), &a), &b) in avg[head..].iter_mut().zip(x).zip(a).zip(b) {
        *o = x.wrapping_sub(((a as u16 + b as u16) >> 1) as u8);
    }
    for ((((o, &x), &a), &b), &c) in paeth[head..].iter_mut().zip(x).zip(a).zip(b).zip(c) {
        *o = x.wrapping_sub(paeth_predictor(a, b, c));
    }
}

/// The sum of the bytes' magnitudes read as signed: the cost libpng's heuristic compares.
fn magnitude(row: &[u8]) -> u64 {
    // In chunks whose sums fit a u32, so the inner loop stays narrow and vectorises.
    row.chunks(1 << 16)
        .map(|chunk| {
            chunk
                .iter()
                .map(|&v| (v as i8).unsigned_abs() as u32)
                .sum::<u32>() as u64
        })
        .sum()
}

/// The Paeth predictor, written without branches: the same choice as the PNG specification's
/// (a, then b, then c on ties), as selects the compiler can vectorise.
#[inline(always)]
fn paeth_predictor(a: u8, b: u8, c: u8) -> u8 {
    let (a16, b16, c16) = (a as i16, b as i16, c as i16);
    let pa = (b16 - c16).abs();
    let pb = (a16 - c16).abs();
    let pc = (a16 + b16 - 2 * c16).abs();
    let b_or_c = if pb <= pc { b } else { c };
    if pa <= pb && pa <= pc {
        a
    } else {
        b_or_c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paeth_predictor_is_the_specifications_for_every_triple() {
        // PNG specification, 9.4, as its pseudocode reads.
        fn spec(a: u8, b: u8, c: u8) -> u8 {
            let p = a as i32 + b as i32 - c as i32;
            let (pa, pb, pc) = (
                (p - a as i32).abs(),
                (p - b as i32).abs(),
                (p - c as i32).abs(),
            );
            if pa <= pb && pa <= pc {
                a
            } else if pb <= pc {
                b
            } else {
                c
            }
        }
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for c in 0..=255u8 {
                    assert_eq!(paeth_predictor(a, b, c), spec(a, b, c), "a={a} b={b} c={c}");
                }
            }
        }
    }

    #[test]
    fn filtered_rows_are_the_specifications_filters_chosen_by_least_cost() {
        // Rows of RGB and RGBA from a fixed sequence; each filter written out as the
        // specification's 9.2 defines it, and the choice as libpng's heuristic makes it: the
        // least sum of magnitudes, the first filter type on ties.
        let (width, height) = (13usize, 7usize);
        let mut seed = 7u32;
        let rgba: Vec<u8> = (0..width * height * 4)
            .map(|i| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                // Runs of equal bytes among the noise, then rows of zeros, so that None, Sub, Up
                // and Average each win a row (Paeth is checked for every input above).
                let row = i / (width * 4);
                if row >= 5 {
                    0
                } else if i % 11 < 4 || row >= 3 {
                    200
                } else {
                    (seed >> 24) as u8
                }
            })
            .collect();
        let mut chosen = std::collections::BTreeSet::new();
        for channels in [3, 4] {
            let row_len = width * channels;
            let filtered = filter_rows(&rgba, width, channels, (row_len + 1) * height);
            assert_eq!(filtered.len(), (row_len + 1) * height);
            let raw =
                |y: usize, i: usize| rgba[(y * width + i / channels) * 4 + i % channels] as i32;
            for y in 0..height {
                let a = |i: usize| {
                    if i >= channels {
                        raw(y, i - channels)
                    } else {
                        0
                    }
                };
                let b = |i: usize| if y > 0 { raw(y - 1, i) } else { 0 };
                let c = |i: usize| {
                    if y > 0 && i >= channels {
                        raw(y - 1, i - channels)
                    } else {
                        0
                    }
                };
                let spec_row = |f: u8| -> Vec<u8> {
                    (0..row_len)
                        .map(|i| {
                            let predicted = match f {
                                0 => 0,
                                1 => a(i),
                                2 => b(i),
                                3 => (a(i) + b(i)) / 2,
                                _ => {
                                    let p = a(i) + b(i) - c(i);
                                    let (pa, pb, pc) =
                                        ((p - a(i)).abs(), (p - b(i)).abs(), (p - c(i)).abs());
                                    if pa <= pb && pa <= pc {
                                        a(i)
                                    } else if pb <= pc {
                                        b(i)
                                    } else {
                                        c(i)
                                    }
                                }
                            };
                            (raw(y, i) - predicted).rem_euclid(256) as u8
                        })
                        .collect()
                };
                let cost =
                    |row: &[u8]| -> i64 { row.iter().map(|&v| (v as i8 as i64).abs()).sum() };
                let costs: Vec<i64> = (0..5).map(|f| cost(&spec_row(f))).collect();
                let least = costs
                    .iter()
                    .position(|&k| k == *costs.iter().min().unwrap());
                let line = &filtered[y * (row_len + 1)..(y + 1) * (row_len + 1)];
                assert_eq!(
                    Some(line[0] as usize),
                    least,
                    "channels {channels}, row {y}"
                );
                assert_eq!(
                    &line[1..],
                    &spec_row(line[0])[..],
                    "channels {channels}, row {y}"
                );
                chosen.insert(line[0]);
            }
        }
        assert!(
            chosen.len() >= 4,
            "only filter types {chosen:?} were chosen"
        );
    }
}
