//! The native side of the matcher benchmark (`bench/match-bench.mjs`, `make bench`; not a test).
//!
//! `mih_bench generate DIR [HASHES] [QUERIES] [SEED]` writes DIR/hashes.bin and DIR/queries.bin
//! (32 bytes a hash, as `PdqHash::to_bytes`, so Meta's C++ reads the very same data) and
//! DIR/data.json (what was made). The data, from a seeded splitmix64 (no dependency):
//! - hashes in clusters of near-duplicates, as real lists have: a cluster's centre is uniform
//!   random; its size is a Zipf-like draw, floor(u^(-1/1.1)) capped at 10,000 (about half are
//!   single pictures, the mean is about 6.6, a few viral pictures have thousands of copies); its
//!   first member is the centre, each other one the centre with 1 to 20 distinct bits flipped
//!   (uniform). The queries are drawn, then all hashes shuffled, as a list holds them in the order
//!   they came.
//! - queries: half near-duplicates of a listed hash (a cluster picked uniformly, then one of its
//!   members: every listed picture as likely to come back) with 0 to 40 distinct bits flipped (uniform:
//!   around and over the threshold 31, so matches at its edge exist, against that hash and its
//!   cluster's others); half unrelated uniform random hashes (most uploads are on no list).
//!   Interleaved at random, so any prefix is a fair sample.
//!
//! `mih_bench run DIR [ROUNDS] [BRUTE]` builds `PdqIndex` over DIR/hashes.bin and prints one JSON
//! line: build time, `memory_bytes()`, resident memory (VmRSS, VmHWM), the queries per second of
//! `search` at threshold 31 on this one thread (all queries, ROUNDS rounds, the median round), and
//! of `scan` (the brute force) on the first BRUTE queries, with the number of those queries whose
//! result sets differ (it must be 0). It writes the brute force's results to DIR/brute.txt (one line
//! a query: its slots, ascending) for the driver to compare Meta's with.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Instant;

use report_helper::pdq::index::{PdqIndex, SearchScratch, SearchWork};
use report_helper::pdq::{PdqHash, MATCH_DISTANCE};

/// splitmix64 (Steele, Lea, Flood 2014): small, seedable, good enough for test data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (Lemire's multiply-shift; the bias is far under 2^-30 for these n).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    fn hash(&mut self) -> [u8; 32] {
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_exact_mut(8) {
            chunk.copy_from_slice(&self.next().to_le_bytes());
        }
        bytes
    }

    /// `hash` with `k` distinct bits flipped.
    fn flip(&mut self, hash: [u8; 32], k: u32) -> [u8; 32] {
        let mut mask = [0u8; 32];
        let mut flipped = 0;
        while flipped < k {
            let bit = self.below(256) as usize;
            if mask[bit / 8] & (1 << (bit % 8)) == 0 {
                mask[bit / 8] |= 1 << (bit % 8);
                flipped += 1;
            }
        }
        std::array::from_fn(|i| hash[i] ^ mask[i])
    }
}

const CLUSTER_ALPHA: f64 = 1.1;
const CLUSTER_MAX: u64 = 10_000;
const MEMBER_MAX_BITS: u64 = 20;
const QUERY_MAX_BITS: u64 = 40;

fn generate(dir: &Path, count: usize, queries: usize, seed: u64) {
    let mut rng = SplitMix64(seed);
    let mut hashes: Vec<[u8; 32]> = Vec::with_capacity(count);
    let mut starts: Vec<usize> = Vec::new();
    let (mut singles, mut largest) = (0u64, 0u64);
    while hashes.len() < count {
        starts.push(hashes.len());
        let size = (rng.unit().powf(-1.0 / CLUSTER_ALPHA).floor() as u64).clamp(1, CLUSTER_MAX);
        let size = size.min((count - hashes.len()) as u64);
        let centre = rng.hash();
        hashes.push(centre);
        for _ in 1..size {
            let bits = 1 + rng.below(MEMBER_MAX_BITS) as u32;
            hashes.push(rng.flip(centre, bits));
        }
        singles += u64::from(size == 1);
        largest = largest.max(size);
    }
    starts.push(hashes.len());
    let clusters = starts.len() as u64 - 1;
    let mut near = 0;
    let query_list: Vec<[u8; 32]> = (0..queries)
        .map(|_| {
            if rng.next() & 1 == 0 {
                near += 1;
                let cluster = rng.below(clusters) as usize;
                let (first, end) = (starts[cluster], starts[cluster + 1]);
                let listed = hashes[first + rng.below((end - first) as u64) as usize];
                let bits = rng.below(QUERY_MAX_BITS + 1) as u32;
                rng.flip(listed, bits)
            } else {
                rng.hash()
            }
        })
        .collect();
    for i in (1..hashes.len()).rev() {
        hashes.swap(i, rng.below(i as u64 + 1) as usize);
    }
    std::fs::create_dir_all(dir).expect("create DIR");
    write_hashes(&dir.join("hashes.bin"), &hashes);
    write_hashes(&dir.join("queries.bin"), &query_list);
    let info = format!(
        "{{\"hashes\":{count},\"queries\":{queries},\"seed\":{seed},\"clusters\":{clusters},\"single\":{singles},\
\"mean_cluster\":{:.2},\"largest_cluster\":{largest},\"cluster_alpha\":{CLUSTER_ALPHA},\"cluster_max\":{CLUSTER_MAX},\
\"member_bits\":[1,{MEMBER_MAX_BITS}],\"near_queries\":{near},\"near_bits\":[0,{QUERY_MAX_BITS}],\"random_queries\":{}}}",
        count as f64 / clusters as f64,
        queries - near
    );
    std::fs::write(dir.join("data.json"), &info).expect("write data.json");
    println!("{info}");
}

fn write_hashes(path: &Path, hashes: &[[u8; 32]]) {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).expect("create"));
    for h in hashes {
        out.write_all(h).expect("write");
    }
    out.flush().expect("flush");
}

fn read_hashes(path: &Path) -> Vec<PdqHash> {
    let file = File::open(path).expect("open");
    let len = file.metadata().expect("metadata").len() as usize;
    assert_eq!(
        len % 32,
        0,
        "{}: not a whole number of hashes",
        path.display()
    );
    let mut input = BufReader::with_capacity(1 << 20, file);
    let mut hashes = Vec::with_capacity(len / 32);
    let mut bytes = [0u8; 32];
    for _ in 0..len / 32 {
        input.read_exact(&mut bytes).expect("read");
        hashes.push(PdqHash::from_bytes(bytes));
    }
    hashes
}

/// A field of /proc/self/status in bytes (VmRSS: resident now; VmHWM: its peak so far).
fn status_bytes(field: &str) -> u64 {
    let status = BufReader::new(File::open("/proc/self/status").expect("/proc/self/status"));
    for line in status.lines() {
        let line = line.expect("read status");
        if let Some(rest) = line.strip_prefix(field).and_then(|r| r.strip_prefix(':')) {
            let kib: u64 = rest
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .expect("kB");
            return kib * 1024;
        }
    }
    panic!("no {field} in /proc/self/status")
}

/// This process's CPU time so far in seconds (user and system, /proc/self/stat, in ticks of
/// 1/100 s): on a shared machine the queries per CPU second say what one core of its own gives.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let fields: Vec<&str> = stat[stat.rfind(')').expect("(comm)") + 2..]
        .split(' ')
        .collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    ticks as f64 / 100.0
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn run(dir: &Path, rounds: usize, brute: usize) {
    let threshold = MATCH_DISTANCE;
    let rss_start = status_bytes("VmRSS");
    let hashes = read_hashes(&dir.join("hashes.bin"));
    let queries = read_hashes(&dir.join("queries.bin"));
    let rss_loaded = status_bytes("VmRSS");
    let count = hashes.len();

    let start = Instant::now();
    let index = PdqIndex::new(hashes);
    let build_s = start.elapsed().as_secs_f64();
    let peak_rss = status_bytes("VmHWM");
    let rss_built = status_bytes("VmRSS");
    assert_eq!(index.len(), count);

    // Where the time goes, by the index's own count (not timed): the postings a search reads
    // in order, and the hashes it then fetches to verify.
    let brute = brute.min(queries.len());
    let work: Vec<SearchWork> = queries.iter().map(|q| index.work(q, threshold)).collect();
    let mean =
        |f: fn(&SearchWork) -> usize| work.iter().map(f).sum::<usize>() as f64 / work.len() as f64;
    let (postings_mean, fetched_mean) = (mean(|w| w.postings), mean(|w| w.fetched));
    let postings_mean_brute =
        work[..brute].iter().map(|w| w.postings).sum::<usize>() as f64 / brute.max(1) as f64;

    // All queries, `rounds` times; each query timed alone too, for the median per query.
    // With its buffers kept between searches, as a matcher's loop keeps them (`search_with`).
    let mut out = Vec::new();
    let mut scratch = SearchScratch::default();
    let mut round_s = Vec::with_capacity(rounds);
    let cpu_start = cpu_seconds();
    let mut query_us = Vec::with_capacity(rounds * queries.len());
    let (mut matches, mut queries_matched) = (0usize, 0usize);
    for round in 0..rounds {
        let round_start = Instant::now();
        for q in &queries {
            let t = Instant::now();
            out.clear();
            index.search_with(q, threshold, &mut out, &mut scratch);
            query_us.push(t.elapsed().as_secs_f64() * 1e6);
            if round == 0 {
                matches += out.len();
                queries_matched += usize::from(!out.is_empty());
            }
        }
        round_s.push(round_start.elapsed().as_secs_f64());
    }
    let search_cpu_s = (cpu_seconds() - cpu_start) / rounds as f64;
    let round_list = round_s
        .iter()
        .map(|s| format!("{s:.3}"))
        .collect::<Vec<_>>()
        .join(",");
    let search_round_s = median(&mut round_s);
    let search_median_us = median(&mut query_us);

    // The brute force on the first `brute` queries, and the index's results on them compared.
    let mut scan_us = Vec::with_capacity(brute);
    let mut brute_lines = BufWriter::new(File::create(dir.join("brute.txt")).expect("brute.txt"));
    let (mut differ, mut brute_matches, mut at_threshold) = (0usize, 0usize, 0usize);
    let mut scanned = Vec::new();
    for q in &queries[..brute] {
        let t = Instant::now();
        scanned.clear();
        index.scan(q, threshold, &mut scanned);
        scan_us.push(t.elapsed().as_secs_f64() * 1e6);
        scanned.sort_unstable();
        out.clear();
        index.search(q, threshold, &mut out);
        out.sort_unstable();
        differ += usize::from(out != scanned);
        brute_matches += scanned.len();
        at_threshold += scanned.iter().filter(|&&(_, d)| d == threshold).count();
        let slots: Vec<String> = scanned.iter().map(|(slot, _)| slot.to_string()).collect();
        writeln!(brute_lines, "{}", slots.join(" ")).expect("write brute.txt");
    }
    brute_lines.flush().expect("flush brute.txt");
    let scan_only_s: f64 = scan_us.iter().sum::<f64>() / 1e6;
    let scan_median_us = median(&mut scan_us);

    println!(
        "{{\"impl\":\"report-helper PdqIndex\",\"hashes\":{count},\"queries\":{},\"threshold\":{threshold},\
\"build_s\":{build_s:.3},\"memory_bytes\":{},\"rss_start\":{rss_start},\"rss_loaded\":{rss_loaded},\
\"rss_built\":{rss_built},\"peak_rss\":{peak_rss},\"rounds_s\":[{round_list}],\"search_qps\":{:.1},\
\"search_median_us\":{search_median_us:.2},\"search_qps_cpu\":{:.1},\"matches\":{matches},\"queries_matched\":{queries_matched},\
\"brute_queries\":{brute},\"scan_qps\":{:.2},\"scan_median_us\":{scan_median_us:.1},\"brute_matches\":{brute_matches},\
\"brute_at_threshold\":{at_threshold},\"differ\":{differ},\"postings_mean\":{postings_mean:.0},\
\"fetched_mean\":{fetched_mean:.0},\"postings_mean_brute\":{postings_mean_brute:.0}}}",
        queries.len(),
        index.memory_bytes(),
        queries.len() as f64 / search_round_s,
        queries.len() as f64 / search_cpu_s,
        brute as f64 / scan_only_s,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, default: u64| {
        args.get(i)
            .map_or(default, |a| a.parse().expect("a number"))
    };
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("generate"), Some(dir)) => generate(
            Path::new(dir),
            arg(3, 10_000_000) as usize,
            arg(4, 10_000) as usize,
            arg(5, 20),
        ),
        (Some("run"), Some(dir)) => run(Path::new(dir), arg(3, 5) as usize, arg(4, 300) as usize),
        _ => {
            eprintln!("usage: mih_bench generate DIR [HASHES] [QUERIES] [SEED] | run DIR [ROUNDS] [BRUTE]");
            std::process::exit(2);
        }
    }
}
