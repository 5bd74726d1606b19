// Runs the WebAssembly digests off the main thread. Internal protocol, used only by
// report-helper.js (and the benchmark):
//   main -> worker  {type: 'hash', id, file, own, partner?, pdq?, vpdq?}  read `file` (a Blob,
//                   or a byte ReadableStream handed over by transfer), compute the `own`
//                   digests, hand each chunk on to `partner` (a MessagePort) for the rest;
//                   with `pdq`, also decode the file if it is an image and hash its pixels;
//                   with `vpdq`, also fingerprint it if it is a video (video.js), from the
//                   same reading of the bytes
//                   {type: 'assist', id, port, own}           compute `own` over chunks from `port`
//                   {type: 'buffer', id, buffer, chunk, own}  digest an in-memory buffer (benchmark)
//   worker -> main  {type: 'progress', id, loaded, seconds?, duration?} | {type: 'done', id, digests}
//                   | {type: 'error', id, code, message}
import init, { StreamDigester, PdqHasher, imageInfo, videoContainer } from './wasm/report_helper.js';

const ready = init({ module_or_path: new URL('./wasm/report_helper_bg.wasm', import.meta.url) });

// video.js and its WebAssembly module load only when a file is a video.
const NOT_A_VIDEO = {
  vpdq: null,
  vpdqError: { code: 'not-a-video', message: 'The file holds no video this helper reads. Its exact digests still count.' },
};

// The file is read into buffers of CHUNK bytes that are used again and again (BYOB reads), so
// reading 4 GiB leaves no garbage behind. With a partner, at most POOL buffers circulate:
// lead -> partner -> lead, which is also the back-pressure when the partner falls behind.
const CHUNK = 1 << 20;
const POOL = 8;
const PROGRESS_STEP = 4 << 20;

// Decoding for PDQ. An OffscreenCanvas over 16384 px a side silently stays blank, and 100
// megapixels of RGBA is already 400 MB: bigger images are decoded scaled down, and say so.
const MAX_SIDE = 16384;
const MAX_PIXELS = 100e6;
// The format and stored size are read from the file's first bytes, before any decoding.
const HEAD_BYTES = 256 << 10;
// Rows of pixels copied out of the decoded image at a time: a few MB, hashed while in cache.
const BAND_ROWS = 128;

const PDQ_ERRORS = {
  'not-an-image': 'Not an image this browser decodes (JPEG, PNG, WebP, GIF, BMP, AVIF). Its exact digests still count.',
  'decode-failed': 'The image could not be decoded: the file is damaged, cut short or not what its header says.',
  'too-large': 'The image is too large for this browser to decode.',
};
const pdqFailure = (code) => ({ pdq: null, pdqError: { code, message: PDQ_ERRORS[code] } });

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

/** PDQ of pixels in `layout` ('rgba', 'bgra'), fed to the core a band of rows at a time. */
async function hashPixels(rows, width, height, layout) {
  const hasher = new PdqHasher(width, height, layout, false);
  try {
    for (let y = 0; y < height; y += BAND_ROWS) {
      hasher.pushRows(await rows(y, Math.min(BAND_ROWS, height - y)));
    }
  } catch (e) {
    hasher.free();
    throw e;
  }
  const result = hasher.finish();
  const out = { hash: result.hash, quality: result.quality };
  result.free();
  return out;
}

// VideoFrame pixel formats read as they are; any other is converted to RGBA by copyTo.
const FRAME_LAYOUTS = { RGBA: 'rgba', RGBX: 'rgba', BGRA: 'bgra', BGRX: 'bgra' };

/**
 * PDQ of a VideoFrame, read a band of rows at a time into one reused buffer. A frame made from
 * an ImageBitmap holds the stored pixels: EXIF orientation stays metadata on it (`rotation`,
 * `flip`), so the hash is the reference's, which ignores orientation too.
 */
async function hashFrame(frame) {
  const { width, height } = frame.visibleRect;
  const layout = FRAME_LAYOUTS[frame.format] ?? 'rgba';
  const format = FRAME_LAYOUTS[frame.format] ? undefined : 'RGBA';
  const band = new Uint8Array(width * BAND_ROWS * 4);
  const rows = async (y, count) => {
    const bytes = band.subarray(0, width * count * 4);
    const rect = { x: frame.visibleRect.x, y: frame.visibleRect.y + y, width, height: count };
    await frame.copyTo(bytes, { rect, layout: [{ offset: 0, stride: width * 4 }], ...(format && { format }) });
    return bytes;
  };
  return { ...(await hashPixels(rows, width, height, layout)), width, height };
}

/** Where WebCodecs is missing: the canvas, which applies EXIF orientation and premultiplies alpha. */
async function hashViaCanvas(bitmap) {
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  // willReadFrequently keeps the canvas in memory, where getImageData is a copy, not a readback.
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  const rows = async (y, count) => context.getImageData(0, y, width, count).data;
  return { ...(await hashPixels(rows, width, height, 'rgba')), width, height };
}

/** The file's first HEAD_BYTES, or null when they cannot be read. */
async function headOf(file) {
  try {
    return new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  } catch {
    return null;
  }
}

/**
 * Decodes `file` if it is an image and hashes its pixels: {pdq: {hash, quality, width, height,
 * scaled}} or {pdq: null, pdqError: {code, message}}. `head` is its first bytes (headOf). Never
 * renders anything that is not a raster image: an SVG, for one, is not an image here.
 */
async function pdqOf(file, head) {
  if (!head) return pdqFailure('decode-failed');
  const info = imageInfo(head);
  if (!info) return pdqFailure('not-an-image');
  const [storedWidth, storedHeight] = [info.width, info.height];
  info.free();
  const pixels = storedWidth * storedHeight;
  const scale = pixels ? Math.min(1, MAX_SIDE / storedWidth, MAX_SIDE / storedHeight, Math.sqrt(MAX_PIXELS / pixels)) : 1;
  // Colours as stored (no colour management, no premultiplied alpha), as the reference decodes.
  const options = { colorSpaceConversion: 'none', premultiplyAlpha: 'none' };
  if (scale < 1) {
    // Both sides, in case EXIF orientation swaps them: PDQ samples a 64x64 grid whatever the
    // aspect, so a squeezed image hashes as near as a scaled one.
    options.resizeWidth = Math.max(1, Math.floor(storedWidth * scale));
    options.resizeHeight = Math.max(1, Math.floor(storedHeight * scale));
    options.resizeQuality = 'medium';
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, options);
  } catch {
    return pdqFailure(pixels > MAX_PIXELS ? 'too-large' : 'decode-failed');
  }
  try {
    if (bitmap.width > MAX_SIDE || bitmap.height > MAX_SIDE || bitmap.width * bitmap.height > MAX_PIXELS) {
      return pdqFailure('too-large');
    }
    let result;
    if (typeof VideoFrame === 'function') {
      // A frame of the bitmap is read in bands without a canvas: about ten times faster than
      // drawImage and getImageData.
      const frame = new VideoFrame(bitmap, { timestamp: 0 });
      try {
        result = await hashFrame(frame);
      } finally {
        frame.close();
      }
    } else {
      result = await hashViaCanvas(bitmap);
    }
    return { pdq: { ...result, scaled: scale < 1 } };
  } finally {
    bitmap.close();
  }
}

/**
 * The video job of `file` when its first bytes (`head`, from headOf) say it is a video container;
 * else null, or a failure when its type claims a video it does not hold (random bytes named .mp4).
 */
async function videoOf(file, head, id) {
  if (!head) return null; // the digests' own reading reports an unreadable file
  if (!videoContainer(head)) return file.type.startsWith('video/') ? { failure: NOT_A_VIDEO } : null;
  let loaded = 0;
  const onTime = (seconds, duration) => postMessage({ type: 'progress', id, loaded, seconds, duration });
  const { openVideo, vpdqFailure } = await import('./video.js');
  let video;
  try {
    video = await openVideo(file, head, onTime);
  } catch (e) {
    return { failure: vpdqFailure(e?.code ?? 'decode-failed', String(e?.message ?? e)) };
  }
  if (!video) return { failure: NOT_A_VIDEO };
  return { video, loaded: (n) => (loaded = n) };
}

async function lead({ id, file, own, partner, pdq, vpdq }) {
  // The first bytes, read once: they tell an image (PDQ) and a video container (vPDQ).
  const head = (pdq || vpdq) && file instanceof Blob ? await headOf(file) : null;
  // Decoding runs beside the digests: createImageBitmap decodes off this thread.
  const pdqResult = pdq && file instanceof Blob ? pdqOf(file, head) : null;
  pdqResult?.catch(() => {}); // awaited below
  const videoJob = vpdq && file instanceof Blob ? await videoOf(file, head, id) : null;
  const video = videoJob?.video;
  try {
    const digests = await read({ id, file, own, partner, video, progress: videoJob?.loaded });
    if (pdqResult) {
      try {
        Object.assign(digests, await pdqResult);
      } catch {
        Object.assign(digests, pdqFailure('decode-failed'));
      }
    }
    if (video) Object.assign(digests, await video.finish());
    else if (videoJob?.failure) Object.assign(digests, videoJob.failure);
    return digests;
  } finally {
    video?.close();
  }
}

/** Reads the file once: the digests, the partner's digests, and the video's samples. */
async function read({ id, file, own, partner, video, progress }) {
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
    video?.push(view); // copied into the core before the buffer moves on
    loaded += n;
    progress?.(loaded);
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
    await video?.ready(); // the decoder sets the pace: memory stays flat
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
