// PDQ benchmark (make bench): the same 4032x3024 photo, in one run, interleaved rounds:
//   (a) Meta's reference C++ through PyPI pdqhash 0.2.8, on the decoded pixels (Python process)
//   (a') the same C++ sources built alone with g++ -O3, no Python (bench/pdq/reference.cpp)
//   (b) our core natively, on the same pixels (crate/examples/pdq_time.rs)
//   (c) our WebAssembly in headless Chromium, on the same pixels, hash only
//   (d) hashFile() on the photo as a JPEG: read, digests, decode in the worker, PDQ
// Prints medians and ratios, and checks that (a), (b) and (c) give the same hash. Asserts nothing
// about time.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { interleavedRounds, openBenchPage } from './site.mjs';

const root = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PER_ROUND = 3;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
/** A timing process's JSON line, its `times_ms` as `times`. */
const timed = (line) => {
  const out = JSON.parse(line);
  return { ...out, times: out.times_ms };
};

run('bash', ['tools/bench-venv.sh']);
const python = join(root, 'target/bench-venv/bin/python');
run(python, ['bench/pdq/make_photo.py', 'target/bench']);
const photo = JSON.parse(await readFile(join(root, 'target/bench/photo-4032x3024.json'), 'utf8'));
const { width, height } = photo;
const rgbPath = join(root, 'target/bench/photo-4032x3024.rgb');
const jpegPath = join(root, 'target/bench/photo-4032x3024.jpg');
run('cargo', ['build', '--quiet', '--release', '-p', 'report-helper', '--example', 'pdq_time']);
const native = join(root, 'target/release/examples/pdq_time');

const { page, browser, close } = await openBenchPage('bench-pdq-site', 'bench/pdq.html');
try {
  await page.setInputFiles('#rgb', rgbPath);
  await page.setInputFiles('#jpeg', jpegPath);
  await page.evaluate(() => window.loadPixels());
  const impls = {
    reference: () => timed(run(python, ['bench/pdq/reference.py', rgbPath, width, height, PER_ROUND])),
    referenceCpp: () => timed(run(join(root, 'target/bench/pdq-reference-cpp'), [rgbPath, width, height, PER_ROUND])),
    native: () => timed(run(native, [rgbPath, width, height, PER_ROUND])),
    wasm: () => page.evaluate(([w, h, n]) => window.wasmPdq(w, h, n), [width, height, PER_ROUND]),
    hashFile: () => page.evaluate((n) => window.hashFilePdq(n), PER_ROUND),
  };
  // The warm-up starts the processes, fills the caches, the worker pool and the compiled modules.
  const { first, medians: m } = await interleavedRounds(impls, ROUNDS, (name, out, was) => {
    if (out.hash !== was.hash) throw new Error(`${name} changed its hash between runs`);
  });

  const bits = (a, b) => [...Array(64).keys()].reduce((d, i) => {
    let x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
    for (; x; x >>= 1) d += x & 1;
    return d;
  }, 0);
  const ref = first.reference;
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  console.log(`\nPDQ of a ${width}x${height} photo (RGB sha256 ${photo.rgb_sha256.slice(0, 12)}…), medians of ${ROUNDS * PER_ROUND} calls in ${ROUNDS} interleaved rounds, ${cores} cores, ${await browser.version()}`);
  console.log('| what | median ms | / (a) | hash vs (a) |');
  console.log('|---|---:|---:|---|');
  const row = (label, name, hash) => {
    const same = hash === undefined ? '' : hash === ref.hash ? 'identical' : `${bits(hash, ref.hash)} bits off`;
    console.log(`| ${label} | ${m[name].toFixed(1)} | ${(m[name] / m.reference).toFixed(3)} | ${same} |`);
  };
  row('(a) Meta C++ via pdqhash 0.2.8 (native; includes its numpy luma)', 'reference', ref.hash);
  row("(a') the same C++ alone, g++ -O3 (its own luma)", 'referenceCpp', first.referenceCpp.hash);
  row('(b) ours, native', 'native', first.native.hash);
  row('(c) ours, WebAssembly in Chromium, hash only', 'wasm', first.wasm.hash);
  row('(d) ours, hashFile() on the JPEG: read + digests + decode + PDQ', 'hashFile', first.hashFile.hash);
  console.log('');
  console.log(`quality: (a) ${ref.quality}, (b) ${first.native.quality}, (c) ${first.wasm.quality}, (d) ${first.hashFile.quality}`);
  console.log(`target: (c) / (a) <= 0.2, bit-exact: ${(m.wasm / m.reference).toFixed(3)}, ${first.wasm.hash === ref.hash ? 'bit-exact' : 'NOT bit-exact'}`);
  console.log(`target: (d) median < 300 ms: ${m.hashFile.toFixed(0)} ms`);
  console.log(`(c) / (a'): ${(m.wasm / m.referenceCpp).toFixed(3)}`);
  if (first.native.hash !== ref.hash || first.wasm.hash !== ref.hash) process.exitCode = 1;
} finally {
  await close();
}
