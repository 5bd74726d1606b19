// Evidence benchmark (make bench): blacking out two areas of a 1170x2532 phone screenshot and
// writing the PNG, in headless Chromium, in one run, interleaved rounds:
//   (a) Chromium's own encoder: putImageData, fillRect, OffscreenCanvas.convertToBlob('image/png')
//   (b) ours: redactScreenshot(), the core's redact and PNG writer in WebAssembly
// Both start from the same ImageData and end with PNG bytes. Prints medians, the ratio and the
// sizes, and checks that both PNGs decode to the same pixels. Asserts nothing about time.
import { interleavedRounds, openBenchPage } from './site.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PER_ROUND = 3;

const { page, browser, close } = await openBenchPage('bench-evidence-site', 'bench/evidence.html');
try {
  await page.waitForFunction(() => typeof window.makeScreenshot === 'function');
  const { width, height } = await page.evaluate(() => window.makeScreenshot());
  const impls = {
    chromium: () => page.evaluate((n) => window.chromium(n), PER_ROUND),
    ours: () => page.evaluate((n) => window.ours(n), PER_ROUND),
  };
  // The warm-up loads and compiles the evidence module.
  const { first, medians: m } = await interleavedRounds(impls, ROUNDS);
  const same = await page.evaluate(() => window.samePixels());

  const raw = width * height * 3;
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  console.log(`\nBlack out 2 areas of a ${width}x${height} screenshot and write a PNG, medians of ${ROUNDS * PER_ROUND} calls in ${ROUNDS} interleaved rounds, ${cores} cores, ${await browser.version()}`);
  console.log('| what | median ms | / (a) | PNG bytes | % of raw RGB |');
  console.log('|---|---:|---:|---:|---:|');
  const row = (label, name) => console.log(`| ${label} | ${m[name].toFixed(1)} | ${(m[name] / m.chromium).toFixed(3)} | ${first[name].size} | ${((100 * first[name].size) / raw).toFixed(2)} |`);
  row("(a) Chromium's canvas encoder (convertToBlob)", 'chromium');
  row('(b) ours, redactScreenshot() in WebAssembly', 'ours');
  console.log(`same pixels when decoded: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
} finally {
  await close();
}
