//! A PNG encoder that writes nothing but pixels: the critical chunks IHDR, IDAT and IEND, never an
//! ancillary one (no EXIF, text, ICC profile, time, gamma or physical size), so that a redacted
//! screenshot carries no trace of the device, the place or the time it came from.
//!
//! Hand-written because the core takes no dependency beyond its hashes and the wasm-bindgen glue:
//! CRC-32, Adler-32 and a small DEFLATE compressor (per-row filter by the minimum sum of absolute
//! differences, LZ77 over hash chains, fixed Huffman codes, stored blocks where those would be
//! larger). Screenshots, flat areas and black rectangles compress well; noise costs a few bytes
//! more than its raw size.

use std::fmt;

/// Why pixels could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PngError {
    /// Width or height is 0.
    Empty,
    /// A side over PNG's 2^31 - 1, or more bytes than memory can address.
    TooLarge { width: u32, height: u32 },
    /// The buffer is not `width * height * 4` bytes.
    BufferLength { expected: u64, given: u64 },
}

impl fmt::Display for PngError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PngError::Empty => f.write_str("the image has no pixels (width or height is 0)"),
            PngError::TooLarge { width, height } => {
                write!(f, "a {width}x{height} image is too large to encode")
            }
            PngError::BufferLength { expected, given } => write!(
                f,
                "{given} bytes of pixels given where the RGBA image takes {expected}"
            ),
        }
    }
}

impl std::error::Error for PngError {}

const SIGNATURE: [u8; 8] = *b"\x89PNG\r\n\x1a\n";

/// Encodes `width * height` RGBA pixels (4 bytes each, rows top to bottom) as an 8-bit PNG: RGB
/// (colour type 2) when every pixel is opaque, RGBA (6) otherwise. Non-interlaced, one IDAT.
pub fn encode_png(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PngError> {
    if width == 0 || height == 0 {
        return Err(PngError::Empty);
    }
    let too_large = PngError::TooLarge { width, height };
    if width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Err(too_large);
    }
    let expected = width as u64 * height as u64 * 4;
    if rgba.len() as u64 != expected {
        return Err(PngError::BufferLength {
            expected,
            given: rgba.len() as u64,
        });
    }
    let opaque = rgba.chunks_exact(4).all(|px| px[3] == 255);
    let channels: usize = if opaque { 3 } else { 4 };
    // The buffer's length is a usize, so width * 4 is; height more filter bytes may not be.
    let row_len = width as usize * channels;
    let filtered_len = (row_len + 1)
        .checked_mul(height as usize)
        .ok_or(too_large)?;

    let filtered = filter_rows(rgba, width as usize, channels, filtered_len);

    let mut out = Vec::with_capacity(filtered_len / 8 + 1024);
    out.extend_from_slice(&SIGNATURE);
    let mut ihdr = [0u8; 13];
    ihdr[0..4].copy_from_slice(&width.to_be_bytes());
    ihdr[4..8].copy_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type, deflate, adaptive filtering, no interlace.
    ihdr[8] = 8;
    ihdr[9] = if opaque { 2 } else { 6 };
    write_chunk(&mut out, b"IHDR", &ihdr);

    // The IDAT is compressed straight into `out`; its length and CRC are filled in after.
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(b"IDAT");
    let mut out = zlib(&filtered, out);
    let data_len = out.len() - start - 8;
    // At most 400 MB of pixels in practice; a PNG chunk holds up to 2^31 - 1 bytes.
    let data_len = u32::try_from(data_len)
        .ok()
        .filter(|&n| n <= i32::MAX as u32)
        .ok_or(too_large)?;
    out[start..start + 4].copy_from_slice(&data_len.to_be_bytes());
    let crc = crc32(&out[start + 4..]);
    out.extend_from_slice(&crc.to_be_bytes());

    write_chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // Only IHDR (13 bytes) and IEND (0) come through here.
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 of PNG (and zlib's gzip), reflected polynomial 0xEDB88320, table built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// CRC-32 as a PNG chunk carries it (over type and data).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c = CRC_TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Adler-32, the checksum ending a zlib stream.
pub fn adler32(bytes: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that cannot overflow b before the modulo.
    for chunk in bytes.chunks(5552) {
        for &x in chunk {
            a += x as u32;
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// The scanlines, each a filter-type byte then the filtered row; RGBA in, `channels` 3 drops
/// alpha. The filter of each row is the one whose output, read as signed bytes, has the least sum
/// of magnitudes (libpng's heuristic).
fn filter_rows(rgba: &[u8], width: usize, channels: usize, filtered_len: usize) -> Vec<u8> {
    let row_len = width * channels;
    let mut out = Vec::with_capacity(filtered_len);
    let mut prev = vec![0u8; row_len];
    let mut cur = vec![0u8; row_len];
    let mut candidates = [
        vec![0u8; row_len],
        vec![0u8; row_len],
        vec![0u8; row_len],
        vec![0u8; row_len],
        vec![0u8; row_len],
    ];
    let bpp = channels;
    for src in rgba.chunks_exact(width * 4) {
        if channels == 4 {
            cur.copy_from_slice(src);
        } else {
            for (dst, px) in cur.chunks_exact_mut(3).zip(src.chunks_exact(4)) {
                dst.copy_from_slice(&px[..3]);
            }
        }
        let [none, sub, up, avg, paeth] = &mut candidates;
        let mut sums = [0u64; 5];
        for i in 0..row_len {
            let x = cur[i];
            let b = prev[i];
            let (a, c) = if i >= bpp {
                (cur[i - bpp], prev[i - bpp])
            } else {
                (0, 0)
            };
            let values = [
                x,
                x.wrapping_sub(a),
                x.wrapping_sub(b),
                x.wrapping_sub(((a as u16 + b as u16) / 2) as u8),
                x.wrapping_sub(paeth_predictor(a, b, c)),
            ];
            none[i] = values[0];
            sub[i] = values[1];
            up[i] = values[2];
            avg[i] = values[3];
            paeth[i] = values[4];
            for (sum, v) in sums.iter_mut().zip(values) {
                *sum += (v as i8).unsigned_abs() as u64;
            }
        }
        // The first of the least sums: None wins ties, then Sub, Up, Average, Paeth.
        let mut best = 0;
        for f in 1..5 {
            if sums[f] < sums[best] {
                best = f;
            }
        }
        out.push(best as u8);
        out.extend_from_slice(&candidates[best]);
        std::mem::swap(&mut prev, &mut cur);
    }
    out
}

fn paeth_predictor(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let pa = (p - a as i16).abs();
    let pb = (p - b as i16).abs();
    let pc = (p - c as i16).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// LSB-first bit writer over the output.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    /// Appends the `n` (at most 32) low bits of `value`, least significant first.
    #[inline]
    fn put(&mut self, value: u32, n: u32) {
        self.acc |= (value as u64) << self.n;
        self.n += n;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Pads with zero bits to a byte boundary.
    fn align(&mut self) {
        if self.n > 0 {
            self.out.push(self.acc as u8);
            self.acc = 0;
            self.n = 0;
        }
    }
}

const WINDOW: usize = 32 * 1024;
const WINDOW_MASK: usize = WINDOW - 1;
const HASH_BITS: u32 = 15;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// Candidates tried per position: the bound that keeps a large screenshot well under a second.
const MAX_CHAIN: u32 = 48;
/// A match this long ends the search.
const NICE_MATCH: usize = 128;
/// Input bytes per block: each is written with fixed codes or stored, whichever is smaller.
const BLOCK: usize = 64 * 1024;
const NONE: u32 = u32::MAX;

/// A literal byte (`dist` 0) or a match of `len` bytes `dist` back.
#[derive(Clone, Copy)]
struct Token {
    len: u16,
    dist: u16,
}

/// `data` as a zlib stream appended to `out`: header, DEFLATE blocks, Adler-32.
fn zlib(data: &[u8], out: Vec<u8>) -> Vec<u8> {
    let mut bits = Bits { out, acc: 0, n: 0 };
    // CM 8 (deflate), CINFO 7 (32 KiB window), FLEVEL 2 (default); FCHECK makes it a multiple of 31.
    bits.out.extend_from_slice(&[0x78, 0x9C]);

    let n = data.len();
    let mut head = vec![NONE; 1 << HASH_BITS];
    let mut prev = vec![NONE; WINDOW];
    let mut tokens: Vec<Token> = Vec::with_capacity(BLOCK);
    let mut pos = 0;
    // A do-while: zlib needs at least one block, even for no data (not that a PNG has none).
    loop {
        let block_start = pos;
        let block_end = (pos + BLOCK).min(n);
        tokens.clear();
        // Fixed-code cost of the block, in bits: header and end-of-block code included.
        let mut cost: u64 = 3 + 7;
        while pos < block_end {
            let (len, dist) = if pos + MIN_MATCH <= n {
                let h = hash3(data, pos);
                let found = longest_match(data, pos, head[h], &prev);
                prev[pos & WINDOW_MASK] = head[h];
                head[h] = pos as u32;
                found
            } else {
                (0, 0)
            };
            if len >= MIN_MATCH {
                tokens.push(Token {
                    len: len as u16,
                    dist: dist as u16,
                });
                cost += match_cost(len, dist);
                // Index the positions the match covers, so later matches can start there.
                for p in pos + 1..pos + len {
                    if p + MIN_MATCH > n {
                        break;
                    }
                    let h = hash3(data, p);
                    prev[p & WINDOW_MASK] = head[h];
                    head[h] = p as u32;
                }
                pos += len;
            } else {
                let byte = data[pos];
                tokens.push(Token {
                    len: byte as u16,
                    dist: 0,
                });
                cost += if byte < 144 { 8 } else { 9 };
                pos += 1;
            }
        }
        let last = pos >= n;
        let raw = &data[block_start..pos];
        // A stored block: 3 header bits, up to 7 bits of padding, LEN and NLEN per 65535 bytes.
        let stored_cost = 10 + (raw.len() as u64 / 65_535 + 1) * 32 + raw.len() as u64 * 8;
        if cost <= stored_cost {
            bits.put(last as u32, 1);
            bits.put(1, 2);
            for t in &tokens {
                write_token(&mut bits, *t);
            }
            put_symbol(&mut bits, 256);
        } else {
            write_stored(&mut bits, raw, last);
        }
        if last {
            break;
        }
    }
    bits.align();
    let mut out = bits.out;
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn write_stored(bits: &mut Bits, raw: &[u8], last: bool) {
    let mut pieces = raw.chunks(65_535).peekable();
    if raw.is_empty() {
        // An empty final block still has to be written.
        bits.put(last as u32, 1);
        bits.put(0, 2);
        bits.align();
        bits.out.extend_from_slice(&[0, 0, 0xFF, 0xFF]);
        return;
    }
    while let Some(piece) = pieces.next() {
        let final_piece = last && pieces.peek().is_none();
        bits.put(final_piece as u32, 1);
        bits.put(0, 2);
        bits.align();
        let len = piece.len() as u16;
        bits.out.extend_from_slice(&len.to_le_bytes());
        bits.out.extend_from_slice(&(!len).to_le_bytes());
        bits.out.extend_from_slice(piece);
    }
}

#[inline]
fn hash3(data: &[u8], pos: usize) -> usize {
    let v = data[pos] as u32 | (data[pos + 1] as u32) << 8 | (data[pos + 2] as u32) << 16;
    (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// The longest match for `pos` along the chain from `candidate` (the previous position with the
/// same hash): `(length, distance)`, length 0 when none reaches [`MIN_MATCH`].
#[inline]
fn longest_match(data: &[u8], pos: usize, candidate: u32, prev: &[u32]) -> (usize, usize) {
    let max = (data.len() - pos).min(MAX_MATCH);
    let mut best = MIN_MATCH - 1;
    let mut best_dist = 0;
    let mut cand = candidate;
    let mut chain = MAX_CHAIN;
    while cand != NONE {
        let c = cand as usize;
        if c >= pos || pos - c > WINDOW {
            break;
        }
        // best < max here, so both indices are in bounds.
        if data[c + best] == data[pos + best] {
            let len = common_prefix(&data[c..c + max], &data[pos..pos + max]);
            if len > best {
                best = len;
                best_dist = pos - c;
                if len >= NICE_MATCH || len == max {
                    break;
                }
            }
        }
        chain -= 1;
        if chain == 0 {
            break;
        }
        let next = prev[c & WINDOW_MASK];
        if next == NONE || next >= cand {
            break;
        }
        cand = next;
    }
    if best >= MIN_MATCH {
        (best, best_dist)
    } else {
        (0, 0)
    }
}

/// How many leading bytes `a` and `b` (of equal length) share, eight at a time.
#[inline]
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut i = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let x = u64::from_le_bytes([x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]]);
        let y = u64::from_le_bytes([y[0], y[1], y[2], y[3], y[4], y[5], y[6], y[7]]);
        let diff = x ^ y;
        if diff != 0 {
            return i + (diff.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < a.len() && a[i] == b[i] {
        i += 1;
    }
    i
}

/// DEFLATE's length symbol (257..=285) for a match of `len` (3..=258), its extra bits and their
/// value.
#[inline]
fn length_symbol(len: usize) -> (u32, u32, u32) {
    let l = (len - MIN_MATCH) as u32;
    if l < 8 {
        return (257 + l, 0, 0);
    }
    if l == 255 {
        return (285, 0, 0);
    }
    let log = 31 - l.leading_zeros();
    let extra = log - 2;
    (
        257 + 4 * (log - 1) + ((l >> extra) & 3),
        extra,
        l & ((1 << extra) - 1),
    )
}

/// DEFLATE's distance code (0..=29) for `dist` (1..=32768), its extra bits and their value.
#[inline]
fn distance_code(dist: usize) -> (u32, u32, u32) {
    let d = (dist - 1) as u32;
    if d < 4 {
        return (d, 0, 0);
    }
    let log = 31 - d.leading_zeros();
    let extra = log - 1;
    (2 * log + ((d >> extra) & 1), extra, d & ((1 << extra) - 1))
}

fn match_cost(len: usize, dist: usize) -> u64 {
    let (symbol, length_extra, _) = length_symbol(len);
    let (_, dist_extra, _) = distance_code(dist);
    let symbol_bits = if symbol < 280 { 7 } else { 8 };
    (symbol_bits + length_extra + 5 + dist_extra) as u64
}

/// Writes a literal/length symbol with the fixed Huffman code (RFC 1951, 3.2.6). Huffman codes go
/// most significant bit first, hence the reversal.
#[inline]
fn put_symbol(bits: &mut Bits, symbol: u32) {
    let (code, len) = match symbol {
        0..=143 => (0x30 + symbol, 8),
        144..=255 => (0x190 + symbol - 144, 9),
        256..=279 => (symbol - 256, 7),
        _ => (0xC0 + symbol - 280, 8),
    };
    bits.put(code.reverse_bits() >> (32 - len), len);
}

#[inline]
fn write_token(bits: &mut Bits, t: Token) {
    if t.dist == 0 {
        put_symbol(bits, t.len as u32);
        return;
    }
    let (symbol, extra, value) = length_symbol(t.len as usize);
    put_symbol(bits, symbol);
    bits.put(value, extra);
    let (code, extra, value) = distance_code(t.dist as usize);
    bits.put(code.reverse_bits() >> 27, 5);
    bits.put(value, extra);
}
