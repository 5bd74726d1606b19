// Matcher benchmark (make bench): 10 million PDQ hashes in clusters of near-duplicates and 10,000
// queries (crate/examples/mih_bench.rs says how they are made, from a seed), in one run, on the
// very same files (target/bench/match/):
//   (a) our index, report_helper::pdq::index::PdqIndex: build, memory, search at threshold 31 on
//       one thread over all queries (median of rounds; search_with, its buffers kept between
//       queries as a matcher keeps them), crate/examples/mih_bench.rs
//   (b) the brute force, PdqIndex::scan, on the first MATCH_BENCH_BRUTE queries, in the same process
//   (c) Meta's MIH, MIH256 of pdq/cpp/index/mih.h (pdqhash 0.2.8's sdist, g++ -O3): build,
//       memory, queryAll at 31 on the same first queries (time-boxed), bench/match/meta_mih.cpp
//   (d) Meta's linear search, MIH256::bruteForceQueryAll, on a few: a second brute force
// Prints a table with the ratios, and exits non-zero if (a)'s results differ from (b)'s on any
// query or (b)'s from (d)'s. Asserts nothing about time.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const HASHES = Number(process.env.MATCH_BENCH_HASHES ?? 10_000_000);
const QUERIES = Number(process.env.MATCH_BENCH_QUERIES ?? 10_000);
const SEED = Number(process.env.MATCH_BENCH_SEED ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BRUTE = Number(process.env.MATCH_BENCH_BRUTE ?? 300);
const META_SECONDS = Number(process.env.MATCH_BENCH_META_SECONDS ?? 60);
const META_BRUTE = Math.min(BRUTE, Number(process.env.MATCH_BENCH_META_BRUTE ?? 10));
const dir = join(root, 'target/bench/match');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const lines = async (name) => (await readFile(join(dir, name), 'utf8')).split('\n').slice(0, -1);

run('bash', ['tools/bench-venv.sh']);
run('cargo', ['build', '--quiet', '--release', '-p', 'report-helper', '--example', 'mih_bench']);
const native = join(root, 'target/release/examples/mih_bench');
const data = JSON.parse(run(native, ['generate', dir, HASHES, QUERIES, SEED]));
console.error(`match-bench: ${data.hashes} hashes in ${data.clusters} clusters, ${data.queries} queries; (a) and (b)…`);
const ours = JSON.parse(run(native, ['run', dir, ROUNDS, BRUTE]));
console.error('match-bench: (c) and (d), Meta\'s MIH (its build takes minutes)…');
const meta = JSON.parse(run(join(root, 'target/bench/meta-mih'),
  [join(dir, 'hashes.bin'), join(dir, 'queries.bin'), BRUTE, META_SECONDS, META_BRUTE, dir]));

await writeFile(join(dir, 'results.json'), `${JSON.stringify({ data, ours, meta }, null, 1)}\n`);

/** How many of `got`'s lines differ from `want`'s, and the share of `want`'s slots found in `got`. */
const compare = (got, want) => {
  let differ = 0;
  let expected = 0;
  let found = 0;
  got.forEach((line, i) => {
    if (line !== want[i]) differ++;
    const have = new Set(line.split(' ').filter(Boolean));
    const slots = want[i].split(' ').filter(Boolean);
    expected += slots.length;
    found += slots.filter((s) => have.has(s)).length;
  });
  return { differ, recall: expected ? found / expected : 1, expected };
};
const brute = await lines('brute.txt');
const metaVsBrute = compare(await lines('meta.txt'), brute);
const metaBruteVsBrute = compare(await lines('meta-brute.txt'), brute);

const mib = (bytes) => (bytes / 2 ** 20).toFixed(0);
const exact = (differ, n) => (differ === 0 ? `100 % (${n} of ${n} queries identical)` : `${n - differ} of ${n} queries identical`);
const met = (yes) => (yes ? 'met' : 'NOT met');
const row = (cells) => console.log(`| ${cells.join(' | ')} |`);
const n = (x) => x.toLocaleString('en');
console.log(`\nPDQ matching at threshold ${ours.threshold}, one thread: ${n(data.hashes)} hashes in ${n(data.clusters)} clusters `
  + `(mean ${data.mean_cluster}, largest ${data.largest_cluster}, members 1-20 bits from the centre), ${n(data.queries)} queries `
  + `(${data.near_queries} near-duplicates 0-40 bits off a listed hash, ${data.random_queries} random), seed ${data.seed}`);
row(['what', 'build s', 'index MiB (own count)', 'RSS after build MiB', 'peak RSS growth MiB', 'queries', 'qps',
  'median µs per query', 'vs brute force']);
row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']);
row(['(a) ours, PdqIndex::search', ours.build_s.toFixed(1), mib(ours.memory_bytes), mib(ours.rss_built - ours.rss_start),
  mib(ours.peak_rss - ours.rss_start), `${ours.queries} x ${ROUNDS}`, ours.search_qps.toFixed(0), ours.search_median_us.toFixed(1),
  exact(ours.differ, ours.brute_queries)]);
row(['(b) brute force, PdqIndex::scan', '', '', '', '', ours.brute_queries, ours.scan_qps.toFixed(2), ours.scan_median_us.toFixed(0),
  '(the reference)']);
row(["(c) Meta's MIH256::queryAll, g++ -O3", meta.build_s.toFixed(1), '', mib(meta.rss_built - meta.rss_start),
  mib(meta.peak_rss - meta.rss_start), meta.queries, meta.qps.toFixed(1), meta.median_us.toFixed(0),
  `${exact(metaVsBrute.differ, meta.queries)}, recall ${(100 * metaVsBrute.recall).toFixed(2)} %`]);
row(["(d) Meta's MIH256::bruteForceQueryAll", '', '', '', '', meta.brute_queries, meta.brute_qps.toFixed(2),
  meta.brute_median_us.toFixed(0), exact(metaBruteVsBrute.differ, meta.brute_queries)]);
console.log('');
console.log("RSS: the process's resident memory after the build less before reading the files (the input freed; ours "
  + "holds the hashes in the index); peak: its VmHWM less the same start ((c)'s includes insertAll's input copy).");
console.log(`the brute force's ${ours.brute_queries} queries: ${ours.brute_matches} matches, ${ours.brute_at_threshold} of them at `
  + `exactly ${ours.threshold} bits; (a) over all ${ours.queries}: ${ours.matches} matches, ${ours.queries_matched} queries with any.`);
console.log(`where the time goes, by (a)'s own count (PdqIndex::work): a query reads ${ours.postings_mean} postings in order (mean; `
  + `Meta's MIH reads the same lists and puts each posting in a std::set) and fetches ${ours.fetched_mean} hashes to verify `
  + `(${(100 * ours.fetched_mean / ours.postings_mean).toFixed(1)} %): (a) ${(1e9 / ours.search_qps / ours.postings_mean).toFixed(2)} `
  + `ns a posting, (c) ${(1e9 * meta.query_s / meta.queries / ours.postings_mean_brute).toFixed(1)} ns.`);
console.log(`ratios: qps (a)/(b) ${(ours.search_qps / ours.scan_qps).toFixed(0)}, (a)/(c) ${(ours.search_qps / meta.qps).toFixed(1)}; `
  + `build s (a)/(c) ${(ours.build_s / meta.build_s).toFixed(3)}; RSS after build (a)/(c) `
  + `${((ours.rss_built - ours.rss_start) / (meta.rss_built - meta.rss_start)).toFixed(2)}`);
console.log(`goal: >= 10,000 qps on one core: ${ours.search_qps.toFixed(0)} (${met(ours.search_qps >= 10_000)}); per second of `
  + `its CPU time (what the shared machine's other work does not take): ${ours.search_qps_cpu.toFixed(0)}`);
console.log(`goal: index memory < 1 GiB: ${mib(ours.memory_bytes)} MiB by its own count (${met(ours.memory_bytes < 2 ** 30)}), `
  + `${mib(ours.rss_built - ours.rss_start)} MiB resident`);
console.log(`goal: recall exactly 100 % of brute force: ${exact(ours.differ, ours.brute_queries)} (${met(ours.differ === 0)})`);
if (ours.differ !== 0 || metaBruteVsBrute.differ !== 0) process.exitCode = 1;
