//! `image_info` reads the stored size of every vector image (JPEG, PNG) as the reference decoder
//! reported it: the `width` and `height` columns of `expected/pdq_cpp_full.csv`.
#![cfg(not(target_arch = "wasm32"))]

use report_helper::image_info;

#[test]
fn sizes_match_the_reference_decoder() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/pdq");
    let csv = std::fs::read_to_string(format!("{root}/expected/pdq_cpp_full.csv")).unwrap();
    let mut checked = 0;
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (file, in_vectors, width, height) = (cells[0], cells[1], cells[2], cells[3]);
        if in_vectors != "1" {
            continue;
        }
        let bytes = std::fs::read(format!("{root}/upstream/pdq/data/{file}")).unwrap();
        let head = &bytes[..bytes.len().min(64 << 10)];
        let info = image_info(head).unwrap_or_else(|| panic!("{file}: not recognised"));
        let (w, h) = info.dimensions.unwrap_or_else(|| panic!("{file}: no size"));
        assert_eq!(
            (w.to_string(), h.to_string()),
            (width.into(), height.into()),
            "{file}"
        );
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} vector images checked");
}
