// The peer: hash-wasm computing SHA-256 + MD5 in one streaming pass over File.stream(),
// in a worker like ours, reading as most code does (default reader) or as ours does (BYOB).
// Creating its hashers is left out of the time.
import { createMD5, createSHA256 } from '../vendor/hash-wasm.js';

self.onmessage = async ({ data: { file, readOnly, byob } }) => {
  if (readOnly) return postMessage(await readOnlyRun(file));
  const [sha256, md5] = await Promise.all([createSHA256(), createMD5()]);
  const start = performance.now();
  if (byob) {
    // The same reading as ours: BYOB into one reused 1 MiB buffer.
    const reader = file.stream().getReader({ mode: 'byob' });
    let buffer = new ArrayBuffer(1 << 20);
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done) break;
      sha256.update(value);
      md5.update(value);
      buffer = value.buffer;
    }
  } else {
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sha256.update(value);
      md5.update(value);
    }
  }
  const digests = { sha256: sha256.digest('hex'), md5: md5.digest('hex') };
  postMessage({ digests, ms: performance.now() - start });
};

// File.stream() alone: what reading costs, for diagnosis.
async function readOnlyRun(file) {
  const start = performance.now();
  const reader = file.stream().getReader();
  const sizes = new Map();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    sizes.set(value.byteLength, (sizes.get(value.byteLength) ?? 0) + 1);
  }
  return { ms: performance.now() - start, chunkSizes: [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 3) };
}
