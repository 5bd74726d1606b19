// Digest benchmark (make bench): in one headless Chromium run, the same generated 1 GiB file
// hashed by our hashFile() and by hash-wasm (SHA-256 + MD5, one streaming pass, in a worker),
// interleaved, medians of 5. Also our single-worker file throughput and our in-memory ceiling.
// Prints MB/s (10^6 bytes per second) and ratios; asserts nothing about time.
import { open, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { median, openBenchPage } from './site.mjs';

const root = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZE = Number(process.env.BENCH_MIB ?? 1024) << 20;
const CEILING_MIB = 256;


const path = join(root, 'target/bench-1gib.bin');
{
  const handle = await open(path, 'w');
  for (let done = 0; done < SIZE; done += 16 << 20) await handle.write(randomBytes(Math.min(16 << 20, SIZE - done)));
  await handle.close();
}

const { page, browser, close } = await openBenchPage('bench-site', 'bench/bench.html', [
  ['node_modules/hash-wasm/dist/index.esm.js', 'vendor/hash-wasm.js'],
]);
try {
  await page.setInputFiles('#file', path);
  const run = (name, ...args) => page.evaluate(([n, a]) => window[n](...a), [name, args]);

  // Warm-up: workers started, modules compiled, the file in the page cache.
  const reference = (await run('peer')).digests;
  await run('ours');
  await run('oursOneWorker');
  await run('peerByob');
  const read = await run('readOnly');
  console.log(`File.stream() alone: ${(SIZE / 1e6 / (read.ms / 1e3)).toFixed(0)} MB/s; chunk sizes (bytes, count): ${JSON.stringify(read.chunkSizes)}`);

  const times = { ours: [], oursOneWorker: [], peer: [], peerByob: [], ceiling: [], ceilingSha256: [] };
  for (let i = 0; i < RUNS; i++) {
    // Alternate the order so drift on a shared machine falls on both sides.
    const order = ['ours', 'oursOneWorker', 'peer', 'peerByob'];
    if (i % 2) order.reverse();
    for (const name of order) {
      const { ms, digests } = await run(name);
      if (!digests) throw new Error(`${name} returned no digests`);
      if (digests.sha256 !== reference.sha256 || digests.md5 !== reference.md5) {
        throw new Error(`${name} disagrees with hash-wasm: ${JSON.stringify(digests)} vs ${JSON.stringify(reference)}`);
      }
      times[name].push(ms);
    }
    times.ceiling.push((await run('ceiling', CEILING_MIB, { sha256: true, md5: true })).ms);
    times.ceilingSha256.push((await run('ceiling', CEILING_MIB, { sha256: true })).ms);
    process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
  }

  const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1e3);
  const rate = {
    ours: mbps(SIZE, median(times.ours)),
    oursOneWorker: mbps(SIZE, median(times.oursOneWorker)),
    peer: mbps(SIZE, median(times.peer)),
    peerByob: mbps(SIZE, median(times.peerByob)),
    ceiling: mbps(CEILING_MIB << 20, median(times.ceiling)),
    ceilingSha256: mbps(CEILING_MIB << 20, median(times.ceilingSha256)),
  };
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const f = (x) => x.toFixed(0).padStart(6);
  console.log(`\nSHA-256 + MD5 of a ${SIZE >> 20} MiB file, medians of ${RUNS} runs, ${cores} cores, ${await browser.version()}`);
  console.log('| what | MB/s |');
  console.log('|---|---:|');
  console.log(`| ours: hashFile() (File.stream, 2 workers: SHA-256 / MD5) | ${f(rate.ours)} |`);
  console.log(`| ours: one worker, SHA-256 + MD5 in one pass | ${f(rate.oursOneWorker)} |`);
  const peerVersion = (await import('../node_modules/hash-wasm/package.json', { with: { type: 'json' } })).default.version;
  console.log(`| hash-wasm ${peerVersion}: one worker, SHA-256 + MD5 in one pass | ${f(rate.peer)} |`);
  console.log(`| hash-wasm ${peerVersion}: the same, reading with BYOB into one buffer as we do | ${f(rate.peerByob)} |`);
  console.log(`| ceiling: our hasher over an ArrayBuffer, SHA-256 + MD5, one worker | ${f(rate.ceiling)} |`);
  console.log(`| ceiling: our hasher over an ArrayBuffer, SHA-256 alone (the split's bottleneck) | ${f(rate.ceilingSha256)} |`);
  console.log('');
  console.log(`ratio hashFile / hash-wasm:                         ${(rate.ours / rate.peer).toFixed(2)}  (target >= 1.5)`);
  console.log(`ratio one worker / hash-wasm:                       ${(rate.oursOneWorker / rate.peer).toFixed(2)}`);
  console.log(`ratio one worker / hash-wasm reading with BYOB:     ${(rate.oursOneWorker / rate.peerByob).toFixed(2)}`);
  console.log(`ratio hashFile / in-memory ceiling (one pass):      ${(rate.ours / rate.ceiling).toFixed(2)}  (target >= 0.8)`);
  console.log(`ratio one worker / in-memory ceiling (one pass):    ${(rate.oursOneWorker / rate.ceiling).toFixed(2)}`);
  console.log(`ratio hashFile / in-memory SHA-256 alone:           ${(rate.ours / rate.ceilingSha256).toFixed(2)}`);
} finally {
  await close();
  await rm(path, { force: true });
}
