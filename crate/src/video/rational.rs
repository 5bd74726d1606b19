//! FFmpeg's rational arithmetic, ported exactly, because the frame rate the vPDQ reference picks
//! frames by is whatever `av_reduce` makes of the container's numbers (libavutil/rational.c,
//! libavutil/mathematics.c). The C code's unsigned wrap-arounds are kept as wrapping operations.

/// `av_reduce(&num, &den, num, den, max)`: the closest fraction to `num/den` with both terms at
/// most `max`, and whether it is exact. Returns `(num, den, exact)`.
pub fn av_reduce(num: i64, den: i64, max: i64) -> (i64, i64, bool) {
    let (mut a0n, mut a0d): (i64, i64) = (0, 1);
    let (mut a1n, mut a1d): (i64, i64) = (1, 0);
    let sign = (num < 0) ^ (den < 0);
    let mut num = num.wrapping_abs();
    let mut den = den.wrapping_abs();
    let gcd = av_gcd(num, den);
    if gcd != 0 {
        num /= gcd;
        den /= gcd;
    }
    if num <= max && den <= max {
        a1n = num;
        a1d = den;
        den = 0;
    }
    while den != 0 {
        // The C code computes these in uint64_t and stores them in int64_t.
        let x: u64 = (num / den) as u64;
        let next_den = (num as u64).wrapping_sub((den as u64).wrapping_mul(x)) as i64;
        let a2n = x.wrapping_mul(a1n as u64).wrapping_add(a0n as u64) as i64;
        let a2d = x.wrapping_mul(a1d as u64).wrapping_add(a0d as u64) as i64;
        if a2n > max || a2d > max {
            let mut x = x;
            if a1n != 0 {
                x = ((max - a0n) / a1n) as u64;
            }
            if a1d != 0 {
                x = x.min(((max - a0d) / a1d) as u64);
            }
            let lhs = (den as u64).wrapping_mul(
                2u64.wrapping_mul(x)
                    .wrapping_mul(a1d as u64)
                    .wrapping_add(a0d as u64),
            );
            let rhs = num.wrapping_mul(a1d) as u64;
            if lhs > rhs {
                a1n = x.wrapping_mul(a1n as u64).wrapping_add(a0n as u64) as i64;
                a1d = x.wrapping_mul(a1d as u64).wrapping_add(a0d as u64) as i64;
            }
            break;
        }
        a0n = a1n;
        a0d = a1d;
        a1n = a2n;
        a1d = a2d;
        num = den;
        den = next_den;
    }
    // The C code stores into int: the terms are at most `max`, which callers keep within int.
    let a1n = a1n as i32 as i64;
    let a1d = a1d as i32 as i64;
    (if sign { -a1n } else { a1n }, a1d, den == 0)
}

/// Greatest common divisor of two non-negative numbers (av_gcd).
pub fn av_gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a as i64
}

/// Rounding modes of av_rescale_rnd that the demuxer needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Round {
    /// AV_ROUND_DOWN (towards zero for positive values).
    Down,
    /// AV_ROUND_NEAR_INF (halves away from zero), what av_rescale uses.
    NearInf,
}

/// `av_rescale_rnd(a, b, c, rnd)`: `a * b / c` without intermediate overflow. `None` where FFmpeg
/// returns INT64_MIN (c <= 0 or b < 0) or the result does not fit.
pub(crate) fn rescale_rnd(a: i64, b: i64, c: i64, rnd: Round) -> Option<i64> {
    if c <= 0 || b < 0 {
        return None;
    }
    // Negative values round symmetrically for both modes used here.
    let negative = a < 0;
    let a = i128::from(a).abs();
    let r: i128 = match rnd {
        Round::NearInf => i128::from(c / 2),
        Round::Down => 0,
    };
    let q = (a * i128::from(b) + r) / i128::from(c);
    let q = if negative { -q } else { q };
    i64::try_from(q).ok()
}

/// `av_rescale(a, b, c)`.
pub(crate) fn rescale(a: i64, b: i64, c: i64) -> Option<i64> {
    rescale_rnd(a, b, c, Round::NearInf)
}

/// `av_q2d`.
pub(crate) fn q2d(num: i64, den: i64) -> f64 {
    num as f64 / den as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduces_like_ffmpeg() {
        // Matroska's DefaultDuration of 29.97 fps, reduced with max 30000 (matroskadec.c).
        assert_eq!(
            av_reduce(1_000_000_000, 33_366_667, 30000),
            (30000, 1001, false)
        );
        // mov.c: timescale * frames / total duration.
        assert_eq!(
            av_reduce(30000 * 291, 1001 * 291, i64::from(i32::MAX)),
            (30000, 1001, true)
        );
        assert_eq!(av_reduce(0, 5, 10), (0, 1, true));
        assert_eq!(av_reduce(-6, 4, 100), (-3, 2, true));
        // An approximation: pi with small terms.
        assert_eq!(av_reduce(314_159_265, 100_000_000, 1000), (355, 113, false));
    }

    #[test]
    fn rescales_with_rounding() {
        assert_eq!(rescale(9710, 30000, 1000), Some(291_300));
        assert_eq!(rescale(1, 3, 2), Some(2));
        assert_eq!(rescale(-1, 3, 2), Some(-2));
        assert_eq!(rescale_rnd(1001, 1000, 30000, Round::Down), Some(33));
        assert_eq!(rescale(1, 1, 0), None);
    }
}
