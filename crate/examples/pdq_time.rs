//! Times the core's PDQ on raw RGB pixels, for `make bench` (not a test).
//! Usage: `pdq_time RGBFILE WIDTH HEIGHT [RUNS]`; prints one JSON line.

use std::time::Instant;

use report_helper::pdq::{hash_pixels, PdqSize, PixelLayout};

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

    let first = hash_pixels(&rgb, width, height, PixelLayout::Rgb, PdqSize::Full).expect("hash");
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let pdq = hash_pixels(&rgb, width, height, PixelLayout::Rgb, PdqSize::Full).unwrap();
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
