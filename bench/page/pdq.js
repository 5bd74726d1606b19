// PDQ benchmark page (bench/pdq-bench.mjs drives it): our WebAssembly on raw pixels, on the main
// thread (hash only), and hashFile() on a JPEG (decode in the worker plus hash).
import init, { PdqHasher } from '../wasm/report_helper.js';
import { hashFile } from '../report-helper.js';

const ready = init({ module_or_path: new URL('../wasm/report_helper_bg.wasm', import.meta.url) });
let rgb = null;

window.loadPixels = async () => {
  await ready;
  rgb = new Uint8Array(await document.querySelector('#rgb').files[0].arrayBuffer());
  return rgb.length;
};

/** `runs` timed hashes of the loaded RGB pixels: from the bytes in JS to the hash in JS. */
window.wasmPdq = async (width, height, runs) => {
  const times = [];
  let hash;
  let quality;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const hasher = new PdqHasher(width, height, 'rgb', false);
    hasher.pushRows(rgb);
    const result = hasher.finish();
    times.push(performance.now() - start);
    ({ hash, quality } = result);
    result.free();
  }
  return { times, hash, quality };
};

/** `runs` timed hashFile() calls on the JPEG: read, digests, decode and PDQ, in the workers. */
window.hashFilePdq = async (runs) => {
  const file = document.querySelector('#jpeg').files[0];
  const times = [];
  let pdq;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    ({ pdq } = await hashFile(file));
    times.push(performance.now() - start);
  }
  return { times, hash: pdq.hash, quality: pdq.quality };
};
