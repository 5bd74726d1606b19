// vPDQ benchmark (make bench): one 1080p H.264 video (60 s at 29.97 fps, bench/vpdq/make_video.sh),
// in one run, interleaved rounds:
//   (a) Meta's reference, PyPI vpdq 0.2.5 (its C++ over Debian's FFmpeg 5.1), in the bench venv
//   (b) our native command, report-helper hash --vpdq (FFmpeg's libraries; plus SHA-256 and MD5)
//   (c) hashFile() in headless Chromium (read once: SHA-256 and MD5, demux, WebCodecs, vPDQ)
// Prints medians and ratios to (a), and how the three outputs compare. Asserts nothing about time.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { interleavedRounds, openBenchPage } from './site.mjs';

const root = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });

run('bash', ['tools/bench-venv.sh']);
run('bash', ['bench/vpdq/make_video.sh', join(root, 'target/bench')]);
const video = join(root, 'target/bench/vpdq-1080p.mp4');
const python = join(root, 'target/bench-venv/bin/python');
const native = join(root, 'target/release/report-helper');

const { page, browser, close } = await openBenchPage('bench-vpdq-site', 'bench/vpdq.html');
try {
  await page.setInputFiles('#video', video);
  const impls = {
    reference: () => {
      const out = JSON.parse(run(python, ['bench/vpdq/reference.py', video, '1']));
      return { times: out.times_ms, frames: out.frames };
    },
    native: () => {
      const start = performance.now();
      const line = JSON.parse(run(native, ['hash', '--vpdq', video]));
      const ms = performance.now() - start;
      return { times: [ms], frames: line.vpdq.frames.map((f) => [f.frame, f.quality, f.hash]) };
    },
    hashFile: () => page.evaluate(() => window.hashFileVpdq(1)),
  };
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const { first, medians: m } = await interleavedRounds(impls, ROUNDS, (name, out, was) => {
    if (!same(out.frames, was.frames)) throw new Error(`${name} changed its frames between runs`);
  });
  const ref = first.reference.frames;
  const bits = (a, b) => [...Array(64).keys()].reduce((d, i) => {
    let x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
    for (; x; x >>= 1) d += x & 1;
    return d;
  }, 0);
  const versus = (frames) => {
    if (same(frames, ref)) return 'identical';
    if (frames.length !== ref.length || frames.some((f, i) => f[0] !== ref[i][0])) return 'other frames';
    const d = frames.map((f, i) => bits(f[2], ref[i][2]));
    return `mean ${(d.reduce((a, b) => a + b, 0) / d.length).toFixed(2)} bits, max ${Math.max(...d)}`;
  };
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  console.log(`\nvPDQ of a 1080p H.264 video (60 s, 1798 frames, ${ref.length} hashed), medians of ${ROUNDS} interleaved rounds, ${cores} cores, ${await browser.version()}`);
  console.log('| what | median s | / (a) | frames vs (a) |');
  console.log('|---|---:|---:|---|');
  const row = (label, name) =>
    console.log(`| ${label} | ${(m[name] / 1000).toFixed(2)} | ${(m[name] / m.reference).toFixed(3)} | ${versus(first[name].frames)} |`);
  row('(a) Meta vpdq 0.2.5 (C++, FFmpeg 5.1)', 'reference');
  row('(b) ours, report-helper hash --vpdq (+ SHA-256, MD5)', 'native');
  row('(c) ours, hashFile() in Chromium (+ SHA-256, MD5)', 'hashFile');
  console.log(`\ntargets: (c) <= (a): ${(m.hashFile / m.reference).toFixed(3)}; (b) < (a): ${(m.native / m.reference).toFixed(3)}`);
  if (!same(first.native.frames, ref)) process.exitCode = 1;
} finally {
  await close();
}
