// Runs the WebAssembly digests off the main thread. Internal protocol, used only by
// report-helper.js (and the benchmark):
//   main -> worker  {type: 'hash', id, file, own, partner?}   read `file` (a Blob, or a byte
//                   ReadableStream handed over by transfer), compute the `own`
//                   digests, hand each chunk on to `partner` (a MessagePort) for the rest
//                   {type: 'assist', id, port, own}           compute `own` over chunks from `port`
//                   {type: 'buffer', id, buffer, chunk, own}  digest an in-memory buffer (benchmark)
//   worker -> main  {type: 'progress', id, loaded} | {type: 'done', id, digests}
//                   | {type: 'error', id, code, message}
import init, { StreamDigester } from './wasm/report_helper.js';

const ready = init({ module_or_path: new URL('./wasm/report_helper_bg.wasm', import.meta.url) });

// Chunks go to the partner in batches (fewer messages) and at most WINDOW bytes ahead of it
// (flat memory when it falls behind).
const BATCH = 1 << 20;
const WINDOW = 16 << 20;
const PROGRESS_STEP = 4 << 20;

class HashError extends Error {
  constructor(code, cause) {
    super(String(cause?.message ?? cause));
    this.code = code;
  }
}

const finish = (digester) => {
  const d = digester.finish();
  const out = { size: d.size, sha256: d.sha256, md5: d.md5, sha1: d.sha1 };
  d.free();
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
};

const newDigester = (own) => new StreamDigester(!!own.sha256, !!own.md5, !!own.sha1);

async function lead({ id, file, own, partner }) {
  const digester = newDigester(own);
  let partnerResult;
  let acked = 0;
  let wakeLead = null;
  if (partner) {
    partnerResult = new Promise((resolve, reject) => {
      partner.onmessage = ({ data }) => {
        if (data.acked !== undefined) {
          acked = data.acked;
          wakeLead?.();
        } else if (data.digests) resolve(data.digests);
        else reject(new HashError(data.code, data.message));
      };
    });
    partnerResult.catch(() => wakeLead?.());
  }
  const reader = (file instanceof Blob ? file.stream() : file).getReader();
  let loaded = 0;
  let sent = 0;
  let batch = [];
  let batchBytes = 0;
  let reported = 0;
  const flush = () => {
    if (!batch.length) return;
    partner.postMessage({ chunks: batch }, batch.map((c) => c.buffer));
    sent += batchBytes;
    batch = [];
    batchBytes = 0;
  };
  for (;;) {
    let chunk;
    try {
      const { done, value } = await reader.read();
      if (done) break;
      chunk = value;
    } catch (e) {
      throw new HashError('read-failed', e);
    }
    digester.update(chunk);
    loaded += chunk.byteLength;
    if (partner) {
      // Hand the chunk over without a copy when it owns its buffer.
      const whole = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
      batch.push(whole ? chunk : chunk.slice());
      batchBytes += chunk.byteLength;
      if (batchBytes >= BATCH) flush();
      while (sent - acked > WINDOW) {
        await Promise.race([new Promise((r) => (wakeLead = r)), partnerResult]);
      }
    }
    const done = partner ? Math.min(loaded, acked) : loaded;
    if (done - reported >= PROGRESS_STEP) {
      reported = done;
      postMessage({ type: 'progress', id, loaded: done });
    }
  }
  const digests = finish(digester);
  if (partner) {
    flush();
    partner.postMessage({ end: true });
    Object.assign(digests, await partnerResult, { size: loaded });
  }
  return digests;
}

function assist({ port, own }) {
  const digester = newDigester(own);
  let done = 0;
  port.onmessage = ({ data }) => {
    try {
      if (data.end) {
        port.postMessage({ digests: finish(digester) });
        port.close();
        return;
      }
      for (const chunk of data.chunks) {
        digester.update(chunk);
        done += chunk.byteLength;
      }
      port.postMessage({ acked: done });
    } catch (e) {
      port.postMessage({ code: 'hash-failed', message: String(e?.message ?? e) });
    }
  };
}

function digestBuffer({ buffer, chunk, own }) {
  const digester = newDigester(own);
  const bytes = new Uint8Array(buffer);
  for (let at = 0; at < bytes.length; at += chunk) digester.update(bytes.subarray(at, at + chunk));
  return finish(digester);
}

self.onmessage = async ({ data }) => {
  const { id } = data;
  try {
    await ready.catch((e) => {
      throw new HashError('worker-failed', e);
    });
    if (data.type === 'assist') return assist(data);
    const digests = data.type === 'buffer' ? digestBuffer(data) : await lead(data);
    postMessage({ type: 'done', id, digests });
  } catch (e) {
    postMessage({ type: 'error', id, code: e.code ?? 'hash-failed', message: String(e?.message ?? e) });
  }
};
