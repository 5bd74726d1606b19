//! Size and time of `encode_png` on a synthetic 1170x2532 screenshot (flat panels, text-like
//! strokes, black redaction rectangles) and on noise, beside the `png` crate's encoder at its
//! default settings. Not a test: `cargo run --release -p report-helper --example png_size`.

use std::time::Instant;

use report_helper::png_writer::encode_png;
use report_helper::redact::{redact, Rect};

/// SplitMix64, so that every run draws the same image.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// A phone screenshot: a light background, darker message bubbles, lines of "glyphs" (short
/// random strokes in a few greys), an avatar gradient, and a status bar.
fn screenshot(width: u32, height: u32, rng: &mut Rng) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let mut px = vec![0u8; w * h * 4];
    let set = |x: usize, y: usize, c: [u8; 4], px: &mut [u8]| {
        px[(y * w + x) * 4..(y * w + x) * 4 + 4].copy_from_slice(&c);
    };
    for y in 0..h {
        for x in 0..w {
            let c = if y < 90 {
                [30, 30, 36, 255]
            } else if (y / 300) % 2 == 1 && x > 120 && x < w - 60 {
                [0, 120, 255, 255]
            } else {
                [242, 242, 247, 255]
            };
            set(x, y, c, &mut px);
        }
    }
    // Avatars: radial gradients.
    for cy in (240..h).step_by(600) {
        for y in cy.saturating_sub(40)..(cy + 40).min(h) {
            for x in 20..100 {
                let d = ((x as i64 - 60).pow(2) + (y as i64 - cy as i64).pow(2)) as u64;
                if d < 1600 {
                    let v = (d * 255 / 1600) as u8;
                    set(x, y, [v, 80, 255 - v, 255], &mut px);
                }
            }
        }
    }
    // Text: rows of glyph cells with random strokes.
    for line in 0..(h - 120) / 48 {
        let y0 = 120 + line * 48;
        let mut x = 140;
        while x + 24 < w - 80 {
            if rng.next().is_multiple_of(6) {
                x += 18; // a space
                continue;
            }
            let grey = [20u8, 60, 110][(rng.next() % 3) as usize];
            for _ in 0..6 {
                let r = rng.next();
                let (gx, gy) = ((r % 16) as usize, ((r >> 8) % 28) as usize);
                let vertical = r >> 20 & 1 == 1;
                for k in 0..8 {
                    let (xx, yy) = if vertical {
                        (gx, gy + k / 2)
                    } else {
                        (gx + k, gy)
                    };
                    set(x + xx, y0 + yy, [grey, grey, grey, 255], &mut px);
                }
            }
            x += 20;
        }
    }
    px
}

fn time<T>(f: impl Fn() -> T) -> (T, f64) {
    let mut best = f64::MAX;
    let mut value = None;
    for _ in 0..5 {
        let start = Instant::now();
        let v = f();
        best = best.min(start.elapsed().as_secs_f64());
        value = Some(v);
    }
    (value.expect("ran"), best)
}

fn png_crate(rgba: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("header");
    writer.write_image_data(rgba).expect("data");
    writer.finish().expect("finish");
    out
}

fn rgb(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect()
}

fn png_crate_rgb(rgba: &[u8], width: u32, height: u32) -> Vec<u8> {
    let pixels = rgb(rgba);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("header");
    writer.write_image_data(&pixels).expect("data");
    writer.finish().expect("finish");
    out
}

fn report(name: &str, rgba: &[u8], width: u32, height: u32, opaque: bool) {
    let raw = width as usize * height as usize * if opaque { 3 } else { 4 };
    let (ours, t_ours) = time(|| encode_png(rgba, width, height).expect("encodes"));
    let (theirs, t_theirs) = time(|| {
        if opaque {
            png_crate_rgb(rgba, width, height)
        } else {
            png_crate(rgba, width, height)
        }
    });
    println!(
        "{name}: {width}x{height}, raw {raw} bytes\n  encode_png: {} bytes ({:.2}% of raw), \
         {:.1} ms\n  png crate (default): {} bytes ({:.2}% of raw), {:.1} ms",
        ours.len(),
        ours.len() as f64 * 100.0 / raw as f64,
        t_ours * 1e3,
        theirs.len(),
        theirs.len() as f64 * 100.0 / raw as f64,
        t_theirs * 1e3,
    );
}

fn main() {
    let (width, height) = (1170, 2532);
    let mut rng = Rng(7);
    let mut shot = screenshot(width, height, &mut rng);
    report("screenshot", &shot, width, height, true);
    let rects = [
        Rect {
            x: 0,
            y: 300,
            width: 1170,
            height: 400,
        },
        Rect {
            x: 100,
            y: 1200,
            width: 700,
            height: 150,
        },
        Rect {
            x: 1000,
            y: 2400,
            width: 500,
            height: 500,
        },
    ];
    let (_, t_redact) = time(|| {
        let mut copy = shot.clone();
        redact(&mut copy, width, height, &rects).expect("redacts");
        std::hint::black_box(copy);
    });
    redact(&mut shot, width, height, &rects).expect("redacts");
    println!(
        "redact (with a copy of the image): {:.1} ms",
        t_redact * 1e3
    );
    report("redacted screenshot", &shot, width, height, true);
    let noise: Vec<u8> = (0..width as usize * height as usize * 4)
        .map(|_| rng.next() as u8)
        .collect();
    report("noise (RGBA)", &noise, width, height, false);
}
