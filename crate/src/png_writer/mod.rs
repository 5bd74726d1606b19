//! A PNG encoder that writes nothing but pixels: the critical chunks IHDR, IDAT and IEND, never an
//! ancillary one (no EXIF, text, ICC profile, time, gamma or physical size), so that a redacted
//! screenshot carries no trace of the device, the place or the time it came from.
//!
//! The PNG side is ours: the chunks and their CRC-32 (`chunk.rs`) and the per-row filters
//! (`filter.rs`). The zlib stream inside the IDAT (DEFLATE and Adler-32) is `miniz_oxide`'s, the
//! compressor the `png` crate and jxl-oxide use. Only the evidence module turns this on (the
//! crate's `png` feature), so none of it reaches the page's first load.

mod chunk;
mod filter;

use std::fmt;

use miniz_oxide::deflate::core::{
    compress_to_output, create_comp_flags_from_zip_params, CompressionStrategy, CompressorOxide,
    TDEFLFlush, TDEFLStatus,
};

pub use chunk::crc32;
use chunk::{begin_chunk, end_chunk, write_chunk, SIGNATURE};
use filter::filter_rows;

/// Why pixels could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PngError {
    /// Width or height is 0.
    Empty,
    /// A side over PNG's 2^31 - 1, or more bytes than memory can address.
    TooLarge { width: u32, height: u32 },
    /// The buffer is not `width * height * 4` bytes.
    BufferLength { expected: u64, given: u64 },
}

impl fmt::Display for PngError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PngError::Empty => f.write_str("the image has no pixels (width or height is 0)"),
            PngError::TooLarge { width, height } => {
                write!(f, "a {width}x{height} image is too large to encode")
            }
            PngError::BufferLength { expected, given } => write!(
                f,
                "{given} bytes of pixels given where the RGBA image takes {expected}"
            ),
        }
    }
}

impl std::error::Error for PngError {}

/// Encodes `width * height` RGBA pixels (4 bytes each, rows top to bottom) as an 8-bit PNG: RGB
/// (colour type 2) when every pixel is opaque, RGBA (6) otherwise. Non-interlaced, one IDAT.
pub fn encode_png(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PngError> {
    if width == 0 || height == 0 {
        return Err(PngError::Empty);
    }
    let too_large = PngError::TooLarge { width, height };
    if width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Err(too_large);
    }
    let expected = width as u64 * height as u64 * 4;
    if rgba.len() as u64 != expected {
        return Err(PngError::BufferLength {
            expected,
            given: rgba.len() as u64,
        });
    }
    let opaque = rgba.chunks_exact(4).all(|px| px[3] == 255);
    let channels: usize = if opaque { 3 } else { 4 };
    // The buffer's length is a usize, so width * 4 is; height more filter bytes may not be.
    let row_len = width as usize * channels;
    let filtered_len = (row_len + 1)
        .checked_mul(height as usize)
        .ok_or(too_large)?;

    let filtered = filter_rows(rgba, width as usize, channels, filtered_len);

    let mut out = Vec::with_capacity(filtered_len / 8 + 1024);
    out.extend_from_slice(&SIGNATURE);
    let mut ihdr = [0u8; 13];
    ihdr[0..4].copy_from_slice(&width.to_be_bytes());
    ihdr[4..8].copy_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type, deflate, adaptive filtering, no interlace.
    ihdr[8] = 8;
    ihdr[9] = if opaque { 2 } else { 6 };
    write_chunk(&mut out, b"IHDR", &ihdr);

    // The IDAT is compressed straight into `out`; its length and CRC are filled in after.
    let idat = begin_chunk(&mut out, b"IDAT");
    zlib(&filtered, &mut out);
    // At most 400 MB of pixels in practice; a PNG chunk holds up to 2^31 - 1 bytes.
    end_chunk(&mut out, idat).ok_or(too_large)?;

    write_chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

/// miniz_oxide's level 5: lazy matching, 32 candidates per position. Measured on the benchmark's
/// phone screenshot in Chromium against levels 3 and 6 and our former hand-written DEFLATE, it
/// was the one both smaller (56,761 bytes against 57,804) and no slower; level 6 saved 123 bytes
/// more and took about 5% longer, level 3 was about as fast and 1,500 bytes larger. Strategy:
/// DEFLATE's default (the "filtered" one, matches of 6 bytes or more only, made every image
/// larger). The rows' filters are chosen by `filter.rs`, as before.
const LEVEL: i32 = 5;

/// Appends `data` to `out` as a zlib stream (header, DEFLATE blocks, Adler-32).
fn zlib(data: &[u8], out: &mut Vec<u8>) {
    // A positive window_bits asks for the zlib wrapper; strategy 0 is DEFLATE's default.
    let flags = create_comp_flags_from_zip_params(LEVEL, 1, CompressionStrategy::Default as i32);
    let mut compressor = CompressorOxide::new(flags);
    let (status, _) = compress_to_output(&mut compressor, data, TDEFLFlush::Finish, |bytes| {
        out.extend_from_slice(bytes);
        true
    });
    // With all the input given at once and an output that always takes the bytes, one call ends
    // the stream.
    assert_eq!(status, TDEFLStatus::Done, "the zlib stream is complete");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Adler-32 that ends a zlib stream, big-endian.
    fn adler_of(stream: &[u8]) -> u32 {
        u32::from_be_bytes(stream[stream.len() - 4..].try_into().unwrap())
    }

    fn zlib_of(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        zlib(data, &mut out);
        out
    }

    #[test]
    fn zlib_streams_carry_the_published_adler32() {
        // RFC 1950's Adler-32: the check value of "Wikipedia", and 1 for no bytes.
        assert_eq!(adler_of(&zlib_of(b"Wikipedia")), 0x11E6_0398);
        assert_eq!(adler_of(&zlib_of(b"")), 1);
        // Past the 5552-byte stretch between reductions: 0xFF bytes, the worst case, against
        // the definition computed byte by byte.
        let ones = vec![0xFFu8; 100_000];
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &ones {
            a = (a + x as u64) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(adler_of(&zlib_of(&ones)), ((b << 16) | a) as u32);
        // The header: deflate with a 32 KiB window, its two bytes a multiple of 31.
        let stream = zlib_of(b"Wikipedia");
        assert_eq!(stream[0], 0x78);
        assert_eq!(u16::from_be_bytes([stream[0], stream[1]]) % 31, 0);
    }

    #[test]
    fn every_length_and_distance_round_trips_through_the_reference_decoder() {
        // Bytes made of copies of every DEFLATE length (3..=258, RFC 1951 3.2.5) from the base
        // distance of every distance code and the largest (1..=32768), between literals drawn
        // with Fibonacci weights (the counts that make the deepest Huffman trees, past the
        // 15-bit limit unless the compressor bounds them). Written as the rows of a greyscale
        // PNG with filter None, through our chunks and the zlib stream, and read back by the
        // `png` crate with its CRC and Adler-32 checks on.
        let mut fib = vec![1u64, 1];
        while fib.len() < 24 {
            fib.push(fib[fib.len() - 1] + fib[fib.len() - 2]);
        }
        let total: u64 = fib.iter().sum();
        // A linear congruential sequence: the same bytes on every run.
        let mut seed = 15u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            seed >> 33
        };
        let literal = |next: &mut dyn FnMut() -> u64| {
            let mut r = next() % total;
            for (symbol, &weight) in fib.iter().enumerate() {
                if r < weight {
                    return symbol as u8 * 11;
                }
                r -= weight;
            }
            unreachable!()
        };
        let mut data: Vec<u8> = (0..40_000).map(|_| literal(&mut next)).collect();
        let distances = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
        ];
        let far = [
            513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
        ];
        for len in 3..=258usize {
            for &dist in distances.iter().chain(&far).chain(&[32_767, 32_768]) {
                let from = data.len() - dist;
                for k in 0..len {
                    data.push(data[from + k]);
                }
                for _ in 0..next() % 4 {
                    data.push(literal(&mut next));
                }
            }
        }
        let width = 1000usize;
        data.truncate(data.len() / width * width);
        let height = data.len() / width;

        let mut filtered = Vec::with_capacity(data.len() + height);
        for row in data.chunks_exact(width) {
            filtered.push(0);
            filtered.extend_from_slice(row);
        }
        let mut png_bytes = SIGNATURE.to_vec();
        let mut ihdr = [0u8; 13];
        ihdr[0..4].copy_from_slice(&(width as u32).to_be_bytes());
        ihdr[4..8].copy_from_slice(&(height as u32).to_be_bytes());
        ihdr[8] = 8; // greyscale, 8 bits
        write_chunk(&mut png_bytes, b"IHDR", &ihdr);
        let idat = begin_chunk(&mut png_bytes, b"IDAT");
        zlib(&filtered, &mut png_bytes);
        end_chunk(&mut png_bytes, idat).unwrap();
        write_chunk(&mut png_bytes, b"IEND", &[]);
        assert!(png_bytes.len() < data.len() / 2, "{}", png_bytes.len());

        let mut options = png::DecodeOptions::default();
        options.set_ignore_adler32(false);
        options.set_ignore_crc(false);
        let decoder = png::Decoder::new_with_options(std::io::Cursor::new(&png_bytes), options);
        let mut reader = decoder.read_info().expect("the header reads");
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).expect("the image decodes");
        reader.finish().expect("the PNG ends well");
        assert_eq!((info.width, info.height), (width as u32, height as u32));
        assert!(
            pixels[..info.buffer_size()] == data[..],
            "decoded bytes differ"
        );
    }
}
