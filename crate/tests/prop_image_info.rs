//! Property tests of the image sniffer (`image_info`): any bytes give an answer, never a panic,
//! and headers laid out as each format's specification says give the format and the size they
//! declare, whatever follows them and however they are cut. Native only; `PROPTEST_CASES` runs
//! them longer (`make fuzz`, docs/testing.md).
#![cfg(not(target_arch = "wasm32"))]

mod prop_config;

use prop_config::config;
use proptest::prelude::*;
use report_helper::{image_info, ImageFormat, Orientation};

/// A header written from a format's specification, with the size it declares and how many
/// bytes must be there before the format can be told at all.
#[derive(Clone, Debug)]
struct Header {
    bytes: Vec<u8>,
    format: ImageFormat,
    size: (u32, u32),
    recognised_from: usize,
}

/// PNG: the signature, then the IHDR chunk (length 13, "IHDR", width and height big-endian).
fn png() -> BoxedStrategy<Header> {
    (any::<u32>(), any::<u32>(), any::<[u8; 5]>())
        .prop_map(|(w, h, rest)| {
            let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
            b.extend(w.to_be_bytes());
            b.extend(h.to_be_bytes());
            b.extend(rest);
            Header {
                bytes: b,
                format: ImageFormat::Png,
                size: (w, h),
                recognised_from: 8,
            }
        })
        .boxed()
}

/// GIF: "GIF87a" or "GIF89a", then the logical screen's width and height, little-endian.
fn gif() -> BoxedStrategy<Header> {
    (any::<bool>(), any::<u16>(), any::<u16>())
        .prop_map(|(old, w, h)| {
            let mut b = if old { b"GIF87a" } else { b"GIF89a" }.to_vec();
            b.extend(w.to_le_bytes());
            b.extend(h.to_le_bytes());
            Header {
                bytes: b,
                format: ImageFormat::Gif,
                size: (w.into(), h.into()),
                recognised_from: 6,
            }
        })
        .boxed()
}

/// BMP: "BM", file size, reserved, pixel offset, then a DIB header. In the 12-byte
/// BITMAPCOREHEADER (OS/2 1.x) width and height are unsigned 16-bit; in the larger ones
/// (BITMAPINFOHEADER and its successors) signed 32-bit, a negative height meaning rows stored
/// top down.
fn bmp() -> BoxedStrategy<Header> {
    let start = |file: [u8; 12], dib: u32| {
        let mut b = b"BM".to_vec();
        b.extend(file);
        b.extend(dib.to_le_bytes());
        b
    };
    prop_oneof![
        (
            any::<[u8; 12]>(),
            any::<u16>(),
            any::<u16>(),
            any::<[u8; 4]>()
        )
            .prop_map(move |(file, w, h, planes_and_bits)| {
                let mut b = start(file, 12);
                b.extend(w.to_le_bytes());
                b.extend(h.to_le_bytes());
                b.extend(planes_and_bits);
                Header {
                    bytes: b,
                    format: ImageFormat::Bmp,
                    size: (w.into(), h.into()),
                    recognised_from: 18,
                }
            }),
        (
            any::<[u8; 12]>(),
            proptest::sample::select(vec![40u32, 52, 56, 64, 108, 124]),
            any::<i32>(),
            any::<i32>(),
        )
            .prop_map(move |(file, dib, w, h)| {
                let mut b = start(file, dib);
                b.extend(w.to_le_bytes());
                b.extend(h.to_le_bytes());
                Header {
                    bytes: b,
                    format: ImageFormat::Bmp,
                    size: (w as u32, h.unsigned_abs()),
                    recognised_from: 18,
                }
            }),
    ]
    .boxed()
}

/// WebP (RIFF, "WEBP", then one of the three first chunks): VP8X with 24-bit width and height
/// less one; VP8L with its 0x2f signature and 14-bit width and height less one; VP8 with a key
/// frame's start code and 14-bit width and height (two bits of scale above them).
fn webp() -> BoxedStrategy<Header> {
    let riff = |size: u32, chunk: &[u8], chunk_size: u32| {
        let mut b = b"RIFF".to_vec();
        b.extend(size.to_le_bytes());
        b.extend(b"WEBP");
        b.extend(chunk);
        b.extend(chunk_size.to_le_bytes());
        b
    };
    prop_oneof![
        (any::<u32>(), any::<u32>(), 0u32..1 << 24, 0u32..1 << 24).prop_map(
            move |(size, flags, w1, h1)| {
                let mut b = riff(size, b"VP8X", 10);
                b.extend(flags.to_le_bytes());
                b.extend(&w1.to_le_bytes()[..3]);
                b.extend(&h1.to_le_bytes()[..3]);
                Header {
                    bytes: b,
                    format: ImageFormat::WebP,
                    size: (w1 + 1, h1 + 1),
                    recognised_from: 12,
                }
            }
        ),
        (any::<u32>(), 0u32..1 << 14, 0u32..1 << 14, 0u32..16).prop_map(
            move |(size, w1, h1, top)| {
                let mut b = riff(size, b"VP8L", 5);
                b.push(0x2f);
                b.extend((w1 | h1 << 14 | top << 28).to_le_bytes());
                Header {
                    bytes: b,
                    format: ImageFormat::WebP,
                    size: (w1 + 1, h1 + 1),
                    recognised_from: 12,
                }
            }
        ),
        (any::<u32>(), any::<[u8; 3]>(), any::<u16>(), any::<u16>()).prop_map(
            move |(size, tag, w, h)| {
                let mut b = riff(size, b"VP8 ", 10);
                b.extend(tag);
                b.extend([0x9d, 0x01, 0x2a]);
                b.extend(w.to_le_bytes());
                b.extend(h.to_le_bytes());
                Header {
                    bytes: b,
                    format: ImageFormat::WebP,
                    size: (u32::from(w & 0x3fff), u32::from(h & 0x3fff)),
                    recognised_from: 12,
                }
            }
        ),
    ]
    .boxed()
}

/// JPEG: SOI, any number of segments that are not a frame header (APPn, COM, DQT, DHT, DAC,
/// JPG, each with its length and bytes, any marker padded with 0xFF), then a frame header
/// (SOF0-SOF15 but DHT, JPG and DAC): length, precision, height, width (big-endian).
fn jpeg() -> BoxedStrategy<Header> {
    let segment = (
        proptest::sample::select(vec![
            0xe0u8, 0xe1, 0xe2, 0xed, 0xef, 0xfe, 0xdb, 0xc4, 0xc8, 0xcc,
        ]),
        0usize..3,
        proptest::collection::vec(any::<u8>(), 0..80),
    );
    (
        proptest::collection::vec(segment, 0..5),
        0usize..3,
        proptest::sample::select(vec![
            0xc0u8, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
        ]),
        any::<u8>(),
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(|(segments, pad, sof, precision, h, w)| {
            let mut b = vec![0xff, 0xd8];
            for (marker, pad, data) in segments {
                b.extend(std::iter::repeat_n(0xff, pad + 1));
                b.push(marker);
                b.extend((data.len() as u16 + 2).to_be_bytes());
                b.extend(data);
            }
            b.extend(std::iter::repeat_n(0xff, pad + 1));
            b.push(sof);
            b.extend(17u16.to_be_bytes());
            b.push(precision);
            b.extend(h.to_be_bytes());
            b.extend(w.to_be_bytes());
            Header {
                bytes: b,
                format: ImageFormat::Jpeg,
                size: (w.into(), h.into()),
                recognised_from: 3,
            }
        })
        .boxed()
}

/// AVIF: an `ftyp` box with the brand "avif" or "avis", then the first `ispe` property (box
/// size, "ispe", version and flags, width and height big-endian), here straight after it.
fn avif() -> BoxedStrategy<Header> {
    (any::<bool>(), any::<u32>(), any::<u32>())
        .prop_map(|(still, w, h)| {
            let mut b = 16u32.to_be_bytes().to_vec();
            b.extend(b"ftyp");
            b.extend(if still { b"avif" } else { b"avis" });
            b.extend(0u32.to_be_bytes());
            b.extend(20u32.to_be_bytes());
            b.extend(b"ispe");
            b.extend(0u32.to_be_bytes());
            b.extend(w.to_be_bytes());
            b.extend(h.to_be_bytes());
            Header {
                bytes: b,
                format: ImageFormat::Avif,
                size: (w, h),
                recognised_from: 12,
            }
        })
        .boxed()
}

fn header() -> BoxedStrategy<Header> {
    prop_oneof![png(), gif(), bmp(), webp(), jpeg(), avif()].boxed()
}

/// Bytes a sniffer may be given: anything, or anything after one of the signatures it knows,
/// so that the parsing behind each signature is reached too.
fn any_head() -> BoxedStrategy<Vec<u8>> {
    let signatures: Vec<&[u8]> = vec![
        b"",
        b"\xff\xd8\xff",
        b"\x89PNG\r\n\x1a\n",
        b"GIF89a",
        b"RIFF\0\0\0\0WEBPVP8 ",
        b"RIFF\0\0\0\0WEBPVP8L",
        b"RIFF\0\0\0\0WEBPVP8X",
        b"BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0",
        b"\0\0\0\x1cftypavif",
        // An Exif segment's TIFF header, so that the orientation's parser is reached.
        b"\xff\xd8\xff\xe1\x01\x00Exif\0\0II*\0",
        b"\xff\xd8\xff\xe1\x01\x00Exif\0\0MM\0*",
    ];
    (
        proptest::sample::select(signatures),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(signature, rest)| [signature, &rest].concat())
        .boxed()
}

proptest! {
    #![proptest_config(config(1024))]

    /// Any bytes: an answer, never a panic.
    #[test]
    fn any_bytes_give_an_answer(head in any_head()) {
        let _ = image_info(&head);
    }

    /// An Exif segment of any other IFD0 entries with the orientation tag among them, in either
    /// byte order, gives that orientation; a value outside 1-8 gives 1.
    #[test]
    fn an_exif_segment_gives_its_orientation(
        little in any::<bool>(),
        others in proptest::collection::vec((any::<u16>(), any::<u16>(), any::<u32>(), any::<u32>()), 0..8),
        at in any::<proptest::sample::Index>(),
        value in 0u16..12,
    ) {
        let w16 = |v: u16| if little { v.to_le_bytes() } else { v.to_be_bytes() };
        let w32 = |v: u32| if little { v.to_le_bytes() } else { v.to_be_bytes() };
        let mut entries: Vec<_> = others.into_iter().filter(|e| e.0 != 0x0112).collect();
        let mut value_field = [0u8; 4];
        value_field[..2].copy_from_slice(&w16(value));
        entries.insert(at.index(entries.len() + 1), (0x0112, 3, 1, u32::from_ne_bytes(value_field)));
        let mut tiff = if little { b"II*\0".to_vec() } else { b"MM\0*".to_vec() };
        tiff.extend(w32(8));
        tiff.extend(w16(entries.len() as u16));
        for (tag, kind, count, field) in entries {
            tiff.extend(w16(tag));
            tiff.extend(w16(kind));
            tiff.extend(w32(count));
            tiff.extend(field.to_ne_bytes());
        }
        tiff.extend([0; 4]);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend(((tiff.len() + 8) as u16).to_be_bytes());
        jpeg.extend(b"Exif\0\0");
        jpeg.extend(tiff);
        jpeg.extend([0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        let want = Orientation::from_exif(value.into()).unwrap_or_default();
        prop_assert_eq!(image_info(&jpeg).unwrap().orientation, want);
    }

    /// A header as the format's specification lays it out, with any bytes after it, gives
    /// that format and the size it declares.
    #[test]
    fn a_header_gives_its_format_and_size(
        header in header(),
        rest in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let bytes = [&header.bytes[..], &rest].concat();
        let info = image_info(&bytes).expect("a header of a known format");
        prop_assert_eq!(info.format, header.format);
        prop_assert_eq!(info.dimensions, Some(header.size));
    }

    /// A header cut short anywhere after its signature keeps its format, and gives either no
    /// size or the size the whole header declares, never another one.
    #[test]
    fn a_cut_header_keeps_its_format(header in header(), cut in any::<proptest::sample::Index>()) {
        let len = header.recognised_from
            + cut.index(header.bytes.len() - header.recognised_from + 1);
        let info = image_info(&header.bytes[..len]).expect("a signature of a known format");
        prop_assert_eq!(info.format, header.format);
        if let Some(size) = info.dimensions {
            prop_assert_eq!(size, header.size, "from {} of {} bytes", len, header.bytes.len());
        }
    }
}
