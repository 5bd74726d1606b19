//! EXIF orientation: how a picture's stored pixels are turned to display it, read from a JPEG's
//! Exif segment (APP1), and the exact pixel transform each value stands for.
//!
//! Browsers differ in whether their decoders apply it (issue 19), so the hasher is told which
//! picture it was given and derives the other one exactly (see `pdq::PdqHasher::orient`).

/// The EXIF orientation tag (0x0112): the transform that turns the stored pixels into the picture
/// as displayed. The numbers are the tag's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Orientation {
    /// 1: stored as displayed.
    #[default]
    Normal = 1,
    /// 2: mirrored left to right.
    MirrorHorizontal = 2,
    /// 3: turned half a turn.
    Rotate180 = 3,
    /// 4: mirrored top to bottom.
    MirrorVertical = 4,
    /// 5: flipped about the main diagonal (top-left to bottom-right).
    Transpose = 5,
    /// 6: turned a quarter turn clockwise to display.
    Rotate90Clockwise = 6,
    /// 7: flipped about the anti-diagonal (top-right to bottom-left).
    Transverse = 7,
    /// 8: turned a quarter turn anticlockwise to display.
    Rotate90Anticlockwise = 8,
}

impl Orientation {
    pub const ALL: [Orientation; 8] = [
        Orientation::Normal,
        Orientation::MirrorHorizontal,
        Orientation::Rotate180,
        Orientation::MirrorVertical,
        Orientation::Transpose,
        Orientation::Rotate90Clockwise,
        Orientation::Transverse,
        Orientation::Rotate90Anticlockwise,
    ];

    /// The tag's value 1-8; anything else is `None`.
    pub fn from_exif(value: u32) -> Option<Orientation> {
        Orientation::ALL
            .get((value as usize).wrapping_sub(1))
            .copied()
    }

    /// The tag's value, 1-8.
    pub fn exif(self) -> u8 {
        self as u8
    }

    /// Whether displaying swaps width and height (5-8).
    pub fn swaps_sides(self) -> bool {
        self.exif() >= 5
    }

    /// The transform that undoes this one: turning clockwise and anticlockwise undo each other;
    /// every other transform undoes itself.
    pub fn inverse(self) -> Orientation {
        match self {
            Orientation::Rotate90Clockwise => Orientation::Rotate90Anticlockwise,
            Orientation::Rotate90Anticlockwise => Orientation::Rotate90Clockwise,
            other => other,
        }
    }

    /// The size of the transformed picture of a `width` x `height` one.
    pub fn transformed_size(self, width: u32, height: u32) -> (u32, u32) {
        if self.swaps_sides() {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// Where the pixel at column `x`, row `y` of a `width` x `height` picture lands in the
    /// transformed picture (column, row). `x < width` and `y < height`.
    pub fn map(self, x: u32, y: u32, width: u32, height: u32) -> (u32, u32) {
        let (right, bottom) = (width - 1 - x, height - 1 - y);
        match self {
            Orientation::Normal => (x, y),
            Orientation::MirrorHorizontal => (right, y),
            Orientation::Rotate180 => (right, bottom),
            Orientation::MirrorVertical => (x, bottom),
            Orientation::Transpose => (y, x),
            Orientation::Rotate90Clockwise => (bottom, x),
            Orientation::Transverse => (bottom, right),
            Orientation::Rotate90Anticlockwise => (y, right),
        }
    }
}

fn u16_at(b: &[u8], at: usize, little: bool) -> Option<u32> {
    let s: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(if little {
        u16::from_le_bytes(s)
    } else {
        u16::from_be_bytes(s)
    } as u32)
}

fn u32_at(b: &[u8], at: usize, little: bool) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if little {
        u32::from_le_bytes(s)
    } else {
        u32::from_be_bytes(s)
    })
}

/// The orientation a JPEG's first Exif segment gives, from the file's first bytes; `Normal` when
/// the bytes are not a JPEG, have no Exif segment before the image data, or the tag is missing,
/// not a single SHORT (as browsers require) or not 1-8. Never reads outside `head`.
pub fn jpeg_orientation(head: &[u8]) -> Orientation {
    jpeg_exif_tiff(head)
        .and_then(tiff_orientation)
        .unwrap_or_default()
}

/// The TIFF structure inside the first APP1 segment that starts `Exif\0\0` (cut short where
/// `head` ends), before the image data starts.
fn jpeg_exif_tiff(b: &[u8]) -> Option<&[u8]> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    loop {
        // Markers may be padded with any number of 0xFF bytes.
        while *b.get(at)? == 0xFF && *b.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *b.get(at)? != 0xFF {
            return None;
        }
        let marker = *b.get(at + 1)?;
        // Start of scan or end of image: the metadata is over.
        if matches!(marker, 0xDA | 0xD9) {
            return None;
        }
        let length = u16_at(b, at + 2, false)? as usize;
        if length < 2 {
            return None;
        }
        if marker == 0xE1 {
            let end = (at + 2 + length).min(b.len());
            let payload = b.get(at + 4..end)?;
            if let Some(tiff) = payload.strip_prefix(b"Exif\0\0") {
                return Some(tiff);
            }
        }
        at += 2 + length;
    }
}

/// Tag 0x0112 of IFD0 of a TIFF structure (either byte order).
fn tiff_orientation(tiff: &[u8]) -> Option<Orientation> {
    let little = match tiff.get(..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return None,
    };
    let ifd = u32_at(tiff, 4, little)? as usize;
    let count = u16_at(tiff, ifd, little)? as usize;
    for i in 0..count {
        let entry = ifd.checked_add(2 + 12 * i)?;
        if u16_at(tiff, entry, little)? != 0x0112 {
            continue;
        }
        let (kind, values) = (
            u16_at(tiff, entry + 2, little)?,
            u32_at(tiff, entry + 4, little)?,
        );
        // SHORT (3), one value, stored in the entry's first two value bytes.
        if kind != 3 || values != 1 {
            return None;
        }
        return Orientation::from_exif(u16_at(tiff, entry + 8, little)?);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Exif APP1 segment holding IFD0 with the given entries (tag, type, count, value as the
    /// first 2 bytes of the value field), in either byte order.
    fn exif_segment(little: bool, entries: &[(u16, u16, u32, u16)]) -> Vec<u8> {
        let w16 = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let w32 = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let mut tiff = if little {
            b"II*\0".to_vec()
        } else {
            b"MM\0*".to_vec()
        };
        tiff.extend(w32(8));
        tiff.extend(w16(entries.len() as u16));
        for &(tag, kind, count, value) in entries {
            tiff.extend(w16(tag));
            tiff.extend(w16(kind));
            tiff.extend(w32(count));
            tiff.extend(w16(value));
            tiff.extend([0, 0]);
        }
        tiff.extend([0, 0, 0, 0]);
        let mut seg = vec![0xFF, 0xE1];
        seg.extend(((tiff.len() + 8) as u16).to_be_bytes());
        seg.extend(b"Exif\0\0");
        seg.extend(tiff);
        seg
    }

    fn jpeg_with(segments: &[Vec<u8>]) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        for s in segments {
            b.extend(s);
        }
        // A frame header and the start of the scan, so that the walk ends as a real file's does.
        b.extend([0xFF, 0xC0, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11, 0]);
        b.extend([0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
        b
    }

    #[test]
    fn every_orientation_in_both_byte_orders() {
        for little in [true, false] {
            for o in Orientation::ALL {
                let seg = exif_segment(
                    little,
                    &[(0x010F, 2, 4, 0x4142), (0x0112, 3, 1, o.exif().into())],
                );
                let jfif = vec![0xFF, 0xE0, 0, 4, 0, 0];
                assert_eq!(
                    jpeg_orientation(&jpeg_with(&[jfif, seg])),
                    o,
                    "{o:?} {little}"
                );
            }
        }
    }

    #[test]
    fn absent_or_invalid_is_normal() {
        let n = Orientation::Normal;
        assert_eq!(jpeg_orientation(&jpeg_with(&[])), n);
        // No orientation tag; values 0 and 9; a LONG; two values.
        for entries in [
            vec![(0x010F, 2, 4, 0x4142)],
            vec![(0x0112, 3, 1, 0)],
            vec![(0x0112, 3, 1, 9)],
            vec![(0x0112, 4, 1, 6)],
            vec![(0x0112, 3, 2, 6)],
        ] {
            for little in [true, false] {
                let jpeg = jpeg_with(&[exif_segment(little, &entries)]);
                assert_eq!(jpeg_orientation(&jpeg), n, "{entries:?}");
            }
        }
        // An APP1 that is not Exif (XMP), a bad TIFF signature, Exif after the image data.
        let xmp = [&[0xFF, 0xE1, 0, 12][..], b"http://ns"].concat();
        assert_eq!(jpeg_orientation(&jpeg_with(&[xmp])), n);
        let mut bad = exif_segment(true, &[(0x0112, 3, 1, 6)]);
        bad[10] = b'X';
        assert_eq!(jpeg_orientation(&jpeg_with(&[bad])), n);
        let mut late = jpeg_with(&[]);
        late.extend(exif_segment(true, &[(0x0112, 3, 1, 6)]));
        assert_eq!(jpeg_orientation(&late), n);
        // Not JPEGs.
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
        assert_eq!(jpeg_orientation(png), n);
        assert_eq!(jpeg_orientation(b""), n);
    }

    /// The first Exif segment decides, as in Pillow and browsers.
    #[test]
    fn the_first_exif_segment_decides() {
        let six = exif_segment(false, &[(0x0112, 3, 1, 6)]);
        let three = exif_segment(true, &[(0x0112, 3, 1, 3)]);
        assert_eq!(
            jpeg_orientation(&jpeg_with(&[six.clone(), three.clone()])),
            Orientation::Rotate90Clockwise
        );
        assert_eq!(
            jpeg_orientation(&jpeg_with(&[three, six])),
            Orientation::Rotate180
        );
    }

    /// Every prefix of a tagged file, and hostile offsets and counts, give an answer without
    /// reading outside the bytes.
    #[test]
    fn truncated_and_hostile_bytes_never_panic() {
        let jpeg = jpeg_with(&[exif_segment(true, &[(0x0112, 3, 1, 8)])]);
        // SOI, the segment's marker and length, `Exif\0\0`, the TIFF header, the entry count, and
        // the entry up to the end of its value.
        let tag_end = 2 + 4 + 6 + 8 + 2 + 10;
        for cut in 0..jpeg.len() {
            let got = jpeg_orientation(&jpeg[..cut]);
            let want = if cut >= tag_end {
                Orientation::Rotate90Anticlockwise
            } else {
                Orientation::Normal
            };
            assert_eq!(got, want, "cut at {cut}");
        }
        // IFD offset past the end and near usize::MAX; an entry count past the end; a segment
        // length of 0 and 1; a segment longer than the file.
        for (at, bytes) in [
            (16, &[0xFF, 0xFF, 0xFF, 0xFF][..]),
            (16, &[0xF0, 0xFF, 0xFF, 0x7F][..]),
            (20, &[0xFF, 0xFF][..]),
            (4, &[0, 0][..]),
            (4, &[0, 1][..]),
            (4, &[0xFF, 0xFF][..]),
        ] {
            let mut bad = jpeg.clone();
            bad[at..at + bytes.len()].copy_from_slice(bytes);
            let _ = jpeg_orientation(&bad);
        }
        let mut all_ff = vec![0xFF, 0xD8];
        all_ff.extend([0xFF; 100]);
        assert_eq!(jpeg_orientation(&all_ff), Orientation::Normal);
    }

    /// Each transform is a permutation of the pixels; the inverse undoes it.
    #[test]
    fn transforms_are_permutations_and_inverses_undo_them() {
        let (w, h) = (5u32, 3u32);
        for o in Orientation::ALL {
            let (tw, th) = o.transformed_size(w, h);
            let mut seen = vec![false; (w * h) as usize];
            for y in 0..h {
                for x in 0..w {
                    let (tx, ty) = o.map(x, y, w, h);
                    assert!(tx < tw && ty < th, "{o:?}");
                    assert!(!std::mem::replace(&mut seen[(ty * tw + tx) as usize], true));
                    assert_eq!(o.inverse().map(tx, ty, tw, th), (x, y), "{o:?}");
                }
            }
        }
        // A quarter turn clockwise puts the top-left corner at the top right.
        assert_eq!(Orientation::Rotate90Clockwise.map(0, 0, w, h), (h - 1, 0));
        assert_eq!(
            Orientation::Rotate90Anticlockwise.map(0, 0, w, h),
            (0, w - 1)
        );
    }
}
