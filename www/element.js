// element.js: <report-helper>, the whole report flow in one custom element. Defined by
// report-helper.js; README.md documents its attributes, events and styling.
//
// Everything before "Send" stays in this element's memory: no storage, no network. What is sent
// is built and checked by the core (buildReport); the files themselves never leave the page.
import { hashFile, stopAllHashing } from './hashing.js';
import { FALLBACK, format, loadCatalog, pickLanguage } from './i18n.js';
import { buildReport, checkReport, receipt, receiptHtml, redactScreenshot, sendReport, vpdqHashCount } from './report.js';

const STEPS = ['situation', 'files', 'urls', 'evidence', 'about', 'review', 'send'];
const SITUATIONS = ['shared', 'threatened', 'minor', 'other'];
const MAX_URLS = 1000;
const MAX_URL_BYTES = 2048;
// Neutral sites to leave for; an embedding site sets its own with exit-url.
const EXIT_URLS = { en: 'https://www.bbc.com/weather', nl: 'https://www.buienradar.nl/' };
const HOTLINES = { en: 'https://www.inhope.org/EN', nl: 'https://www.meldpunt-kinderporno.nl/' };
// GOV.UK's quick exit: Shift pressed three times within two seconds.
const SHIFTS = 3;
const SHIFT_WINDOW_MS = 2000;
// Screenshots: what a browser decodes without strain, and a size a phone's screen gives.
const MAX_SHOT_PIXELS = 50_000_000;
const MAX_SHOT_SIDE = 16_384;
const MAX_AREAS = 100;
const KEY_STEP = 0.01; // arrow keys move or resize an area by 1 % of the picture (Ctrl: 10 %)

const TEMPLATE = `
<div class="rh" part="container">
  <div class="top">
    <p class="step-count" id="step-count"></p>
    <div class="exit-box">
      <button type="button" class="exit" id="exit" data-i18n="exit.button"></button>
      <p class="exit-hint" data-i18n="exit.hint"></p>
    </div>
  </div>
  <p class="visually-hidden" role="status" id="announcer"></p>

  <section data-step="situation" aria-labelledby="h-situation">
    <h2 id="h-situation" tabindex="-1" data-i18n="situation.heading"></h2>
    <p data-i18n="situation.intro"></p>
    <fieldset id="situation" aria-describedby="situation-error">
      <legend data-i18n="situation.legend"></legend>
      ${SITUATIONS.map((s) => `<label class="choice"><input type="radio" name="situation" value="${s}"> <span data-i18n="situation.${s}"></span></label>`).join('\n      ')}
    </fieldset>
    <p class="error" id="situation-error" role="alert" hidden></p>
    <div class="minor-note" id="minor-note" hidden>
      <p><strong data-i18n="minor.anonymous"></strong></p>
      <p data-i18n="minor.noScreenshots"></p>
      <p><span data-i18n="minor.hotline"></span> <a id="hotline" target="_blank" rel="noopener noreferrer"></a></p>
    </div>
    <div class="nav"><button type="button" class="next primary" data-i18n="nav.next"></button></div>
    <p class="aside"><button type="button" class="link" id="to-check" data-i18n="check.open"></button></p>
  </section>

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
    <div class="nav">
      <button type="button" class="back" data-i18n="nav.back"></button>
      <button type="button" class="next primary" data-i18n="nav.next"></button>
    </div>
  </section>

  <section data-step="urls" aria-labelledby="h-urls" hidden>
    <h2 id="h-urls" tabindex="-1" data-i18n="urls.heading"></h2>
    <p id="urls-intro"></p>
    <label for="url-input" data-i18n="urls.label"></label>
    <textarea id="url-input" rows="4" autocomplete="off" autocapitalize="off" spellcheck="false"
      aria-describedby="url-help url-errors"></textarea>
    <p class="hint" id="url-help" data-i18n="urls.help"></p>
    <button type="button" id="add-urls" data-i18n="urls.add"></button>
    <div class="error" id="url-errors" role="alert" hidden><p id="url-errors-summary"></p><ul></ul></div>
    <h3 id="url-list-heading" hidden></h3>
    <ol class="url-list" id="url-list" aria-labelledby="url-list-heading"></ol>
    <div class="nav">
      <button type="button" class="back" data-i18n="nav.back"></button>
      <button type="button" class="next primary" data-i18n="nav.next"></button>
    </div>
  </section>

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
    <div class="nav">
      <button type="button" class="back" data-i18n="nav.back"></button>
      <button type="button" class="next primary" data-i18n="nav.next"></button>
    </div>
  </section>

  <section data-step="about" aria-labelledby="h-about" hidden>
    <h2 id="h-about" tabindex="-1" data-i18n="about.heading"></h2>
    <p class="for-adult" data-i18n="about.intro"></p>
    <p class="for-minor" data-i18n="about.minor"></p>
    <div class="field for-adult">
      <label for="name" data-i18n="about.name"></label>
      <input id="name" autocomplete="name" maxlength="200" aria-describedby="name-error">
      <p class="error" id="name-error" role="alert" hidden></p>
    </div>
    <div class="field for-adult">
      <label for="email" data-i18n="about.email"></label>
      <input id="email" type="email" autocomplete="email" maxlength="254" aria-describedby="email-help email-error">
      <p class="hint" id="email-help" data-i18n="about.emailHelp"></p>
      <p class="error" id="email-error" role="alert" hidden></p>
    </div>
    <div class="field">
      <label for="explanation" data-i18n="about.explanation"></label>
      <textarea id="explanation" rows="5" maxlength="5000" aria-describedby="explanation-help explanation-error"></textarea>
      <p class="hint" id="explanation-help" data-i18n="about.explanationHelp"></p>
      <p class="error" id="explanation-error" role="alert" hidden></p>
    </div>
    <div class="field">
      <label class="choice"><input type="checkbox" id="good-faith" aria-describedby="good-faith-error">
        <span data-i18n="about.goodFaith"></span></label>
      <p class="error" id="good-faith-error" role="alert" hidden></p>
    </div>
    <div class="nav">
      <button type="button" class="back" data-i18n="nav.back"></button>
      <button type="button" class="next primary" data-i18n="nav.review"></button>
    </div>
  </section>

  <section data-step="review" aria-labelledby="h-review" hidden>
    <h2 id="h-review" tabindex="-1" data-i18n="review.heading"></h2>
    <p class="lead" data-i18n="review.lead"></p>
    <p class="pending" id="review-pending" role="status"></p>
    <div id="review"></div>
    <p class="hint" data-i18n="review.notSent"></p>
    <details id="raw"><summary data-i18n="review.raw"></summary><pre id="raw-json" tabindex="0" data-i18n-label="review.rawLabel"></pre></details>
    <p class="error" id="review-error" role="alert" hidden></p>
    <div class="nav">
      <button type="button" class="back" data-i18n="nav.back"></button>
      <button type="button" class="send primary" id="send" data-i18n="nav.send"></button>
    </div>
  </section>

  <section data-step="send" aria-labelledby="h-send" hidden>
    <h2 id="h-send" tabindex="-1"></h2>
    <p id="send-status" role="status"></p>
    <div id="send-failed" hidden>
      <p data-i18n="send.kept"></p>
      <div class="nav">
        <button type="button" id="retry" data-i18n="send.retry"></button>
        <button type="button" id="back-to-review" data-i18n="send.backToReview"></button>
      </div>
    </div>
    <p id="download-report-box" hidden><button type="button" id="download-report" data-i18n="send.download"></button></p>
    <div id="sent" hidden>
      <dl class="case">
        <dt data-i18n="sent.reference"></dt><dd><code id="reference"></code></dd>
        <dt data-i18n="sent.token"></dt><dd><code id="token"></code></dd>
      </dl>
      <p><strong data-i18n="sent.keep"></strong></p>
      <p data-i18n="sent.receiptIntro"></p>
      <p id="evidence-intro"></p>
      <div class="nav">
        <button type="button" class="primary" id="evidence-zip" data-i18n="sent.evidenceZip"></button>
        <button type="button" id="receipt-json" data-i18n="sent.receiptJson"></button>
        <button type="button" id="receipt-html" data-i18n="sent.receiptHtml"></button>
      </div>
      <p data-i18n="sent.checkLater"></p>
      <div class="nav">
        <button type="button" id="sent-check" data-i18n="sent.check"></button>
        <button type="button" id="new-report" data-i18n="sent.newReport"></button>
      </div>
    </div>
  </section>

  <section data-step="check" aria-labelledby="h-check" hidden>
    <h2 id="h-check" tabindex="-1" data-i18n="check.heading"></h2>
    <p data-i18n="check.intro"></p>
    <p><input type="file" id="receipt-input" accept=".json,application/json" class="visually-hidden" aria-describedby="check-error">
      <label for="receipt-input" class="button" data-i18n="check.openReceipt"></label></p>
    <p class="hint" id="check-note" hidden></p>
    <div class="field">
      <label for="check-reference" data-i18n="sent.reference"></label>
      <input id="check-reference" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="100" aria-describedby="check-error">
    </div>
    <div class="field">
      <label for="check-token" data-i18n="sent.token"></label>
      <input id="check-token" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="200" aria-describedby="check-error">
    </div>
    <p class="error" id="check-error" role="alert" hidden></p>
    <div class="nav">
      <button type="button" id="check-back" data-i18n="nav.back"></button>
      <button type="button" class="primary" id="check-submit" data-i18n="check.submit"></button>
    </div>
    <div id="check-result" hidden>
      <p id="check-status" role="status" tabindex="-1"></p>
      <div id="withdraw-box" hidden>
        <p><button type="button" id="withdraw" data-i18n="check.withdraw"></button></p>
        <div id="withdraw-confirm" hidden>
          <p id="withdraw-question" data-i18n="check.withdrawConfirm"></p>
          <div class="nav">
            <button type="button" id="withdraw-no" data-i18n="check.withdrawNo"></button>
            <button type="button" class="primary" id="withdraw-yes" data-i18n="check.withdrawYes"></button>
          </div>
        </div>
      </div>
    </div>
  </section>
</div>`;

const FILE_TEMPLATE = `
<li class="file">
  <div class="thumb" hidden><button type="button" class="reveal" aria-pressed="false"></button></div>
  <div class="file-main">
    <div class="file-head"><span class="name"></span> <span class="size"></span></div>
    <progress max="1" value="0"></progress>
    <div class="file-foot">
      <p class="status" role="status"></p>
      <span class="percent" aria-hidden="true"></span>
      <button type="button" class="remove"></button>
    </div>
    <dl class="digests" hidden>
      <dt>SHA-256</dt><dd><code class="sha256"></code></dd>
      <dt>MD5</dt><dd><code class="md5"></code></dd>
      <dt class="pdq-row">PDQ</dt><dd class="pdq-row"><code class="pdq"></code> <span class="pdq-note"></span></dd>
      <dt class="vpdq-row">vPDQ</dt><dd class="vpdq-row"><span class="vpdq"></span> <span class="vpdq-note"></span></dd>
    </dl>
  </div>
</li>`;

const SHOT_TEMPLATE = `
<li class="shot">
  <h3 class="shot-title" tabindex="-1"></h3>
  <p class="status" role="status"></p>
  <div class="editor" hidden>
    <p class="hint shot-help"></p>
    <div class="stage">
      <canvas class="picture" aria-hidden="true"></canvas>
      <div class="boxes"></div>
    </div>
    <div class="tools">
      <button type="button" class="reveal" aria-pressed="false"></button>
      <button type="button" class="add-area"></button>
    </div>
    <ol class="areas"></ol>
    <div class="nav"><button type="button" class="apply primary"></button></div>
  </div>
  <div class="result" hidden>
    <div class="stage"><img class="redacted" alt=""></div>
    <div class="tools"><button type="button" class="reveal" aria-pressed="false"></button></div>
    <dl class="digests"><dt>SHA-256</dt><dd><code class="sha256"></code></dd></dl>
  </div>
  <p><button type="button" class="remove"></button></p>
</li>`;

const parse = (html) => {
  const template = document.createElement('template');
  template.innerHTML = html.trim();
  return template.content;
};
let templates = null;

/** A line of the URL box as the WHATWG parser writes it, or why it cannot be reported. */
export function normaliseUrl(line) {
  let text = line.trim();
  // "example.com/x" and "example.com:8080/x" mean https. Anything else before a colon is a
  // scheme, typos included: "http:/x.example" is read as the browser reads it, and "htps:/x",
  // "javascript:" or "ftp://" are refused below rather than turned into a host.
  const scheme = /^[a-z][a-z\d+.-]*:/i.test(text) && !/^[^:/?#]+:\d/.test(text);
  if (!scheme) text = `https://${text}`;
  let url;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'invalid' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: 'scheme' };
  if (!url.hostname || /\s/.test(line.trim())) return { problem: 'invalid' };
  // The fragment never reaches the server, and credentials in a link must not be passed on.
  url.hash = '';
  url.username = '';
  url.password = '';
  const href = url.href;
  if (href.length > MAX_URL_BYTES) return { problem: 'long' };
  return { url: href };
}

const kindOf = (file, digests) =>
  digests.vpdq || file.type.startsWith('video/') ? 'video' : digests.pdq || file.type.startsWith('image/') ? 'image' : 'other';

/** 83 seconds as "1:23", an hour and more as "1:02:03". */
const clock = (seconds) => {
  const s = Math.max(0, Math.floor(seconds));
  const mm = String(Math.floor(s / 60) % 60);
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
};

export class ReportHelper extends HTMLElement {
  static observedAttributes = ['lang', 'endpoint', 'exit-url', 'hotline-url'];

  /**
   * Defines the element under `tag` (default `report-helper`); a second tag gets a subclass,
   * since one class can be defined only once.
   */
  static define(tag = 'report-helper', registry = customElements) {
    const existing = registry.get(tag);
    if (existing) return existing;
    const cls = DEFINED.has(this) ? class extends this {} : this;
    registry.define(tag, cls);
    DEFINED.add(cls);
    return cls;
  }

  #root;
  #messages = {};
  #lang = FALLBACK;
  #step = 0;
  #state = newState();
  #urls = new Set(); // object URLs to revoke
  #shifts = [];
  #lastKeyModified = false;
  #errors = new Map(); // error element id -> {key, params}, shown until cleared
  #sendAbort = null;
  #exiting = false;
  #languageAsked = 0;
  #checking = null; // the step to go back to while the status check is shown, else null
  #checked = null; // {reference, status} of the last status check
  #checkAbort = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open', delegatesFocus: false });
  }

  connectedCallback() {
    if (!this.#root.firstChild) this.#render();
    window.addEventListener('keyup', this.#onKey, true);
    window.addEventListener('beforeunload', this.#onBeforeUnload);
    this.#setLanguage();
  }

  disconnectedCallback() {
    window.removeEventListener('keyup', this.#onKey, true);
    window.removeEventListener('beforeunload', this.#onBeforeUnload);
  }

  attributeChangedCallback(name) {
    if (name === 'lang' && this.isConnected) this.#setLanguage();
    if (name === 'hotline-url' && this.#root.firstChild) this.#applyText();
  }

  /** The language in use: the `lang` attribute, the page's, the browser's, else English. */
  get language() {
    return this.#lang;
  }

  /** The step shown: one of situation, files, urls, about, review, send, or check (a status check). */
  get step() {
    return this.#checking === null ? STEPS[this.#step] : 'check';
  }

  /** Adds files to the report as if they were chosen on the files step: hashed here, never sent. */
  addFiles(files) {
    if (!this.#root.firstChild) this.#render();
    this.#addFiles([...files]);
  }

  /** Leaves at once: blanks the page, drops every trace, ends the workers, replaces the page. */
  exit() {
    if (this.#exiting) return;
    this.#exiting = true;
    document.documentElement.style.display = 'none';
    window.removeEventListener('beforeunload', this.#onBeforeUnload);
    this.#dropEverything();
    this.#root.replaceChildren();
    this.#emit('exit', {});
    location.replace(this.#exitUrl());
  }

  // ---- set-up and text ----------------------------------------------------------------------

  #render() {
    templates ??= { main: parse(TEMPLATE), file: parse(FILE_TEMPLATE), shot: parse(SHOT_TEMPLATE) };
    const css = Object.assign(document.createElement('link'), {
      rel: 'stylesheet',
      href: new URL('./report-helper.css', import.meta.url).href,
    });
    this.#root.append(css, templates.main.cloneNode(true));
    this.#wire();
  }

  #q(selector) {
    return this.#root.querySelector(selector);
  }

  #all(selector) {
    return [...this.#root.querySelectorAll(selector)];
  }

  #t = (key, params) => format(this.#messages, key, params);

  async #setLanguage() {
    const asked = ++this.#languageAsked;
    const closest = this.parentElement?.closest('[lang]')?.getAttribute('lang');
    const code = pickLanguage([this.getAttribute('lang'), closest, document.documentElement.lang, ...(navigator.languages ?? [])]);
    let messages;
    let lang = code;
    try {
      messages = await loadCatalog(code);
    } catch {
      messages = await loadCatalog(FALLBACK).catch(() => ({}));
      lang = FALLBACK;
    }
    // Only the latest switch counts, however the catalogs arrive.
    if (asked !== this.#languageAsked) return;
    this.#messages = messages;
    this.#lang = lang;
    this.#applyText();
  }

  #applyText() {
    const t = this.#t;
    this.#q('.rh').lang = this.#lang;
    for (const el of this.#all('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of this.#all('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
    const hotline = this.#q('#hotline');
    hotline.href = this.#safeUrl(this.getAttribute('hotline-url')) ?? HOTLINES[this.#lang];
    hotline.textContent = t('minor.hotlineLink');
    this.#q('#urls-intro').textContent = t(this.#state.situation === 'threatened' ? 'urls.introThreatened' : 'urls.intro');
    this.#showStep(false);
    this.#state.items.forEach((item) => this.#renderItem(item));
    this.#state.shots.forEach((shot) => this.#renderShot(shot));
    this.#renderUrls();
    this.#applySituation();
    this.#renderErrors();
    if (this.step === 'review') this.#renderReview();
    if (this.step === 'send') this.#renderSend();
    this.#renderCheck();
  }

  #safeUrl(value) {
    if (!value?.trim()) return null;
    try {
      const url = new URL(value, document.baseURI);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch {
      return null;
    }
  }

  #exitUrl() {
    return this.#safeUrl(this.getAttribute('exit-url')) ?? EXIT_URLS[this.#lang] ?? EXIT_URLS.en;
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(`report-helper-${name}`, { detail, bubbles: true, composed: true }));
  }

  // ---- events -------------------------------------------------------------------------------

  #wire() {
    const on = (selector, type, fn) => this.#q(selector).addEventListener(type, fn);
    on('#exit', 'click', () => this.exit());
    for (const b of this.#all('.next')) b.addEventListener('click', () => this.#next());
    for (const b of this.#all('.back')) b.addEventListener('click', () => this.#go(this.#step - 1, -1));
    on('#situation', 'change', (e) => {
      this.#state.situation = e.target.value;
      this.#clearError('situation-error');
      this.#applySituation();
      this.#showStep(false);
    });
    // Files chosen, or dropped on a step's zone or anywhere on the element while the step takes
    // them (and never opened by the browser in place of the report).
    const takers = {
      files: [this.#q('#file-input'), this.#q('#drop'), (files) => this.#addFiles(files)],
      evidence: [this.#q('#shot-input'), this.#q('#shot-drop'), (files) => this.#addShots(files)],
    };
    for (const [input, zone, add] of Object.values(takers)) {
      input.addEventListener('change', () => {
        add([...input.files]);
        input.value = '';
      });
      zone.addEventListener('dragover', (e) => {
        e.preventDefault();
        zone.classList.add('over');
      });
      zone.addEventListener('dragleave', () => zone.classList.remove('over'));
      zone.addEventListener('drop', (e) => {
        e.preventDefault();
        e.stopPropagation(); // added here, not again by the element's own listener below
        zone.classList.remove('over');
        add([...(e.dataTransfer?.files ?? [])]);
      });
    }
    this.addEventListener('dragover', (e) => e.preventDefault());
    this.addEventListener('drop', (e) => {
      e.preventDefault();
      takers[this.step]?.[2]([...(e.dataTransfer?.files ?? [])]);
    });
    on('#add-urls', 'click', () => this.#addUrls());
    on('#evidence-zip', 'click', () => this.#saveEvidence());
    on('#url-input', 'keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.#addUrls();
    });
    on('#url-list', 'click', (e) => {
      const button = e.target.closest('button[data-url]');
      if (!button) return;
      const next = button.closest('li').nextElementSibling?.querySelector('button') ?? button.closest('li').previousElementSibling?.querySelector('button');
      this.#state.urls = this.#state.urls.filter((u) => u !== button.dataset.url);
      this.#renderUrls();
      this.#announce(this.#t('urls.removed'));
      (next ? this.#q(`#url-list button[data-url="${CSS.escape(next.dataset.url)}"]`) : this.#q('#url-input'))?.focus();
    });
    for (const [id, key] of [['name', 'name'], ['email', 'email'], ['explanation', 'explanation']]) {
      on(`#${id}`, 'input', (e) => {
        this.#state[key] = e.target.value;
        this.#clearError(`${id}-error`);
      });
    }
    on('#good-faith', 'change', (e) => {
      this.#state.goodFaith = e.target.checked;
      this.#clearError('good-faith-error');
    });
    on('#send', 'click', () => this.#send());
    on('#retry', 'click', () => this.#send());
    on('#back-to-review', 'click', () => this.#go(STEPS.indexOf('review')));
    on('#download-report', 'click', () => {
      const stamp = this.#state.built.report.created_at.slice(0, 10);
      this.#save(new Blob([this.#state.built.json], { type: 'application/json' }), `report-${stamp}.json`);
    });
    on('#receipt-json', 'click', () => this.#saveReceipt('json'));
    on('#receipt-html', 'click', () => this.#saveReceipt('html'));
    on('#to-check', 'click', () => this.#openCheck());
    on('#sent-check', 'click', () => this.#openCheck(this.#state.sent));
    on('#check-back', 'click', () => this.#closeCheck());
    on('#check-submit', 'click', () => this.#check());
    for (const id of ['check-reference', 'check-token']) {
      on(`#${id}`, 'input', () => this.#clearError('check-error'));
      on(`#${id}`, 'keydown', (e) => {
        if (e.key === 'Enter') this.#check();
      });
    }
    on('#receipt-input', 'change', (e) => {
      const [file] = e.target.files;
      e.target.value = '';
      if (file) this.#readReceipt(file);
    });
    on('#withdraw', 'click', () => {
      this.#q('#withdraw-confirm').hidden = false;
      this.#q('#withdraw-no').focus();
    });
    on('#withdraw-no', 'click', () => {
      this.#q('#withdraw-confirm').hidden = true;
      this.#q('#withdraw').focus();
    });
    on('#withdraw-yes', 'click', () => this.#check({ withdraw: true }));
    on('#new-report', 'click', () => {
      this.#dropEverything();
      this.#resetForm();
      this.#go(0);
    });
  }

  // Counted on key up, as GOV.UK does: a Shift that made a capital letter does not count, and
  // any other key starts the count again, so typing never leaves the page by accident.
  #onKey = (e) => {
    if (e.key === 'Shift' && !this.#lastKeyModified) {
      const now = e.timeStamp;
      this.#shifts = [...this.#shifts.filter((at) => now - at < SHIFT_WINDOW_MS), now];
      if (this.#shifts.length >= SHIFTS) this.exit();
    } else if (e.key !== 'Shift') {
      this.#shifts = [];
    }
    this.#lastKeyModified = e.key !== 'Shift' && e.shiftKey;
  };

  // Closing or going back loses the report: ask first, unless it is sent and its receipt kept.
  #onBeforeUnload = (e) => {
    const s = this.#state;
    const started = s.situation || s.items.length || s.urls.length || s.shots.length;
    const kept = s.sent && s.receiptSaved && (s.evidenceSaved || !s.shots.some((shot) => shot.state === 'redacted'));
    if (started && !kept) e.preventDefault();
  };

  // ---- steps --------------------------------------------------------------------------------

  async #next() {
    const step = this.step;
    if (step === 'situation' && !this.#state.situation) {
      return this.#fieldError('situation-error', 'invalid.situation', {}, this.#q('#situation input'));
    }
    if (step === 'urls') {
      if (this.#q('#url-input').value.trim() && !this.#addUrls()) return;
      const s = this.#state;
      if (!s.items.length && !s.urls.length) {
        this.#state.badUrls = [];
        return this.#fieldError('url-errors', 'invalid.empty', {}, this.#q('#url-input'));
      }
    }
    if (step === 'about') return this.#toReview();
    // A screenshot still opening, or marked and not yet blacked out, would be lost.
    const unfinished = this.#state.shots.find((shot) => ['opening', 'marking', 'redacting'].includes(shot.state));
    if (step === 'evidence' && unfinished) {
      this.#fieldError('shot-error', 'evidence.unfinished');
      return unfinished.el.querySelector(unfinished.state === 'marking' ? '.apply' : '.shot-title').focus();
    }
    this.#go(this.#step + 1);
  }

  /** The steps this report goes through: a minor's report has no evidence step. */
  #steps() {
    return this.#state.situation === 'minor' ? STEPS.filter((s) => s !== 'evidence') : STEPS;
  }

  /** Shows step `index` of STEPS; a step this report skips is passed over in `direction`. */
  #go(index, direction = 1) {
    this.#checking = null;
    if (STEPS[index] === 'evidence' && !this.#steps().includes('evidence')) index += direction;
    this.#step = Math.max(0, Math.min(index, STEPS.length - 1));
    this.#showStep(true);
    if (this.step === 'review') this.#renderReview();
  }

  #showStep(focus) {
    for (const section of this.#all('section[data-step]')) section.hidden = section.dataset.step !== this.step;
    const steps = this.#steps();
    this.#q('#step-count').textContent =
      this.#checking === null ? this.#t('step', { n: steps.indexOf(this.step) + 1, total: steps.length }) : '';
    if (focus) this.#q(`section[data-step="${this.step}"] h2`).focus();
  }

  #applySituation() {
    const minor = this.#state.situation === 'minor';
    // Pictures of a minor must not be kept, redacted or not: any screenshot goes.
    if (minor) for (const shot of [...this.#state.shots]) this.#removeShot(shot, false);
    this.#q('#minor-note').hidden = !minor;
    for (const el of this.#all('.for-adult')) el.hidden = minor;
    for (const el of this.#all('.for-minor')) el.hidden = !minor;
    this.#q('#urls-intro').textContent = this.#t(this.#state.situation === 'threatened' ? 'urls.introThreatened' : 'urls.intro');
  }

  #announce(text) {
    const el = this.#q('#announcer');
    el.textContent = '';
    // A new node, a moment later, is announced even when the text repeats.
    setTimeout(() => {
      el.textContent = text;
    }, 50);
  }

  /** Shows the error `key` in the element `id`, marks `field` invalid and moves focus to it. */
  #fieldError(id, key, params = {}, field = null) {
    this.#errors.set(id, { key, params });
    this.#renderErrors();
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  }

  #clearError(id) {
    this.#errors.delete(id);
    if (id === 'url-errors') this.#state.badUrls = [];
    this.#q(`#${id}`).hidden = true;
    for (const field of this.#all(`[aria-describedby~="${id}"]`)) field.removeAttribute('aria-invalid');
    if (id === 'situation-error') for (const radio of this.#all('#situation input')) radio.removeAttribute('aria-invalid');
  }

  #renderErrors() {
    for (const [id, { key, params }] of this.#errors) {
      const el = this.#q(`#${id}`);
      const text = this.#t(key, params);
      if (id === 'url-errors') {
        this.#q('#url-errors-summary').textContent = text;
        const show = (s) => (s.length > 80 ? `${s.slice(0, 77)}…` : s);
        el.querySelector('ul').replaceChildren(
          ...this.#state.badUrls.map(({ line, text, problem }) =>
            Object.assign(document.createElement('li'), {
              textContent: this.#t(`urls.bad.${problem}`, { line, text: show(text), max: MAX_URLS }),
            }),
          ),
        );
      } else {
        el.textContent = text;
      }
      el.hidden = false;
    }
  }

  // ---- files --------------------------------------------------------------------------------

  #addFiles(files) {
    this.#clearError('files-error');
    for (const file of files) {
      const el = templates.file.firstElementChild.cloneNode(true);
      const item = { id: crypto.randomUUID(), el, file, state: 'queued', loaded: 0, controller: new AbortController() };
      el.querySelector('.remove').addEventListener('click', () => this.#removeItem(item));
      el.querySelector('.reveal').addEventListener('click', () => {
        const shown = el.classList.toggle('revealed');
        el.querySelector('.reveal').setAttribute('aria-pressed', String(shown));
        this.#renderItem(item);
      });
      this.#q('#files').append(el);
      this.#state.items.push(item);
      this.#renderItem(item);
      hashFile(file, {
        sha1: true,
        signal: item.controller.signal,
        onProgress: ({ loaded, seconds, duration }) => {
          item.state = 'hashing';
          item.loaded = loaded;
          // A video's progress is told in video time once its frames are being decoded.
          if (seconds !== undefined) Object.assign(item, { seconds, duration });
          this.#renderItem(item);
        },
      })
        .then(
          (digests) => {
            Object.assign(item, { state: 'done', digests, kind: kindOf(file, digests) });
            this.#thumbnail(item);
            const { sha256, md5, sha1, pdq, vpdq } = digests;
            this.#emit('hashed', {
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
          this.#renderItem(item);
          if (this.step === 'review') this.#renderReview();
        });
    }
  }

  #removeItem(item) {
    item.controller.abort();
    this.#revoke(item.thumbUrl);
    const list = this.#state.items;
    const at = list.indexOf(item);
    list.splice(at, 1);
    item.el.remove();
    this.#announce(this.#t('files.removed'));
    // Focus goes to the next file's button, or back to the file picker.
    const next = list[at] ?? list[at - 1];
    (next ? next.el.querySelector('.remove') : this.#q('#file-input')).focus();
  }

  /** A blurred preview, for images the browser can show without strain, and for videos. */
  #thumbnail(item) {
    const { file, digests, kind, el } = item;
    const small = digests.pdq && !digests.pdq.scaled;
    if (!(kind === 'image' && small) && kind !== 'video') return;
    item.thumbUrl = URL.createObjectURL(file);
    this.#urls.add(item.thumbUrl);
    const media =
      kind === 'video'
        ? Object.assign(document.createElement('video'), { muted: true, preload: 'metadata', src: item.thumbUrl })
        : Object.assign(document.createElement('img'), { alt: '', decoding: 'async', src: item.thumbUrl });
    media.setAttribute('aria-hidden', 'true');
    media.addEventListener('error', () => {
      el.querySelector('.thumb').hidden = true;
    });
    el.querySelector('.thumb').prepend(media);
    el.querySelector('.thumb').hidden = false;
  }

  #formatSize(bytes) {
    const units = [['gigabyte', 1e9], ['megabyte', 1e6], ['kilobyte', 1e3]];
    const [unit, scale] = units.find(([, s]) => bytes >= s) ?? ['byte', 1];
    return new Intl.NumberFormat(this.#lang, { style: 'unit', unit, maximumFractionDigits: 1 }).format(bytes / scale);
  }

  #renderItem(item) {
    const t = this.#t;
    const { el, file, state } = item;
    const q = (s) => el.querySelector(s);
    q('.name').textContent = file.name;
    q('.size').textContent = this.#formatSize(file.size);
    const progress = q('progress');
    progress.setAttribute('aria-label', t('progressLabel', { name: file.name }));
    // A video being fingerprinted: progress in video time ("1:23 of 4:56"), which is what takes
    // the time; otherwise in bytes read.
    const byTime = state === 'hashing' && item.seconds !== undefined && item.duration > 0;
    progress.max = byTime ? item.duration : Math.max(file.size, 1);
    progress.value = state === 'done' ? progress.max : byTime ? Math.min(item.seconds, item.duration) : item.loaded;
    if (byTime) progress.setAttribute('aria-valuetext', t('videoTime', { time: clock(item.seconds), duration: clock(item.duration) }));
    else progress.removeAttribute('aria-valuetext');
    // The status is a live region: it changes with the state only, so a screen reader is not
    // read every percent. The percent is for the eye; the progress bar carries it for the ear.
    const percent = byTime
      ? t('videoTime', { time: clock(item.seconds), duration: clock(item.duration) })
      : new Intl.NumberFormat(this.#lang, { style: 'percent' }).format(file.size ? item.loaded / file.size : 0);
    q('.percent').textContent = state === 'hashing' ? percent : '';
    const status = {
      queued: () => t('queued'),
      hashing: () => t('hashing'),
      done: () => t(`done.${item.kind}`),
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
    q('.digests').hidden = state !== 'done';
    if (state === 'done') {
      q('.sha256').textContent = item.digests.sha256;
      q('.md5').textContent = item.digests.md5;
      // PDQ, the perceptual hash, is there for images only; its note says how far to trust it.
      // A video has vPDQ instead: a PDQ hash a second, and what it can and cannot find.
      const { pdq, pdqError, vpdq, vpdqError } = item.digests;
      const video = item.kind === 'video';
      for (const row of el.querySelectorAll('.pdq-row')) row.hidden = video;
      for (const row of el.querySelectorAll('.vpdq-row')) row.hidden = !video;
      q('.pdq').textContent = pdq ? pdq.hash : '';
      const notes = pdq
        ? [t(pdq.quality >= 50 ? 'pdq.quality' : 'pdq.lowQuality', { quality: pdq.quality }), pdq.scaled ? t('pdq.scaled') : '']
        : [t(`pdqError.${pdqError?.code ?? 'decode-failed'}`)];
      q('.pdq-note').textContent = notes.filter(Boolean).join(' ');
      const usable = vpdq ? vpdq.frames.filter((f) => f.quality >= 50).length : 0;
      q('.vpdq').textContent = vpdq ? t('vpdq.frames', { count: usable }) : '';
      q('.vpdq-note').textContent = vpdq
        ? [usable ? t('vpdq.finds') : t('vpdq.plain'), vpdq.partial ? t('vpdq.partial') : ''].filter(Boolean).join(' ')
        : t(`vpdqError.${vpdqError?.code ?? 'not-a-video'}`);
    }
  }

  // ---- URLs ---------------------------------------------------------------------------------

  /** Adds the good lines of the box; the bad ones stay in it, each with its reason. */
  #addUrls() {
    const box = this.#q('#url-input');
    const lines = box.value.split(/\r?\n/);
    const bad = [];
    const kept = [];
    let added = 0;
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      const { url, problem } = normaliseUrl(line);
      if (url && this.#state.urls.includes(url)) return;
      if (url && this.#state.urls.length >= MAX_URLS) {
        bad.push({ line: i + 1, text: line.trim(), problem: 'limit' });
        kept.push(line);
      } else if (url) {
        this.#state.urls.push(url);
        added++;
      } else {
        bad.push({ line: i + 1, text: line.trim(), problem });
        kept.push(line);
      }
    });
    box.value = kept.join('\n');
    this.#renderUrls();
    if (bad.length) {
      this.#state.badUrls = bad;
      this.#fieldError('url-errors', 'urls.badSummary', { count: bad.length, added }, box);
      return false;
    }
    this.#clearError('url-errors');
    this.#announce(this.#t('urls.added', { count: added, total: this.#state.urls.length }));
    return true;
  }

  #renderUrls() {
    const { urls } = this.#state;
    const heading = this.#q('#url-list-heading');
    heading.hidden = !urls.length;
    heading.textContent = this.#t('urls.listHeading', { count: urls.length });
    const list = this.#q('#url-list');
    const rows = urls.map((url) => {
      const li = document.createElement('li');
      const text = Object.assign(document.createElement('span'), { className: 'url', textContent: url });
      const button = Object.assign(document.createElement('button'), { type: 'button', textContent: this.#t('urls.remove') });
      button.dataset.url = url;
      button.setAttribute('aria-label', this.#t('urls.removeLabel', { url }));
      li.append(text, ' ', button);
      return li;
    });
    list.replaceChildren(...rows);
  }

  // ---- review and send ----------------------------------------------------------------------

  #draft() {
    const s = this.#state;
    const minor = s.situation === 'minor';
    return {
      idempotency_key: s.key,
      created_at: new Date().toISOString(),
      language: this.#lang,
      situation: s.situation,
      items: s.items
        .filter((i) => i.state === 'done')
        .map(({ kind, digests: d }) => ({
          kind,
          sha256: d.sha256,
          md5: d.md5,
          ...(d.sha1 && { sha1: d.sha1 }),
          ...(d.pdq && { pdq: { hash: d.pdq.hash, quality: d.pdq.quality } }),
          ...(d.vpdq && { vpdq: { frames: d.vpdq.frames } }),
        })),
      urls: s.urls,
      explanation: s.explanation,
      name: minor ? '' : s.name,
      email: minor ? '' : s.email,
      good_faith: s.goodFaith,
    };
  }

  /** Builds the report through the core; a refused field sends the user to it, explained. */
  async #toReview() {
    for (const id of ['name-error', 'email-error', 'explanation-error', 'good-faith-error']) this.#clearError(id);
    const built = await this.#build();
    if (built) this.#go(STEPS.indexOf('review'));
  }

  async #build() {
    try {
      this.#state.built = await buildReport(this.#draft());
      return this.#state.built;
    } catch (e) {
      this.#state.built = null;
      this.#routeError(e);
      return null;
    }
  }

  #routeError(e) {
    const field = e.field ?? '';
    const problem = e.problem ?? 'malformed';
    const known = `invalid.${problem}`;
    const key = this.#messages[known] ? known : 'invalid.other';
    const params = { message: e.message };
    const places = [
      [/^situation/, 'situation', 'situation-error', '#situation input'],
      [/^items$/, 'urls', 'url-errors', '#url-input'],
      [/^urls/, 'urls', 'url-errors', '#url-input'],
      [/^contact\.name/, 'about', 'name-error', '#name'],
      [/^contact(\.email)?$/, 'about', 'email-error', '#email'],
      [/^explanation/, 'about', 'explanation-error', '#explanation'],
      [/^good_faith/, 'about', 'good-faith-error', '#good-faith'],
    ];
    const place = places.find(([re]) => re.test(field));
    if (!place) {
      if (this.step !== 'review') this.#go(STEPS.indexOf('review'));
      return this.#fieldError('review-error', field === '' && problem === 'too-long' ? 'invalid.report-too-large' : key, params);
    }
    const [, step, errorId, fieldSelector] = place;
    if (this.step !== step) this.#go(STEPS.indexOf(step));
    this.#fieldError(errorId, key, params, this.#q(fieldSelector));
  }

  async #renderReview() {
    const t = this.#t;
    const s = this.#state;
    const pending = s.items.filter((i) => i.state === 'queued' || i.state === 'hashing').length;
    const failed = s.items.filter((i) => i.state === 'error').length;
    this.#q('#review-pending').textContent = [
      pending ? t('review.pending', { count: pending }) : '',
      failed ? t('review.failedFiles', { count: failed }) : '',
    ]
      .filter(Boolean)
      .join(' ');
    this.#q('#send').disabled = pending > 0;
    this.#clearError('review-error');
    const built = await this.#build();
    if (!built || this.step !== 'review') return;
    const { report } = built;
    const dl = document.createElement('dl');
    dl.className = 'summary';
    const add = (label, ...values) => {
      dl.append(Object.assign(document.createElement('dt'), { textContent: label }));
      const dd = document.createElement('dd');
      dd.append(...values);
      dl.append(dd);
    };
    const code = (text) => Object.assign(document.createElement('code'), { textContent: text });
    const list = (rows) => {
      const ol = document.createElement('ol');
      ol.append(...rows.map((row) => {
        const li = document.createElement('li');
        li.append(...row);
        return li;
      }));
      return ol;
    };
    add(t('review.situation'), t(`situation.${report.situation}`));
    add(
      t('review.items', { count: report.items.length }),
      report.items.length
        ? list(report.items.map((item, i) => [
          Object.assign(document.createElement('strong'), { textContent: t('review.item', { n: i + 1, kind: t(`kind.${item.kind}`) }) }),
          document.createElement('br'), 'SHA-256: ', code(item.sha256),
          document.createElement('br'), 'MD5: ', code(item.md5),
          ...(item.sha1 ? [document.createElement('br'), 'SHA-1: ', code(item.sha1)] : []),
          ...(item.pdq ? [document.createElement('br'), 'PDQ: ', code(item.pdq.hash), ` (${t('pdq.quality', { quality: item.pdq.quality })})`] : []),
          ...(item.vpdq ? [document.createElement('br'), 'vPDQ: ', t('vpdq.frames', { count: vpdqHashCount(item.vpdq.hashes) })] : []),
        ]))
        : t('review.none'),
    );
    add(t('review.urls', { count: report.urls.length }), report.urls.length ? list(report.urls.map((u) => [code(u)])) : t('review.none'));
    add(t('review.explanation'), report.explanation ?? t('review.none'));
    add(
      t('review.contact'),
      report.contact
        ? [report.contact.name, report.contact.email].filter(Boolean).join(', ')
        : t(report.situation === 'minor' ? 'review.anonymousMinor' : 'review.anonymous'),
    );
    add(t('review.goodFaith'), t('review.yes'));
    add(t('review.language'), report.language);
    add(t('review.createdAt'), report.created_at);
    this.#q('#review').replaceChildren(dl);
    this.#q('#raw-json').textContent = JSON.stringify(report, null, 2);
  }

  async #send() {
    const s = this.#state;
    // What is sent is exactly what the review showed: built once there, never rebuilt here.
    if (!s.built) return;
    const endpoint = this.#safeUrl(this.getAttribute('endpoint'));
    s.sending = true;
    s.sendError = null;
    s.retry = null;
    this.#renderSend();
    this.#go(STEPS.indexOf('send'));
    if (!endpoint) {
      s.sending = false;
      s.sendError = { code: 'no-endpoint' };
      this.#renderSend();
      this.#emit('failed', { code: 'no-endpoint', willRetry: false });
      return;
    }
    this.#sendAbort = new AbortController();
    try {
      const answer = await sendReport(endpoint, s.built.json, {
        signal: this.#sendAbort.signal,
        onRetry: ({ attempt, delay, status }) => {
          s.retry = { attempt, delay };
          this.#renderSend();
          this.#emit('failed', { code: status ? 'server' : 'network', status, willRetry: true });
        },
      });
      s.sent = { ...answer, endpoint, sentAt: new Date().toISOString() };
      this.#emit('sent', { reference: answer.reference, status: answer.status });
    } catch (e) {
      if (this.#exiting) return;
      s.sendError = { code: e.code, status: e.status, message: e.message };
      this.#emit('failed', { code: e.code === 'send-rejected' ? 'rejected' : e.status ? 'server' : 'network', status: e.status, willRetry: false });
    }
    s.sending = false;
    this.#renderSend();
    this.#q('#h-send').focus();
  }

  #renderSend() {
    const t = this.#t;
    const s = this.#state;
    const failed = !!s.sendError;
    const heading = s.sent ? 'send.sentHeading' : failed ? 'send.failedHeading' : 'send.sendingHeading';
    this.#q('#h-send').textContent = t(heading);
    let status = '';
    if (s.sent) status = t('send.sent');
    else if (failed && s.sendError.code === 'no-endpoint') status = t('send.noEndpoint');
    else if (failed && s.sendError.code === 'send-rejected') status = t('send.rejected', { message: s.sendError.message });
    else if (failed) status = t('send.failed');
    else if (s.retry) status = t('send.retrying', { seconds: Math.round(s.retry.delay), attempt: s.retry.attempt + 1 });
    else status = t('send.sending');
    this.#q('#send-status').textContent = status;
    this.#q('#send-failed').hidden = !failed;
    // After a network failure the endpoint may have stored the report: only the same report may
    // be sent again (same key), so there is no going back to change it.
    const final = s.sendError?.code === 'send-rejected' || s.sendError?.code === 'no-endpoint';
    this.#q('#retry').hidden = final;
    this.#q('#back-to-review').hidden = !final;
    this.#q('#download-report-box').hidden = !(failed || s.retry) || !!s.sent;
    this.#q('#sent').hidden = !s.sent;
    if (s.sent) {
      this.#q('#reference').textContent = s.sent.reference;
      this.#q('#token').textContent = s.sent.token;
      // Say what the package holds: with no screenshot kept it is the two receipts.
      this.#q('#evidence-intro').textContent = t(this.#evidence().length ? 'sent.evidenceIntro' : 'sent.evidenceIntroNoShots');
    }
  }

  #saveReceipt(type) {
    const { sent, built } = this.#state;
    const r = receipt(built.report, sent, this.#evidence().map(({ png, ...entry }) => entry));
    const blob =
      type === 'json'
        ? new Blob([`${JSON.stringify(r, null, 2)}\n`], { type: 'application/json' })
        : new Blob([receiptHtml(r, this.#t, this.#lang)], { type: 'text/html' });
    this.#save(blob, `receipt-${sent.reference}.${type}`);
    this.#state.receiptSaved = true;
  }

  #save(blob, name) {
    const url = URL.createObjectURL(blob);
    this.#urls.add(url);
    const a = Object.assign(document.createElement('a'), { href: url, download: name });
    this.#root.append(a);
    a.click();
    a.remove();
    setTimeout(() => this.#revoke(url), 60_000);
  }

  #revoke(url) {
    if (!url) return;
    URL.revokeObjectURL(url);
    this.#urls.delete(url);
  }

  // ---- evidence: screenshots blacked out on the device ------------------------------------

  #addShots(files) {
    this.#clearError('shot-error');
    for (const file of files) {
      const el = templates.shot.firstElementChild.cloneNode(true);
      const shot = { id: crypto.randomUUID(), el, file, state: 'opening', areas: [], revealed: false, controller: new AbortController() };
      this.#state.shots.push(shot);
      this.#q('#shots').append(el);
      this.#wireShot(shot);
      this.#renderShot(shot);
      this.#openShot(shot);
    }
  }

  /** Decodes the screenshot into its canvas, and takes its digests as it was. */
  async #openShot(shot) {
    const { file } = shot;
    try {
      const [bitmap, digests] = await Promise.all([
        createImageBitmap(file).catch(() => null),
        hashFile(file, { pdq: false, signal: shot.controller.signal }),
      ]);
      if (!this.#state.shots.includes(shot)) return bitmap?.close();
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
      Object.assign(shot, { width, height, original: { sha256: digests.sha256, md5: digests.md5 }, state: 'marking' });
    } catch (e) {
      if (e?.name === 'AbortError' || !this.#state.shots.includes(shot)) return;
      Object.assign(shot, { state: 'error', errorCode: e?.code === 'too-large' ? 'too-large' : e?.code === 'not-a-picture' ? 'not-a-picture' : 'read-failed' });
    }
    this.#renderShot(shot);
  }

  #wireShot(shot) {
    const { el } = shot;
    const q = (sel) => el.querySelector(sel);
    q('.remove').addEventListener('click', () => this.#removeShot(shot));
    for (const button of el.querySelectorAll('.reveal')) {
      button.addEventListener('click', () => {
        shot.revealed = !shot.revealed;
        this.#renderShot(shot);
      });
    }
    q('.add-area').addEventListener('click', () => {
      // A new area in the middle, a fifth of the picture each way, to move and size by keys.
      const w = Math.max(1, Math.round(shot.width / 5));
      const h = Math.max(1, Math.round(shot.height / 5));
      this.#addArea(shot, { x: Math.round((shot.width - w) / 2), y: Math.round((shot.height - h) / 2), w, h }, true);
    });
    q('.apply').addEventListener('click', () => this.#redact(shot));
    q('.areas').addEventListener('click', (e) => {
      const button = e.target.closest('button[data-area]');
      if (button) this.#removeArea(shot, Number(button.dataset.area));
    });
    const boxes = q('.boxes');
    boxes.addEventListener('keydown', (e) => {
      const box = e.target.closest('.box');
      if (!box) return;
      const i = Number(box.dataset.area);
      if (e.key === 'Delete' || e.key === 'Backspace') {
        e.preventDefault();
        return this.#removeArea(shot, i);
      }
      const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (!arrows[e.key]) return;
      e.preventDefault();
      const [dx, dy] = arrows[e.key];
      const step = (e.ctrlKey || e.metaKey ? 10 : 1) * KEY_STEP;
      const sx = Math.max(1, Math.round(shot.width * step)) * dx;
      const sy = Math.max(1, Math.round(shot.height * step)) * dy;
      const a = { ...shot.areas[i] };
      if (e.shiftKey) {
        a.w += sx;
        a.h += sy;
      } else {
        a.x += sx;
        a.y += sy;
      }
      shot.areas[i] = this.#clampArea(shot, a);
      this.#renderAreas(shot);
      this.#announce(this.#areaText(shot, i));
    });
    // Drawing with a mouse, a pen or a finger: press, drag, let go. Dragging an area moves it.
    const stage = q('.editor .stage');
    let drag = null;
    const point = (e) => {
      const r = stage.getBoundingClientRect();
      return {
        x: Math.round(Math.min(Math.max((e.clientX - r.left) / r.width, 0), 1) * shot.width),
        y: Math.round(Math.min(Math.max((e.clientY - r.top) / r.height, 0), 1) * shot.height),
      };
    };
    stage.addEventListener('pointerdown', (e) => {
      if (shot.state !== 'marking' || e.button > 0) return;
      e.preventDefault();
      const box = e.target.closest('.box');
      const at = point(e);
      if (box) {
        const i = Number(box.dataset.area);
        drag = { move: i, from: at, start: { ...shot.areas[i] } };
      } else {
        if (shot.areas.length >= MAX_AREAS) return;
        shot.areas.push({ x: at.x, y: at.y, w: 0, h: 0 });
        drag = { draw: shot.areas.length - 1, from: at };
      }
      stage.setPointerCapture(e.pointerId);
    });
    stage.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const at = point(e);
      if (drag.move !== undefined) {
        const { start, from } = drag;
        shot.areas[drag.move] = this.#clampArea(shot, { ...start, x: start.x + at.x - from.x, y: start.y + at.y - from.y });
      } else {
        const { from } = drag;
        shot.areas[drag.draw] = { x: Math.min(from.x, at.x), y: Math.min(from.y, at.y), w: Math.abs(at.x - from.x), h: Math.abs(at.y - from.y) };
      }
      this.#renderAreas(shot);
    });
    const end = () => {
      if (!drag) return;
      const i = drag.draw;
      drag = null;
      if (i !== undefined) {
        const a = shot.areas[i];
        // A tap is no area: at least 1 % of the picture each way.
        if (a.w < shot.width / 100 || a.h < shot.height / 100) shot.areas.splice(i, 1);
        else this.#announce(this.#t('evidence.areaAdded', { text: this.#areaText(shot, i) }));
      }
      this.#renderAreas(shot);
    };
    stage.addEventListener('pointerup', end);
    stage.addEventListener('pointercancel', end);
  }

  #clampArea(shot, a) {
    const w = Math.min(Math.max(a.w, 1), shot.width);
    const h = Math.min(Math.max(a.h, 1), shot.height);
    return { x: Math.min(Math.max(a.x, 0), shot.width - w), y: Math.min(Math.max(a.y, 0), shot.height - h), w, h };
  }

  #addArea(shot, area, focus) {
    if (shot.areas.length >= MAX_AREAS) return;
    shot.areas.push(this.#clampArea(shot, area));
    this.#renderAreas(shot);
    const i = shot.areas.length - 1;
    this.#announce(this.#t('evidence.areaAdded', { text: this.#areaText(shot, i) }));
    if (focus) shot.el.querySelector(`.box[data-area="${i}"]`).focus();
  }

  #removeArea(shot, i) {
    shot.areas.splice(i, 1);
    this.#renderAreas(shot);
    this.#announce(this.#t('evidence.areaRemoved'));
    const next = shot.el.querySelector(`.areas button[data-area="${Math.min(i, shot.areas.length - 1)}"]`);
    (next ?? shot.el.querySelector('.add-area')).focus();
  }

  /** "Area 2: from the left 10 %, from the top 30 %, 40 % wide, 5 % high". */
  #areaText(shot, i) {
    const a = shot.areas[i];
    const pct = (v, of) => Math.round((v / of) * 100);
    return this.#t('evidence.area', {
      n: i + 1, left: pct(a.x, shot.width), top: pct(a.y, shot.height), width: pct(a.w, shot.width), height: pct(a.h, shot.height),
    });
  }

  #renderAreas(shot) {
    const { el } = shot;
    const boxes = shot.areas.map((a, i) => {
      const box = document.createElement('div');
      box.className = 'box';
      box.tabIndex = 0;
      box.dataset.area = i;
      box.setAttribute('role', 'img');
      box.setAttribute('aria-label', this.#areaText(shot, i));
      box.setAttribute('aria-describedby', `${shot.id}-help`);
      Object.assign(box.style, {
        left: `${(a.x / shot.width) * 100}%`, top: `${(a.y / shot.height) * 100}%`,
        width: `${(a.w / shot.width) * 100}%`, height: `${(a.h / shot.height) * 100}%`,
      });
      return box;
    });
    const focused = this.#root.activeElement?.closest?.('.box')?.dataset.area;
    el.querySelector('.boxes').replaceChildren(...boxes);
    if (focused !== undefined) el.querySelector(`.box[data-area="${focused}"]`)?.focus();
    el.querySelector('.areas').replaceChildren(...shot.areas.map((a, i) => {
      const li = document.createElement('li');
      const button = Object.assign(document.createElement('button'), { type: 'button', textContent: this.#t('evidence.removeArea') });
      button.dataset.area = i;
      button.setAttribute('aria-label', this.#t('evidence.removeAreaLabel', { n: i + 1 }));
      li.append(this.#areaText(shot, i), ' ', button);
      return li;
    }));
  }

  /** Blacks out the areas in the core, keeps only the PNG it writes, and drops the original. */
  async #redact(shot) {
    if (shot.state !== 'marking') return;
    shot.state = 'redacting';
    this.#renderShot(shot);
    const canvas = shot.el.querySelector('canvas.picture');
    try {
      const pixels = canvas.getContext('2d').getImageData(0, 0, shot.width, shot.height);
      const png = await redactScreenshot(pixels, shot.areas);
      const { sha256 } = await hashFile(new Blob([png]), { pdq: false, signal: shot.controller.signal });
      if (!this.#state.shots.includes(shot)) return;
      shot.png = png;
      shot.sha256 = sha256;
      shot.url = URL.createObjectURL(new Blob([png], { type: 'image/png' }));
      this.#urls.add(shot.url);
      shot.el.querySelector('img.redacted').src = shot.url;
      shot.state = 'redacted';
      shot.revealed = false;
      // The original pixels go: the canvas is emptied, and the file is let go.
      Object.assign(canvas, { width: 0, height: 0 });
      shot.file = null;
    } catch (e) {
      if (e?.name === 'AbortError' || !this.#state.shots.includes(shot)) return;
      Object.assign(shot, { state: 'marking', errorCode: 'redact-failed' });
      this.#fieldError('shot-error', 'evidence.error.redact-failed', {}, shot.el.querySelector('.apply'));
    }
    this.#renderShot(shot);
    if (shot.state === 'redacted') shot.el.querySelector('.shot-title').focus();
  }

  #removeShot(shot, focus = true) {
    shot.controller.abort();
    this.#revoke(shot.url);
    const canvas = shot.el.querySelector('canvas.picture');
    Object.assign(canvas, { width: 0, height: 0 });
    const list = this.#state.shots;
    const at = list.indexOf(shot);
    if (at >= 0) list.splice(at, 1);
    shot.el.remove();
    list.forEach((s) => this.#renderShot(s));
    if (!focus) return;
    this.#announce(this.#t('evidence.removed'));
    const next = list[at] ?? list[at - 1];
    (next ? next.el.querySelector('.remove') : this.#q('#shot-input')).focus();
  }

  #renderShot(shot) {
    const t = this.#t;
    const { el, state } = shot;
    const q = (sel) => el.querySelector(sel);
    const n = this.#state.shots.indexOf(shot) + 1;
    q('.shot-title').textContent = t('evidence.shot', { n });
    el.dataset.state = state;
    el.classList.toggle('revealed', shot.revealed);
    const status = {
      opening: () => t('evidence.opening'),
      marking: () => t('evidence.marking'),
      redacting: () => t('evidence.redacting'),
      redacted: () => t('evidence.redacted', { count: shot.areas.length }),
      error: () => t(`evidence.error.${shot.errorCode}`),
    }[state]();
    if (q('.status').textContent !== status) q('.status').textContent = status;
    q('.editor').hidden = state !== 'marking' && state !== 'redacting';
    q('.result').hidden = state !== 'redacted';
    const help = q('.shot-help');
    help.id = `${shot.id}-help`;
    help.textContent = t('evidence.help');
    for (const button of el.querySelectorAll('.reveal')) {
      button.textContent = t(shot.revealed ? 'files.hide' : 'files.show');
      button.setAttribute('aria-pressed', String(shot.revealed));
      button.setAttribute('aria-label', t(shot.revealed ? 'evidence.hideLabel' : 'evidence.showLabel', { n }));
    }
    q('.add-area').textContent = t('evidence.addArea');
    q('.apply').textContent = t('evidence.apply');
    q('.apply').disabled = state !== 'marking';
    q('.remove').textContent = t('evidence.remove');
    q('.remove').setAttribute('aria-label', t('evidence.removeLabel', { n }));
    q('img.redacted').alt = t('evidence.redactedAlt', { n });
    q('.sha256').textContent = shot.sha256 ?? '';
    if (shot.width) this.#renderAreas(shot);
  }

  /** The screenshots kept, for the receipt: their file names in the package and digests. */
  #evidence() {
    return this.#state.shots
      .filter((shot) => shot.state === 'redacted')
      .map((shot, i) => ({
        file: `evidence-${i + 1}.png`, sha256: shot.sha256, width: shot.width, height: shot.height,
        rectangles: shot.areas.length, original: shot.original, png: shot.png,
      }));
  }

  /** One ZIP: the blacked-out screenshots and both receipts. Made here; nothing is sent. */
  async #saveEvidence() {
    // The ZIP writer is fetched the first time it is needed.
    const { zip } = await import('./zip.js');
    const { sent, built } = this.#state;
    const evidence = this.#evidence();
    const r = receipt(built.report, sent, evidence.map(({ png, ...entry }) => entry));
    const files = [
      ...evidence.map(({ file, png }) => ({ name: file, bytes: png })),
      { name: 'receipt.json', bytes: `${JSON.stringify(r, null, 2)}\n` },
      { name: 'receipt.html', bytes: receiptHtml(r, this.#t, this.#lang) },
    ];
    this.#save(zip(files, new Date(sent.sentAt)), `evidence-${sent.reference}.zip`);
    this.#state.receiptSaved = true;
    this.#state.evidenceSaved = true;
  }

  // ---- checking a report sent before -------------------------------------------------------

  /** Shows the status check, filled in from `sent` ({reference, token}) when given. */
  #openCheck(sent = null) {
    this.#checking = this.#step;
    this.#checked = null;
    this.#clearError('check-error');
    this.#q('#check-note').hidden = true;
    if (sent) {
      this.#q('#check-reference').value = sent.reference;
      this.#q('#check-token').value = sent.token;
    }
    this.#renderCheck();
    this.#showStep(true);
  }

  #closeCheck() {
    this.#checkAbort?.abort();
    const back = this.#checking ?? 0;
    this.#checking = null;
    this.#step = back;
    this.#showStep(false);
    this.#q(back === 0 ? '#to-check' : '#sent-check').focus();
  }

  /** Reads the reference and the access code from a receipt file; the file stays here. */
  async #readReceipt(file) {
    this.#clearError('check-error');
    let r = null;
    try {
      if (file.size <= 1_000_000) r = JSON.parse(await file.text());
    } catch {
      r = null;
    }
    if (typeof r?.reference !== 'string' || typeof r?.token !== 'string') {
      return this.#fieldError('check-error', 'check.badReceipt', {}, this.#q('#check-reference'));
    }
    this.#q('#check-reference').value = r.reference;
    this.#q('#check-token').value = r.token;
    // The check goes to this page's endpoint only; a receipt of another one is pointed out.
    const other = typeof r.endpoint === 'string' && r.endpoint !== this.#safeUrl(this.getAttribute('endpoint'));
    const note = this.#q('#check-note');
    note.textContent = other ? this.#t('check.otherEndpoint', { endpoint: r.endpoint }) : '';
    note.hidden = !other;
    this.#check();
  }

  async #check({ withdraw = false } = {}) {
    const reference = this.#q('#check-reference').value.trim();
    const token = this.#q('#check-token').value.trim();
    if (!reference || !token) {
      return this.#fieldError('check-error', 'check.missing', {}, this.#q(reference ? '#check-token' : '#check-reference'));
    }
    const endpoint = this.#safeUrl(this.getAttribute('endpoint'));
    if (!endpoint) return this.#fieldError('check-error', 'check.noEndpoint', {});
    this.#clearError('check-error');
    this.#checkAbort?.abort();
    this.#checkAbort = new AbortController();
    const button = this.#q(withdraw ? '#withdraw-yes' : '#check-submit');
    button.disabled = true;
    try {
      this.#checked = await checkReport(endpoint, reference, token, { withdraw, signal: this.#checkAbort.signal });
      this.#renderCheck();
      // The withdraw buttons are gone now: focus goes to what happened.
      if (withdraw) this.#q('#check-status').focus();
    } catch (e) {
      if (e?.name === 'AbortError' || this.#exiting) return;
      this.#checked = null;
      this.#renderCheck();
      this.#fieldError('check-error', e?.code === 'not-found' ? 'check.notFound' : 'check.failed', {}, withdraw ? null : this.#q('#check-reference'));
    } finally {
      button.disabled = false;
    }
  }

  #renderCheck() {
    const checked = this.#checked;
    this.#q('#check-result').hidden = !checked;
    this.#q('#check-status').textContent = checked ? this.#t(`check.status.${checked.status}`, { reference: checked.reference }) : '';
    this.#q('#withdraw-box').hidden = !checked || checked.status === 'withdrawn';
    if (!checked || checked.status === 'withdrawn') this.#q('#withdraw-confirm').hidden = true;
  }

  // ---- leaving --------------------------------------------------------------------------------

  /** Drops the whole draft from memory: files, hashes, addresses, text, object URLs, workers. */
  #dropEverything() {
    this.#sendAbort?.abort();
    this.#checkAbort?.abort();
    this.#checked = null;
    for (const item of this.#state.items) item.controller.abort();
    for (const shot of this.#state.shots) {
      shot.controller.abort();
      Object.assign(shot.el.querySelector('canvas.picture'), { width: 0, height: 0 });
    }
    stopAllHashing();
    for (const url of [...this.#urls]) this.#revoke(url);
    this.#state = newState();
  }

  #resetForm() {
    for (const input of this.#all('input[type="radio"], input[type="checkbox"]')) input.checked = false;
    for (const input of this.#all('input:not([type]), input[type="email"], textarea')) input.value = '';
    this.#q('#files').replaceChildren();
    this.#q('#shots').replaceChildren();
    for (const id of [...this.#errors.keys()]) this.#clearError(id);
    this.#applySituation();
    this.#renderUrls();
    this.#q('#check-note').hidden = true;
    this.#renderCheck();
  }
}

const DEFINED = new Set();

function newState() {
  return {
    // One key per report, kept across retries, so the endpoint stores it once.
    key: crypto.randomUUID(),
    situation: null,
    items: [],
    shots: [], // screenshots kept as evidence: never sent, not even their digests
    urls: [],
    name: '',
    email: '',
    explanation: '',
    goodFaith: false,
    built: null,
    sending: false,
    retry: null,
    sendError: null,
    sent: null,
    receiptSaved: false,
    evidenceSaved: false,
    badUrls: [],
  };
}
