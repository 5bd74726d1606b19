// vPDQ benchmark page (bench/vpdq-bench.mjs drives it): hashFile() on a video, as the page calls
// it: read once, SHA-256 and MD5, demux, WebCodecs decode, the picked frames hashed.
import { hashFile } from '../report-helper.js';

/** `runs` timed hashFile() calls on the chosen video. */
window.hashFileVpdq = async (runs) => {
  const file = document.querySelector('#video').files[0];
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = await hashFile(file);
    times.push(performance.now() - start);
  }
  if (!result.vpdq) throw new Error(`no vPDQ: ${JSON.stringify(result.vpdqError)}`);
  return { times, frames: result.vpdq.frames.map((f) => [f.frame, f.quality, f.hash]) };
};
