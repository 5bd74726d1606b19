//! PDQ against Meta's reference outputs: for each image in `tests/fixtures/pdq/decoded` (the exact
//! pixels the reference hashed), hash, quality and all eight dihedral hashes must equal the rows
//! of `expected/pdq_cpp_full.csv` and, at the `cli512` size, `expected/pdq_cpp_cli512.csv`.
//! The same test runs natively and, under `wasm-bindgen-test`, in headless Chromium.

use report_helper::pdq::{hash_pixels, Pdq, PdqSize, PixelLayout};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

macro_rules! vectors {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/pdq/decoded/", $name
        )) as &[u8])),*]
    };
}

/// Every file of `decoded/`; `every_decoded_file_is_listed` checks that none is missing.
const DECODED: &[(&str, &[u8])] = vectors![
    "bridge-mods__shrink-a-lot.jpg.rgb.png",
    "bridge-mods__square-128x128.jpg.rgb.png",
    "bridge-mods__square-256x256.jpg.rgb.png",
    "misc-images__small.jpg.rgb.png",
    "misc-images__wee.jpg.rgb.png",
    "reg-test-input__dih__bridge-1-original.jpg.rgb.png",
    "reg-test-input__labelme-subset__q0003.jpg.rgb.png",
    "reg-test-input__labelme-subset__q0004.jpg.rgb.png",
    "reg-test-input__labelme-subset__q0122.jpg.rgb.png",
    "reg-test-input__labelme-subset__q0291.jpg.rgb.png",
    "reg-test-input__labelme-subset__q0746.jpg.rgb.png",
    "reg-test-input__labelme-subset__q1050.jpg.rgb.png",
    "reg-test-input__labelme-subset__q2821.jpg.rgb.png",
];

const FULL_CSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/pdq/expected/pdq_cpp_full.csv"
));
const CLI512_CSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/pdq/expected/pdq_cpp_cli512.csv"
));

struct Row<'a> {
    cells: Vec<&'a str>,
    header: &'a [&'a str],
}

impl<'a> Row<'a> {
    fn get(&self, column: &str) -> &'a str {
        let i = self.header.iter().position(|h| *h == column).expect(column);
        self.cells[i]
    }
}

/// The CSV row for a decoded file: `a__b__c.jpg.rgb.png` is the image `a/b/c.jpg`.
fn expected<'a>(csv: &'a str, header: &'a [&'a str], decoded: &str) -> Row<'a> {
    let file = decoded.strip_suffix(".rgb.png").unwrap().replace("__", "/");
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|cells| cells[0] == file)
        .map(|cells| Row { cells, header })
        .unwrap_or_else(|| panic!("{file} is not in the CSV"))
}

fn decode_rgb(png_bytes: &[u8]) -> (Vec<u8>, u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    (buf, info.width, info.height)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn check(csv: &str, size: PdqSize) {
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let mut failures = Vec::new();
    for (name, png_bytes) in DECODED {
        let (rgb, w, h) = decode_rgb(png_bytes);
        let row = expected(csv, &header, name);
        // Same bytes in as the reference had, or the comparison means nothing.
        assert_eq!(sha256_hex(&rgb), row.get("decoded_rgb_sha256"), "{name}");
        assert_eq!(
            (w.to_string(), h.to_string()),
            (row.get("width").into(), row.get("height").into())
        );

        let pdq: Pdq = hash_pixels(&rgb, w, h, PixelLayout::Rgb, size).unwrap();
        let d = &pdq.dihedral;
        let got = [
            ("quality", pdq.quality.to_string()),
            ("hashed_width", pdq.hashed_width.to_string()),
            ("hashed_height", pdq.hashed_height.to_string()),
            ("hash", pdq.hash.to_hex()),
            ("rot90", d.rotate90.to_hex()),
            ("rot180", d.rotate180.to_hex()),
            ("rot270", d.rotate270.to_hex()),
            ("flipx", d.flip_x.to_hex()),
            ("flipy", d.flip_y.to_hex()),
            ("flipp", d.flip_plus1.to_hex()),
            ("flipm", d.flip_minus1.to_hex()),
        ];
        for (column, value) in got {
            if value != row.get(column) {
                failures.push(format!(
                    "{name} {}: {column} {value}, expected {}",
                    size.name(),
                    row.get(column)
                ));
            }
        }

        // RGBA or BGRA with any alpha must give the same result: the reference ignores alpha.
        let rgba: Vec<u8> = rgb
            .chunks(3)
            .enumerate()
            .flat_map(|(i, p)| [p[0], p[1], p[2], (i * 37) as u8])
            .collect();
        let pdq_rgba = hash_pixels(&rgba, w, h, PixelLayout::Rgba, size).unwrap();
        assert_eq!(pdq_rgba, pdq, "{name}: RGBA differs from RGB");
        let bgra: Vec<u8> = rgba
            .chunks(4)
            .flat_map(|p| [p[2], p[1], p[0], p[3]])
            .collect();
        let pdq_bgra = hash_pixels(&bgra, w, h, PixelLayout::Bgra, size).unwrap();
        assert_eq!(pdq_bgra, pdq, "{name}: BGRA differs from RGB");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn full_size_matches_reference() {
    check(FULL_CSV, PdqSize::Full);
}

#[test]
fn cli512_matches_reference() {
    check(CLI512_CSV, PdqSize::Cli512);
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_decoded_file_is_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/pdq/decoded");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    let listed: Vec<String> = DECODED.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(on_disk, listed);
}
