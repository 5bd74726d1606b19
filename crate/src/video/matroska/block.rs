//! Matroska Block and SimpleBlock payloads: the track number, the timestamp relative to the
//! cluster, the flags, and the frames of a laced block (Xiph, EBML or fixed-size lacing).

use std::ops::Range;

use super::ebml::{vint, vint_len};
use crate::video::error::{damaged, VideoError};

/// The fixed part at the start of a block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockHead {
    pub(crate) track: u64,
    /// Relative to the cluster's timestamp, in TimestampScale units.
    pub(crate) time: i16,
    pub(crate) flags: u8,
}

/// How many bytes the block head takes, known from its first byte.
pub(crate) fn head_len(first: u8) -> Option<usize> {
    vint_len(first).filter(|&n| n <= 8).map(|n| n + 3)
}

pub(crate) fn parse_head(b: &[u8]) -> Option<BlockHead> {
    let (track, n, _) = vint(b)?;
    let rest = b.get(n..n + 3)?;
    Some(BlockHead {
        track,
        time: i16::from_be_bytes([rest[0], rest[1]]),
        flags: rest[2],
    })
}

/// The frames of a block's data (after the head), as ranges of `data`.
pub(crate) fn frames(data: &[u8], flags: u8) -> Result<Vec<Range<usize>>, VideoError> {
    let lacing = (flags >> 1) & 3;
    if lacing == 0 {
        return Ok(std::iter::once(0..data.len()).collect());
    }
    let bad = || damaged("a laced Matroska block with inconsistent sizes");
    let count = usize::from(*data.first().ok_or_else(bad)?) + 1;
    let mut at = 1usize;
    let mut sizes: Vec<usize> = Vec::with_capacity(count);
    match lacing {
        1 => {
            // Xiph: each size a run of 255s plus a final byte.
            for _ in 0..count - 1 {
                let mut size = 0usize;
                loop {
                    let b = *data.get(at).ok_or_else(bad)?;
                    at += 1;
                    size += usize::from(b);
                    if b != 255 {
                        break;
                    }
                }
                sizes.push(size);
            }
        }
        3 => {
            // EBML: the first size, then signed differences.
            let (first, n, _) = vint(data.get(at..).ok_or_else(bad)?).ok_or_else(bad)?;
            at += n;
            let mut size = i64::try_from(first).map_err(|_| bad())?;
            sizes.push(usize::try_from(size).map_err(|_| bad())?);
            for _ in 1..count - 1 {
                let (raw, n, _) = vint(data.get(at..).ok_or_else(bad)?).ok_or_else(bad)?;
                at += n;
                let bias = (1i64 << (7 * n - 1)) - 1;
                size = size.checked_add(raw as i64 - bias).ok_or_else(bad)?;
                sizes.push(usize::try_from(size).map_err(|_| bad())?);
            }
        }
        _ => {
            // Fixed: equal parts.
            let total = data.len() - at;
            if !total.is_multiple_of(count) {
                return Err(bad());
            }
            sizes.resize(count - 1, total / count);
        }
    }
    let used: usize = sizes
        .iter()
        .try_fold(at, |a, &s| a.checked_add(s))
        .ok_or_else(bad)?;
    if used > data.len() {
        return Err(bad());
    }
    sizes.push(data.len() - used);
    let mut out = Vec::with_capacity(count);
    for s in sizes {
        out.push(at..at + s);
        at += s;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lacing() {
        assert_eq!(frames(&[1, 2, 3], 0).unwrap(), vec![0..3]);
        // Xiph: 3 frames of 2, 256 (255 + 1) and the rest.
        let mut d = vec![2, 2, 255, 1];
        d.extend(std::iter::repeat_n(7, 2 + 256 + 5));
        let f = frames(&d, 0b010).unwrap();
        assert_eq!(f, vec![4..6, 6..262, 262..267]);
        // Fixed: 2 frames of 3.
        assert_eq!(
            frames(&[1, 0, 0, 0, 0, 0, 0], 0b100).unwrap(),
            vec![1..4, 4..7]
        );
        assert!(frames(&[1, 0, 0, 0], 0b100).is_err());
        // EBML: 3 frames: 4, 4 + 1 = 5, rest.
        let d = [2, 0x84, 0xC0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9];
        assert_eq!(frames(&d, 0b110).unwrap(), vec![3..7, 7..12, 12..14]);
        // Sizes beyond the data.
        assert!(frames(&[1, 200, 0], 0b010).is_err());
    }
}
