//! Recognising the five image formats from their first bytes, decoding them to 8-bit RGB the way
//! Meta's reference did for its expected outputs, and hashing that with PDQ.

use std::fmt;
use std::io::Cursor;

use image::{ColorType, DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};
use report_helper::pdq::{Pdq, PdqError, PdqHasher, PdqSize, PixelLayout};

/// The formats this command decodes, as said in messages and in `--help`.
pub const FORMATS: &str = "JPEG, PNG, WebP, GIF, BMP";

/// Image files larger than this are digested but not decoded.
pub const MAX_IMAGE_FILE: u64 = 256 << 20;
/// The decoded image and its RGB copy, counted together at their peak, may not need more than
/// this.
pub const MAX_DECODE_MEMORY: u64 = 1 << 30;
/// Images of more pixels are not decoded, as in the browser (`MAX_PIXELS` of `www/worker.js`
/// and of the core's `redact`): 100 megapixels.
pub const MAX_PIXELS: u64 = report_helper::redact::MAX_PIXELS;

/// The format of a file from its first bytes (its name is never looked at), if it is one of the
/// five this command decodes. The core's `image_info` recognises the signatures, as it does for
/// the browser, so that both take the same files for images.
pub fn sniff(first: &[u8]) -> Option<ImageFormat> {
    use report_helper::ImageFormat as Signature;
    match report_helper::image_info(first)?.format {
        Signature::Jpeg => Some(ImageFormat::Jpeg),
        Signature::Png => Some(ImageFormat::Png),
        Signature::Gif => Some(ImageFormat::Gif),
        Signature::WebP => Some(ImageFormat::WebP),
        Signature::Bmp => Some(ImageFormat::Bmp),
        // Not among the decoders built in.
        Signature::Avif => None,
    }
}

/// How many of a file's first bytes are read for its EXIF orientation: the page's worker reads
/// as many (`HEAD_BYTES` in `www/worker.js`), so that both find the same.
pub const HEAD_BYTES: usize = 256 << 10;

/// A hashed image: the PDQ result of the picture as displayed (EXIF orientation applied) and its
/// size, and, when the orientation is not 1, the PDQ result of the pixels as stored.
#[derive(Debug)]
pub struct Hashed {
    pub pdq: Pdq,
    pub width: u32,
    pub height: u32,
    pub stored: Option<Pdq>,
}

/// Why an image that was read could not be hashed.
#[derive(Debug)]
pub enum DecodeError {
    /// The decoded image and its RGB copy would need more than `limit` bytes of memory.
    TooLarge { width: u32, height: u32, limit: u64 },
    /// More than [`MAX_PIXELS`] pixels.
    TooManyPixels { width: u32, height: u32 },
    /// The decoder refused the data: corrupt, truncated, or a variant it does not support.
    Decode(ImageError),
    /// A JPEG whose data ends before its end-of-image marker. The JPEG decoder would fill the
    /// missing part with grey, as browsers do; a hash of that would match nothing.
    TruncatedJpeg,
    /// The pixels could not be hashed; cannot happen with the buffers built here.
    Pdq(PdqError),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::TooLarge {
                width,
                height,
                limit,
            } => write!(
                f,
                "image too large to decode: {width} x {height} pixels need more than {} of memory",
                human_bytes(*limit)
            ),
            DecodeError::TooManyPixels { width, height } => write!(
                f,
                "image too large to decode: {width} x {height} pixels, over {} megapixels",
                MAX_PIXELS / 1_000_000
            ),
            // Some decoders' messages end in a newline.
            DecodeError::Decode(e) => {
                write!(
                    f,
                    "could not decode the image: {}",
                    e.to_string().trim_end()
                )
            }
            DecodeError::TruncatedJpeg => write!(
                f,
                "could not decode the image: the JPEG data ends before its end-of-image marker \
                 (the file is cut short)"
            ),
            DecodeError::Pdq(e) => write!(f, "could not hash the image: {e}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a file that was read has no PDQ hash. Its digests are exact all the same.
#[derive(Debug)]
pub enum NoPdq {
    Empty,
    NotAnImage,
    FileTooLarge { limit: u64 },
    Decode(DecodeError),
}

impl fmt::Display for NoPdq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoPdq::Empty => write!(f, "empty file (0 bytes): not an image"),
            NoPdq::NotAnImage => write!(f, "not an image this tool decodes ({FORMATS})"),
            NoPdq::FileTooLarge { limit } => write!(
                f,
                "image file too large to decode: over {}",
                human_bytes(*limit)
            ),
            NoPdq::Decode(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for NoPdq {}

/// `1073741824` as `1 GiB`, `268435456` as `256 MiB`; other sizes in bytes.
pub fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n => format!("{n} bytes"),
    }
}

/// Decodes `bytes` as `format` (the first frame of an animation), converts to 8-bit RGB and
/// hashes it: as displayed, and as stored when a JPEG's EXIF orientation (read by the core from
/// the first [`HEAD_BYTES`]) is not 1. The decoder gives the stored pixels; the core turns them. An image of more than [`MAX_PIXELS`] pixels, or whose
/// decoded pixels and RGB copy together would exceed `max_memory` bytes, is refused from its
/// header, before decoding.
pub fn hash_image(
    format: ImageFormat,
    bytes: &[u8],
    size: PdqSize,
    max_memory: u64,
) -> Result<Hashed, DecodeError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(max_memory);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(DecodeError::Decode)?;
    // Checked after the header, so that garbage gets the decoder's own message.
    if format == ImageFormat::Jpeg && !jpeg_reaches_end(bytes) {
        return Err(DecodeError::TruncatedJpeg);
    }

    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(DecodeError::TooManyPixels { width, height });
    }
    if peak_memory(decoder.total_bytes(), decoder.color_type(), width, height) > max_memory {
        return Err(DecodeError::TooLarge {
            width,
            height,
            limit: max_memory,
        });
    }
    let image = DynamicImage::from_decoder(decoder).map_err(DecodeError::Decode)?;
    let rgb = to_rgb8(image);
    let orientation = report_helper::image_info(&bytes[..bytes.len().min(HEAD_BYTES)])
        .map(|info| info.orientation)
        .unwrap_or_default();
    let hashed = (|| {
        let mut hasher = PdqHasher::new(width, height, PixelLayout::Rgb, size)?;
        hasher.orient(orientation, false)?;
        hasher.push_rows(&rgb)?;
        hasher.finish_oriented()
    })()
    .map_err(DecodeError::Pdq)?;
    let (width, height) = orientation.transformed_size(width, height);
    Ok(Hashed {
        pdq: hashed.displayed,
        width,
        height,
        stored: hashed.stored,
    })
}

/// The most memory decoding and converting an image needs at once: the decoder's pixels
/// (`decoded` bytes, as `colour`), and while `to_rgb8` copies them, the RGB copy too. 8-bit RGB
/// is used as it is, and 8-bit RGBA is made RGB in its own buffer: no copy.
fn peak_memory(decoded: u64, colour: ColorType, width: u32, height: u32) -> u64 {
    let rgb = u64::from(width) * u64::from(height) * 3;
    match colour {
        ColorType::Rgb8 | ColorType::Rgba8 => decoded,
        _ => decoded.saturating_add(rgb),
    }
}

/// Whether JPEG data, walked segment by segment from its start-of-image marker, reaches an
/// end-of-image marker. Segments are skipped by their length, so an EXIF thumbnail's own
/// end-of-image marker does not count; in entropy-coded data `FF 00` is a data byte and `FF D0`
/// to `FF D7` are restart markers. Bytes after the end-of-image marker are allowed.
fn jpeg_reaches_end(bytes: &[u8]) -> bool {
    /// The next marker at or after `from`: its code and the position just after it. Stray bytes
    /// before a marker are skipped, as libjpeg does.
    fn next_marker(bytes: &[u8], from: usize) -> Option<(u8, usize)> {
        let mut i = from;
        loop {
            i += bytes.get(i..)?.iter().position(|&b| b == 0xff)?;
            // Any number of FF fill bytes may precede the code.
            i += bytes[i..].iter().position(|&b| b != 0xff)?;
            match bytes[i] {
                0x00 => i += 1,
                code => return Some((code, i + 1)),
            }
        }
    }

    let mut at = 2; // after SOI
    while let Some((code, after)) = next_marker(bytes, at) {
        match code {
            0xd9 => return true,
            // Restart markers, SOI and TEM stand alone; everything else carries a length.
            0xd0..=0xd8 | 0x01 => at = after,
            _ => match bytes.get(after..after + 2) {
                Some(&[hi, lo]) if u16::from_be_bytes([hi, lo]) >= 2 => {
                    at = after + usize::from(u16::from_be_bytes([hi, lo]));
                }
                _ => return false,
            },
        }
    }
    false
}

/// 8-bit RGB as the reference's decodes gave it: grey repeated into R, G and B; alpha dropped
/// (the colour as stored, never blended onto a background); 16-bit samples cut to their high
/// byte, as libpng's `png_set_strip_16` does. Palettes and 1, 2 and 4-bit greys were already
/// expanded to 8 bits (0 and 1 to 0 and 255) by the PNG decoder.
fn to_rgb8(image: DynamicImage) -> Vec<u8> {
    fn rgb<T: Copy>(samples: &[T], channels: usize, pixel: impl Fn(&[T]) -> [u8; 3]) -> Vec<u8> {
        let mut out = Vec::with_capacity(samples.len() / channels * 3);
        for p in samples.chunks_exact(channels) {
            out.extend_from_slice(&pixel(p));
        }
        out
    }
    let hi = |v: u16| (v >> 8) as u8;
    match image {
        DynamicImage::ImageRgb8(b) => b.into_raw(),
        DynamicImage::ImageRgba8(b) => {
            // In place: each pixel's RGB moves down over the alpha bytes before it.
            let mut bytes = b.into_raw();
            let pixels = bytes.len() / 4;
            for i in 0..pixels {
                bytes.copy_within(4 * i..4 * i + 3, 3 * i);
            }
            bytes.truncate(3 * pixels);
            bytes
        }
        DynamicImage::ImageLuma8(b) => rgb(&b, 1, |p| [p[0]; 3]),
        DynamicImage::ImageLumaA8(b) => rgb(&b, 2, |p| [p[0]; 3]),
        DynamicImage::ImageRgb16(b) => rgb(&b, 3, |p| [hi(p[0]), hi(p[1]), hi(p[2])]),
        DynamicImage::ImageRgba16(b) => rgb(&b, 4, |p| [hi(p[0]), hi(p[1]), hi(p[2])]),
        DynamicImage::ImageLuma16(b) => rgb(&b, 1, |p| [hi(p[0]); 3]),
        DynamicImage::ImageLumaA16(b) => rgb(&b, 2, |p| [hi(p[0]); 3]),
        // Floating-point images; none of the five decoders makes them.
        other => other.to_rgb8().into_raw(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Luma, LumaA, Rgb, Rgba};

    #[test]
    fn sniffs_the_five_formats_from_their_magic_bytes() {
        let mut bmp = b"BM\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
        bmp.extend(40u32.to_le_bytes());
        bmp.extend([0; 8]);
        let cases: &[(&[u8], Option<ImageFormat>)] = &[
            (b"\xff\xd8\xff\xe0\0\x10JFIF", Some(ImageFormat::Jpeg)),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some(ImageFormat::Png)),
            (b"GIF89a\x40\0", Some(ImageFormat::Gif)),
            (b"GIF87a\x40\0", Some(ImageFormat::Gif)),
            (b"RIFF\x10\0\0\0WEBPVP8 ", Some(ImageFormat::WebP)),
            (&bmp, Some(ImageFormat::Bmp)),
            // Not images, or not ones this command decodes.
            (b"\0\0\0\x1cftypavif\0\0\0\0", None),
            (b"", None),
            (b"\xff\xd8", None),
            (b"\x89PNG\r\n\x1a", None),
            (b"RIFF\x10\0\0\0WAVEfmt ", None),
            (b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>", None),
            (b"%PDF-1.7\n", None),
            (b"\0\0\0\x18ftypmp42", None),
            (b"II*\0\x08\0\0\0", None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                sniff(bytes),
                *expected,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn rgb_conversion_repeats_grey_drops_alpha_and_keeps_high_bytes() {
        let grey = ImageBuffer::from_raw(2, 1, vec![7u8, 200]).unwrap();
        let grey_alpha = ImageBuffer::from_raw(2, 1, vec![7u8, 0, 200, 99]).unwrap();
        let rgba = ImageBuffer::from_raw(2, 1, vec![1u8, 2, 3, 0, 4, 5, 6, 128]).unwrap();
        let rgb16 = ImageBuffer::from_raw(1, 1, vec![0x12ffu16, 0x3400, 0xff80]).unwrap();
        let rgba16 = ImageBuffer::from_raw(1, 1, vec![0x12ffu16, 0x3400, 0xff80, 0]).unwrap();
        let grey16 = ImageBuffer::from_raw(1, 1, vec![0xabcdu16]).unwrap();
        let grey_alpha16 = ImageBuffer::from_raw(1, 1, vec![0xabcdu16, 0]).unwrap();
        let cases: Vec<(DynamicImage, Vec<u8>)> = vec![
            (
                DynamicImage::ImageLuma8(grey as ImageBuffer<Luma<u8>, _>),
                vec![7, 7, 7, 200, 200, 200],
            ),
            (
                DynamicImage::ImageLumaA8(grey_alpha as ImageBuffer<LumaA<u8>, _>),
                vec![7, 7, 7, 200, 200, 200],
            ),
            (
                DynamicImage::ImageRgba8(rgba as ImageBuffer<Rgba<u8>, _>),
                vec![1, 2, 3, 4, 5, 6],
            ),
            (
                DynamicImage::ImageRgb16(rgb16 as ImageBuffer<Rgb<u16>, _>),
                vec![0x12, 0x34, 0xff],
            ),
            (
                DynamicImage::ImageRgba16(rgba16 as ImageBuffer<Rgba<u16>, _>),
                vec![0x12, 0x34, 0xff],
            ),
            (
                DynamicImage::ImageLuma16(grey16 as ImageBuffer<Luma<u16>, _>),
                vec![0xab; 3],
            ),
            (
                DynamicImage::ImageLumaA16(grey_alpha16 as ImageBuffer<LumaA<u16>, _>),
                vec![0xab; 3],
            ),
        ];
        for (image, expected) in cases {
            let colour = image.color();
            assert_eq!(to_rgb8(image), expected, "{colour:?}");
        }
    }

    #[test]
    fn garbage_after_a_magic_number_is_a_decode_error() {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend([0x55; 100]);
        let err = hash_image(ImageFormat::Png, &bytes, PdqSize::Full, 1 << 30).unwrap_err();
        assert!(matches!(err, DecodeError::Decode(_)), "{err:?}");
        assert!(err.to_string().starts_with("could not decode the image: "));
    }

    /// A 64x48 test card with enough texture for a real hash.
    fn card() -> DynamicImage {
        DynamicImage::ImageRgb8(ImageBuffer::from_fn(64, 48, |x, y| {
            Rgb([
                (x * 4) as u8,
                (y * 5) as u8,
                if (x / 8 + y / 8) % 2 == 0 { 30 } else { 220 },
            ])
        }))
    }

    #[test]
    fn each_format_decodes_whole_and_fails_cut_short() {
        for format in [
            ImageFormat::Jpeg,
            ImageFormat::Png,
            ImageFormat::WebP,
            ImageFormat::Gif,
            ImageFormat::Bmp,
        ] {
            let mut bytes = Vec::new();
            card()
                .write_to(&mut Cursor::new(&mut bytes), format)
                .unwrap();
            assert_eq!(sniff(&bytes), Some(format));

            let hashed = hash_image(format, &bytes, PdqSize::Full, 1 << 30).unwrap();
            assert_eq!((hashed.width, hashed.height), (64, 48), "{format:?}");
            assert!(
                hashed.pdq.quality > 50,
                "{format:?}: {}",
                hashed.pdq.quality
            );

            let half = &bytes[..bytes.len() / 2];
            let err = hash_image(format, half, PdqSize::Full, 1 << 30).unwrap_err();
            assert!(
                err.to_string().starts_with("could not decode the image: "),
                "{format:?}: {err}"
            );
        }
    }

    #[test]
    fn memory_limit_refuses_from_the_header() {
        let mut bytes = Vec::new();
        card()
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        // 64 x 48 x 3 = 9216 bytes of RGB.
        assert!(hash_image(ImageFormat::Png, &bytes, PdqSize::Full, 9216).is_ok());
        let err = hash_image(ImageFormat::Png, &bytes, PdqSize::Full, 9215).unwrap_err();
        assert!(
            matches!(
                err,
                DecodeError::TooLarge {
                    width: 64,
                    height: 48,
                    limit: 9215
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn jpeg_end_is_found_past_thumbnails_stuffing_and_restarts() {
        let soi = [0xff, 0xd8];
        // APP1 of 8 bytes holding a thumbnail's EOI, which must not count.
        let app1 = [0xff, 0xe1, 0x00, 0x08, 0xff, 0xd8, 0xff, 0xd9, 0x00, 0x00];
        let sos = [0xff, 0xda, 0x00, 0x03, 0x01];
        // Entropy-coded data with a stuffed FF 00, a restart marker and fill bytes.
        let scan = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd3, 0x56, 0xff, 0xff];
        let eoi = [0xff, 0xd9];
        let whole: Vec<u8> = [&soi[..], &app1, &sos, &scan, &eoi, b"trailer"].concat();
        assert!(jpeg_reaches_end(&whole));
        let without_eoi: Vec<u8> = [&soi[..], &app1, &sos, &scan].concat();
        for cut in 0..without_eoi.len() {
            assert!(!jpeg_reaches_end(&without_eoi[..cut]), "cut at {cut}");
        }
        // A stray SOI stands alone, like a restart marker.
        let stray_soi: Vec<u8> = [&soi[..], &sos, &scan, &soi, &eoi].concat();
        assert!(jpeg_reaches_end(&stray_soi));
        // A length that runs past the end.
        assert!(!jpeg_reaches_end(&[
            0xff, 0xd8, 0xff, 0xe0, 0x40, 0x00, 0xff, 0xd9
        ]));
        // A length under 2 is invalid.
        assert!(!jpeg_reaches_end(&[
            0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0xff, 0xd9
        ]));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(1 << 30), "1 GiB");
        assert_eq!(human_bytes(256 << 20), "256 MiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }

    #[test]
    fn no_pdq_reasons_read_clearly() {
        assert_eq!(
            NoPdq::NotAnImage.to_string(),
            "not an image this tool decodes (JPEG, PNG, WebP, GIF, BMP)"
        );
        assert_eq!(
            NoPdq::FileTooLarge {
                limit: MAX_IMAGE_FILE
            }
            .to_string(),
            "image file too large to decode: over 256 MiB"
        );
        let too_large = DecodeError::TooLarge {
            width: 40000,
            height: 40000,
            limit: MAX_DECODE_MEMORY,
        };
        assert_eq!(
            NoPdq::Decode(too_large).to_string(),
            "image too large to decode: 40000 x 40000 pixels need more than 1 GiB of memory"
        );
    }
}
