//! Redaction and the metadata-free PNG encoder. The references: every PNG written is decoded by
//! the `png` crate with CRC and Adler-32 checks on, and its pixels compared with an expectation
//! computed here pixel by pixel (inside a rectangle: opaque black; outside: the source's bytes);
//! the chunk list is walked byte by byte. The same tests run natively and, under
//! `wasm-bindgen-test`, in headless Chromium.

use report_helper::png_writer::{encode_png, PngError};
use report_helper::redact::{redact, Rect, RedactError, MAX_RECTS};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// A real photo (256x256 RGB), the exact pixels Meta's PDQ reference hashed.
const PHOTO: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/pdq/decoded/bridge-mods__square-256x256.jpg.rgb.png"
));

/// SplitMix64: a fixed sequence, so a failure is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn rect(x: u32, y: u32, width: u32, height: u32) -> Rect {
    Rect {
        x,
        y,
        width,
        height,
    }
}

/// Random RGBA pixels; every alpha 255 when `opaque`.
fn noise(rng: &mut Rng, width: u32, height: u32, opaque: bool) -> Vec<u8> {
    let mut px = rng.bytes(width as usize * height as usize * 4);
    if opaque {
        for p in px.chunks_exact_mut(4) {
            p[3] = 255;
        }
    }
    px
}

/// The reference decoder, checksums verified: `(colour type, pixels as RGBA)`.
fn decode(png_bytes: &[u8]) -> (png::ColorType, u32, u32, Vec<u8>) {
    let mut options = png::DecodeOptions::default();
    options.set_ignore_adler32(false);
    options.set_ignore_crc(false);
    let decoder = png::Decoder::new_with_options(std::io::Cursor::new(png_bytes), options);
    let mut reader = decoder.read_info().expect("the PNG's header reads");
    let mut buf = vec![0; reader.output_buffer_size().expect("fits")];
    let info = reader.next_frame(&mut buf).expect("the PNG decodes");
    reader.finish().expect("the PNG ends well");
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        other => panic!("unexpected colour type {other:?}"),
    };
    (info.color_type, info.width, info.height, rgba)
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

/// Walks the chunks: exactly IHDR, one or more IDAT, IEND, nothing after; returns their types.
/// Checks IHDR's fields against the image: 8 bits, no interlace, the expected colour type.
fn assert_only_critical_chunks(png_bytes: &[u8], width: u32, height: u32, colour: u8) {
    assert_eq!(&png_bytes[..8], b"\x89PNG\r\n\x1a\n");
    let mut at = 8;
    let mut kinds = Vec::new();
    while at < png_bytes.len() {
        let len = be32(png_bytes, at) as usize;
        let kind = &png_bytes[at + 4..at + 8];
        if kind == b"IHDR" {
            assert_eq!(len, 13);
            let d = &png_bytes[at + 8..at + 8 + 13];
            assert_eq!((be32(d, 0), be32(d, 4)), (width, height));
            assert_eq!(d[8..], [8, colour, 0, 0, 0]);
        }
        kinds.push(String::from_utf8(kind.to_vec()).unwrap());
        at += 12 + len;
    }
    assert_eq!(at, png_bytes.len(), "the last chunk ends the file");
    assert!(kinds.len() >= 3, "{kinds:?}");
    assert_eq!(kinds[0], "IHDR");
    assert_eq!(kinds[kinds.len() - 1], "IEND");
    assert!(
        kinds[1..kinds.len() - 1].iter().all(|k| k == "IDAT"),
        "{kinds:?}"
    );
}

/// Whether any rectangle covers pixel (x, y), in 64 bits so that nothing wraps.
fn covered(rects: &[Rect], x: u32, y: u32) -> bool {
    let (x, y) = (x as u64, y as u64);
    rects.iter().any(|r| {
        x >= r.x as u64
            && x < r.x as u64 + r.width as u64
            && y >= r.y as u64
            && y < r.y as u64 + r.height as u64
    })
}

/// The expectation, pixel by pixel: black where any rectangle covers, the source elsewhere.
fn expected(source: &[u8], width: u32, height: u32, rects: &[Rect]) -> Vec<u8> {
    let mut out = Vec::with_capacity(source.len());
    for y in 0..height {
        for x in 0..width {
            let i = (y as usize * width as usize + x as usize) * 4;
            if covered(rects, x, y) {
                out.extend_from_slice(&[0, 0, 0, 255]);
            } else {
                out.extend_from_slice(&source[i..i + 4]);
            }
        }
    }
    out
}

/// Redacts a copy of `source`, checks it against the expectation, encodes it and checks the
/// decoded PNG the same way; returns the PNG.
fn check_redaction(source: &[u8], width: u32, height: u32, rects: &[Rect]) -> Vec<u8> {
    let want = expected(source, width, height, rects);
    let mut pixels = source.to_vec();
    redact(&mut pixels, width, height, rects).expect("redacts");
    assert!(
        pixels == want,
        "redacted pixels, {width}x{height} {rects:?}"
    );
    let png_bytes = encode_png(&pixels, width, height).expect("encodes");
    let opaque = want.chunks_exact(4).all(|p| p[3] == 255);
    assert_only_critical_chunks(&png_bytes, width, height, if opaque { 2 } else { 6 });
    let (_, w, h, decoded) = decode(&png_bytes);
    assert_eq!((w, h), (width, height));
    assert!(
        decoded == want,
        "decoded pixels, {width}x{height} {rects:?}"
    );
    png_bytes
}

#[test]
fn rectangles_are_black_and_the_rest_unchanged() {
    let mut rng = Rng(1);
    let (width, height) = (37, 23);
    for opaque in [true, false] {
        let source = noise(&mut rng, width, height, opaque);
        for rects in [
            // One pixel, at a corner and inside.
            vec![rect(0, 0, 1, 1)],
            vec![rect(36, 22, 1, 1)],
            vec![rect(17, 9, 1, 1)],
            // Overlapping, and one inside another.
            vec![rect(3, 4, 10, 8), rect(8, 6, 10, 8), rect(9, 7, 2, 2)],
            // Touching the edges exactly: whole first column, last row, right edge.
            vec![rect(0, 0, 1, 23), rect(0, 22, 37, 1), rect(30, 5, 7, 3)],
            // Touching each other edge to edge.
            vec![rect(5, 5, 5, 5), rect(10, 5, 5, 5), rect(5, 10, 10, 1)],
            // Clipped: over the right, the bottom, both, and by far.
            vec![rect(30, 2, 20, 3)],
            vec![rect(2, 20, 3, 20)],
            vec![rect(35, 21, 5, 5)],
            vec![rect(1, 1, u32::MAX, u32::MAX)],
            // The whole image, twice.
            vec![rect(0, 0, 37, 23), rect(0, 0, 37, 23)],
            // None: the image round-trips as it is.
            vec![],
        ] {
            check_redaction(&source, width, height, &rects);
        }
        // Many random rectangles, some past the edges.
        for _ in 0..20 {
            let rects: Vec<Rect> = (0..rng.below(6) + 1)
                .map(|_| {
                    rect(
                        rng.below(width as u64) as u32,
                        rng.below(height as u64) as u32,
                        rng.below(width as u64) as u32 + 1,
                        rng.below(height as u64) as u32 + 1,
                    )
                })
                .collect();
            check_redaction(&source, width, height, &rects);
        }
    }
}

/// Irreversible: two images that differ only inside the rectangles give the very same PNG, so
/// nothing of what was inside can be in it.
#[test]
fn nothing_of_the_inside_survives() {
    let mut rng = Rng(2);
    let (width, height) = (64, 48);
    let rects = [rect(10, 10, 20, 15), rect(50, 0, 30, 48)];
    let a = noise(&mut rng, width, height, false);
    // b: a's pixels outside, other random ones inside.
    let mut b = noise(&mut rng, width, height, false);
    for (i, px) in b.chunks_exact_mut(4).enumerate() {
        if !covered(&rects, (i % 64) as u32, (i / 64) as u32) {
            px.copy_from_slice(&a[i * 4..i * 4 + 4]);
        }
    }
    assert_ne!(a, b);
    let png_a = check_redaction(&a, width, height, &rects);
    let png_b = check_redaction(&b, width, height, &rects);
    assert!(png_a == png_b);
}

#[test]
fn refusals_change_nothing() {
    let mut rng = Rng(3);
    let source = noise(&mut rng, 8, 4, true);
    let mut pixels = source.clone();
    let mut refused = |width: u32, height: u32, rects: &[Rect]| {
        let e = redact(&mut pixels, width, height, rects).unwrap_err();
        assert!(!e.to_string().is_empty());
        e
    };
    assert_eq!(refused(0, 4, &[]), RedactError::Empty);
    assert_eq!(refused(8, 0, &[]), RedactError::Empty);
    assert_eq!(
        refused(16_385, 1, &[]),
        RedactError::TooLarge {
            width: 16_385,
            height: 1
        }
    );
    assert_eq!(
        refused(10_001, 10_000, &[]),
        RedactError::TooLarge {
            width: 10_001,
            height: 10_000
        }
    );
    assert_eq!(
        refused(8, 5, &[]),
        RedactError::BufferLength {
            expected: 160,
            given: 128
        }
    );
    assert_eq!(
        refused(4, 4, &[]),
        RedactError::BufferLength {
            expected: 64,
            given: 128
        }
    );
    let many = vec![rect(0, 0, 1, 1); MAX_RECTS + 1];
    assert_eq!(
        refused(8, 4, &many),
        RedactError::TooManyRects { given: 1001 }
    );
    // A valid rectangle before a bad one is not painted either.
    let ok = rect(0, 0, 4, 4);
    assert_eq!(
        refused(8, 4, &[ok, rect(1, 1, 0, 3)]),
        RedactError::EmptyRect { index: 1 }
    );
    assert_eq!(
        refused(8, 4, &[ok, ok, rect(1, 1, 3, 0)]),
        RedactError::EmptyRect { index: 2 }
    );
    assert_eq!(
        refused(8, 4, &[ok, rect(8, 0, 1, 1)]),
        RedactError::RectOutside { index: 1 }
    );
    assert_eq!(
        refused(8, 4, &[rect(0, 4, 8, 1)]),
        RedactError::RectOutside { index: 0 }
    );
    assert_eq!(
        refused(8, 4, &[rect(u32::MAX, u32::MAX, u32::MAX, u32::MAX)]),
        RedactError::RectOutside { index: 0 }
    );
    assert_eq!(pixels, source);
    // Exactly the limit is taken.
    let limit = vec![rect(0, 0, 1, 1); MAX_RECTS];
    redact(&mut pixels, 8, 4, &limit).unwrap();
}

#[test]
fn rectangles_from_flat_quadruples() {
    assert_eq!(
        Rect::from_flat(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap(),
        vec![rect(1, 2, 3, 4), rect(5, 6, 7, 8)]
    );
    assert_eq!(Rect::from_flat(&[]).unwrap(), vec![]);
    assert_eq!(
        Rect::from_flat(&[1, 2, 3]).unwrap_err(),
        RedactError::NotQuadruples { len: 3 }
    );
    assert_eq!(
        Rect::from_flat(&vec![1; 4 * MAX_RECTS + 4]).unwrap_err(),
        RedactError::TooManyRects {
            given: MAX_RECTS + 1
        }
    );
    assert_eq!(
        Rect::from_flat(&vec![1; 4 * MAX_RECTS]).unwrap().len(),
        1000
    );
}

#[test]
fn encoder_refusals() {
    assert_eq!(encode_png(&[], 0, 1).unwrap_err(), PngError::Empty);
    assert_eq!(encode_png(&[], 1, 0).unwrap_err(), PngError::Empty);
    assert_eq!(
        encode_png(&[0; 12], 2, 2).unwrap_err(),
        PngError::BufferLength {
            expected: 16,
            given: 12
        }
    );
    assert_eq!(
        encode_png(&[], 1 << 31, 1).unwrap_err(),
        PngError::TooLarge {
            width: 1 << 31,
            height: 1
        }
    );
    let e = encode_png(&[], u32::MAX, u32::MAX).unwrap_err();
    assert!(!e.to_string().is_empty());
}

/// Noise (nothing to compress: stored blocks) round-trips exactly, opaque and translucent, and
/// costs little more than its raw size.
#[test]
fn noise_round_trips() {
    let mut rng = Rng(4);
    for (width, height) in [(257, 131), (1000, 70)] {
        for opaque in [true, false] {
            let source = noise(&mut rng, width, height, opaque);
            let png_bytes = check_redaction(&source, width, height, &[]);
            let raw = (width * height * if opaque { 3 } else { 4 } + height) as usize;
            assert!(
                png_bytes.len() < raw + raw / 100 + 100,
                "{}",
                png_bytes.len()
            );
        }
    }
}

/// Sizes down to a pixel, one row, one column, odd widths; opaque and not.
#[test]
fn odd_sizes() {
    let mut rng = Rng(5);
    for (width, height) in [
        (1, 1),
        (1, 2),
        (2, 1),
        (1, 97),
        (97, 1),
        (3, 3),
        (3, 50),
        (5, 7),
        (2, 2),
        (1, 300),
        (300, 1),
    ] {
        for opaque in [true, false] {
            let source = noise(&mut rng, width, height, opaque);
            check_redaction(&source, width, height, &[]);
            check_redaction(&source, width, height, &[rect(0, 0, 1, 1)]);
            check_redaction(&source, width, height, &[rect(width / 2, height / 2, 2, 2)]);
            // Flat: one colour throughout.
            let flat: Vec<u8> = (0..width * height).flat_map(|_| [9, 200, 31, 77]).collect();
            check_redaction(&flat, width, height, &[]);
        }
    }
    // One translucent pixel makes it RGBA; fully opaque is RGB.
    let mut px = vec![255u8; 4 * 4 * 4];
    assert_eq!(
        decode(&encode_png(&px, 4, 4).unwrap()).0,
        png::ColorType::Rgb
    );
    px[4 * 7 + 3] = 254;
    let png_bytes = encode_png(&px, 4, 4).unwrap();
    assert_only_critical_chunks(&png_bytes, 4, 4, 6);
    let (colour, _, _, decoded) = decode(&png_bytes);
    assert_eq!(colour, png::ColorType::Rgba);
    assert_eq!(decoded, px);
}

/// Copies of every length at every distance, in and past the 32 KiB window and across blocks:
/// random rows into which earlier stretches are pasted.
#[test]
fn repeats_near_and_far_round_trip() {
    let mut rng = Rng(6);
    for (width, height, opaque) in [(16_000, 4, false), (700, 90, true), (9_000, 1, true)] {
        let mut source = noise(&mut rng, width, height, opaque);
        let len = source.len();
        for _ in 0..3_000 {
            let copy = rng.below(300) as usize + 1;
            let dist = match rng.below(4) {
                0 => rng.below(16) as usize + 1,
                1 => rng.below(300) as usize + 1,
                2 => rng.below(34_000) as usize + 1,
                _ => 32_768 + rng.below(3) as usize - 1,
            };
            let to = rng.below(len as u64) as usize;
            if to < dist || to + copy > len {
                continue;
            }
            for i in to..to + copy {
                source[i] = source[i - dist];
            }
        }
        if opaque {
            for p in source.chunks_exact_mut(4) {
                p[3] = 255;
            }
        }
        check_redaction(&source, width, height, &[]);
        check_redaction(&source, width, height, &[rect(3, 0, 500, 1)]);
    }
}

/// Runs of one byte longer than any match, and a long image of a few colours: many blocks of
/// fixed codes, matches of 258.
#[test]
fn long_runs_round_trip() {
    let mut rng = Rng(7);
    let (width, height) = (400, 300);
    let mut source = vec![0u8; (width * height * 4) as usize];
    for (i, p) in source.chunks_exact_mut(4).enumerate() {
        let band = (i / 997) % 3;
        p.copy_from_slice(&[[255, 255, 255, 255], [10, 20, 30, 255], [10, 20, 31, 255]][band]);
    }
    check_redaction(&source, width, height, &[rect(0, 0, 400, 150)]);
    for _ in 0..200 {
        let at = rng.below(source.len() as u64) as usize;
        source[at] = rng.next() as u8;
    }
    check_redaction(&source, width, height, &[rect(100, 100, 50, 50)]);
}

fn photo() -> (Vec<u8>, u32, u32) {
    let (colour, width, height, rgba) = decode(PHOTO);
    assert_eq!(colour, png::ColorType::Rgb);
    (rgba, width, height)
}

/// A real photo: redacted and round-tripped like the noise, and not larger than stored.
#[test]
fn a_photo_round_trips() {
    let (rgba, width, height) = photo();
    let png_bytes = check_redaction(&rgba, width, height, &[rect(60, 80, 100, 40)]);
    assert!(png_bytes.len() < (width * height * 3 + height) as usize);
}

const SECRETS: [&str; 4] = [
    "SECRET-EXIF-STRING-123",
    "SECRET-GPS-51.5007N",
    "SECRET-TEXT-STRING-456",
    "SECRET-ITXT-STRING-789",
];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A photo saved with EXIF (an eXIf chunk with camera and GPS strings), tEXt and iTXt: after
/// decoding, redaction and encoding, none of the planted strings is anywhere in the file.
#[test]
fn planted_metadata_is_gone() {
    let (rgba, width, height) = photo();
    let rgb: Vec<u8> = rgba
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    // A TIFF header and then the strings, as a camera's EXIF block carries its make and GPS.
    let mut exif = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    exif.extend_from_slice(SECRETS[0].as_bytes());
    exif.push(0);
    exif.extend_from_slice(SECRETS[1].as_bytes());
    let mut source = Vec::new();
    {
        let mut info = png::Info::with_size(width, height);
        info.color_type = png::ColorType::Rgb;
        info.bit_depth = png::BitDepth::Eight;
        info.exif_metadata = Some(exif.into());
        let mut encoder = png::Encoder::with_info(&mut source, info).unwrap();
        encoder
            .add_text_chunk("Comment".into(), SECRETS[2].into())
            .unwrap();
        encoder
            .add_itxt_chunk("Description".into(), SECRETS[3].into())
            .unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&rgb).unwrap();
        writer.finish().unwrap();
    }
    for secret in SECRETS {
        assert!(contains(&source, secret.as_bytes()), "planted: {secret}");
    }
    // The reference reads the metadata back, and the same pixels.
    let mut reader = png::Decoder::new(std::io::Cursor::new(&source[..]))
        .read_info()
        .unwrap();
    assert!(reader.info().exif_metadata.is_some());
    assert_eq!(reader.info().uncompressed_latin1_text.len(), 1);
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut buf).unwrap();
    assert!(buf == rgb);
    let (_, _, _, decoded) = decode(&source);

    let png_bytes = check_redaction(&decoded, width, height, &[rect(0, 0, 30, 30)]);
    for secret in SECRETS {
        assert!(!contains(&png_bytes, secret.as_bytes()), "left: {secret}");
    }
    for chunk in [
        &b"eXIf"[..],
        b"tEXt",
        b"iTXt",
        b"zTXt",
        b"iCCP",
        b"tIME",
        b"Exif",
    ] {
        assert!(!contains(&png_bytes, chunk));
    }
}

/// A phone-sized screenshot: flat panels, text-like strokes, a black rectangle. Compression
/// must take it under a tenth of its raw size (a size check; nothing here is timed).
#[test]
fn screenshots_compress_well() {
    let mut rng = Rng(8);
    let (width, height) = (390u32, 844u32);
    let (w, h) = (width as usize, height as usize);
    let mut px = vec![0u8; w * h * 4];
    for (i, p) in px.chunks_exact_mut(4).enumerate() {
        let (x, y) = (i % w, i / w);
        let colour = if y < 30 {
            [30, 30, 36, 255]
        } else if (y / 100) % 2 == 1 && x > 40 && x < w - 20 {
            [0, 120, 255, 255]
        } else {
            [242, 242, 247, 255]
        };
        p.copy_from_slice(&colour);
    }
    for line in 0..(h - 40) / 16 {
        let y0 = 40 + line * 16;
        let mut x = 46;
        while x + 8 < w - 26 {
            if rng.below(6) == 0 {
                x += 6;
                continue;
            }
            let grey = [20u8, 60, 110][rng.below(3) as usize];
            for _ in 0..4 {
                let (gx, gy) = (rng.below(6) as usize, rng.below(10) as usize);
                for k in 0..3 {
                    let (xx, yy) = if rng.below(2) == 0 {
                        (x + gx + k, y0 + gy)
                    } else {
                        (x + gx, y0 + gy + k)
                    };
                    let i = (yy * w + xx) * 4;
                    px[i..i + 4].copy_from_slice(&[grey, grey, grey, 255]);
                }
            }
            x += 7;
        }
    }
    let raw = w * h * 3;
    let plain = check_redaction(&px, width, height, &[]);
    assert!(plain.len() * 10 < raw, "{} of {raw}", plain.len());
    let redacted = check_redaction(&px, width, height, &[rect(0, 100, 390, 300)]);
    assert!(redacted.len() < plain.len());
    // All black: under 1% (fixed codes spend 13 bits on each run of 258 bytes).
    let black = check_redaction(&px, width, height, &[rect(0, 0, 390, 844)]);
    assert!(black.len() * 100 < raw, "{}", black.len());
}

/// The reference does check what the tests rely on: a wrong Adler-32 or chunk CRC is refused.
#[test]
fn the_reference_checks_adler_and_crc() {
    let mut rng = Rng(9);
    let png_bytes = encode_png(&noise(&mut rng, 20, 10, false), 20, 10).unwrap();
    let decodes = |bytes: &[u8]| {
        let mut options = png::DecodeOptions::default();
        options.set_ignore_adler32(false);
        let decoder = png::Decoder::new_with_options(std::io::Cursor::new(bytes), options);
        let mut reader = decoder.read_info().map_err(|_| ())?;
        let mut buf = vec![0; reader.output_buffer_size().ok_or(())?];
        reader.next_frame(&mut buf).map_err(|_| ())?;
        reader.finish().map_err(|_| ())
    };
    assert!(decodes(&png_bytes).is_ok());
    // IEND is the last 12 bytes; the IDAT's CRC the 4 before, its Adler-32 the 4 before those.
    let n = png_bytes.len();
    for at in [n - 12 - 4 - 1, n - 12 - 1, 8 + 8 + 13] {
        let mut broken = png_bytes.clone();
        broken[at] ^= 1;
        assert!(decodes(&broken).is_err(), "byte {at} flipped");
    }
}

/// Noise above flat rows and text-like strokes: stored, fixed and dynamic blocks in one stream.
#[test]
fn mixed_content_round_trips() {
    let mut rng = Rng(10);
    let (width, height) = (300, 400);
    let mut source = noise(&mut rng, width, height, true);
    for (i, p) in source.chunks_exact_mut(4).enumerate().skip(300 * 150) {
        let grey = if rng.below(40) == 0 { 40 } else { 250 };
        p.copy_from_slice(&[grey, grey, grey, 255]);
        if i % 7_000 < 50 {
            p[0] = rng.next() as u8;
        }
    }
    check_redaction(&source, width, height, &[]);
    check_redaction(&source, width, height, &[rect(0, 100, 300, 100)]);
    let translucent: Vec<u8> = source
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2], p[1] / 2 + 128])
        .collect();
    check_redaction(&translucent, width, height, &[rect(299, 399, 1, 1)]);
}
