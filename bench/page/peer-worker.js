// The peer: hash-wasm computing SHA-256 + MD5 in one streaming pass over File.stream(),
// in a worker like ours. Creating its hashers is left out of the time.
import { createMD5, createSHA256 } from '../vendor/hash-wasm.js';

self.onmessage = async ({ data: { file, readOnly } }) => {
  if (readOnly) return postMessage(await readOnlyRun(file));
  const [sha256, md5] = await Promise.all([createSHA256(), createMD5()]);
  const start = performance.now();
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    sha256.update(value);
    md5.update(value);
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
