//! EXIF orientation against Meta's reference (issue 19): for each of `oriented/orientation-N.jpg`
//! (one upstream vector with an Exif segment saying N), the core reads N from the file's first
//! bytes, and a hasher told N gives both rows of `expected/pdq_oriented.csv` (the reference on
//! Pillow's `exif_transpose` of the picture, and on the stored pixels), whether it is fed the
//! stored pixels or the picture as displayed. The stored pixels are the reference's own decode of
//! the upstream file (`decoded/`); the displayed ones are made here, by the EXIF definitions.
//! The same test runs natively and, under `wasm-bindgen-test`, in headless Chromium.

use report_helper::image_info;
use report_helper::pdq::{PdqHasher, PdqSize, PixelLayout};
use report_helper::Orientation;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/pdq/",
            $path
        )) as &[u8]
    };
}

const JPEGS: [&[u8]; 8] = [
    fixture!("oriented/orientation-1.jpg"),
    fixture!("oriented/orientation-2.jpg"),
    fixture!("oriented/orientation-3.jpg"),
    fixture!("oriented/orientation-4.jpg"),
    fixture!("oriented/orientation-5.jpg"),
    fixture!("oriented/orientation-6.jpg"),
    fixture!("oriented/orientation-7.jpg"),
    fixture!("oriented/orientation-8.jpg"),
];
/// The reference's decode of the upstream file the eight were made from (pixels untouched).
const STORED_PNG: &[u8] = fixture!("decoded/bridge-mods__shrink-a-lot.jpg.rgb.png");
const CSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/pdq/expected/pdq_oriented.csv"
));

fn decode_rgb(png_bytes: &[u8]) -> (Vec<u8>, usize, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (buf, info.width as usize, info.height as usize)
}

/// The picture as displayed: for each displayed place, the stored pixel EXIF says shows there.
fn displayed(stored: &[u8], w: usize, h: usize, n: u8) -> (Vec<u8>, usize, usize) {
    let (dw, dh) = if n >= 5 { (h, w) } else { (w, h) };
    let mut out = Vec::with_capacity(stored.len());
    for dy in 0..dh {
        for dx in 0..dw {
            let (sx, sy) = match n {
                1 => (dx, dy),
                2 => (w - 1 - dx, dy),
                3 => (w - 1 - dx, h - 1 - dy),
                4 => (dx, h - 1 - dy),
                5 => (dy, dx),
                6 => (dy, h - 1 - dx),
                7 => (w - 1 - dy, h - 1 - dx),
                8 => (w - 1 - dy, dx),
                _ => unreachable!(),
            };
            out.extend_from_slice(&stored[(sy * w + sx) * 3..][..3]);
        }
    }
    (out, dw, dh)
}

/// (hash, quality, stored hash or None) of `pixels` fed in bands of 7 rows after `orient`.
fn hash(
    pixels: &[u8],
    w: usize,
    h: usize,
    n: u8,
    as_displayed: bool,
) -> (String, String, Option<(String, String)>) {
    let mut hasher = PdqHasher::new(w as u32, h as u32, PixelLayout::Rgb, PdqSize::Full).unwrap();
    hasher
        .orient(Orientation::from_exif(n.into()).unwrap(), as_displayed)
        .unwrap();
    for band in pixels.chunks(w * 3 * 7) {
        hasher.push_rows(band).unwrap();
    }
    let got = hasher.finish_oriented().unwrap();
    (
        got.displayed.hash.to_hex(),
        got.displayed.quality.to_string(),
        got.stored.map(|s| (s.hash.to_hex(), s.quality.to_string())),
    )
}

#[test]
fn every_orientation_gives_the_references_two_hashes() {
    let (stored, w, h) = decode_rgb(STORED_PNG);
    let header: Vec<&str> = CSV.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header,
        [
            "file",
            "orientation",
            "width",
            "height",
            "hash",
            "quality",
            "stored_hash",
            "stored_quality"
        ]
    );
    let rows: Vec<Vec<&str>> = CSV
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 8);
    for (i, row) in rows.iter().enumerate() {
        let n = (i + 1) as u8;
        assert_eq!(row[0], format!("oriented/orientation-{n}.jpg"));
        assert_eq!(row[1], n.to_string());
        let info = image_info(&JPEGS[i][..JPEGS[i].len().min(64 << 10)]).unwrap();
        assert_eq!(info.orientation.exif(), n, "orientation-{n}.jpg");
        assert_eq!(info.dimensions, Some((w as u32, h as u32)), "stored size");

        let (shown, dw, dh) = displayed(&stored, w, h, n);
        assert_eq!(
            (dw.to_string(), dh.to_string()),
            (row[2].into(), row[3].into())
        );
        let want_stored = (n != 1).then(|| (row[6].to_string(), row[7].to_string()));
        let want = (row[4].to_string(), row[5].to_string(), want_stored);
        assert_eq!(
            hash(&stored, w, h, n, false),
            want,
            "{n}, stored pixels pushed"
        );
        assert_eq!(
            hash(&shown, dw, dh, n, true),
            want,
            "{n}, displayed picture pushed"
        );
    }
}
