//! Times the core's PDQ on raw RGB pixels, for `make bench` (not a test).
//! Usage: `pdq_time RGBFILE WIDTH HEIGHT [RUNS] [ORIENTATION]`; prints one JSON line. With an
//! EXIF ORIENTATION (1-8; default none) the pixels go through `PdqHasher::orient` as stored, in
//! bands of 128 rows as the page's worker pushes them, and both pictures are hashed.

use std::time::Instant;

use report_helper::pdq::{hash_pixels, Pdq, PdqHasher, PdqSize, PixelLayout};
use report_helper::Orientation;

/// The displayed picture's result, hashed through `orient` from the stored pixels.
fn hash_oriented(rgb: &[u8], width: u32, height: u32, orientation: Orientation) -> Pdq {
    let mut hasher = PdqHasher::new(width, height, PixelLayout::Rgb, PdqSize::Full).unwrap();
    hasher.orient(orientation, false).unwrap();
    for band in rgb.chunks(width as usize * 3 * 128) {
        hasher.push_rows(band).unwrap();
    }
    hasher.finish_oriented().unwrap().displayed
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: pdq_time RGBFILE WIDTH HEIGHT [RUNS]");
        std::process::exit(2);
    }
    let rgb = std::fs::read(&args[1]).expect("read RGBFILE");
    let width: u32 = args[2].parse().expect("WIDTH");
    let height: u32 = args[3].parse().expect("HEIGHT");
    let runs: usize = args.get(4).map_or(7, |r| r.parse().expect("RUNS"));
    let orientation = args
        .get(5)
        .map(|o| Orientation::from_exif(o.parse().expect("ORIENTATION")).expect("1-8"));
    let hash = || match orientation {
        None => hash_pixels(&rgb, width, height, PixelLayout::Rgb, PdqSize::Full).expect("hash"),
        Some(o) => hash_oriented(&rgb, width, height, o),
    };

    let first = hash();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let pdq = hash();
            let ms = start.elapsed().as_secs_f64() * 1e3;
            assert_eq!(pdq, first);
            ms
        })
        .collect();
    let list = times
        .iter()
        .map(|t| format!("{t:.2}"))
        .collect::<Vec<_>>()
        .join(",");
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"impl\":\"report-helper core (native)\",\"times_ms\":[{list}],\"median_ms\":{:.2},\"hash\":\"{}\",\"quality\":{}}}",
        times[times.len() / 2],
        first.hash,
        first.quality
    );
}
