//! Property tests of the PNG writer (`encode_png`): any image of 1 to 64 pixels a side, any
//! RGBA, decodes with the `png` crate to the same pixels, in a file of IHDR, IDAT and IEND only.
//! Native only; `PROPTEST_CASES` runs them longer (`make fuzz`, docs/testing.md).
#![cfg(not(target_arch = "wasm32"))]

mod prop_config;

use prop_config::config;
use proptest::prelude::*;
use report_helper::encode_png;

/// An RGBA image: its width, height and pixels. Noise alone would mostly leave rows unfiltered,
/// so rows are also smooth (gradients), flat, or the row above changed a little, where the
/// writer's Sub, Up, Average and Paeth filters win; and half the images are opaque, which the
/// writer stores as RGB.
fn image() -> impl Strategy<Value = (u32, u32, Vec<u8>)> {
    (1u32..=64, 1u32..=64).prop_flat_map(|(w, h)| {
        let row = w as usize * 4;
        let kinds = proptest::collection::vec((0u8..4, any::<u8>(), any::<u8>()), h as usize);
        let noise = proptest::collection::vec(any::<u8>(), row * h as usize);
        (Just(w), Just(h), kinds, noise, any::<bool>()).prop_map(
            move |(w, h, kinds, mut px, opaque)| {
                for (y, &(kind, start, step)) in kinds.iter().enumerate() {
                    let (above, this) = px.split_at_mut(y * row);
                    let this = &mut this[..row];
                    match kind {
                        0 => {} // noise
                        1 => this
                            .iter_mut()
                            .enumerate()
                            .for_each(|(i, b)| *b = start.wrapping_add(step.wrapping_mul(i as u8))),
                        2 => this.fill(start),
                        _ if y > 0 => {
                            let above = &above[(y - 1) * row..];
                            for (i, b) in this.iter_mut().enumerate() {
                                *b = above[i].wrapping_add(*b % 3);
                            }
                        }
                        _ => {}
                    }
                }
                if opaque {
                    px.chunks_exact_mut(4).for_each(|p| p[3] = 255);
                }
                (w, h, px)
            },
        )
    })
}

/// The chunk types of a PNG file, in order, as the specification lays them out: the 8-byte
/// signature, then length (big-endian), type, data and CRC-32 for each chunk.
fn chunk_types(png: &[u8]) -> Vec<[u8; 4]> {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "the PNG signature");
    let mut types = Vec::new();
    let mut at = 8;
    while at < png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        types.push(png[at + 4..at + 8].try_into().unwrap());
        at += 12 + len;
    }
    assert_eq!(at, png.len(), "the last chunk ends the file");
    types
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn png_decodes_to_the_same_pixels((w, h, rgba) in image()) {
        let png = encode_png(&rgba, w, h).unwrap();
        prop_assert_eq!(chunk_types(&png), [*b"IHDR", *b"IDAT", *b"IEND"]);

        // The png crate checks every chunk's CRC-32 and the zlib stream's Adler-32.
        let mut decoder = png::Decoder::new(std::io::Cursor::new(&png)).read_info().unwrap();
        let mut pixels = vec![0; decoder.output_buffer_size().unwrap()];
        let info = decoder.next_frame(&mut pixels).unwrap();
        prop_assert_eq!((info.width, info.height), (w, h));
        prop_assert_eq!(info.bit_depth, png::BitDepth::Eight);
        let opaque = rgba.chunks_exact(4).all(|p| p[3] == 255);
        if opaque {
            prop_assert_eq!(info.color_type, png::ColorType::Rgb);
            let rgb: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
            prop_assert_eq!(&pixels[..info.buffer_size()], &rgb[..]);
        } else {
            prop_assert_eq!(info.color_type, png::ColorType::Rgba);
            prop_assert_eq!(&pixels[..info.buffer_size()], &rgba[..]);
        }
    }
}
