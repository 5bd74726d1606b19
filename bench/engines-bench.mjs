// Per-engine benchmark (make bench, issue 19): our hashFile() in Chromium, Firefox ESR and
// WebKitGTK, each driven by its WebDriver server (tests/engines/engines.mjs) on the standalone
// page under its CSP (tools/serve.mjs), all three sessions open at once and used in turn,
// interleaved rounds with the engines' order reversed every other round:
//   - PDQ of the 4032x3024 photo of the PDQ benchmark (target/bench/photo-4032x3024.jpg): read,
//     digests, decode, PDQ;
//   - SHA-256 + MD5 (+ SHA-1) of a large file (BENCH_ENGINES_MIB, default 256 MiB), pdq: false;
//   - a 3-byte Blob: the cost of any call.
// Prints the medians and each engine's ratio to Chromium. Exits non-zero if an engine's digests
// differ from Node's crypto or its PDQ hash from Chromium's; asserts nothing about time.
// BENCH_ROUNDS changes the round count, BENCH_ENGINES the engines (e.g. "chromium firefox").
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ENGINES } from '../tests/engines/engines.mjs';
import { deterministicFile, nodeDigests } from '../tests/engines/tests.mjs';
import { serve } from '../tools/serve.mjs';
import { median } from './site.mjs';

const root = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MIB = Number(process.env.BENCH_ENGINES_MIB ?? 256);
const NAMES = (process.env.BENCH_ENGINES ?? 'chromium firefox webkit').split(/\s+/).filter(Boolean);
const LABEL = { chromium: 'Chromium', firefox: 'Firefox', webkit: 'WebKit' };

const photo = join(root, 'target/bench/photo-4032x3024.jpg');
if (!existsSync(photo)) {
  // As bench/pdq-bench.mjs makes it (make bench runs that one first).
  execFileSync('bash', ['tools/bench-venv.sh'], { cwd: root, stdio: 'inherit' });
  execFileSync(join(root, 'target/bench-venv/bin/python'), ['bench/pdq/make_photo.py', 'target/bench'], { cwd: root, stdio: 'inherit' });
}
const large = await deterministicFile(`bench-${MIB}MiB.bin`, MIB << 20);
const want = await nodeDigests(large);

const { server, url } = await serve(join(root, 'dist'), { port: 0 });
const browsers = {};
try {
  for (const name of NAMES) {
    browsers[name] = await ENGINES[name].start();
    const { session } = browsers[name];
    await session.setTimeouts({ script: 600_000 });
    await session.navigate(url);
    const input = await session.execute(() => {
      const el = Object.assign(document.createElement('input'), { type: 'file', id: 'bench-input', multiple: true });
      document.body.append(el);
      return el;
    });
    await session.sendKeys(Object.values(input)[0], [photo, large].join('\n'));
    browsers[name].version = `${session.capabilities.browserName} ${session.capabilities.browserVersion}`;
  }

  /** One timed call of hashFile() in the page: {ms, result}. */
  const timed = (name, what) =>
    browsers[name].session.execute(async (what) => {
      const { hashFile } = await import('./report-helper.js');
      const [photo, large] = document.querySelector('#bench-input').files;
      const file = { photo, large, tiny: new Blob(['abc']) }[what];
      const start = performance.now();
      const result = await hashFile(file, what === 'large' ? { sha1: true, pdq: false } : {});
      const { size, sha256, md5, sha1, pdq } = result;
      return { ms: performance.now() - start, result: { size, sha256, md5, sha1, pdq } };
    }, what);

  const CASES = ['photo', 'large', 'tiny'];
  const times = Object.fromEntries(NAMES.map((n) => [n, Object.fromEntries(CASES.map((c) => [c, []]))]));
  const hashes = {};
  const check = (name, what, result) => {
    if (what === 'large') {
      for (const k of ['size', 'sha256', 'md5', 'sha1']) {
        if (result[k] !== want[k]) throw new Error(`${name}: ${k} ${result[k]}, Node's crypto ${want[k]}`);
      }
    }
    if (what === 'photo') (hashes[name] ??= result.pdq?.hash);
  };
  // Warm-up: workers started, modules compiled, the files in the page cache.
  for (const name of NAMES) for (const what of CASES) check(name, what, (await timed(name, what)).result);
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 ? [...NAMES].reverse() : NAMES;
    for (const name of order) {
      for (const what of CASES) {
        const { ms, result } = await timed(name, what);
        check(name, what, result);
        times[name][what].push(ms);
      }
    }
    process.stderr.write(`round ${i + 1}/${ROUNDS} done\n`);
  }

  const base = NAMES[0];
  const m = (name, what) => median(times[name][what]);
  const versions = NAMES.map((n) => browsers[n].version).join(', ');
  console.log(`\nhashFile() per engine, medians of ${ROUNDS} interleaved rounds, ratios to ${LABEL[base]}: ${versions}`);
  console.log(`| what | ${NAMES.map((n) => `${LABEL[n]} ms${n === base ? '' : ` (/ ${LABEL[base]})`}`).join(' | ')} |`);
  console.log(`|---|${NAMES.map(() => '---:').join('|')}|`);
  const rows = {
    photo: 'PDQ + digests of the 4032x3024 JPEG',
    large: `SHA-256 + MD5 + SHA-1 of ${MIB} MiB`,
    tiny: 'a 3-byte Blob (any call)',
  };
  for (const what of CASES) {
    const cells = NAMES.map((n) => `${m(n, what).toFixed(0)}${n === base ? '' : ` (${(m(n, what) / m(base, what)).toFixed(2)})`}`);
    console.log(`| ${rows[what]} | ${cells.join(' | ')} |`);
  }
  const mbps = NAMES.map((n) => `${LABEL[n]} ${((MIB * 1.048576) / (m(n, 'large') / 1e3)).toFixed(0)} MB/s`);
  console.log(`digests: ${mbps.join(', ')}`);
  const pdq = Object.entries(hashes).map(([n, h]) => `${LABEL[n]} ${h}`);
  console.log(`PDQ of the photo: ${pdq.join(', ')}`);
  if (new Set(Object.values(hashes)).size !== 1) {
    console.error('the engines disagree on the photo\'s PDQ hash');
    process.exitCode = 1;
  }
} finally {
  for (const b of Object.values(browsers)) await b.stop().catch(() => {});
  server.close();
}
