// video.js: vPDQ, the fingerprint of a video, in the hashing worker. The core (VideoHasher)
// reads the container and picks the frames the reference hashes; WebCodecs' VideoDecoder decodes
// them off the main thread; each picked frame's planes are copied once, straight into the core's
// memory, and hashed there. The frames are closed at once.
//
//   const video = await openVideo(file, head, onTime);  // null when not a video container
//   video.push(chunk);        // every chunk of the file, in order, as the digests read it
//   await video.ready();      // back-pressure: wait while the decoder is behind
//   await video.finish();     // {vpdq: {secondsPerHash, frames, ...}} or {vpdq: null, vpdqError}
//
// The file is read once for the digests and the video together; an index (MP4 `moov`) that
// sits at the end is read first with a few small slices. Memory stays flat whatever the size.
//
// The core's video code is a WebAssembly module of its own (report_helper_video), which the
// worker loads with this file only for a video: the page's first load stays small.
import init, { VideoHasher } from './wasm/report_helper_video.js';

const ready = init({ module_or_path: new URL('./wasm/report_helper_video_bg.wasm', import.meta.url) });

// The demuxer reads its first boxes or elements from this much of the file's head.
const HEAD_BYTES = 64 << 10;
// Chunks waiting in the decoder before reading pauses: enough to keep it busy, few enough that a
// 4 GiB file never piles up in memory.
const DECODE_QUEUE = 12;
// Formats whose planes the core reads as the reference converts them; others are converted by
// the browser to RGBA first (near the reference, not equal to it).
const PLANAR = { I420: 'i420', I420A: 'i420', I422: 'i422', I444: 'i444', NV12: 'nv12' };
const RGB = { RGBA: 'rgba', RGBX: 'rgba', BGRA: 'bgra', BGRX: 'bgra' };

export const VPDQ_ERRORS = {
  'not-a-video': 'The file holds no video this helper reads. Its exact digests still count.',
  'unsupported-codec': 'This browser cannot decode the video in this file. Its exact digests still count.',
  'unsupported-browser': 'This browser cannot decode videos here. Its exact digests still count.',
  'decode-failed': 'The video could not be decoded: the file is damaged, cut short or not what its header says.',
  'no-frames': 'The video holds no pictures.',
};

export const vpdqFailure = (code, detail) => ({
  vpdq: null,
  vpdqError: { code, message: VPDQ_ERRORS[code] + (detail ? ` (${detail})` : '') },
});

class VideoFailure extends Error {
  constructor(code, detail) {
    super(detail);
    this.code = code;
  }
}

const hasWebCodecs = () => typeof VideoDecoder === 'function' && typeof EncodedVideoChunk === 'function';

/**
 * The video job for `file`, or null when its first bytes (`head`, as many as the worker read) are
 * not a video container (MP4/MOV, WebM/Matroska). Reads the container's index when it is not at
 * the start. `onTime(seconds, duration)` reports video time done.
 */
export async function openVideo(file, head, onTime) {
  let wasm;
  try {
    wasm = await ready;
  } catch (e) {
    throw new VideoFailure('unsupported-browser', `the video module could not start: ${e?.message ?? e}`);
  }
  const hasher = VideoHasher.open(file.size, head.subarray(0, HEAD_BYTES));
  if (!hasher) return null;
  const video = new VideoJob(file, wasm, hasher, onTime);
  await video.prepare();
  return video;
}

class VideoJob {
  #file;
  #wasm;
  #hasher;
  #onTime;
  #decoder = null;
  #failure = null;
  #decodeError = null;
  #damage = null;
  #started = false;
  #hashing = Promise.resolve();
  #waiting = null;
  #duration = NaN;
  #lastTime = 0;
  // Chunk timestamp (presentation time) -> the decode indices of the chunks sent with it, oldest
  // first: a returned frame is known by its timestamp.
  #sampleAt = new Map();

  constructor(file, wasm, hasher, onTime) {
    this.#file = file;
    this.#wasm = wasm;
    this.#hasher = hasher;
    this.#onTime = onTime;
  }

  /** Serves the core's requests for slices (an index at the end) until it wants the stream. */
  async prepare() {
    try {
      await this.#serveRanges();
    } catch (e) {
      this.#fail(e);
    }
  }

  async #serveRanges() {
    for (;;) {
      const kind = this.#hasher.request();
      if (kind !== 'range') return;
      const offset = this.#hasher.requestOffset();
      const length = this.#hasher.requestLength();
      const bytes = new Uint8Array(await this.#file.slice(offset, offset + length).arrayBuffer());
      this.#hasher.supply(offset, bytes);
    }
  }

  /**
   * A refusal (an unsupported codec or browser, no frames) ends the job with no frames. Damage
   * (a broken container or frame) stops the reading, but the frames decoded until then still
   * count: finish() returns them as `partial`.
   */
  #fail(e) {
    if (this.#failure || this.#damage) return;
    const code = e?.code ?? 'decode-failed';
    if (code === 'decode-failed' && this.#decoder) {
      this.#damage = e;
      return;
    }
    this.#failure = e instanceof VideoFailure ? e : new VideoFailure(code, String(e?.message ?? e));
    if (this.#decoder && this.#decoder.state !== 'closed') this.#decoder.close();
  }

  /** The next bytes of the file, in order from its start. Synchronous: the core copies them. */
  push(chunk) {
    if (this.#failure || this.#damage) return;
    try {
      this.#hasher.push(chunk);
      if (this.#decoder) this.#feed();
    } catch (e) {
      this.#fail(e);
    }
  }

  /**
   * Call after each push: serves slices the core asks for mid-stream, starts the decoder once the
   * track is known, and resolves when the decoder has room again (or the job failed).
   */
  async ready() {
    try {
      if (!this.#failure && !this.#damage && this.#hasher.request() === 'range') await this.#serveRanges();
      if (!this.#failure && !this.#started && this.#hasher.trackKnown()) await this.#start();
      if (this.#decoder) this.#feed();
    } catch (e) {
      this.#fail(e);
    }
    while (!this.#failure && this.#decoder?.state === 'configured' && this.#decoder.decodeQueueSize > DECODE_QUEUE) {
      await new Promise((resolve) => {
        this.#waiting = resolve;
      });
    }
  }

  /** Hands the decoder every sample the core has ready, skipping those nobody needs. */
  #feed() {
    const h = this.#hasher;
    let seconds = this.#lastTime;
    while (!this.#failure && !this.#damage && this.#decoder.state === 'configured' && h.nextSample()) {
      seconds = Math.max(seconds, h.sampleSeconds());
      if (!h.sampleDecode()) continue;
      // The presentation time, as WebCodecs means it: WebKit hands timestamps back in increasing
      // order whatever frame they came with, so any other key (the decode index) lands on the
      // wrong frames there. The core knows each decode index's frame number.
      const timestamp = h.sampleTime();
      const sent = this.#sampleAt.get(timestamp);
      if (sent) sent.push(h.sampleIndex());
      else this.#sampleAt.set(timestamp, [h.sampleIndex()]);
      this.#decoder.decode(new EncodedVideoChunk({ type: h.sampleKey() ? 'key' : 'delta', timestamp, data: h.sampleData() }));
    }
    // Video time read so far: the decoder is at most a few chunks behind.
    if (seconds > this.#lastTime) {
      this.#lastTime = seconds;
      this.#onTime?.(seconds, this.#duration);
    }
  }

  /** Checks the browser can decode the track, then configures a decoder for it. */
  async #start() {
    this.#started = true;
    const h = this.#hasher;
    h.start(); // throws for a track without a frame rate or without frames
    this.#duration = h.duration();
    if (!hasWebCodecs()) throw new VideoFailure('unsupported-browser');
    const codec = h.codecString();
    if (!codec) throw new VideoFailure('unsupported-codec', h.codecName());
    const config = { codec, codedWidth: h.codedWidth(), codedHeight: h.codedHeight() };
    const description = h.description();
    if (description) config.description = description;
    const support = await VideoDecoder.isConfigSupported(config).catch(() => ({ supported: false }));
    if (!support.supported) throw new VideoFailure('unsupported-codec', codec);
    this.#decoder = new VideoDecoder({
      output: (frame) => this.#output(frame),
      error: (e) => {
        this.#decodeError = e;
        this.#wake();
      },
    });
    this.#decoder.addEventListener('dequeue', () => this.#wake());
    this.#decoder.configure(config);
  }

  #wake() {
    const resolve = this.#waiting;
    this.#waiting = null;
    resolve?.();
  }

  /** A decoded frame: numbered by the core, hashed if the reference hashes it, closed at once. */
  #output(frame) {
    const sent = this.#sampleAt.get(frame.timestamp);
    const index = sent?.shift();
    if (sent?.length === 0) this.#sampleAt.delete(frame.timestamp);
    const number = index === undefined ? -1 : (this.#hasher?.returned(index) ?? -1);
    if (number < 0 || this.#failure) {
      frame.close();
      return;
    }
    // One frame at a time through the core's single frame buffer.
    this.#hashing = this.#hashing.then(() => this.#hashFrame(frame, number)).catch((e) => this.#fail(e));
  }

  async #hashFrame(frame, number) {
    try {
      const rect = frame.visibleRect;
      const { width, height } = rect;
      const planar = PLANAR[frame.format];
      // Read before close(): a closed frame forgets its colour space.
      const fullRange = !!frame.colorSpace?.fullRange;
      const h = this.#hasher;
      if (planar) {
        const chromaWidth = planar === 'i444' ? width : Math.ceil(width / 2);
        const chromaHeight = planar === 'i420' || planar === 'nv12' ? Math.ceil(height / 2) : height;
        const layout = [{ offset: 0, stride: width }];
        let size = width * height;
        if (planar === 'nv12') {
          layout.push({ offset: size, stride: chromaWidth * 2 });
          size += chromaWidth * 2 * chromaHeight;
        } else {
          layout.push({ offset: size, stride: chromaWidth });
          size += chromaWidth * chromaHeight;
          layout.push({ offset: size, stride: chromaWidth });
          size += chromaWidth * chromaHeight;
        }
        if (frame.format === 'I420A') {
          layout.push({ offset: size, stride: width });
          size += width * height;
        }
        await frame.copyTo(this.#buffer(size), { rect, layout });
        frame.close();
        // Full range counts only for H.264 and H.265: the reference's FFmpeg gives those as
        // yuvj formats and converts them so; a VP9 or AV1 frame it converts as limited range.
        h.hashYuv(number, width, height, planar, fullRange, layout[1].offset, layout[1].stride,
          layout[2]?.offset ?? 0, layout[2]?.stride ?? 0);
      } else {
        const layout = RGB[frame.format] ?? 'rgba';
        const options = { rect, layout: [{ offset: 0, stride: width * 4 }] };
        if (!RGB[frame.format]) options.format = 'RGBA';
        await frame.copyTo(this.#buffer(width * height * 4), options);
        frame.close();
        h.hashRgb(number, width, height, layout);
      }
    } finally {
      frame.close();
    }
  }

  /** A view of the core's frame buffer of `size` bytes (made again: memory may have grown). */
  #buffer(size) {
    const pointer = this.#hasher.frameBuffer(size);
    return new Uint8Array(this.#wasm.memory.buffer, pointer, size);
  }

  /** After the last chunk: flushes the decoder and returns the result. */
  async finish() {
    try {
      let partial = false;
      if (!this.#damage) {
        try {
          partial = this.#hasher.end();
        } catch (e) {
          this.#fail(e);
        }
      }
      await this.ready();
      if (this.#failure) throw this.#failure;
      if (!this.#started) throw new VideoFailure('decode-failed', 'the video track was not found');
      if (this.#decoder.state === 'configured') await this.#decoder.flush().catch(() => {});
      await this.#hashing;
      if (this.#failure) throw this.#failure;
      const frames = this.#frames();
      const trouble = this.#decodeError ?? this.#damage;
      if (trouble && frames.length === 0) throw new VideoFailure('decode-failed', String(trouble?.message ?? trouble));
      const vpdq = { secondsPerHash: 1, frames };
      if (partial || trouble) vpdq.partial = true;
      return { vpdq };
    } catch (e) {
      const failure = e instanceof VideoFailure ? e : new VideoFailure(e?.code ?? 'decode-failed', String(e?.message ?? e));
      return vpdqFailure(failure.code, failure.message);
    } finally {
      this.close();
    }
  }

  /** The hashed frames as the API gives them: {frame, hash, quality}. */
  #frames() {
    const numbers = this.#hasher.frameNumbers();
    const hashes = this.#hasher.hashes();
    const qualities = this.#hasher.qualities();
    return [...numbers].map((frame, i) => ({ frame, hash: hashes.slice(64 * i, 64 * i + 64), quality: qualities[i] }));
  }

  /** Ends the decoder and frees the core's state; safe to call more than once. */
  close() {
    if (this.#decoder && this.#decoder.state !== 'closed') this.#decoder.close();
    if (this.#hasher) this.#hasher.free();
    this.#hasher = null;
  }
}
