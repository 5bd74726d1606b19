// hashing.js: hashFile(), the digests and PDQ of a file, computed in Workers. Re-exported by
// report-helper.js, the public module:
//
//   import { hashFile } from './report-helper.js';
//   const { size, sha256, md5, sha1, pdq, pdqStored, pdqError, vpdq, vpdqError } = await hashFile(file, { onProgress, signal, sha1: true });
//
// Files are read with File.stream() inside module Workers running the WebAssembly core, which
// also decode images there for PDQ and videos for vPDQ: the page never holds a whole file, and no
// byte of it leaves the device. See docs/js-api.md for the API.

import { ReportHelperError } from './errors.js';

// Re-exported: report-helper.js, the public module, exports it from here.
export { ReportHelperError };

const WORKER_URL = new URL('./worker.js', import.meta.url);

// A Worker's script must come from the page's origin. When a helpline's page loads the helper
// from another origin, a one-line blob: module imports the real worker from there (which needs
// CORS on the helper's files and `worker-src blob:` in the page's CSP; docs/embedding.md says so).
let workerScript = null;
function workerSource() {
  if (WORKER_URL.origin === self.location.origin) return WORKER_URL;
  workerScript ??= URL.createObjectURL(
    new Blob([`import ${JSON.stringify(WORKER_URL.href)};\n`], { type: 'text/javascript' }),
  );
  return workerScript;
}

// Hashing is CPU-bound: one worker per core, up to four, leaves the page and the browser's own
// file reading room to breathe on a phone.
const MAX_WORKERS = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 4));

// A file this big, hashed while no other file waits, gets a second worker: SHA-256 on one core,
// MD5 (and SHA-1) on another, chunks handed over without copies.
const SPLIT_MIN_BYTES = 8 << 20;

const WORKER_FAILED = 'The hashing worker could not run in this browser.';

const idle = [];
const queue = [];
// Jobs holding workers, so that stopAllHashing() can end them.
const running = new Set();
let alive = 0;
let nextId = 1;

function spawnSlot() {
  const slot = { worker: new Worker(workerSource(), { type: 'module', name: 'report-helper' }), job: null };
  alive += 1;
  slot.worker.onmessage = ({ data }) => slot.job?.onMessage(data);
  const broken = (event) => {
    event.preventDefault?.();
    const job = slot.job;
    retire(slot);
    job?.fail(new ReportHelperError('worker-failed', WORKER_FAILED));
  };
  slot.worker.onerror = broken;
  slot.worker.onmessageerror = broken;
  return slot;
}

function retire(slot) {
  if (slot.retired) return;
  slot.retired = true;
  slot.worker.terminate();
  alive -= 1;
  const at = idle.indexOf(slot);
  if (at >= 0) idle.splice(at, 1);
}

const takeSlot = () => idle.pop() ?? spawnSlot();

function pump() {
  while (queue.length) {
    const free = idle.length + MAX_WORKERS - alive;
    // A small file (a photo) must not wait a minute behind a video: one worker beyond the pool
    // serves small files while the pool is busy, and retires when it is done.
    const express = free < 1 && alive === MAX_WORKERS && queue[0].file.size < SPLIT_MIN_BYTES;
    if (free < 1 && !express) return;
    const job = queue.shift();
    const split = free >= 2 && queue.length === 0 && job.file.size >= SPLIT_MIN_BYTES;
    const taken = [];
    try {
      for (let n = split ? 2 : 1; n > 0; n--) taken.push(takeSlot());
    } catch {
      // new Worker() itself threw (a cross-origin or blocked script): do with what we have.
    }
    if (taken.length) job.start(taken);
    else job.fail(new ReportHelperError('worker-failed', WORKER_FAILED));
  }
}

/**
 * Computes the exact digests of a File or Blob on this device and, for an image, its PDQ hash,
 * for a video its vPDQ fingerprint (decided by the file's first bytes, never by its name).
 * @param {Blob} file
 * @param {{onProgress?: (p: {loaded: number, total: number, seconds?: number, duration?: number}) => void,
 *          signal?: AbortSignal, sha1?: boolean, pdq?: boolean, vpdq?: boolean}} [options]
 * @returns {Promise<{size: number, sha256: string, md5: string, sha1?: string,
 *          pdq?: {hash: string, quality: number, width: number, height: number, scaled: boolean} | null,
 *          pdqStored?: {hash: string, quality: number},
 *          pdqError?: {code: 'not-an-image' | 'decode-failed' | 'too-large', message: string},
 *          vpdq?: {secondsPerHash: 1, frames: {frame: number, hash: string, quality: number}[], partial?: true} | null,
 *          vpdqError?: {code: 'not-a-video' | 'unsupported-codec' | 'unsupported-browser' | 'decode-failed' | 'no-frames',
 *                       message: string}}>}
 *          digests in lowercase hex; `pdq` absent with `pdq: false`, `vpdq` absent with `vpdq: false`
 *          and for files that are not videos; `pdq` is the picture as displayed, `pdqStored` (only
 *          for an EXIF orientation other than 1) the pixels as stored
 */
export function hashFile(file, { onProgress, signal, sha1 = false, pdq = true, vpdq = true } = {}) {
  if (!(file instanceof Blob)) return Promise.reject(new TypeError('hashFile expects a File or Blob'));
  if (signal?.aborted) return Promise.reject(signal.reason);
  const total = file.size;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    let slots = [];
    let settled = false;
    // A throwing onProgress is the caller's bug: report it, but never let it strand the promise.
    const progress = (loaded, time) => {
      try {
        onProgress?.({ loaded, total, ...time });
      } catch (e) {
        self.reportError(e);
      }
    };
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      running.delete(job);
      signal?.removeEventListener('abort', onAbort);
      const i = queue.indexOf(job);
      if (i >= 0) queue.splice(i, 1);
      fn(value);
    };
    const succeed = (digests) => {
      for (const slot of slots) {
        slot.job = null;
        if (alive > MAX_WORKERS) retire(slot);
        else idle.push(slot);
      }
      slots = [];
      progress(total);
      settle(resolve, digests);
      pump();
    };
    // Terminating is the one way to stop a worker mid-chunk at once; a new one starts in ms.
    const abandon = (error) => {
      slots.forEach(retire);
      slots = [];
      settle(reject, error);
      pump();
    };
    const onAbort = () => abandon(signal.reason);
    const job = {
      file,
      start(taken) {
        slots = taken;
        running.add(job);
        for (const slot of slots) slot.job = job;
        progress(0); // the file leaves the queue
        const own = { sha256: true, md5: true, sha1 };
        if (slots.length === 1) {
          slots[0].worker.postMessage({ type: 'hash', id, file, own, pdq, vpdq });
          return;
        }
        const { port1, port2 } = new MessageChannel();
        // The reading worker also pays for File.stream(), so it takes the cheaper MD5 (and SHA-1).
        slots[1].worker.postMessage({ type: 'assist', id, port: port2, own: { sha256: true } }, [port2]);
        slots[0].worker.postMessage({ type: 'hash', id, file, own: { md5: true, sha1 }, partner: port1, pdq, vpdq }, [
          port1,
        ]);
      },
      onMessage(data) {
        if (data.id !== id || settled) return;
        if (data.type === 'progress') {
          progress(data.loaded, data.seconds === undefined ? undefined : { seconds: data.seconds, duration: data.duration });
        }
        else if (data.type === 'done') succeed(data.digests);
        else if (data.type === 'error') abandon(new ReportHelperError(data.code, data.message));
      },
      fail: abandon,
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    queue.push(job);
    pump();
  });
}

/**
 * Ends every hashing job at once, running or queued (each rejects with an AbortError), and every
 * worker: the quick exit leaves nothing running.
 */
export function stopAllHashing() {
  const stopped = () => new DOMException('Hashing was stopped.', 'AbortError');
  // The queue first, so that ending a running job does not start a waiting one.
  for (const job of queue.splice(0)) job.fail(stopped());
  for (const job of [...running]) job.fail(stopped());
  for (const slot of [...idle]) retire(slot);
  if (workerScript) URL.revokeObjectURL(workerScript);
  workerScript = null;
}
