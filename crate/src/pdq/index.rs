//! `PdqIndex`: every listed PDQ hash within a Hamming distance of a query, exactly, fast.
//!
//! A multi-index hash over the hash's 16 words of 16 bits, as Meta's `pdq/cpp/index/mih.h`: a
//! hash within distance `t` of the query has, by pigeonhole, a word within `t / 16` bits of the
//! query's word, so only the lists of the words near the query's need looking at. At 10 million
//! hashes and `t = 31` that is about 41,000 listed hashes per query, and fetching each of them
//! from memory is what would cost the time.
//!
//! So each posting also carries some bits of the *partner* word (words `2k` and `2k + 1` are
//! partners): the 8 pairs' distances add up to at most `t`, so some pair is within `P = t / 8`,
//! and that pair has a word within `r = P / 2` whose partner's known bits differ from the
//! query's by at most `P` less that word's distance. The postings that fail this test (most of
//! them) are dropped from the list alone, in order, without fetching their hash. Every hash
//! within `t` still passes in at least one word, so the result is exact; it is reported only from
//! the first word where it passes, so once, with no set to deduplicate.
//!
//! A posting is 36 bits: the slot, and as many of the partner's top bits as the slot leaves room
//! for (16 up to a million hashes, 12 at 10 million, where 2.3 % of the postings read pass and
//! have their hash fetched). Memory: 32 bytes per hash plus 72 bytes (16 postings), and 4 MiB of
//! list starts: 995 MiB at 10 million.
//!
//! A search reads its lists in three passes so that the memory's latency overlaps: where the
//! lists lie, then the lists in order (fetched ahead), then the passing postings' hashes (fetched
//! ahead). x86-64 with AVX2 and popcount tests eight postings at a time.

use super::PdqHash;

/// Over this threshold the word radius passes 3 and the probes outnumber a scan's work: `search`
/// scans (Meta's MIH stops there too).
pub const MAX_INDEXED_THRESHOLD: u32 = 63;

const WORDS: usize = 16;
const VALUES: usize = 1 << 16;

/// A hash as four 64-bit words, on one cache line (32-byte aligned): verifying a candidate
/// fetches one line, not two.
#[derive(Clone, Copy)]
#[repr(align(32))]
struct Packed([u64; 4]);

impl Packed {
    fn of(hash: &PdqHash) -> Packed {
        let w = hash.words();
        let mut out = [0u64; 4];
        for (i, word) in w.iter().enumerate() {
            out[i / 4] |= u64::from(*word) << (16 * (i % 4));
        }
        Packed(out)
    }

    fn word(&self, i: usize) -> u16 {
        (self.0[i / 4] >> (16 * (i % 4))) as u16
    }

    fn distance(&self, other: &Packed) -> u32 {
        (self.0[0] ^ other.0[0]).count_ones()
            + (self.0[1] ^ other.0[1]).count_ones()
            + (self.0[2] ^ other.0[2]).count_ones()
            + (self.0[3] ^ other.0[3]).count_ones()
    }
}

/// What one search did (see [`PdqIndex::work`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchWork {
    /// Postings read, in order, from the lists of the words near the query's.
    pub postings: usize,
    /// Hashes fetched to verify: the postings that passed the partner test.
    pub fetched: usize,
}

/// An exact index of PDQ hashes: [`PdqIndex::search`] gives the same as [`PdqIndex::scan`].
pub struct PdqIndex {
    hashes: Vec<Packed>,
    /// `starts[w * (VALUES + 1) + v]..starts[w * (VALUES + 1) + v + 1]`: where word `w`'s list
    /// of value `v` lies in `postings[w * n..(w + 1) * n]`.
    starts: Vec<u32>,
    /// A posting is 36 bits, `slot << partner_bits | the partner's top bits`: its low 32 bits
    /// here, its top 4 in `posting_tops` (two a byte), read only for the postings that pass.
    postings: Vec<u32>,
    posting_tops: Vec<u8>,
    /// How many of the partner word's top bits a posting carries (0..=16), under the slot.
    partner_bits: u32,
    /// Every 16-bit mask of at most 3 bits set, by popcount; `ball_ends[r]` ends those of <= r.
    masks: Vec<u16>,
    ball_ends: [usize; 4],
}

impl PdqIndex {
    /// Builds the index; slot `i` is `hashes[i]`. At most 2^32 hashes (more are not indexed:
    /// panics, as a `Vec` of that size would not fit a 32-bit slot).
    pub fn new(hashes: Vec<PdqHash>) -> PdqIndex {
        let n = hashes.len();
        assert!(
            u32::try_from(n).is_ok(),
            "PdqIndex holds at most 2^32 hashes"
        );
        let slot_bits = if n <= 1 {
            0
        } else {
            32 - ((n - 1) as u32).leading_zeros()
        };
        let partner_bits = (POSTING_BITS - slot_bits).min(16);
        let mut packed: Vec<Packed> = Vec::with_capacity(n);
        huge_pages(&packed);
        packed.extend(hashes.iter().map(Packed::of));
        drop(hashes);
        // Counting sort per word: list starts, then each hash's posting in its value's list.
        let mut starts = vec![0u32; WORDS * (VALUES + 1)];
        for w in 0..WORDS {
            let counts = &mut starts[w * (VALUES + 1)..(w + 1) * (VALUES + 1)];
            for h in &packed {
                counts[h.word(w) as usize + 1] += 1;
            }
            for v in 0..VALUES {
                counts[v + 1] += counts[v];
            }
        }
        let mut postings = Vec::with_capacity(WORDS * n);
        huge_pages(&postings);
        postings.resize(WORDS * n, 0u32);
        let mut posting_tops = vec![0u8; (WORDS * n).div_ceil(2)];
        let mut next = vec![0u32; VALUES];
        for w in 0..WORDS {
            next.copy_from_slice(&starts[w * (VALUES + 1)..w * (VALUES + 1) + VALUES]);
            for (slot, h) in packed.iter().enumerate() {
                let v = h.word(w) as usize;
                let k = w * n + next[v] as usize;
                let p = (u64::from(slot as u32) << partner_bits)
                    | u64::from(partner_top(h.word(w ^ 1), partner_bits));
                postings[k] = p as u32;
                posting_tops[k / 2] |= ((p >> 32) as u8) << (4 * (k % 2));
                next[v] += 1;
            }
        }
        let mut masks: Vec<u16> = (0..=u16::MAX).filter(|m| m.count_ones() <= 3).collect();
        masks.sort_by_key(|m| m.count_ones());
        masks.shrink_to_fit();
        let ball_ends = [1, 17, 137, 697];
        debug_assert_eq!(masks.len(), ball_ends[3]);
        PdqIndex {
            hashes: packed,
            starts,
            postings,
            posting_tops,
            partner_bits,
            masks,
            ball_ends,
        }
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The hash in `slot` (panics past the end, as indexing does).
    pub fn hash(&self, slot: u32) -> PdqHash {
        let h = &self.hashes[slot as usize];
        PdqHash::from_words(core::array::from_fn(|i| h.word(i)))
    }

    /// Bytes held by the index: the hashes, the postings, the list starts and the probe masks.
    pub fn memory_bytes(&self) -> usize {
        self.hashes.capacity() * core::mem::size_of::<Packed>()
            + self.postings.capacity() * 4
            + self.posting_tops.capacity()
            + self.starts.capacity() * 4
            + self.masks.capacity() * 2
    }

    /// Appends `(slot, distance)` of every hash within `threshold` bits of `query`, each once, in
    /// no particular order. Exact for every threshold; over [`MAX_INDEXED_THRESHOLD`] it scans.
    pub fn search(&self, query: &PdqHash, threshold: u32, out: &mut Vec<(u32, u32)>) {
        self.search_with(query, threshold, out, &mut SearchScratch::default());
    }

    /// [`PdqIndex::search`] with buffers kept between calls (a matcher's loop saves their
    /// allocation).
    pub fn search_with(
        &self,
        query: &PdqHash,
        threshold: u32,
        out: &mut Vec<(u32, u32)>,
        scratch: &mut SearchScratch,
    ) {
        if threshold > MAX_INDEXED_THRESHOLD {
            return self.scan(query, threshold, out);
        }
        // The same code with the CPU's popcount instruction and AVX2 where it has them
        // (x86-64's baseline lacks both: counting bits by shifts made the search a third slower).
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU was just seen to have the features the function is compiled for.
            return unsafe { self.search_avx2(query, threshold, out, scratch) };
        }
        self.search_body(query, threshold, out, scratch, false)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,popcnt")]
    fn search_avx2(
        &self,
        query: &PdqHash,
        threshold: u32,
        out: &mut Vec<(u32, u32)>,
        scratch: &mut SearchScratch,
    ) {
        self.search_body(query, threshold, out, scratch, true)
    }

    #[inline(always)]
    fn search_body(
        &self,
        query: &PdqHash,
        threshold: u32,
        out: &mut Vec<(u32, u32)>,
        scratch: &mut SearchScratch,
        avx2: bool,
    ) {
        let n = self.hashes.len();
        if n == 0 {
            return;
        }
        let pair_bound = threshold / 8;
        let radius = (pair_bound / 2) as usize;
        let q = Packed::of(query);
        let words = query.words();
        let pb = self.partner_bits;
        let mask = (1u32 << pb) - 1;
        // Pass 0: where the lists of the values near each query word lie. The loads do not
        // depend on each other, so their misses overlap instead of coming one by one.
        let lists = &mut scratch.lists;
        lists.clear();
        for (w, &qv) in words.iter().enumerate() {
            let starts = &self.starts[w * (VALUES + 1)..(w + 1) * (VALUES + 1)];
            for &m in &self.masks[..self.ball_ends[radius]] {
                let v = (qv ^ m) as usize;
                lists.push(List {
                    start: (w * n) as u64 + u64::from(starts[v]),
                    end: (w * n) as u64 + u64::from(starts[v + 1]),
                    budget: pair_bound - m.count_ones(),
                    q_partner: partner_top(words[w ^ 1], pb),
                    word: w as u32,
                });
            }
        }
        // Pass 1, in order through each list (the next lists' heads fetched ahead): the
        // postings whose partner bits allow a match, with the word they were found under.
        let candidates = &mut scratch.candidates;
        candidates.clear();
        for (i, list) in lists.iter().enumerate() {
            if let Some(ahead) = lists.get(i + LISTS_AHEAD) {
                // Every line of it: a list is ~10 lines, too short for the CPU's own streamer.
                for k in (ahead.start..ahead.end).step_by(16) {
                    prefetch(&self.postings, k as usize);
                }
                prefetch(&self.posting_tops, ahead.start as usize / 2);
            }
            let (k, end) = (list.start as usize, list.end as usize);
            #[cfg(target_arch = "x86_64")]
            let k = if avx2 {
                // SAFETY: `avx2` says the CPU has AVX2; the function reads inside `postings`.
                unsafe {
                    passing_avx2(&self.postings, k, end, mask, list, &mut |k| {
                        candidates.push((self.slot(k), list.word))
                    })
                }
            } else {
                k
            };
            #[cfg(not(target_arch = "x86_64"))]
            let _ = avx2;
            for (k, &p) in (k..end).zip(&self.postings[k..end]) {
                if ((p & mask) ^ list.q_partner).count_ones() <= list.budget {
                    candidates.push((self.slot(k), list.word));
                }
            }
        }
        // Pass 2: their hashes, each fetched ahead of its turn, and the first word's rule that
        // reports each hash once.
        for (i, &(slot, word)) in candidates.iter().enumerate() {
            if let Some(&(ahead, _)) = candidates.get(i + HASHES_AHEAD) {
                prefetch(&self.hashes, ahead as usize);
            }
            let h = &self.hashes[slot as usize];
            let d = h.distance(&q);
            if d <= threshold
                && self.first_word(h, &words, radius as u32, pair_bound) == word as usize
            {
                out.push((slot, d));
            }
        }
    }

    /// What a search for `query` does: the postings it reads in order, and the hashes it then
    /// fetches to verify (for benchmarks: where the time goes).
    pub fn work(&self, query: &PdqHash, threshold: u32) -> SearchWork {
        let mut work = SearchWork::default();
        let n = self.hashes.len();
        if threshold > MAX_INDEXED_THRESHOLD || n == 0 {
            work.fetched = n;
            return work;
        }
        let pair_bound = threshold / 8;
        let radius = (pair_bound / 2) as usize;
        let words = query.words();
        let pb = self.partner_bits;
        let mask = (1u32 << pb) - 1;
        for w in 0..WORDS {
            let q_partner = partner_top(words[w ^ 1], pb);
            let starts = &self.starts[w * (VALUES + 1)..(w + 1) * (VALUES + 1)];
            for &m in &self.masks[..self.ball_ends[radius]] {
                let v = (words[w] ^ m) as usize;
                let range = w * n + starts[v] as usize..w * n + starts[v + 1] as usize;
                work.postings += range.len();
                work.fetched += self.postings[range]
                    .iter()
                    .filter(|&&p| {
                        ((p & mask) ^ q_partner).count_ones() <= pair_bound - m.count_ones()
                    })
                    .count();
            }
        }
        work
    }

    /// The slot of posting `k`: its 36 bits less the partner's.
    #[inline(always)]
    fn slot(&self, k: usize) -> u32 {
        let top = u64::from(self.posting_tops[k / 2] >> (4 * (k % 2)) & 15);
        (((top << 32) | u64::from(self.postings[k])) >> self.partner_bits) as u32
    }

    /// The first word where `h` passes the probe test: within `radius` of the query's word, and
    /// with its partner's known bits within what the pair bound leaves.
    fn first_word(&self, h: &Packed, query: &[u16; 16], radius: u32, pair_bound: u32) -> usize {
        let pb = self.partner_bits;
        (0..WORDS)
            .find(|&w| {
                let d = (h.word(w) ^ query[w]).count_ones();
                d <= radius
                    && d + (partner_top(h.word(w ^ 1), pb) ^ partner_top(query[w ^ 1], pb))
                        .count_ones()
                        <= pair_bound
            })
            .unwrap_or(WORDS)
    }

    /// The same as [`PdqIndex::search`], by comparing `query` with every hash.
    pub fn scan(&self, query: &PdqHash, threshold: u32, out: &mut Vec<(u32, u32)>) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU was just seen to have the feature the function is compiled for.
            return unsafe { self.scan_popcnt(query, threshold, out) };
        }
        self.scan_body(query, threshold, out)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt")]
    fn scan_popcnt(&self, query: &PdqHash, threshold: u32, out: &mut Vec<(u32, u32)>) {
        self.scan_body(query, threshold, out)
    }

    #[inline(always)]
    fn scan_body(&self, query: &PdqHash, threshold: u32, out: &mut Vec<(u32, u32)>) {
        let q = Packed::of(query);
        for (slot, h) in self.hashes.iter().enumerate() {
            let d = h.distance(&q);
            if d <= threshold {
                out.push((slot as u32, d));
            }
        }
    }
}

/// How far ahead pass 1 fetches the lists' heads, and pass 2 the candidates' hashes.
const LISTS_AHEAD: usize = 10;
const HASHES_AHEAD: usize = 8;

/// The buffers of a search, kept between searches by [`PdqIndex::search_with`].
#[derive(Default)]
pub struct SearchScratch {
    lists: Vec<List>,
    candidates: Vec<(u32, u32)>,
}

/// A list to read: postings `start..end`, of query word `word`, with what the partner may differ.
struct List {
    start: u64,
    end: u64,
    budget: u32,
    q_partner: u32,
    word: u32,
}

/// Asks the CPU to start fetching `v[i]` (nothing past the end; nothing but x86-64).
#[inline(always)]
fn prefetch<T>(v: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if i < v.len() {
        // SAFETY: a prefetch only hints at an address, here one inside `v`; SSE is in the
        // x86-64 baseline.
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                v.as_ptr().add(i) as *const i8,
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

/// Calls `found(k)` for each posting `k` in `start..end` whose partner bits are within the
/// list's budget, eight at a time; returns where it stopped (the last few are left to the caller).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
fn passing_avx2(
    postings: &[u32],
    start: usize,
    end: usize,
    mask: u32,
    list: &List,
    found: &mut impl FnMut(usize),
) -> usize {
    use core::arch::x86_64::*;
    let nibble_counts = _mm256_setr_epi8(
        0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3,
        3, 4,
    );
    let low = _mm256_set1_epi8(0x0f);
    let mask = _mm256_set1_epi32(mask as i32);
    let q = _mm256_set1_epi32(list.q_partner as i32);
    let over = _mm256_set1_epi32(list.budget as i32 + 1);
    let mut k = start;
    while k + 8 <= end.min(postings.len()) {
        // SAFETY: k + 8 <= postings.len(): the 32 bytes read are inside the slice.
        let p = unsafe { _mm256_loadu_si256(postings.as_ptr().add(k) as *const __m256i) };
        let x = _mm256_and_si256(_mm256_xor_si256(p, q), mask);
        let lo = _mm256_shuffle_epi8(nibble_counts, _mm256_and_si256(x, low));
        let hi = _mm256_shuffle_epi8(
            nibble_counts,
            _mm256_and_si256(_mm256_srli_epi16(x, 4), low),
        );
        let bytes = _mm256_add_epi8(lo, hi);
        let counts = _mm256_madd_epi16(
            _mm256_maddubs_epi16(bytes, _mm256_set1_epi8(1)),
            _mm256_set1_epi16(1),
        );
        let pass = _mm256_cmpgt_epi32(over, counts);
        let mut bits = _mm256_movemask_ps(_mm256_castsi256_ps(pass)) as u32;
        while bits != 0 {
            found(k + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
        k += 8;
    }
    k
}

/// Bits in a posting: the slot's and the partner's.
const POSTING_BITS: u32 = 36;

/// Asks Linux for 2 MiB pages under a large array about to be filled: a query's candidates are
/// scattered over hundreds of MiB, and with 4 KiB pages each one also missed the TLB (a page
/// walk, dearer still in a virtual machine). Elsewhere, and if the kernel says no, nothing.
#[cfg(target_os = "linux")]
fn huge_pages<T>(v: &Vec<T>) {
    const HUGE: usize = 2 << 20;
    let start = v.as_ptr() as usize;
    let end = start + v.capacity() * core::mem::size_of::<T>();
    let (from, to) = (start.div_ceil(HUGE) * HUGE, end / HUGE * HUGE);
    if to > from {
        // SAFETY: advice on whole pages inside this Vec's own allocation; it changes no contents.
        unsafe { libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn huge_pages<T>(_: &Vec<T>) {}

fn partner_top(partner: u16, partner_bits: u32) -> u32 {
    if partner_bits == 0 {
        0
    } else {
        u32::from(partner) >> (16 - partner_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded generator for the tests (splitmix64).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn hash(&mut self) -> PdqHash {
            PdqHash::from_words(core::array::from_fn(|_| self.next() as u16))
        }

        /// `h` with `k` random bits flipped (k distinct bits: its distance to `h` is `k`).
        fn near(&mut self, h: &PdqHash, k: u32) -> PdqHash {
            let mut words = h.words();
            while PdqHash::from_words(words).distance(h) < k {
                let bit = (self.next() % 256) as usize;
                words[bit / 16] ^= 1 << (bit % 16);
            }
            PdqHash::from_words(words)
        }
    }

    /// Brute force written apart from the index: bytes, popcount.
    fn expected(hashes: &[PdqHash], query: &PdqHash, threshold: u32) -> Vec<(u32, u32)> {
        let q = query.to_bytes();
        let mut out: Vec<(u32, u32)> = hashes
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let d: u32 = h
                    .to_bytes()
                    .iter()
                    .zip(&q)
                    .map(|(a, b)| (a ^ b).count_ones())
                    .sum();
                (i as u32, d)
            })
            .filter(|&(_, d)| d <= threshold)
            .collect();
        out.sort_unstable();
        out
    }

    fn found(index: &PdqIndex, query: &PdqHash, threshold: u32) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        index.search(query, threshold, &mut out);
        let n = out.len();
        out.sort_unstable();
        out.dedup();
        assert_eq!(out.len(), n, "a hash was reported twice");
        out
    }

    /// Clusters of near-duplicates (as real lists have) and queries near them and far.
    fn clustered(rng: &mut Rng, n: usize) -> (Vec<PdqHash>, Vec<PdqHash>) {
        let mut hashes = Vec::with_capacity(n);
        while hashes.len() < n {
            let centre = rng.hash();
            let size = 1 + rng.next() % 12;
            for _ in 0..size.min((n - hashes.len()) as u64) {
                let k = (rng.next() % 24) as u32;
                hashes.push(rng.near(&centre, k));
            }
        }
        let mut queries = Vec::new();
        for i in 0..300 {
            let listed = hashes[(rng.next() % n as u64) as usize];
            let far = rng.next();
            queries.push(match i % 3 {
                0 => rng.near(&listed, (far % 64) as u32),
                1 => rng.near(&listed, 28 + (far % 8) as u32),
                _ => rng.hash(),
            });
        }
        (hashes, queries)
    }

    #[test]
    fn equals_brute_force_at_every_threshold() {
        let mut rng = Rng(20);
        let (hashes, queries) = clustered(&mut rng, 5000);
        let index = PdqIndex::new(hashes.clone());
        let mut matched = 0;
        for (i, q) in queries.iter().enumerate() {
            for t in [
                0, 1, 7, 8, 15, 16, 23, 24, 30, 31, 32, 40, 47, 48, 55, 63, 64, 90, 256,
            ] {
                let want = expected(&hashes, q, t);
                matched += usize::from(!want.is_empty() && t == 31);
                assert_eq!(found(&index, q, t), want, "query {i} at threshold {t}");
            }
        }
        // The queries do reach matches, many of them at the threshold's edge.
        assert!(matched > 80, "{matched} queries matched at 31");
    }

    #[test]
    fn every_list_size_where_the_partner_bits_change() {
        // 65,536 hashes leave 16 partner bits, 65,537 leave 15; 0, 1 and 2 hashes too.
        let mut rng = Rng(7);
        for n in [0usize, 1, 2, 3, 65_536, 65_537] {
            let (hashes, queries) = clustered(&mut rng, n.max(1));
            let hashes = hashes[..n].to_vec();
            let index = PdqIndex::new(hashes.clone());
            assert_eq!(index.len(), n);
            for q in queries.iter().take(if n > 1000 { 40 } else { 300 }) {
                for t in [0, 31, 63] {
                    assert_eq!(
                        found(&index, q, t),
                        expected(&hashes, q, t),
                        "n = {n}, t = {t}"
                    );
                }
            }
            for (slot, h) in hashes.iter().enumerate().take(50) {
                assert_eq!(index.hash(slot as u32), *h);
                assert!(found(&index, h, 0).contains(&(slot as u32, 0)));
            }
        }
    }

    #[test]
    fn the_plain_path_equals_the_vector_one() {
        // This machine takes the AVX2 path in `search`: the path of CPUs without it, apart.
        let mut rng = Rng(31);
        let (hashes, queries) = clustered(&mut rng, 20_000);
        let index = PdqIndex::new(hashes.clone());
        for q in &queries {
            for t in [0, 31, 63] {
                let mut out = Vec::new();
                index.search_body(q, t, &mut out, &mut SearchScratch::default(), false);
                out.sort_unstable();
                assert_eq!(out, expected(&hashes, q, t));
            }
        }
    }

    #[test]
    fn duplicates_are_each_reported() {
        let mut rng = Rng(3);
        let h = rng.hash();
        let hashes = vec![h, h, rng.near(&h, 31), rng.near(&h, 32), h];
        let index = PdqIndex::new(hashes.clone());
        assert_eq!(found(&index, &h, 31), expected(&hashes, &h, 31));
        assert_eq!(found(&index, &h, 31).len(), 4);
    }

    #[test]
    fn scan_is_brute_force() {
        let mut rng = Rng(11);
        let (hashes, queries) = clustered(&mut rng, 2000);
        let index = PdqIndex::new(hashes.clone());
        for q in &queries[..50] {
            let mut out = Vec::new();
            index.scan(q, 31, &mut out);
            out.sort_unstable();
            assert_eq!(out, expected(&hashes, q, 31));
        }
    }

    #[test]
    fn memory_is_104_bytes_a_hash() {
        let mut rng = Rng(5);
        let hashes: Vec<PdqHash> = (0..10_000).map(|_| rng.hash()).collect();
        let index = PdqIndex::new(hashes);
        let per_hash = (index.memory_bytes() - 16 * 65_537 * 4 - 697 * 2) as f64 / 10_000.0;
        assert_eq!(per_hash, 32.0 + 16.0 * 4.5);
    }
}
