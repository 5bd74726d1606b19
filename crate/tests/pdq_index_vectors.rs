//! The PDQ index on Meta's own index vectors (`pdq/data/reg-test-input/haystack.txt`, 1,350
//! hashes, and `needles.txt`, 100, which upstream's MIH tests search): for every needle and every
//! threshold from 0 to 63, `search` finds exactly what `scan` finds, and at 31 both find what a
//! brute force written here (a popcount over the hex, no code of the crate) finds.
#![cfg(not(target_arch = "wasm32"))]

use report_helper::pdq::index::PdqIndex;
use report_helper::PdqHash;

const ROOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/pdq/upstream/pdq/data/reg-test-input/"
);

fn hex_lines(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("{ROOT}{name}")).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(lines.iter().all(|l| l.len() == 64), "{name}");
    lines
}

/// Hamming distance of two hashes in hex, digit by digit.
fn hex_distance(a: &str, b: &str) -> u32 {
    a.chars()
        .zip(b.chars())
        .map(|(x, y)| (x.to_digit(16).unwrap() ^ y.to_digit(16).unwrap()).count_ones())
        .sum()
}

fn sorted(mut v: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    v.sort_unstable();
    v
}

#[test]
fn search_equals_scan_on_metas_haystack_and_needles() {
    let haystack = hex_lines("haystack.txt");
    let needles = hex_lines("needles.txt");
    assert_eq!((haystack.len(), needles.len()), (1350, 100));
    let parse = |h: &String| h.parse::<PdqHash>().unwrap();
    let index = PdqIndex::new(haystack.iter().map(parse).collect());
    assert_eq!(index.len(), haystack.len());
    for (slot, hex) in haystack.iter().enumerate() {
        assert_eq!(index.hash(slot as u32).to_hex(), *hex);
    }
    let (mut searched, mut scanned) = (Vec::new(), Vec::new());
    let mut found_at_31 = 0;
    for needle_hex in &needles {
        let needle = parse(needle_hex);
        for threshold in 0..=63 {
            searched.clear();
            scanned.clear();
            index.search(&needle, threshold, &mut searched);
            index.scan(&needle, threshold, &mut scanned);
            let searched = sorted(searched.clone());
            // Each hash once.
            assert!(
                searched.windows(2).all(|w| w[0].0 != w[1].0),
                "{needle_hex} at {threshold}"
            );
            assert_eq!(
                searched,
                sorted(scanned.clone()),
                "{needle_hex} at {threshold}"
            );
            if threshold == 31 {
                let brute: Vec<(u32, u32)> = haystack
                    .iter()
                    .enumerate()
                    .map(|(slot, h)| (slot as u32, hex_distance(needle_hex, h)))
                    .filter(|&(_, d)| d <= 31)
                    .collect();
                assert_eq!(searched, brute, "{needle_hex}");
                found_at_31 += brute.len();
            }
        }
    }
    // The vectors are made so that needles have near neighbours: the test is not vacuous.
    assert!(found_at_31 >= needles.len(), "{found_at_31}");
}
