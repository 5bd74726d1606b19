//! Property test of the streamed filter: for any size and pixels, the rows pushed one at a time
//! through `Downsampler` give, bit for bit, the 64x64 grid of the direct transcription of the
//! reference's full-image strided passes (`tests::reference_downsample`). The unit test beside
//! it checks thirteen chosen sizes; this one any size, windows of 1 to 8 included. Native only;
//! `PROPTEST_CASES` runs it longer (`make fuzz`, docs/testing.md).

use proptest::prelude::*;

use super::tests::{noise, reference_downsample};
use super::Downsampler;
use crate::pdq::PixelLayout;

/// `default` cases, or `PROPTEST_CASES` when it is set.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn streamed_filter_equals_the_transcription(
        (width, height) in prop_oneof![
            2 => (1usize..=260, 1usize..=260),
            1 => (1usize..=1000, 1usize..=24),
            1 => (1usize..=24, 1usize..=1000),
        ],
        layout in prop_oneof![
            Just(PixelLayout::Rgb),
            Just(PixelLayout::Rgba),
            Just(PixelLayout::Bgra)
        ],
        seed in any::<u64>(),
    ) {
        let channels = layout.channels();
        let data = noise(width * height * channels, seed);
        let mut down = Downsampler::new(width, height, layout);
        data.chunks(width * channels).for_each(|row| down.push_row(row));
        let streamed = down.finish();
        let reference = reference_downsample(&data, width, height, layout);
        for i in 0..64 {
            for j in 0..64 {
                prop_assert_eq!(
                    streamed[i][j].to_bits(),
                    reference[i][j].to_bits(),
                    "{}x{} {:?} at ({}, {})", width, height, layout, i, j
                );
            }
        }
    }
}
