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

// Rows of pixels copied at a time where one copy costs about as much as the whole frame, however
// few its rows (Firefox 153 reads the whole picture back for every VideoFrame.copyTo: ~60 ms for
// 12 MP, even for one row): few big bands then, of at most this many bytes. The band size never
// changes the hash, only the time.
const BIG_BAND_BYTES = 64 << 20;
const SLOW_COPY_MS = 25;

// VideoFrame pixel formats read as they are; any other is converted to RGBA by copyTo, where the
// browser honours that (rgbaCopyHonoured), else read through the canvas.
const FRAME_LAYOUTS = { RGBA: 'rgba', RGBX: 'rgba', BGRA: 'bgra', BGRX: 'bgra' };

let rgbaCopy = null;
/**
 * Whether copyTo({format: 'RGBA'}) converts as asked. WebKit 2.50 ignores the format and writes
 * BGRA: checked once per worker on a one-pixel BGRA frame of pure red, never assumed.
 */
function rgbaCopyHonoured() {
  rgbaCopy ??= (async () => {
    const frame = new VideoFrame(new Uint8Array([0, 0, 255, 255]), { format: 'BGRA', codedWidth: 1, codedHeight: 1, timestamp: 0 });
    try {
      const out = new Uint8Array(4);
      await frame.copyTo(out, { format: 'RGBA' });
      return out[0] === 255 && out[2] === 0;
    } finally {
      frame.close();
    }
  })().catch(() => false);
  return rgbaCopy;
}

const defaultKind = () => (typeof VideoFrame === 'function' ? 'frame' : 'canvas');

/**
 * A decoded picture's pixels: {kind, width, height, layout, rows(y, count), close()}, read a band
 * of rows at a time. Through a VideoFrame of the bitmap where WebCodecs is there (no canvas: about
 * ten times faster than drawImage and getImageData in Chromium), else through a canvas. `kind`
 * forces one ('frame' or 'canvas'): the orientation probe takes the path the file takes.
 */
async function pixelsOf(bitmap, kind = defaultKind()) {
  if (kind === 'frame') {
    const frame = new VideoFrame(bitmap, { timestamp: 0 });
    const layout = FRAME_LAYOUTS[frame.format] ?? ((await rgbaCopyHonoured()) ? 'rgba' : null);
    if (layout) return frameReader(frame, layout);
    frame.close();
  }
  return canvasReader(bitmap);
}

function frameReader(frame, layout) {
  const { x, y: top, width, height } = frame.visibleRect;
  const format = FRAME_LAYOUTS[frame.format] ? undefined : 'RGBA';
  let band = new Uint8Array(0);
  const rows = async (y, count) => {
    const size = width * count * 4;
    if (band.length < size) band = new Uint8Array(size);
    const bytes = band.subarray(0, size);
    const rect = { x, y: top + y, width, height: count };
    await frame.copyTo(bytes, { rect, layout: [{ offset: 0, stride: width * 4 }], ...(format && { format }) });
    return bytes;
  };
  return { kind: 'frame', width, height, layout, rows, close: () => frame.close() };
}

/** Where WebCodecs is missing or cannot convert: the canvas, which premultiplies alpha and may apply orientation. */
function canvasReader(bitmap) {
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  // willReadFrequently keeps the canvas in memory, where getImageData is a copy, not a readback.
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  const rows = async (y, count) => context.getImageData(0, y, width, count).data;
  return { kind: 'canvas', width, height, layout: 'rgba', rows, close: () => {} };
}

/**
 * PDQ of `pixels` (pixelsOf), fed to the core a band of rows at a time. With an orientation other
 * than 1 and `displayed` known (true: the browser applied it; false: the pixels are as stored),
 * the core also derives the other picture exactly: {hash, quality, storedHash?, storedQuality?}.
 */
async function hashPixels(pixels, orientation, displayed) {
  const { width, height } = pixels;
  const hasher = new PdqHasher(width, height, pixels.layout, false);
  try {
    if (orientation !== 1 && displayed !== null) hasher.orient(orientation, displayed);
    let bandRows = BAND_ROWS;
    for (let y = 0; y < height; ) {
      const count = Math.min(bandRows, height - y);
      const started = performance.now();
      const rows = await pixels.rows(y, count);
      if (y === 0 && performance.now() - started > SLOW_COPY_MS) {
        bandRows = Math.max(BAND_ROWS, Math.floor(BIG_BAND_BYTES / (width * 4)));
      }
      hasher.pushRows(rows);
      y += count; // the rows pushed, not the next band's size
    }
  } catch (e) {
    hasher.free();
    throw e;
  }
  const result = hasher.finish();
  const out = { hash: result.hash, quality: result.quality, storedHash: result.storedHash, storedQuality: result.storedQuality };
  result.free();
  return out;
}

/** The file's first HEAD_BYTES, or null when they cannot be read. */
async function headOf(file) {
  try {
    return new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  } catch {
    return null;
  }
}

/** The decoded bitmap of an image `width` x `height`, at `scale` (< 1 for huge ones). */
function decode(blob, width, height, scale) {
  // Colours as stored (no colour management, no premultiplied alpha), as the reference decodes.
  const options = { colorSpaceConversion: 'none', premultiplyAlpha: 'none' };
  if (scale < 1) {
    // Both sides: should a browser turn the picture in a way the probe did not see, PDQ samples
    // a 64x64 grid whatever the aspect, so a squeezed image hashes as near as a scaled one.
    options.resizeWidth = Math.max(1, Math.floor(width * scale));
    options.resizeHeight = Math.max(1, Math.floor(height * scale));
    options.resizeQuality = 'medium';
  }
  return createImageBitmap(blob, options);
}

// The orientation probe: a 32x16 JPEG of four flat quadrants tagged with Exif orientation 7
// (transverse), made by tools/make-orientation-probe.py (Pillow). Stored, its corners read red,
// green / blue, white; displayed (16x32) white, green / blue, red.
const ORIENTATION_PROBE = '/9j/4AAQSkZJRgABAQAAAQABAAD/4QAiRXhpZgAATU0AKgAAAAgAAQESAAMAAAABAAcAAAAAAAD/2wBDAAUDBAQEAwUEBAQFBQUGBwwIBwcHBw8LCwkMEQ8SEhEPERETFhwXExQaFRERGCEYGh0dHx8fExciJCIeJBweHx7/2wBDAQUFBQcGBw4ICA4eFBEUHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh7/wAARCAAQACADAREAAhEBAxEB/8QAFwABAQEBAAAAAAAAAAAAAAAAAAcICf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAYAQEAAwEAAAAAAAAAAAAAAAAABwgJBv/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/AJYjpcsBdkfMiQGPmqKxIDrSpo6IB//Z';
const PROBE_COLOURS = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
const AS_STORED = '0123';
const AS_DISPLAYED = '3120';

const probes = new Map();
/**
 * What this browser's decode path (`kind`, scaled or not) gives for a tagged image: null when
 * something unexpected, else {displayed, squeezes}: `displayed` true for the picture as displayed,
 * false for the pixels as stored; `squeezes`, scaled only, when the sides it was asked for are
 * taken as the other picture's (Chromium's VideoFrame holds the stored pixels resized to the
 * displayed sides asked for). Browsers differ (Chromium's VideoFrame of a bitmap: stored; its
 * canvas, Firefox and WebKit: displayed) and may change: so it is seen, once per worker and
 * path, by decoding the probe exactly as a file.
 */
function probe(kind, scaled) {
  const key = `${kind}${scaled ? ' scaled' : ''}`;
  if (!probes.has(key)) probes.set(key, probeOrientation(kind, scaled));
  return probes.get(key);
}

async function probeOrientation(kind, scaled) {
  let seen = 'nothing';
  try {
    const bytes = Uint8Array.from(atob(ORIENTATION_PROBE), (c) => c.charCodeAt(0));
    const bitmap = await decode(new Blob([bytes]), 32, 16, scaled ? 0.5 : 1);
    let pixels;
    let data;
    try {
      pixels = await pixelsOf(bitmap, kind);
      data = await pixels.rows(0, pixels.height);
    } finally {
      pixels?.close();
      bitmap.close();
    }
    const { width, height, layout } = pixels;
    const [r, b] = layout === 'bgra' ? [2, 0] : [0, 2];
    // Two pixels in from each corner, away from the edges' resampling.
    const corners = [[2, 2], [width - 3, 2], [2, height - 3], [width - 3, height - 3]].map(([x, y]) => {
      const at = (y * width + x) * 4;
      const rgb = [data[at + r], data[at + 1], data[at + b]];
      const match = PROBE_COLOURS.findIndex((c) => c.every((v, i) => Math.abs(v - rgb[i]) < 64));
      return match < 0 ? '?' : match;
    }).join('');
    seen = `${width}x${height} ${corners}`;
    const displayed = corners === AS_DISPLAYED ? true : corners === AS_STORED ? false : null;
    // The stored probe is wider than high, the displayed one higher than wide.
    const squeezes = displayed !== null && width > height === displayed;
    // Unscaled, nothing may be squeezed.
    if (displayed !== null && (scaled || !squeezes)) return { displayed, squeezes };
  } catch (e) {
    seen = String(e?.message ?? e);
  }
  console.warn(`report-helper: this browser's ${kind} decode path gave an unexpected picture for the orientation probe (${seen}); ` +
    'images with an EXIF orientation are hashed as decoded, without their stored-pixel hash.');
  return null;
}

/**
 * Decodes `file` if it is an image and hashes its pixels: {pdq: {hash, quality, width, height,
 * scaled}, pdqStored?: {hash, quality}} or {pdq: null, pdqError: {code, message}}. `pdq` is the
 * picture as displayed (EXIF orientation applied); `pdqStored`, only for an orientation other
 * than 1, the pixels as stored, which is what the reference tools hash. `head` is its first
 * bytes (headOf). Never renders anything that is not a raster image: an SVG, for one, is not an
 * image here.
 */
async function pdqOf(file, head) {
  if (!head) return pdqFailure('decode-failed');
  const info = imageInfo(head);
  if (!info) return pdqFailure('not-an-image');
  const [storedWidth, storedHeight] = [info.width, info.height];
  const orientation = info.orientation ?? 1;
  info.free();
  const pixelCount = storedWidth * storedHeight;
  const scale = pixelCount
    ? Math.min(1, MAX_SIDE / storedWidth, MAX_SIDE / storedHeight, Math.sqrt(MAX_PIXELS / pixelCount))
    : 1;
  // Scaled down, a path may take the sides asked for as the other picture's: it would squeeze a
  // turned one, so it is asked for the turned sides.
  const turned = scale < 1 && orientation >= 5 && (await probe(defaultKind(), true))?.squeezes === true;
  let bitmap;
  try {
    bitmap = await decode(file, turned ? storedHeight : storedWidth, turned ? storedWidth : storedHeight, scale);
  } catch {
    return pdqFailure(pixelCount > MAX_PIXELS ? 'too-large' : 'decode-failed');
  }
  let pixels;
  try {
    if (bitmap.width > MAX_SIDE || bitmap.height > MAX_SIDE || bitmap.width * bitmap.height > MAX_PIXELS) {
      return pdqFailure('too-large');
    }
    pixels = await pixelsOf(bitmap);
    const displayed = orientation === 1 ? true : ((await probe(pixels.kind, scale < 1))?.displayed ?? null);
    const result = await hashPixels(pixels, orientation, displayed);
    let { width, height } = pixels;
    if (displayed === false && orientation >= 5) [width, height] = [height, width];
    const out = { pdq: { hash: result.hash, quality: result.quality, width, height, scaled: scale < 1 } };
    if (orientation !== 1 && displayed !== null) out.pdqStored = { hash: result.storedHash, quality: result.storedQuality };
    return out;
  } finally {
    pixels?.close();
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
