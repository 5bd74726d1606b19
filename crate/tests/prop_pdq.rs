//! Property tests of the streamed PDQ hasher: the rows of an image pushed in bands of any sizes
//! (empty bands too) give exactly what the whole image pushed at once gives: hash, quality,
//! dihedral hashes and hashed size, at both sizes, in every pixel layout. Native only;
//! `PROPTEST_CASES` runs them longer (`make fuzz`, docs/testing.md).
#![cfg(not(target_arch = "wasm32"))]

mod prop_config;

use prop_config::config;
use proptest::prelude::*;
use report_helper::pdq::PdqHasher;
use report_helper::{hash_pixels, PdqSize, PixelLayout};

/// `len` bytes of noise from `seed` (a 64-bit LCG's top bytes): an image's pixels without
/// generating each byte through proptest, so that large images stay cheap.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 56) as u8
        })
        .collect()
}

/// Width and height: small and awkward ones (under the 5 pixels PDQ needs, not multiples of
/// the filter's 8 lanes, windows of 1 to 2), and, for `cli512`, one side over 512 so that the
/// image is resized row by row (a source row sampled by several destination rows, or none).
fn size() -> impl Strategy<Value = (u32, u32, PdqSize)> {
    prop_oneof![
        4 => (1u32..=200, 1u32..=200, Just(PdqSize::Full)),
        1 => (1u32..=200, 1u32..=200, Just(PdqSize::Cli512)),
        1 => (513u32..=900, 1u32..=120, Just(PdqSize::Cli512)),
        1 => (1u32..=120, 513u32..=900, Just(PdqSize::Cli512)),
    ]
}

fn layout() -> impl Strategy<Value = PixelLayout> {
    prop_oneof![
        Just(PixelLayout::Rgb),
        Just(PixelLayout::Rgba),
        Just(PixelLayout::Bgra)
    ]
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn any_bands_of_rows_give_the_whole_image_hash(
        (width, height, size) in size(),
        layout in layout(),
        seed in any::<u64>(),
        cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..12),
    ) {
        let row = width as usize * layout.channels();
        let pixels = noise(row * height as usize, seed);
        let whole = hash_pixels(&pixels, width, height, layout, size).unwrap();

        // Band boundaries: any rows, in order, repeats (empty bands) included.
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(height as usize + 1)).collect();
        cuts.sort_unstable();
        cuts.push(height as usize);
        let mut hasher = PdqHasher::new(width, height, layout, size).unwrap();
        let mut start = 0;
        for end in cuts {
            hasher.push_rows(&pixels[start * row..end * row]).unwrap();
            start = end;
        }
        prop_assert_eq!(hasher.finish().unwrap(), whole);
    }
}
