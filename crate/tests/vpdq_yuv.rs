//! The core's YUV to RGB conversion against libswscale's own output (the vPDQ reference's
//! conversion), from `tests/fixtures/video/swscale/` (made by its make.sh with Debian 12's
//! FFmpeg 5.1): every (Y, U, V) triple in both ranges and both subsamplings (natively), and
//! random small frames (natively and, under `wasm-bindgen-test`, in headless Chromium).

use report_helper::vpdq::yuv::{Chroma, Range, YuvFrame};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/video/swscale/",
            $name
        ))
    };
}

/// (pixel format, chroma, range) of each fixture.
const FORMATS: [(&str, Chroma, Range); 4] = [
    ("yuv420p", Chroma::I420, Range::Limited),
    ("yuvj420p", Chroma::I420, Range::Full),
    ("yuv422p", Chroma::I422, Range::Limited),
    ("yuvj422p", Chroma::I422, Range::Full),
];

const SMALL: [&[u8]; 4] = [
    fixture!("small-yuv420p-66x34.bin"),
    fixture!("small-yuvj420p-66x34.bin"),
    fixture!("small-yuv422p-66x34.bin"),
    fixture!("small-yuvj422p-66x34.bin"),
];

#[test]
fn random_frames_convert_as_libswscale_converts_them() {
    let (w, h) = (66usize, 34usize);
    for ((name, chroma, range), bytes) in FORMATS.iter().zip(SMALL) {
        let ch = if *chroma == Chroma::I420 { h / 2 } else { h };
        let (y, rest) = bytes.split_at(w * h);
        let (u, rest) = rest.split_at(w / 2 * ch);
        let (v, rgb) = rest.split_at(w / 2 * ch);
        assert_eq!(rgb.len(), w * h * 3, "{name}: fixture size");
        let frame = YuvFrame {
            width: w as u32,
            height: h as u32,
            chroma: *chroma,
            range: *range,
            y,
            y_stride: w,
            u,
            u_stride: w / 2,
            v,
            v_stride: w / 2,
        };
        let ours = frame.to_rgb().unwrap();
        let differing = ours.iter().zip(rgb).filter(|(a, b)| a != b).count();
        assert_eq!(differing, 0, "{name}: bytes differing from libswscale's");
    }
}

/// NV12 holds the same samples as I420, interleaved: it must convert the same.
#[test]
fn nv12_converts_as_i420() {
    let (w, h) = (66usize, 34usize);
    let bytes = SMALL[0];
    let (y, rest) = bytes.split_at(w * h);
    let (u, rest) = rest.split_at(w / 2 * h / 2);
    let (v, rgb) = rest.split_at(w / 2 * h / 2);
    let uv: Vec<u8> = u.iter().zip(v).flat_map(|(&u, &v)| [u, v]).collect();
    let frame = YuvFrame {
        width: w as u32,
        height: h as u32,
        chroma: Chroma::Nv12,
        range: Range::Limited,
        y,
        y_stride: w,
        u: &uv,
        u_stride: w,
        v: &[],
        v_stride: 0,
    };
    assert_eq!(frame.to_rgb().unwrap(), rgb);
}

/// Strides wider than the rows, as decoders pad them, change nothing.
#[test]
fn padded_strides_change_nothing() {
    let (w, h) = (66usize, 34usize);
    let bytes = SMALL[1];
    let (y, rest) = bytes.split_at(w * h);
    let (u, rest) = rest.split_at(w / 2 * h / 2);
    let (v, rgb) = rest.split_at(w / 2 * h / 2);
    let pad = |plane: &[u8], row: usize, stride: usize| -> Vec<u8> {
        plane
            .chunks(row)
            .flat_map(|r| {
                r.iter()
                    .copied()
                    .chain(std::iter::repeat_n(0xee, stride - row))
            })
            .collect()
    };
    let (py, pu, pv) = (pad(y, w, 96), pad(u, w / 2, 48), pad(v, w / 2, 40));
    let frame = YuvFrame {
        width: w as u32,
        height: h as u32,
        chroma: Chroma::I420,
        range: Range::Full,
        y: &py,
        y_stride: 96,
        u: &pu,
        u_stride: 48,
        v: &pv,
        v_stride: 40,
    };
    assert_eq!(frame.to_rgb().unwrap(), rgb);
}

/// All 2^24 triples, laid out as probe.c lays them out; the SHA-256 of the RGB must be the one
/// libswscale's gave. About 200 MB of RGB, hashed a strip of rows at a time.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_yuv_triple_converts_as_libswscale_converts_it() {
    use sha2::{Digest, Sha256};
    let expected: Vec<(&str, &str)> = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/video/swscale/all.sha256"
    ))
    .lines()
    .filter_map(|l| l.split_once(' '))
    .collect();
    assert_eq!(expected.len(), 4);
    const N: usize = 8192;
    let triple = |block_row: usize, block_col: usize| -> u32 {
        (block_row % 4096) as u32 * 4096 + block_col as u32
    };
    let y: Vec<u8> = (0..N * N)
        .map(|i| (triple(i / N / 2, i % N / 2) & 255) as u8)
        .collect();
    for (name, chroma, range) in FORMATS {
        let want = expected.iter().find(|(n, _)| *n == name).unwrap().1;
        let rows = if chroma == Chroma::I420 { N / 2 } else { N };
        // Chroma row r serves luma rows 2r, 2r+1 (4:2:0) or row r (4:2:2): its block row.
        let block_row = |r: usize| if chroma == Chroma::I420 { r } else { r / 2 };
        let u: Vec<u8> = (0..rows * N / 2)
            .map(|i| (triple(block_row(i / (N / 2)), i % (N / 2)) >> 16) as u8)
            .collect();
        let v: Vec<u8> = (0..rows * N / 2)
            .map(|i| (triple(block_row(i / (N / 2)), i % (N / 2)) >> 8) as u8)
            .collect();
        let mut sha = Sha256::new();
        const STRIP: usize = 256;
        for top in (0..N).step_by(STRIP) {
            let (ctop, crows) = if chroma == Chroma::I420 {
                (top / 2, STRIP / 2)
            } else {
                (top, STRIP)
            };
            let strip = YuvFrame {
                width: N as u32,
                height: STRIP as u32,
                chroma,
                range,
                y: &y[top * N..(top + STRIP) * N],
                y_stride: N,
                u: &u[ctop * N / 2..(ctop + crows) * N / 2],
                u_stride: N / 2,
                v: &v[ctop * N / 2..(ctop + crows) * N / 2],
                v_stride: N / 2,
            };
            sha.update(strip.to_rgb().unwrap());
        }
        let got: String = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(got, want, "{name}");
    }
}
