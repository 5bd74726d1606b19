// Runs in the benchmark page; bench/digest-bench.mjs drives it. Every function returns
// { ms, digests } for one run.
import { hashFile } from '../report-helper.js';

const once = (worker, message, transfer = []) =>
  new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if (data.type === 'progress') return;
      if (data.type === 'error') reject(new Error(data.message));
      else resolve(data);
    };
    worker.onerror = (e) => reject(new Error(e.message ?? 'worker failed'));
    worker.postMessage(message, transfer);
  });

const file = () => document.querySelector('#file').files[0];

/** hashFile() as a page would call it. */
window.ours = async () => {
  const start = performance.now();
  const digests = await hashFile(file());
  return { ms: performance.now() - start, digests };
};

// Our worker driven directly with one worker, no partner: what a 1-core phone gets.
const single = new Worker('../worker.js', { type: 'module' });
window.oursOneWorker = async () => {
  const start = performance.now();
  const { digests } = await once(single, { type: 'hash', id: 1, file: file(), own: { sha256: true, md5: true } });
  return { ms: performance.now() - start, digests };
};

const peer = new Worker('peer-worker.js', { type: 'module' });
window.peer = () => once(peer, { file: file() });
window.peerByob = () => once(peer, { file: file(), byob: true });
window.readOnly = () => once(peer, { file: file(), readOnly: true });

/** Our hasher over an ArrayBuffer already in the worker: the ceiling for reading a file. */
window.ceiling = async (mib, own) => {
  const buffer = new Uint8Array(mib << 20);
  for (let at = 0; at < buffer.length; at += 65536) crypto.getRandomValues(buffer.subarray(at, at + 65536));
  const start = performance.now();
  const { digests } = await once(single, { type: 'buffer', id: 2, buffer: buffer.buffer, chunk: 1 << 20, own }, [buffer.buffer]);
  return { ms: performance.now() - start, digests };
};
