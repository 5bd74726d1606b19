// Screenshots kept as evidence: blacked out on this device (the core writes the PNG), never
// sent, not even their digests; saved with the receipts in the evidence package, here as soon as
// one is blacked out, or after sending. A minor's report skips it.
import { hashFile } from '../hashing.js';
import { redactScreenshot } from '../report.js';
import { MAX_SHOT_SIDE } from '../constants.js';
import { stamp } from '../dom.js';
import { DropZone } from '../components/drop-zone.js';
import { AreaEditor } from '../components/area-editor.js';
import { isMinor } from './situation.js';

// What a browser decodes without strain (the side limit is the core's).
const MAX_SHOT_PIXELS = 50_000_000;

const html = `
<section data-step="evidence" aria-labelledby="h-evidence" hidden>
  <h2 id="h-evidence" tabindex="-1" data-i18n="evidence.heading"></h2>
  <p data-i18n="evidence.intro"></p>
  <p class="hint" data-i18n="evidence.private"></p>
  <div class="drop" id="shot-drop">
    <input type="file" id="shot-input" multiple accept="image/png,image/jpeg,image/webp,image/gif,image/bmp" class="visually-hidden" aria-describedby="shot-error">
    <label for="shot-input" class="button" data-i18n="evidence.add"></label>
  </div>
  <p class="error" id="shot-error" role="alert" hidden></p>
  <ol class="shots" id="shots" data-i18n-label="evidence.listLabel"></ol>
  <div id="shots-package" hidden>
    <p class="hint" data-i18n="package.now"></p>
    <p><button type="button" id="package-shots" data-i18n="package.button"></button></p>
  </div>
  <div class="nav">
    <button type="button" class="back" data-i18n="nav.back"></button>
    <button type="button" class="next primary" data-i18n="nav.next"></button>
  </div>
</section>`;

const shotRow = stamp(`
<li class="shot">
  <h3 class="shot-title" tabindex="-1"></h3>
  <p class="status" role="status"></p>
  <div class="editor" hidden>
    <p class="shot-guide"></p>
    <p class="hint shot-help"></p>
    <div class="tools">
      <button type="button" class="reveal" aria-pressed="false"></button>
      <button type="button" class="zoom-out"></button>
      <button type="button" class="zoom-in"></button>
      <button type="button" class="zoom-fit"></button>
      <span class="zoom-level"></span>
    </div>
    <div class="view" tabindex="0" role="group">
      <div class="stage">
        <canvas class="picture" aria-hidden="true"></canvas>
        <div class="boxes"></div>
      </div>
    </div>
    <div class="tools">
      <button type="button" class="add-area"></button>
      <button type="button" class="undo"></button>
      <button type="button" class="redo"></button>
    </div>
    <ol class="areas"></ol>
    <div class="nav"><button type="button" class="apply primary"></button></div>
  </div>
  <div class="result" hidden>
    <div class="stage"><img class="redacted" alt=""></div>
    <dl class="digests"><dt>SHA-256</dt><dd><code class="sha256"></code></dd></dl>
  </div>
  <p><button type="button" class="remove"></button></p>
</li>`);

/** The screenshots kept, for the receipt: their file names in the package and digests. */
export const kept = (state) =>
  state.shots
    .filter((shot) => shot.state === 'redacted')
    .map((shot, i) => ({
      file: `evidence-${i + 1}.png`, sha256: shot.sha256, width: shot.width, height: shot.height,
      rectangles: shot.editor.areas.length, original: shot.original, png: shot.png,
    }));

const empty = (canvas) => Object.assign(canvas, { width: 0, height: 0 });

export default (ctx) => {
  const add = (files) => {
    ctx.clearError('shot-error');
    for (const file of files) {
      const el = shotRow();
      const shot = { id: crypto.randomUUID(), el, file, state: 'opening', revealed: false, controller: new AbortController() };
      ctx.state.shots.push(shot);
      ctx.q('#shots').append(el);
      el.querySelector('.remove').addEventListener('click', () => remove(shot));
      for (const button of el.querySelectorAll('.reveal')) {
        button.addEventListener('click', () => {
          shot.revealed = !shot.revealed;
          render(shot);
        });
      }
      el.querySelector('.apply').addEventListener('click', () => redact(shot));
      shot.editor = new AreaEditor(el.querySelector('.editor'), ctx.t, `${shot.id}-help`);
      for (const type of ['change', 'announce']) shot.editor.addEventListener(type, (e) => e.detail && ctx.announce(e.detail));
      render(shot);
      open(shot);
    }
  };

  /** Decodes the screenshot into its canvas, and takes its digests as it was. */
  const open = async (shot) => {
    const { file } = shot;
    try {
      const [bitmap, digests] = await Promise.all([
        createImageBitmap(file).catch(() => null),
        hashFile(file, { pdq: false, signal: shot.controller.signal }),
      ]);
      if (!ctx.state.shots.includes(shot)) return bitmap?.close();
      if (!bitmap) throw Object.assign(new Error('not a picture'), { code: 'not-a-picture' });
      const { width, height } = bitmap;
      if (width > MAX_SHOT_SIDE || height > MAX_SHOT_SIDE || width * height > MAX_SHOT_PIXELS) {
        bitmap.close();
        throw Object.assign(new Error('too large'), { code: 'too-large' });
      }
      const canvas = shot.el.querySelector('canvas.picture');
      Object.assign(canvas, { width, height });
      canvas.getContext('2d').drawImage(bitmap, 0, 0);
      bitmap.close();
      Object.assign(shot.editor, { width, height });
      Object.assign(shot, { width, height, original: { sha256: digests.sha256, md5: digests.md5 }, state: 'marking' });
    } catch (e) {
      if (e?.name === 'AbortError' || !ctx.state.shots.includes(shot)) return;
      Object.assign(shot, { state: 'error', errorCode: e?.code === 'too-large' ? 'too-large' : e?.code === 'not-a-picture' ? 'not-a-picture' : 'read-failed' });
    }
    render(shot);
  };

  /** Blacks out the areas in the core, keeps only the PNG it writes, and drops the original. */
  const redact = async (shot) => {
    if (shot.state !== 'marking') return;
    shot.state = 'redacting';
    render(shot);
    const canvas = shot.el.querySelector('canvas.picture');
    try {
      const pixels = canvas.getContext('2d').getImageData(0, 0, shot.width, shot.height);
      const png = await redactScreenshot(pixels, shot.editor.areas);
      const { sha256 } = await hashFile(new Blob([png]), { pdq: false, signal: shot.controller.signal });
      if (!ctx.state.shots.includes(shot)) return;
      shot.png = png;
      shot.sha256 = sha256;
      shot.url = ctx.keep(URL.createObjectURL(new Blob([png], { type: 'image/png' })));
      shot.el.querySelector('img.redacted').src = shot.url;
      shot.state = 'redacted';
      shot.revealed = false;
      // The original pixels go: the canvas is emptied, and the file is let go.
      empty(canvas);
      shot.file = null;
    } catch (e) {
      if (e?.name === 'AbortError' || !ctx.state.shots.includes(shot)) return;
      Object.assign(shot, { state: 'marking', errorCode: 'redact-failed' });
      ctx.fieldError('shot-error', 'evidence.error.redact-failed', {}, shot.el.querySelector('.apply'));
    }
    render(shot);
    if (shot.state === 'redacted') shot.el.querySelector('.shot-title').focus();
  };

  const remove = (shot, focus = true) => {
    shot.controller.abort();
    ctx.revoke(shot.url);
    empty(shot.el.querySelector('canvas.picture'));
    const list = ctx.state.shots;
    const at = list.indexOf(shot);
    if (at >= 0) list.splice(at, 1);
    shot.el.remove();
    list.forEach(render);
    showPackage();
    if (!focus) return;
    ctx.announce(ctx.t('evidence.removed'));
    const next = list[at] ?? list[at - 1];
    (next ? next.el.querySelector('.remove') : ctx.q('#shot-input')).focus();
  };

  const render = (shot) => {
    const { t } = ctx;
    const { el, state } = shot;
    const q = (sel) => el.querySelector(sel);
    const n = ctx.state.shots.indexOf(shot) + 1;
    q('.shot-title').textContent = t('evidence.shot', { n });
    el.dataset.state = state;
    el.classList.toggle('revealed', shot.revealed);
    const status = {
      opening: () => t('evidence.opening'),
      marking: () => t('evidence.marking'),
      redacting: () => t('evidence.redacting'),
      redacted: () => t('evidence.redacted', { count: shot.editor.areas.length }),
      error: () => t(`evidence.error.${shot.errorCode}`),
    }[state]();
    if (q('.status').textContent !== status) q('.status').textContent = status;
    q('.editor').hidden = state !== 'marking' && state !== 'redacting';
    q('.result').hidden = state !== 'redacted';
    const help = q('.shot-help');
    help.id = `${shot.id}-help`;
    help.textContent = t('evidence.help');
    q('.shot-guide').textContent = t('evidence.guide');
    q('.view').setAttribute('aria-label', t('evidence.viewLabel', { n }));
    for (const button of el.querySelectorAll('.reveal')) {
      button.textContent = t(shot.revealed ? 'files.hide' : 'files.show');
      button.setAttribute('aria-pressed', String(shot.revealed));
      button.setAttribute('aria-label', t(shot.revealed ? 'evidence.hideLabel' : 'evidence.showLabel', { n }));
    }
    q('.add-area').textContent = t('evidence.addArea');
    q('.apply').textContent = t('evidence.apply');
    q('.apply').disabled = state !== 'marking';
    shot.editor.disabled = state !== 'marking';
    q('.remove').textContent = t('evidence.remove');
    q('.remove').setAttribute('aria-label', t('evidence.removeLabel', { n }));
    q('img.redacted').alt = t('evidence.redactedAlt', { n });
    q('.sha256').textContent = shot.sha256 ?? '';
    if (shot.width) shot.editor.render();
    showPackage();
  };

  // The package can be kept once one screenshot is blacked out: closing the page loses nothing.
  const showPackage = () => {
    ctx.q('#shots-package').hidden = !kept(ctx.state).length;
  };

  return {
    id: 'evidence',
    html,
    takeFiles: add,
    skip: () => isMinor(ctx.state),

    wire() {
      new DropZone(ctx.q('#shot-drop'), ctx.q('#shot-input')).addEventListener('files', (e) => add(e.detail));
      ctx.q('#package-shots').addEventListener('click', () => ctx.steps.send.saveEvidence());
    },

    applyText() {
      ctx.state.shots.forEach(render);
    },

    // Pictures of a minor must not be kept, redacted or not: any screenshot goes, and the
    // situation step says so.
    situation() {
      if (!isMinor(ctx.state) || !ctx.state.shots.length) return;
      for (const shot of [...ctx.state.shots]) remove(shot, false);
      ctx.steps.situation.shotsRemoved();
    },

    // A screenshot still opening, or marked and not yet blacked out, would be lost.
    next() {
      const unfinished = ctx.state.shots.find((shot) => ['opening', 'marking', 'redacting'].includes(shot.state));
      if (!unfinished) return true;
      ctx.fieldError('shot-error', 'evidence.unfinished');
      unfinished.el.querySelector(unfinished.state === 'marking' ? '.apply' : '.shot-title').focus();
      return false;
    },

    drop() {
      for (const shot of ctx.state.shots) {
        shot.controller.abort();
        empty(shot.el.querySelector('canvas.picture'));
      }
    },

    reset() {
      ctx.q('#shots').replaceChildren();
      showPackage();
    },
  };
};
