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

// The file is read into buffers of CHUNK bytes that are used again and again (BYOB reads), so
// reading 4 GiB leaves no garbage behind. With a partner, at most POOL buffers circulate:
// lead -> partner -> lead, which is also the back-pressure when the partner falls behind.
const CHUNK = 1 << 20;
const POOL = 8;
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

/**
 * Returns fill(buffer): reads from the stream until `buffer` is full or the stream ends, and
 * resolves to a Uint8Array of what was read (shorter only at the end). BYOB reads go straight
 * into the buffer; a stream without them (a plain ReadableStream) is copied in.
 */
function filler(stream) {
  let byob = null;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream.
  }
  if (byob) {
    return async (buffer) => {
      let filled = 0;
      while (filled < buffer.byteLength) {
        const { done, value } = await byob.read(new Uint8Array(buffer, filled));
        if (value) buffer = value.buffer; // the read transferred it: same memory, new object
        if (done) break;
        filled += value.byteLength;
      }
      return new Uint8Array(buffer, 0, filled);
    };
  }
  const reader = stream.getReader();
  let rest = null;
  return async (buffer) => {
    const out = new Uint8Array(buffer);
    let filled = 0;
    while (filled < out.length) {
      if (!rest) {
        const { done, value } = await reader.read();
        if (done) break;
        rest = value;
      }
      const n = Math.min(rest.length, out.length - filled);
      out.set(rest.subarray(0, n), filled);
      filled += n;
      rest = n < rest.length ? rest.subarray(n) : null;
    }
    return out.subarray(0, filled);
  };
}

async function lead({ id, file, own, partner }) {
  const digester = newDigester(own);
  const fill = filler(file instanceof Blob ? file.stream() : file);
  let acked = 0;
  let allocated = 1;
  const spare = [];
  let wake = null;
  let partnerResult;
  if (partner) {
    partnerResult = new Promise((resolve, reject) => {
      partner.onmessage = ({ data }) => {
        if (data.buffer) {
          acked = data.acked;
          spare.push(data.buffer);
        } else if (data.digests) resolve(data.digests);
        else reject(new HashError(data.code, data.message));
        wake?.();
      };
    });
    partnerResult.catch(() => {}); // awaited below; no 'unhandled rejection' meanwhile
  }
  const nextBuffer = async () => {
    for (;;) {
      if (spare.length) return spare.pop();
      if (allocated < POOL) {
        allocated += 1;
        return new ArrayBuffer(CHUNK);
      }
      await Promise.race([new Promise((r) => (wake = r)), partnerResult]);
    }
  };
  let buffer = new ArrayBuffer(CHUNK);
  let loaded = 0;
  let reported = 0;
  for (;;) {
    let view;
    try {
      view = await fill(buffer);
    } catch (e) {
      throw new HashError('read-failed', e);
    }
    const n = view.byteLength; // read it now: handing the buffer over detaches the view
    digester.update(view);
    loaded += n;
    if (partner && n) {
      partner.postMessage({ chunk: view }, [view.buffer]);
      buffer = await nextBuffer();
    } else {
      buffer = view.buffer;
    }
    const done = partner ? acked : loaded;
    if (done - reported >= PROGRESS_STEP) {
      reported = done;
      postMessage({ type: 'progress', id, loaded: done });
    }
    if (n < CHUNK) break;
  }
  // A file cut short since it was chosen would give digests of something else, and the browser
  // does not always notice (same modification time within one clock tick), so check.
  if (file instanceof Blob && loaded !== file.size) {
    throw new HashError('read-failed', `read ${loaded} bytes of ${file.size}: the file changed`);
  }
  const digests = finish(digester);
  if (partner) {
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
      digester.update(data.chunk);
      done += data.chunk.byteLength;
      port.postMessage({ buffer: data.chunk.buffer, acked: done }, [data.chunk.buffer]);
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
