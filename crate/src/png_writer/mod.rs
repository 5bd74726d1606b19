//! A PNG encoder that writes nothing but pixels: the critical chunks IHDR, IDAT and IEND, never an
//! ancillary one (no EXIF, text, ICC profile, time, gamma or physical size), so that a redacted
//! screenshot carries no trace of the device, the place or the time it came from.
//!
//! Hand-written because the core takes no dependency beyond its hashes and the wasm-bindgen glue:
//! CRC-32, Adler-32 and a small DEFLATE compressor: per-row filter by the minimum sum of absolute
//! differences, LZ77 over hash chains with one step of lazy matching, and each block written in
//! the smallest of its forms (dynamic Huffman codes, fixed codes, stored). Screenshots, flat
//! areas and black rectangles compress about as well as zlib's default; noise costs a few bytes
//! more than its raw size.

mod chunk;
mod filter;

use std::fmt;

pub use chunk::crc32;
use chunk::{begin_chunk, end_chunk, write_chunk, SIGNATURE};
use filter::filter_rows;

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
    let idat = begin_chunk(&mut out, b"IDAT");
    let mut out = zlib(&filtered, out);
    // At most 400 MB of pixels in practice; a PNG chunk holds up to 2^31 - 1 bytes.
    end_chunk(&mut out, idat).ok_or(too_large)?;

    write_chunk(&mut out, b"IEND", &[]);
    Ok(out)
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

    /// Appends a Huffman code as made by [`canonical_codes`] (already bit-reversed).
    #[inline]
    fn put_code(&mut self, (code, len): (u32, u32)) {
        self.put(code, len);
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
/// A match this long is taken without looking for a longer one a byte later.
const LAZY_LIMIT: usize = 32;
/// A block ends after this many tokens or input bytes, so its codes fit its own statistics.
const BLOCK_TOKENS: usize = 32 * 1024;
const BLOCK_BYTES: usize = 1 << 20;
const NONE: u32 = u32::MAX;
/// Literal/length symbols (0..=285) and distance codes (0..=29) DEFLATE uses.
const LITLEN_SYMBOLS: usize = 286;
const DIST_CODES: usize = 30;
const END_OF_BLOCK: usize = 256;

/// A literal byte (`dist` 0) or a match of `len` bytes `dist` back.
#[derive(Clone, Copy)]
struct Token {
    len: u16,
    dist: u16,
}

/// The LZ77 match finder: hash chains over the last 32 KiB.
struct Matcher<'a> {
    data: &'a [u8],
    head: Vec<u32>,
    prev: Vec<u32>,
}

impl Matcher<'_> {
    /// Indexes `pos` and returns the longest earlier match for it: `(length, distance)`, length 0
    /// when none reaches [`MIN_MATCH`].
    fn find(&mut self, pos: usize) -> (usize, usize) {
        if pos + MIN_MATCH > self.data.len() {
            return (0, 0);
        }
        let h = hash3(self.data, pos);
        let found = longest_match(self.data, pos, self.head[h], &self.prev);
        self.prev[pos & WINDOW_MASK] = self.head[h];
        self.head[h] = pos as u32;
        found
    }

    /// Indexes the positions `from..to` (inside a match), so later matches can start there.
    fn insert(&mut self, from: usize, to: usize) {
        let to = to.min((self.data.len() + 1).saturating_sub(MIN_MATCH));
        for p in from..to {
            let h = hash3(self.data, p);
            self.prev[p & WINDOW_MASK] = self.head[h];
            self.head[h] = p as u32;
        }
    }
}

/// One block's tokens and symbol counts.
struct Block {
    tokens: Vec<Token>,
    litlen: [u32; LITLEN_SYMBOLS],
    dist: [u32; DIST_CODES],
    /// Bits of extra length and distance bits, the same whatever the codes.
    extra_bits: u64,
}

impl Block {
    fn literal(&mut self, byte: u8) {
        self.tokens.push(Token {
            len: byte as u16,
            dist: 0,
        });
        self.litlen[byte as usize] += 1;
    }

    fn matched(&mut self, len: usize, dist: usize) {
        self.tokens.push(Token {
            len: len as u16,
            dist: dist as u16,
        });
        let (symbol, length_extra, _) = length_symbol(len);
        let (code, dist_extra, _) = distance_code(dist);
        self.litlen[symbol as usize] += 1;
        self.dist[code as usize] += 1;
        self.extra_bits += (length_extra + dist_extra) as u64;
    }
}

/// `data` as a zlib stream appended to `out`: header, DEFLATE blocks, Adler-32.
fn zlib(data: &[u8], out: Vec<u8>) -> Vec<u8> {
    let mut bits = Bits { out, acc: 0, n: 0 };
    // CM 8 (deflate), CINFO 7 (32 KiB window), FLEVEL 2 (default); FCHECK makes it a multiple of 31.
    bits.out.extend_from_slice(&[0x78, 0x9C]);

    let n = data.len();
    let mut matcher = Matcher {
        data,
        head: vec![NONE; 1 << HASH_BITS],
        prev: vec![NONE; WINDOW],
    };
    let mut block = Block {
        tokens: Vec::with_capacity(BLOCK_TOKENS + 1),
        litlen: [0; LITLEN_SYMBOLS],
        dist: [0; DIST_CODES],
        extra_bits: 0,
    };
    let mut pos = 0;
    // A match found one byte ahead by the lazy search, its position already indexed.
    let mut pending: Option<(usize, usize)> = None;
    // A do-while: zlib needs at least one block, even for no data (not that a PNG has none).
    loop {
        let block_start = pos;
        let block_end = (pos + BLOCK_BYTES).min(n);
        block.tokens.clear();
        block.litlen = [0; LITLEN_SYMBOLS];
        block.dist = [0; DIST_CODES];
        block.extra_bits = 0;
        while pos < block_end && block.tokens.len() < BLOCK_TOKENS {
            let (len, dist) = pending.take().unwrap_or_else(|| matcher.find(pos));
            if len < MIN_MATCH {
                block.literal(data[pos]);
                pos += 1;
                continue;
            }
            // Lazy matching: a longer match one byte on is worth a literal here.
            let mut indexed = pos + 1;
            if len < LAZY_LIMIT {
                let next = matcher.find(pos + 1);
                if next.0 > len {
                    block.literal(data[pos]);
                    pos += 1;
                    pending = Some(next);
                    continue;
                }
                indexed = pos + 2;
            }
            block.matched(len, dist);
            matcher.insert(indexed, pos + len);
            pos += len;
        }
        let last = pos >= n;
        write_block(&mut bits, &mut block, &data[block_start..pos], last);
        if last {
            break;
        }
    }
    bits.align();
    let mut out = bits.out;
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// Writes a block in the smallest of its three forms: dynamic codes, fixed codes, stored.
fn write_block(bits: &mut Bits, block: &mut Block, raw: &[u8], last: bool) {
    block.litlen[END_OF_BLOCK] += 1;
    let fixed_litlen = fixed_lengths();
    let fixed_dist = [5u8; DIST_CODES];
    let cost = |litlen_lengths: &[u8], dist_lengths: &[u8]| -> u64 {
        let symbols: u64 = block
            .litlen
            .iter()
            .zip(litlen_lengths)
            .chain(block.dist.iter().zip(dist_lengths))
            .map(|(&count, &len)| count as u64 * len as u64)
            .sum();
        3 + symbols + block.extra_bits
    };
    let fixed_cost = cost(&fixed_litlen, &fixed_dist);

    // Both dynamic codes need two symbols at least: a code of one symbol is incomplete, which
    // some inflaters refuse.
    let mut litlen_counts = block.litlen;
    let mut dist_counts = block.dist;
    ensure_two(&mut litlen_counts);
    ensure_two(&mut dist_counts);
    let litlen_lengths = code_lengths(&litlen_counts, 15);
    let dist_lengths = code_lengths(&dist_counts, 15);
    let header = DynamicHeader::new(&litlen_lengths, &dist_lengths);
    let dynamic_cost = cost(&litlen_lengths, &dist_lengths) + header.bits;

    // 3 header bits, up to 7 bits of padding, LEN and NLEN per 65535 bytes.
    let stored_cost = 10 + (raw.len() as u64 / 65_535 + 1) * 32 + raw.len() as u64 * 8;

    if stored_cost < fixed_cost.min(dynamic_cost) {
        write_stored(bits, raw, last);
        return;
    }
    bits.put(last as u32, 1);
    let (litlen_codes, dist_codes) = if dynamic_cost < fixed_cost {
        bits.put(2, 2);
        header.write(bits);
        (
            canonical_codes(&litlen_lengths),
            canonical_codes(&dist_lengths),
        )
    } else {
        bits.put(1, 2);
        (canonical_codes(&fixed_litlen), canonical_codes(&fixed_dist))
    };
    for t in &block.tokens {
        if t.dist == 0 {
            bits.put_code(litlen_codes[t.len as usize]);
            continue;
        }
        let (symbol, extra, value) = length_symbol(t.len as usize);
        bits.put_code(litlen_codes[symbol as usize]);
        bits.put(value, extra);
        let (code, extra, value) = distance_code(t.dist as usize);
        bits.put_code(dist_codes[code as usize]);
        bits.put(value, extra);
    }
    bits.put_code(litlen_codes[END_OF_BLOCK]);
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

/// The fixed literal/length code lengths of RFC 1951, 3.2.6: all 288, since the two never used
/// still take their place in the canonical codes.
fn fixed_lengths() -> [u8; 288] {
    let mut lengths = [8u8; 288];
    lengths[144..256].fill(9);
    lengths[256..280].fill(7);
    lengths
}

/// Gives a count of 1 to the first unused symbols until two are used.
fn ensure_two(counts: &mut [u32]) {
    let mut used = counts.iter().filter(|&&c| c > 0).count();
    for c in counts.iter_mut() {
        if used >= 2 {
            break;
        }
        if *c == 0 {
            *c = 1;
            used += 1;
        }
    }
}

/// Huffman code lengths for `counts`, none over `limit`: a Huffman tree built with two queues;
/// when too deep, the counts are halved (never under 1) and it is built again, which flattens it.
fn code_lengths(counts: &[u32], limit: u8) -> Vec<u8> {
    let mut counts: Vec<u64> = counts.iter().map(|&c| c as u64).collect();
    loop {
        let mut leaves: Vec<(u64, usize)> = counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(symbol, &c)| (c, symbol))
            .collect();
        // Insertion sort: at most 286 leaves, and far less code in the module than the library's.
        for i in 1..leaves.len() {
            let mut j = i;
            while j > 0 && leaves[j - 1] > leaves[j] {
                leaves.swap(j - 1, j);
                j -= 1;
            }
        }
        let mut lengths = vec![0u8; counts.len()];
        if leaves.len() < 2 {
            if let Some(&(_, symbol)) = leaves.first() {
                lengths[symbol] = 1;
            }
            return lengths;
        }
        // Nodes 0..m are the leaves in order, then the internal nodes as they are made; both
        // queues stay sorted, so the two lightest are always at their fronts.
        let m = leaves.len();
        let mut weight: Vec<u64> = leaves.iter().map(|l| l.0).collect();
        let mut children: Vec<(usize, usize)> = Vec::with_capacity(m - 1);
        let (mut next_leaf, mut next_inner) = (0, m);
        let take = |weight: &Vec<u64>, next_leaf: &mut usize, next_inner: &mut usize| {
            let inner_ok = *next_inner < weight.len();
            if *next_leaf < m && (!inner_ok || weight[*next_leaf] <= weight[*next_inner]) {
                *next_leaf += 1;
                *next_leaf - 1
            } else {
                *next_inner += 1;
                *next_inner - 1
            }
        };
        for _ in 0..m - 1 {
            let a = take(&weight, &mut next_leaf, &mut next_inner);
            let b = take(&weight, &mut next_leaf, &mut next_inner);
            weight.push(weight[a] + weight[b]);
            children.push((a, b));
        }
        // Depths from the root (the last node) down: parents come after their children.
        let mut depth = vec![0u8; weight.len()];
        for i in (m..weight.len()).rev() {
            let (a, b) = children[i - m];
            depth[a] = depth[i] + 1;
            depth[b] = depth[i] + 1;
        }
        if depth[..m].iter().all(|&d| d <= limit) {
            for (i, &(_, symbol)) in leaves.iter().enumerate() {
                lengths[symbol] = depth[i];
            }
            return lengths;
        }
        for c in counts.iter_mut().filter(|c| **c > 0) {
            *c = (*c / 2).max(1);
        }
    }
}

/// Canonical Huffman codes for `lengths` (RFC 1951, 3.2.2), bit-reversed for the LSB-first
/// stream: `(code, length)` per symbol.
fn canonical_codes(lengths: &[u8]) -> Vec<(u32, u32)> {
    let mut count = [0u32; 16];
    for &l in lengths {
        count[l as usize] += 1;
    }
    count[0] = 0;
    let mut next = [0u32; 16];
    let mut code = 0;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lengths
        .iter()
        .map(|&l| {
            if l == 0 {
                return (0, 0);
            }
            let c = next[l as usize];
            next[l as usize] += 1;
            (c.reverse_bits() >> (32 - l as u32), l as u32)
        })
        .collect()
}

/// The order code length code lengths are sent in.
const CLEN_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// A dynamic block's header: the two codes' lengths, run-length coded, and the code for those.
struct DynamicHeader {
    hlit: usize,
    hdist: usize,
    /// Code length symbols 0..=18 with their extra bits and value.
    runs: Vec<(u8, u32, u32)>,
    clen_lengths: Vec<u8>,
    hclen: usize,
    bits: u64,
}

impl DynamicHeader {
    fn new(litlen: &[u8], dist: &[u8]) -> DynamicHeader {
        let hlit = (257..=litlen.len())
            .rev()
            .find(|&k| litlen[k - 1] != 0)
            .unwrap_or(257);
        let hdist = (1..=dist.len())
            .rev()
            .find(|&k| dist[k - 1] != 0)
            .unwrap_or(1);
        let all: Vec<u8> = litlen[..hlit]
            .iter()
            .chain(&dist[..hdist])
            .copied()
            .collect();
        let mut runs = Vec::new();
        let mut i = 0;
        while i < all.len() {
            let value = all[i];
            let mut run = all[i..].iter().take_while(|&&v| v == value).count();
            i += run;
            if value == 0 {
                while run >= 11 {
                    let r = run.min(138);
                    runs.push((18, 7, (r - 11) as u32));
                    run -= r;
                }
                if run >= 3 {
                    runs.push((17, 3, (run - 3) as u32));
                    run = 0;
                }
            } else {
                runs.push((value, 0, 0));
                run -= 1;
                while run >= 3 {
                    let r = run.min(6);
                    runs.push((16, 2, (r - 3) as u32));
                    run -= r;
                }
            }
            runs.extend(std::iter::repeat_n((value, 0, 0), run));
        }
        let mut clen_counts = [0u32; 19];
        for &(symbol, _, _) in &runs {
            clen_counts[symbol as usize] += 1;
        }
        ensure_two(&mut clen_counts);
        let clen_lengths = code_lengths(&clen_counts, 7);
        let hclen = (4..=19)
            .rev()
            .find(|&k| clen_lengths[CLEN_ORDER[k - 1]] != 0)
            .unwrap_or(4);
        let bits = 5
            + 5
            + 4
            + 3 * hclen as u64
            + runs
                .iter()
                .map(|&(s, extra, _)| clen_lengths[s as usize] as u64 + extra as u64)
                .sum::<u64>();
        DynamicHeader {
            hlit,
            hdist,
            runs,
            clen_lengths,
            hclen,
            bits,
        }
    }

    fn write(&self, bits: &mut Bits) {
        bits.put((self.hlit - 257) as u32, 5);
        bits.put((self.hdist - 1) as u32, 5);
        bits.put((self.hclen - 4) as u32, 4);
        for &symbol in &CLEN_ORDER[..self.hclen] {
            bits.put(self.clen_lengths[symbol] as u32, 3);
        }
        let codes = canonical_codes(&self.clen_lengths);
        for &(symbol, extra, value) in &self.runs {
            bits.put_code(codes[symbol as usize]);
            bits.put(value, extra);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_matches_its_published_check_value() {
        // The "check" value of RFC 1950's Adler-32.
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(b""), 1);
        // Past the 5552-byte stretch between reductions: 0xFF bytes, the worst case.
        let ones = vec![0xFFu8; 100_000];
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &ones {
            a = (a + x as u64) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(adler32(&ones), ((b << 16) | a) as u32);
    }

    #[test]
    fn length_and_distance_codes_follow_the_rfc_tables() {
        // RFC 1951, 3.2.5: base length and extra bits of symbols 257..=285, and of distance
        // codes 0..=29.
        const LEN_BASE: [usize; 29] = [
            3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
            115, 131, 163, 195, 227, 258,
        ];
        const LEN_EXTRA: [u32; 29] = [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
        ];
        const DIST_BASE: [usize; 30] = [
            1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
            1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
        ];
        const DIST_EXTRA: [u32; 30] = [
            0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12,
            12, 13, 13,
        ];
        for len in 3..=258 {
            let (symbol, extra, value) = length_symbol(len);
            let i = symbol as usize - 257;
            assert_eq!(extra, LEN_EXTRA[i], "{len}");
            assert_eq!(LEN_BASE[i] + value as usize, len);
            assert!(value < 1 << extra || extra == 0 && value == 0);
        }
        for dist in 1..=32_768 {
            let (code, extra, value) = distance_code(dist);
            let i = code as usize;
            assert_eq!(extra, DIST_EXTRA[i], "{dist}");
            assert_eq!(DIST_BASE[i] + value as usize, dist);
            assert!(value < 1 << extra || extra == 0 && value == 0);
        }
    }

    /// Kraft's sum of a complete prefix code is exactly 1.
    fn assert_complete(lengths: &[u8], limit: u8) {
        assert!(lengths.iter().all(|&l| l <= limit), "{lengths:?}");
        let kraft: u64 = lengths
            .iter()
            .filter(|&&l| l > 0)
            .map(|&l| 1u64 << (limit - l))
            .sum();
        assert_eq!(kraft, 1 << limit, "{lengths:?}");
    }

    #[test]
    fn code_lengths_are_complete_and_within_the_limit() {
        // Fibonacci counts make the deepest Huffman trees: 30 symbols would need 29 bits.
        let mut fib = vec![1u32, 1];
        while fib.len() < 30 {
            fib.push(fib[fib.len() - 1] + fib[fib.len() - 2]);
        }
        assert_complete(&code_lengths(&fib, 15), 15);
        assert_complete(&code_lengths(&fib[..19], 7), 7);
        let mut counts = [0u32; LITLEN_SYMBOLS];
        counts[..30].copy_from_slice(&fib);
        counts[END_OF_BLOCK] = 1;
        assert_complete(&code_lengths(&counts, 15), 15);
        // Ordinary counts keep their Huffman lengths: 1, 1, 2 give 2, 2, 1.
        assert_eq!(code_lengths(&[1, 1, 2], 15), vec![2, 2, 1]);
        let mut two = [0u32; DIST_CODES];
        ensure_two(&mut two);
        assert_complete(&code_lengths(&two, 15), 15);
        // The canonical codes of RFC 1951's example (3.2.2): ABCDEFGH of lengths 3,3,3,3,3,2,4,4
        // are 010, 011, 100, 101, 110, 00, 1110, 1111.
        let codes = canonical_codes(&[3, 3, 3, 3, 3, 2, 4, 4]);
        let want = [
            (0b010, 3),
            (0b011, 3),
            (0b100, 3),
            (0b101, 3),
            (0b110, 3),
            (0b00, 2),
            (0b1110, 4),
            (0b1111, 4),
        ];
        for (&(code, len), (w, wl)) in codes.iter().zip(want) {
            assert_eq!((code.reverse_bits() >> (32 - len), len), (w, wl));
        }
    }
}
