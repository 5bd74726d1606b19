// The photos and videos: hashed here as they are chosen (hashing.js), each shown with its name,
// a blurred preview that only the person sees, a plain status, and its digests behind "Technical
// details". A damaged file, or one that is not what its name says, gets a warning and counts by its
// exact digests only (kind `other`); an empty file is refused. The files never leave the page.
import { hashFile } from '../hashing.js';
import { stamp } from '../dom.js';
import { DropZone } from '../components/drop-zone.js';

const html = `
<section data-step="files" aria-labelledby="h-files" hidden>
  <h2 id="h-files" tabindex="-1" data-i18n="files.heading"></h2>
  <p data-i18n="files.intro"></p>
  <div class="drop" id="drop">
    <input type="file" id="file-input" multiple class="visually-hidden" aria-describedby="files-error">
    <label for="file-input" class="button" data-i18n="choose"></label>
    <p data-i18n="dropHint"></p>
  </div>
  <p class="error" id="files-error" role="alert" hidden></p>
  <ol class="files" id="files" data-i18n-label="files.listLabel"></ol>
  <p class="files-progress" id="files-progress" hidden></p>
  <div class="nav">
    <button type="button" class="back" data-i18n="nav.back"></button>
    <button type="button" class="next primary" data-i18n="nav.next"></button>
  </div>
</section>`;

const fileRow = stamp(`
<li class="file">
  <div class="thumb" hidden>
    <div class="frame"><span class="only-you"></span></div>
    <button type="button" class="reveal" aria-pressed="false"></button>
  </div>
  <div class="file-main">
    <div class="file-head"><span class="name"></span> <span class="size"></span></div>
    <progress max="1" value="0"></progress>
    <div class="file-foot">
      <p class="status" role="status"></p>
      <span class="percent" aria-hidden="true"></span>
    </div>
    <p class="vpdq-note" hidden></p>
    <button type="button" class="remove"></button>
    <details class="tech" hidden>
      <summary></summary>
      <p class="tech-what"></p>
      <dl class="digests">
        <dt>SHA-256</dt><dd><code class="sha256"></code></dd>
        <dt>MD5</dt><dd><code class="md5"></code></dd>
        <dt class="pdq-row">PDQ</dt><dd class="pdq-row"><code class="pdq"></code> <span class="pdq-note"></span></dd>
        <dt class="pdq-stored-row" hidden>PDQ</dt><dd class="pdq-stored-row" hidden><code class="pdq-stored"></code> <span class="pdq-stored-note"></span></dd>
        <dt class="vpdq-row">vPDQ</dt><dd class="vpdq-row"><span class="vpdq"></span></dd>
      </dl>
    </details>
  </div>
</li>`);

const kindOf = (file, digests) =>
  digests.vpdq || file.type.startsWith('video/') ? 'video' : digests.pdq || file.type.startsWith('image/') ? 'image' : 'other';

// The image types the worker decodes (worker.js PDQ_ERRORS): a file typed as one of these (by its
// name) that holds no such image is not what it says. Types it cannot read (HEIC, SVG) are not
// suspect for that: they are simply not fingerprinted as pictures.
const READABLE_IMAGE = /^image\/(jpeg|png|gif|webp|bmp|avif)$/;

/**
 * Whether the file is damaged or not what its name or header says: an image header that does not
 * decode, a photo's name on bytes that are no image, a video's name on no video, a video that
 * cannot be decoded. Such a file counts by its exact digests only.
 */
const suspect = (file, { pdqError, vpdq, vpdqError }) =>
  pdqError?.code === 'decode-failed' ||
  (pdqError?.code === 'not-an-image' && !vpdq && READABLE_IMAGE.test(file.type)) ||
  vpdqError?.code === 'decode-failed' ||
  vpdqError?.code === 'no-frames' ||
  (vpdqError?.code === 'not-a-video' && file.type.startsWith('video/'));

/** Seconds left in plain words: no number finer than the estimate is. */
const timeLeft = (t, seconds) => {
  if (seconds < 45) return t('files.left.seconds', { count: Math.max(5, Math.ceil(seconds / 5) * 5) });
  if (seconds < 60) return t('files.left.underMinute');
  if (seconds < 90) return t('files.left.minute');
  return t('files.left.minutes', { count: Math.round(seconds / 60) });
};

// An estimate needs this long of measured reading first, or its first figure is a guess.
const MEASURE_MS = 2000;

/** 83 seconds as "1:23", an hour and more as "1:02:03". */
const clock = (seconds) => {
  const s = Math.max(0, Math.floor(seconds));
  const mm = String(Math.floor(s / 60) % 60);
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
};

export default (ctx) => {
  // The reading rate of the files being hashed now, for the time left: since when, from how many bytes.
  let measure = null;

  const add = async (files) => {
    ctx.clearError('files-error');
    // An empty file has no picture, and its digests match every empty file anywhere: refused.
    // A file that vanished since it was chosen also says 0 bytes, but cannot be read: it goes on,
    // to fail with "could not be read" rather than be called empty.
    const readable = (f) => f.arrayBuffer().then(() => true, () => false);
    const empty = new Set();
    for (const f of files) if (f.size === 0 && (await readable(f))) empty.add(f);
    if (empty.size) ctx.fieldError('files-error', 'files.empty', { names: [...empty].map((f) => f.name).join(', ') });
    for (const file of files.filter((f) => !empty.has(f))) {
      const el = fileRow();
      const item = { id: crypto.randomUUID(), el, file, state: 'queued', loaded: 0, controller: new AbortController() };
      el.querySelector('.remove').addEventListener('click', () => remove(item));
      el.querySelector('.reveal').addEventListener('click', () => {
        const shown = el.classList.toggle('revealed');
        el.querySelector('.reveal').setAttribute('aria-pressed', String(shown));
        render(item);
      });
      ctx.q('#files').append(el);
      ctx.state.items.push(item);
      render(item);
      hashFile(file, {
        sha1: true,
        signal: item.controller.signal,
        onProgress: ({ loaded, seconds, duration }) => {
          item.state = 'hashing';
          item.loaded = loaded;
          // A video's progress is told in video time once its frames are being decoded.
          if (seconds !== undefined) Object.assign(item, { seconds, duration });
          render(item);
        },
      })
        .then(
          (digests) => {
            const warning = suspect(file, digests);
            // Kind other has no perceptual hash in the report: none is kept, whatever was found.
            if (warning) digests = { ...digests, pdq: null, pdqStored: null, vpdq: null };
            Object.assign(item, { state: warning ? 'warning' : 'done', digests, kind: warning ? 'other' : kindOf(file, digests) });
            thumbnail(item);
            const { sha256, md5, sha1, pdq, vpdq } = digests;
            ctx.emit('hashed', {
              kind: item.kind,
              sha256,
              md5,
              sha1,
              pdq: pdq ? { hash: pdq.hash, quality: pdq.quality } : null,
              vpdq: vpdq ? { frames: vpdq.frames.length } : null,
            });
          },
          (error) => {
            if (error?.name === 'AbortError') item.state = 'cancelled';
            else Object.assign(item, { state: 'error', errorCode: error?.code ?? 'hash-failed' });
          },
        )
        .finally(() => {
          render(item);
          if (ctx.step === 'review') ctx.steps.review.render();
        });
    }
  };

  const remove = (item) => {
    item.controller.abort();
    ctx.revoke(item.thumbUrl);
    const list = ctx.state.items;
    const at = list.indexOf(item);
    list.splice(at, 1);
    item.el.remove();
    item.thumbUrl = null;
    measure = null; // the rate so far included this file's bytes
    summarise();
    ctx.announce(ctx.t('files.removed'));
    // Focus goes to the next file's button, or back to the file picker.
    const next = list[at] ?? list[at - 1];
    (next ? next.el.querySelector('.remove') : ctx.q('#file-input')).focus();
  };

  /** A blurred preview, for images the browser can show without strain, and for videos. */
  const thumbnail = (item) => {
    const { file, digests, kind, el } = item;
    const small = digests.pdq && !digests.pdq.scaled;
    if (!(kind === 'image' && small) && kind !== 'video') return;
    item.thumbUrl = ctx.keep(URL.createObjectURL(file));
    const media =
      kind === 'video'
        ? Object.assign(document.createElement('video'), { muted: true, preload: 'metadata', src: item.thumbUrl })
        : Object.assign(document.createElement('img'), { alt: '', decoding: 'async', src: item.thumbUrl });
    media.setAttribute('aria-hidden', 'true');
    media.addEventListener('error', () => {
      el.querySelector('.thumb').hidden = true;
    });
    el.querySelector('.frame').prepend(media);
    el.querySelector('.thumb').hidden = false;
  };

  const formatSize = (bytes) => {
    const units = [['gigabyte', 1e9], ['megabyte', 1e6], ['kilobyte', 1e3]];
    const [unit, scale] = units.find(([, s]) => bytes >= s) ?? ['byte', 1];
    return new Intl.NumberFormat(ctx.lang, { style: 'unit', unit, maximumFractionDigits: 1 }).format(bytes / scale);
  };

  const render = (item) => {
    const { t } = ctx;
    const { el, file, state } = item;
    const q = (s) => el.querySelector(s);
    q('.name').textContent = file.name;
    q('.size').textContent = formatSize(file.size);
    const progress = q('progress');
    progress.setAttribute('aria-label', t('progressLabel', { name: file.name }));
    // A video being fingerprinted: progress in video time ("1:23 of 4:56"), which is what takes
    // the time; otherwise in bytes read.
    const byTime = state === 'hashing' && item.seconds !== undefined && item.duration > 0;
    progress.max = byTime ? item.duration : Math.max(file.size, 1);
    const finished = state === 'done' || state === 'warning';
    progress.hidden = finished;
    progress.value = finished ? progress.max : byTime ? Math.min(item.seconds, item.duration) : item.loaded;
    if (byTime) progress.setAttribute('aria-valuetext', t('videoTime', { time: clock(item.seconds), duration: clock(item.duration) }));
    else progress.removeAttribute('aria-valuetext');
    // The status is a live region: it changes with the state only, so a screen reader is not
    // read every percent. The percent is for the eye; the progress bar carries it for the ear.
    const percent = byTime
      ? t('videoTime', { time: clock(item.seconds), duration: clock(item.duration) })
      : new Intl.NumberFormat(ctx.lang, { style: 'percent' }).format(file.size ? item.loaded / file.size : 0);
    q('.percent').textContent = state === 'hashing' ? percent : '';
    const status = {
      queued: () => t('queued'),
      hashing: () => t('hashing'),
      done: () => t(`done.${item.kind}`),
      warning: () => t('files.warning'),
      cancelled: () => t('cancelled'),
      error: () => t(`error.${item.errorCode}`),
    }[state]();
    if (q('.status').textContent !== status) q('.status').textContent = status;
    el.dataset.state = state;
    const remove = q('.remove');
    remove.textContent = t('files.remove');
    remove.setAttribute('aria-label', t('files.removeLabel', { name: file.name }));
    const reveal = q('.reveal');
    const shown = el.classList.contains('revealed');
    reveal.textContent = t(shown ? 'files.hide' : 'files.show');
    reveal.setAttribute('aria-label', t(shown ? 'files.hideLabel' : 'files.showLabel', { name: file.name }));
    q('.only-you').textContent = t('files.onlyYou');
    const tech = q('.tech');
    tech.hidden = !finished;
    tech.querySelector('summary').textContent = t('files.tech');
    q('.tech-what').textContent = t('files.techWhat');
    const videoNote = q('.vpdq-note');
    videoNote.hidden = true;
    if (finished) {
      q('.sha256').textContent = item.digests.sha256;
      q('.md5').textContent = item.digests.md5;
      // PDQ, the perceptual hash, is there for images only; its note says how far to trust it.
      // A video has vPDQ instead: a PDQ hash a second; what it can and cannot find is said in
      // view, not among the details.
      const { pdq, pdqError, vpdq, vpdqError } = item.digests;
      const video = item.kind === 'video';
      for (const row of el.querySelectorAll('.pdq-row')) row.hidden = video;
      for (const row of el.querySelectorAll('.vpdq-row')) row.hidden = !vpdq;
      q('.pdq').textContent = pdq ? pdq.hash : '';
      const notes = pdq
        ? [t(pdq.quality >= 50 ? 'pdq.quality' : 'pdq.lowQuality', { quality: pdq.quality }), pdq.scaled ? t('pdq.scaled') : '']
        : [t(`pdqError.${pdqError?.code ?? 'decode-failed'}`)];
      q('.pdq-note').textContent = notes.filter(Boolean).join(' ');
      // A photo turned by its EXIF orientation also has the PDQ of its pixels as saved (issue 19).
      const stored = pdq && item.digests.pdqStored;
      for (const row of el.querySelectorAll('.pdq-stored-row')) row.hidden = video || !stored;
      q('.pdq-stored').textContent = stored ? stored.hash : '';
      q('.pdq-stored-note').textContent = stored ? t('pdq.stored', { quality: stored.quality }) : '';
      const usable = vpdq ? vpdq.frames.filter((f) => f.quality >= 50).length : 0;
      q('.vpdq').textContent = vpdq ? t('vpdq.frames', { count: usable }) : '';
      videoNote.hidden = !video;
      videoNote.textContent = vpdq
        ? [usable ? t('vpdq.finds') : t('vpdq.plain'), vpdq.partial ? t('vpdq.partial') : ''].filter(Boolean).join(' ')
        : t(`vpdqError.${vpdqError?.code ?? 'not-a-video'}`);
    }
    summarise();
  };

  /**
   * The summary that stays in view while files are hashed: how many are ready and, once the rate
   * has been measured, about how long the rest takes. Not a live region: the rows' statuses tell a
   * screen reader each change of state, and a figure ticking down would drown them.
   */
  const summarise = () => {
    const { t } = ctx;
    const items = ctx.state.items;
    const pending = items.filter((i) => i.state === 'queued' || i.state === 'hashing');
    const box = ctx.q('#files-progress');
    if (!pending.length) {
      measure = null;
      box.hidden = true;
      box.textContent = '';
      return;
    }
    const ready = items.filter((i) => i.state === 'done' || i.state === 'warning').length;
    // Bytes read of this batch of files, finished ones included, and bytes still to read.
    const read = items.reduce((sum, i) => sum + (i.state === 'done' || i.state === 'warning' ? i.file.size : i.loaded), 0);
    const left = pending.reduce((sum, i) => sum + i.file.size - i.loaded, 0);
    const now = performance.now();
    // Measured from the first byte read, not from the choosing: starting the workers is no rate.
    if (read > 0 && (!measure || read < measure.read)) measure = { since: now, read };
    const rate = measure ? (read - measure.read) / (now - measure.since) : 0; // bytes a millisecond
    const estimate = measure && now - measure.since >= MEASURE_MS && rate > 0 ? timeLeft(t, left / rate / 1000) : '';
    const text = [t('files.ready', { ready, total: items.length }), estimate].filter(Boolean).join(', ');
    if (box.textContent !== text) box.textContent = text;
    box.hidden = false;
  };

  return {
    id: 'files',
    html,
    takeFiles: add,

    wire() {
      new DropZone(ctx.q('#drop'), ctx.q('#file-input')).addEventListener('files', (e) => add(e.detail));
    },

    applyText() {
      ctx.state.items.forEach(render);
    },

    drop() {
      for (const item of ctx.state.items) item.controller.abort();
    },

    reset() {
      ctx.q('#files').replaceChildren();
      measure = null;
      ctx.q('#files-progress').hidden = true;
    },
  };
};
