//! What an image file is and how big, from its first bytes, without decoding it: so that the
//! browser can refuse a non-image before rendering anything, and decode a huge image scaled down
//! instead of into a canvas it cannot hold.

use crate::orientation::{jpeg_orientation, Orientation};

/// Image formats recognised by their signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    WebP,
    Bmp,
    Avif,
}

impl ImageFormat {
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Png => "png",
            ImageFormat::Gif => "gif",
            ImageFormat::WebP => "webp",
            ImageFormat::Bmp => "bmp",
            ImageFormat::Avif => "avif",
        }
    }
}

/// The format and, when the header says it within the bytes given, the stored size in pixels
/// (before any EXIF rotation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    pub format: ImageFormat,
    pub dimensions: Option<(u32, u32)>,
    /// A JPEG's EXIF orientation; `Normal` for other formats and when absent or invalid.
    pub orientation: Orientation,
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?) as u32)
}
fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?) as u32)
}
fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(s[0] as u32 | (s[1] as u32) << 8 | (s[2] as u32) << 16)
}

/// Recognises an image from the start of its file (64 KiB is plenty but for JPEGs with large
/// metadata, whose size may then be `None`). Anything else, SVG included, is `None`.
pub fn image_info(head: &[u8]) -> Option<ImageInfo> {
    let (format, dimensions) = if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        (ImageFormat::Jpeg, jpeg_size(head))
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        (
            ImageFormat::Png,
            (|| Some((be32(head, 16)?, be32(head, 20)?)))(),
        )
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        (
            ImageFormat::Gif,
            (|| Some((le16(head, 6)?, le16(head, 8)?)))(),
        )
    } else if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        (ImageFormat::WebP, webp_size(head))
    } else if head.starts_with(b"BM")
        && matches!(le32(head, 14), Some(12 | 40 | 52 | 56 | 64 | 108 | 124))
    {
        // "BM" alone starts plenty of text; the DIB header's size must be one of the known ones.
        // The 12-byte BITMAPCOREHEADER (OS/2 1.x) has 16-bit sides; the others 32-bit, the
        // height negative for top-down bitmaps.
        let size = if le32(head, 14) == Some(12) {
            (|| Some((le16(head, 18)?, le16(head, 20)?)))()
        } else {
            (|| Some((le32(head, 18)?, (le32(head, 22)? as i32).unsigned_abs())))()
        };
        (ImageFormat::Bmp, size)
    } else if head.get(4..8) == Some(b"ftyp") && matches!(head.get(8..12), Some(b"avif" | b"avis"))
    {
        (ImageFormat::Avif, avif_size(head))
    } else {
        return None;
    };
    let orientation = match format {
        ImageFormat::Jpeg => jpeg_orientation(head),
        _ => Orientation::Normal,
    };
    Some(ImageInfo {
        format,
        dimensions,
        orientation,
    })
}

/// The frame header (SOFn) after the segments before it.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
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
        let length = be16(b, at + 2)? as usize;
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            return Some((be16(b, at + 7)?, be16(b, at + 5)?));
        }
        if length < 2 {
            return None;
        }
        at += 2 + length;
    }
}

fn webp_size(b: &[u8]) -> Option<(u32, u32)> {
    match b.get(12..16)? {
        b"VP8 " => Some((le16(b, 26)? & 0x3FFF, le16(b, 28)? & 0x3FFF)),
        b"VP8L" => {
            let bits = le32(b, 21)?;
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        _ => None,
    }
}

/// The first `ispe` (image spatial extent) property: width and height of the primary image.
fn avif_size(b: &[u8]) -> Option<(u32, u32)> {
    let at = b.windows(4).position(|w| w == b"ispe")?;
    Some((be32(b, at + 8)?, be32(b, at + 12)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_images_are_none() {
        assert_eq!(image_info(b""), None);
        assert_eq!(
            image_info(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            None
        );
        assert_eq!(image_info(b"<?xml version='1.0'?><svg/>"), None);
        assert_eq!(image_info(b"%PDF-1.7"), None);
        assert_eq!(image_info(b"\x00\x00\x00\x18ftypmp42"), None);
        assert_eq!(
            image_info(b"BM is how this text file starts, and it is not a bitmap."),
            None
        );
    }

    #[test]
    fn bitmap_header() {
        // A 3x2 top-down bitmap's headers: "BM", sizes, offset, then a 40-byte BITMAPINFOHEADER.
        let mut head = b"BM".to_vec();
        head.extend([0u8; 12]);
        head.extend(40u32.to_le_bytes());
        head.extend(3i32.to_le_bytes());
        head.extend((-2i32).to_le_bytes());
        let info = image_info(&head).unwrap();
        assert_eq!(
            (info.format, info.dimensions),
            (ImageFormat::Bmp, Some((3, 2)))
        );
    }

    /// Found by the property test (tests/prop_image_info.rs): the OS/2 1.x header's sides are
    /// 16-bit, and were read as 32-bit (300x200 came out as 13107500x1572865).
    #[test]
    fn bitmap_core_header() {
        // A 300x200 bitmap with a 12-byte BITMAPCOREHEADER: size, width, height (16-bit,
        // unsigned), planes 1, 24 bits per pixel.
        let mut head = b"BM".to_vec();
        head.extend([0u8; 12]);
        head.extend(12u32.to_le_bytes());
        head.extend(300u16.to_le_bytes());
        head.extend(200u16.to_le_bytes());
        head.extend(1u16.to_le_bytes());
        head.extend(24u16.to_le_bytes());
        let info = image_info(&head).unwrap();
        assert_eq!(
            (info.format, info.dimensions),
            (ImageFormat::Bmp, Some((300, 200)))
        );
    }

    #[test]
    fn truncated_headers_keep_the_format_without_a_size() {
        let info = image_info(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00]).unwrap();
        assert_eq!((info.format, info.dimensions), (ImageFormat::Jpeg, None));
        let info = image_info(b"\x89PNG\r\n\x1a\n\0\0").unwrap();
        assert_eq!((info.format, info.dimensions), (ImageFormat::Png, None));
    }
}
