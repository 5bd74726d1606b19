// element.js: <report-helper>, the shell of the report flow: its state, the steps in order and
// the way between them, its attributes, events and language. Defined by report-helper.js;
// docs/embedding.md documents its attributes, events and styling.
//
// Each step is a module of steps/ owning its markup, handlers, rendering and text (the Step
// interface below); parts with a job of their own are in components/. Everything before "Send"
// stays in this element's memory: no storage, no network. What is sent is built and checked by
// the core (buildReport); the files themselves never leave the page.
import { configIn, localise, readConfig } from './config.js';
import { stopAllHashing } from './hashing.js';
import { FALLBACK, format, loadCatalog, pickLanguage } from './i18n.js';
import { buildReport } from './report.js';
import { warm } from './report/core.js';
import { parse } from './dom.js';
import { EXIT_HTML, QuickExit, SAFE_HTML } from './components/quick-exit.js';
import { TALK_HTML, renderTalk } from './components/talk-to-someone.js';
import situation, { isMinor } from './steps/situation.js';
import files from './steps/files.js';
import urls from './steps/urls.js';
import evidence from './steps/evidence.js';
import about from './steps/about.js';
import review from './steps/review.js';
import send from './steps/send.js';
import check from './steps/check.js';

export { normaliseUrl } from './steps/urls.js';

/**
 * A step, made by its module's default export from the element's context (`ctx` below). All but
 * `id` and `html` are optional.
 * @typedef {object} Step
 * @property {string} id           its section's data-step, and the element's `step` while shown
 * @property {string} html         its <section>
 * @property {() => void} wire     attaches its handlers, once its section is in the shadow root
 * @property {() => void} applyText  redraws what is not a data-i18n text, in the language of now
 * @property {() => void} situation  follows the situation chosen
 * @property {() => void} shown    it is shown (again)
 * @property {() => boolean|Promise<boolean>} next  may the person go on? (else it says why)
 * @property {() => boolean} skip  is it passed over in this report?
 * @property {(files: File[]) => void} takeFiles   files dropped on the element while it is shown
 * @property {Array<[RegExp, string, string?]>} fields  where the core's refusals of a field path
 *   are shown: the error element's id, and the field to focus
 * @property {(id, el, text, params) => boolean} showError  shows an error its own way (true)
 * @property {() => void} drop     drops what it holds in memory (leaving, a new report)
 * @property {() => void} reset    empties what it shows, for a new report
 */
const STEPS = [situation, files, urls, evidence, about, review, send];
// Neutral sites to leave for; an embedding site sets its own with exit-url.
const EXIT_URLS = { en: 'https://www.bbc.com/weather', nl: 'https://www.buienradar.nl/' };

const TOP = `
<div class="top">
  <p class="step-count" id="step-count"></p>${EXIT_HTML}
</div>${SAFE_HTML}${TALK_HTML}
<p class="visually-hidden" role="status" id="announcer"></p>`;
let template = null;

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
  #state = newState();
  #steps; // the Steps, in order
  #check; // the status check: a view beside the steps
  #step = 0; // index in #steps
  #checking = null; // the step to go back to while the status check is shown, else null
  #opener = null; // the button that opened the status check
  #quickExit = null;
  #ctx; // what the steps may know and do (the constructor)
  #urls = new Set(); // object URLs to revoke
  #errors = new Map(); // error element id -> {key, params}, shown until cleared
  #exiting = false;
  #languageAsked = 0;
  #config = null; // the helpline's configuration (config.js), read when first needed
  #configSet = false; // set through the `config` property, which wins over the markup
  // Back and Forward: each step moved to is a history entry holding only {reportHelperStep: id}
  // (the URL unchanged). #trail: the step of each entry of this element, the page's own entry
  // (the first step) first; #at: the entry shown; #home: that entry's state when the page set one.
  #trail = ['situation'];
  #at = 0;
  #home = null;
  #moves = 0; // popstates seen: a slower one gives way to a newer one

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open', delegatesFocus: false });
    const host = this;
    const ctx = {
      get state() {
        return host.#state;
      },
      get lang() {
        return host.#lang;
      },
      get step() {
        return host.step;
      },
      get exiting() {
        return host.#exiting;
      },
      /** The helpline's configuration, checked (config.js): every field may be missing. */
      get config() {
        return host.config;
      },
      steps: {},
      t: this.#t,
      /** The helpline's name, else the neutral words for it ("the helpline"). */
      helplineName: () => localise(this.config.name, this.#lang) || this.#t('helpline.neutral'),
      q: (selector) => this.#root.querySelector(selector),
      all: (selector) => [...this.#root.querySelectorAll(selector)],
      attrUrl: (name) => this.#safeUrl(this.getAttribute(name)),
      announce: (text) => this.#announce(text),
      fieldError: (...args) => this.#fieldError(...args),
      clearError: (id) => this.#clearError(id),
      situationChanged: () => {
        this.#applySituation();
        this.#showStep(false);
      },
      go: (id) => this.#go(this.#steps.findIndex((s) => s.id === id)),
      build: () => this.#build(),
      emit: (name, detail) => this.#emit(name, detail),
      keep: (url) => (this.#urls.add(url), url),
      revoke: (url) => this.#revoke(url),
      save: (blob, name) => this.#save(blob, name),
      openCheck: (opener, sent) => this.#openCheck(opener, sent),
      closeCheck: () => this.#closeCheck(),
      restart: () => {
        this.#dropEverything();
        this.#resetForm();
        this.#go(0);
      },
    };
    this.#steps = STEPS.map((make) => make(ctx));
    this.#check = check(ctx);
    for (const step of this.#all()) ctx.steps[step.id] = step;
    this.#ctx = ctx;
  }

  connectedCallback() {
    // A `config` set on the element before this class was defined is an own property that
    // hides the setter: take it through the setter.
    if (Object.hasOwn(this, 'config')) {
      const value = this.config;
      delete this.config;
      this.config = value;
    }
    if (!this.#root.firstChild) this.#render();
    this.#quickExit.listen(true);
    window.addEventListener('beforeunload', this.#onBeforeUnload);
    window.addEventListener('popstate', this.#onPopState);
    this.#setLanguage();
  }

  disconnectedCallback() {
    this.#quickExit.listen(false);
    window.removeEventListener('beforeunload', this.#onBeforeUnload);
    window.removeEventListener('popstate', this.#onPopState);
  }

  attributeChangedCallback(name) {
    if (name === 'lang' && this.isConnected) this.#setLanguage();
    if (name === 'hotline-url' && this.#root.firstChild) this.#applyText();
  }

  /**
   * The helpline's configuration (config.js: its name, contacts, time frames, support lines), as
   * checked: invalid fields are dropped. Set it to an object, or put it inside the element as
   * `<script type="application/json">`; setting it redraws every text.
   */
  get config() {
    if (!this.#config) this.#config = readConfig(this.#configSet ? null : configIn(this));
    return this.#config;
  }

  set config(value) {
    this.#configSet = true;
    this.#config = readConfig(value);
    if (this.#root.firstChild) this.#applyText();
  }

  /** The language in use: the `lang` attribute, the page's, the browser's, else English. */
  get language() {
    return this.#lang;
  }

  /** The step shown: one of situation, files, urls, about, review, send, or check (a status check). */
  get step() {
    return this.#current().id;
  }

  /** Adds files to the report as if they were chosen on the files step: hashed here, never sent. */
  addFiles(files) {
    if (!this.#root.firstChild) this.#render();
    this.#ctx.steps.files.takeFiles([...files]);
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
    // The exit takes the place of the helper's first entry, so Back from it does not return to a step.
    const url = this.#exitUrl();
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      location.replace(url);
    };
    if (this.#at === 0) return leave();
    window.addEventListener('popstate', leave, { once: true });
    setTimeout(leave, 500); // should the way back be refused
    history.go(-this.#at);
  }

  // ---- set-up, text and events ----------------------------------------------------------------

  /** The steps and the status check. */
  #all() {
    return [...this.#steps, this.#check];
  }

  #current() {
    return this.#checking === null ? this.#steps[this.#step] : this.#check;
  }

  #render() {
    template ??= parse(`<div class="rh" part="container">${TOP}${this.#all().map((s) => s.html).join('')}</div>`);
    const css = Object.assign(document.createElement('link'), {
      rel: 'stylesheet',
      href: new URL('./report-helper.css', import.meta.url).href,
    });
    this.#root.append(css, template.cloneNode(true));
    this.#quickExit = new QuickExit(this.#root.querySelector('#exit'));
    this.#quickExit.addEventListener('exit', () => this.exit());
    for (const b of this.#root.querySelectorAll('.next')) b.addEventListener('click', () => this.#next());
    for (const b of this.#root.querySelectorAll('.back')) b.addEventListener('click', () => this.#go(this.#step - 1, -1));
    // Files dropped anywhere on the element go to the step that takes them (and are never
    // opened by the browser in place of the report).
    this.addEventListener('dragover', (e) => e.preventDefault());
    this.addEventListener('drop', (e) => {
      e.preventDefault();
      this.#current().takeFiles?.([...(e.dataTransfer?.files ?? [])]);
    });
    for (const step of this.#all()) step.wire?.();
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
    const { all } = this.#ctx;
    this.#root.querySelector('.rh').lang = this.#lang;
    for (const el of all('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of all('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
    this.#showStep(false);
    for (const step of this.#all()) step.applyText?.();
    this.#applySituation();
    this.#renderErrors();
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

  // Closing or going back loses the report: ask first, unless it is sent and its receipt kept.
  #onBeforeUnload = (e) => {
    const s = this.#state;
    const started = s.situation || s.age || s.items.length || s.urls.length || s.accounts.length || s.shots.length;
    const kept = s.sent && s.receiptSaved && (s.evidenceSaved || !s.shots.some((shot) => shot.state === 'redacted'));
    if (started && !kept) e.preventDefault();
  };

  // ---- steps --------------------------------------------------------------------------------

  async #next() {
    const ok = this.#current().next?.() ?? true;
    if (ok instanceof Promise ? await ok : ok) this.#go(this.#step + 1);
  }

  /** The steps this report goes through: a minor's report has no evidence step. */
  #route() {
    return this.#steps.filter((s) => !s.skip?.());
  }

  /** Shows step `index`; a step this report skips is passed over in `direction`. */
  #go(index, direction = 1) {
    this.#checking = null;
    if (this.#steps[index]?.skip?.()) index += direction;
    this.#step = Math.max(0, Math.min(index, this.#steps.length - 1));
    this.#showStep(true);
    this.#current().shown?.();
    // Past the files step the report will be built: its module starts now (report/core.js).
    if (!['situation', 'files'].includes(this.step)) warm();
    this.#record();
  }

  // ---- history: Back and Forward move between steps ---------------------------------------------

  /** Makes the entry shown the step shown: back to its entry if it has one, else a new entry. */
  #record() {
    if (this.hasAttribute('no-history')) return;
    const id = this.step;
    const pos = this.#trail.indexOf(id);
    if (pos === this.#at) return;
    if (pos >= 0 && pos < this.#at) {
      history.go(pos - this.#at);
      this.#at = pos;
      return;
    }
    if (this.#at === 0) {
      // The page's own entry: a state no one set (or ours, from before a reload) takes the first
      // step's name, so that the page's later entries (a link to #top) are told apart from it.
      const state = history.state;
      if (state === null || state.reportHelperStep) history.replaceState({ reportHelperStep: this.#trail[0] }, '');
      else this.#home = JSON.stringify(state);
    }
    this.#trail.splice(++this.#at, Infinity, id);
    history.pushState({ reportHelperStep: id }, '');
  }

  /** Is the report sent, or on its way? Then it is not shown as editable again, nor sent twice. */
  #sealed() {
    const s = this.#state;
    return !!(s.sent || s.sending || s.built?.saved || (s.sendError && !['send-rejected', 'no-endpoint'].includes(s.sendError.code)));
  }

  /** Back or Forward reached an entry: its step is shown; forward only as far as Next would go. */
  #onPopState = async (e) => {
    const id = e.state?.reportHelperStep;
    const pos = id ? this.#trail.indexOf(id) : JSON.stringify(e.state) === this.#home ? 0 : -1;
    if (pos < 0 || this.#exiting || this.hasAttribute('no-history')) return; // the page's own entry
    this.#at = pos;
    const move = ++this.#moves;
    const target = this.#trail[pos];
    if (target === this.step) return;
    if (target === 'check') return this.#openCheck(null, this.#state.sent);
    let index = this.#steps.findIndex((s) => s.id === target);
    const from = this.#checking ?? this.#step;
    const shown = this.#current();
    // Back from a sent report leaves the helper (asking first while its confirmation is not kept).
    if (this.#sealed() && index < this.#steps.findIndex((s) => s.id === 'send')) return history.go(-pos - 1);
    for (let k = from; k < index; k++) {
      const step = this.#steps[k];
      if (step.skip?.()) continue;
      const s = this.#state;
      // Send is entered by its button only: by history, once it was pressed.
      const ok = step.id === 'review' ? !!(s.sending || s.sent || s.sendError) : await (step.next?.() ?? true);
      if (move !== this.#moves || this.#current() !== shown) return; // a newer move, or sent to a field
      if (ok) continue;
      if (k === from) return this.#record(); // it says why, on the step shown
      index = k;
      break;
    }
    this.#go(index, index < from ? -1 : 1);
  };

  #showStep(focus) {
    for (const section of this.#ctx.all('section[data-step]')) section.hidden = section.dataset.step !== this.step;
    const route = this.#route();
    this.#root.querySelector('#step-count').textContent =
      this.#checking === null ? this.#t('step', { n: route.indexOf(this.#current()) + 1, total: route.length }) : '';
    if (!focus) return;
    // Focus moves to the heading, scrolled clear of the sticky exit bar (its scroll-margin).
    const heading = this.#root.querySelector(`section[data-step="${this.step}"] h2`);
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: 'nearest' });
  }

  #applySituation() {
    for (const step of this.#steps) step.situation?.();
    renderTalk(this.#ctx); // once, under the top bar: on every step and the status check
  }

  #announce(text) {
    const el = this.#root.querySelector('#announcer');
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
    this.#root.querySelector(`#${id}`).hidden = true;
    // The fields it describes, and those inside them (a fieldset's radios).
    const described = `[aria-describedby~="${id}"]`;
    for (const field of this.#ctx.all(`${described}, ${described} [aria-invalid]`)) field.removeAttribute('aria-invalid');
  }

  #renderErrors() {
    for (const [id, { key, params }] of this.#errors) {
      const el = this.#root.querySelector(`#${id}`);
      const text = this.#t(key, params);
      if (!this.#steps.some((s) => s.showError?.(id, el, text, params))) el.textContent = text;
      el.hidden = false;
    }
  }

  // ---- the report -------------------------------------------------------------------------------

  #draft() {
    const s = this.#state;
    const minor = isMinor(s);
    // A report without files has no fingerprints to share: the choice is not asked, nor sent.
    const share = s.shareWithPlatforms && s.items.some((i) => i.state === 'done' || i.state === 'warning');
    return {
      idempotency_key: s.key,
      created_at: new Date().toISOString(),
      language: this.#lang,
      situation: s.situation,
      under_18: minor,
      items: s.items
        .filter((i) => i.state === 'done' || i.state === 'warning') // a warning's kind is other: exact digests only
        .map(({ kind, digests: d }) => ({
          kind,
          sha256: d.sha256,
          md5: d.md5,
          ...(d.sha1 && { sha1: d.sha1 }),
          ...(d.pdq && { pdq: { hash: d.pdq.hash, quality: d.pdq.quality } }),
          // The stored pixels' PDQ when the EXIF orientation turns the picture (issue 19).
          ...(d.pdq && d.pdqStored && { pdq_stored: { hash: d.pdqStored.hash, quality: d.pdqStored.quality } }),
          ...(d.vpdq && { vpdq: { frames: d.vpdq.frames } }),
        })),
      urls: s.urls,
      accounts: s.accounts,
      explanation: s.explanation,
      name: minor ? '' : s.name,
      email: minor ? '' : s.email,
      good_faith: s.goodFaith,
      // Sent only when chosen: without it the report means "not shared" (docs/payload.md).
      ...(share && { share_with_platforms: true }),
    };
  }

  /** Builds the report through the core; a refused field sends the person to it, explained. */
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
    // The first step that shows this field's refusals (the review shows the rest).
    for (const step of this.#steps) {
      const place = step.fields?.find(([re]) => re.test(field));
      if (!place) continue;
      const [, errorId, selector] = place;
      if (this.step !== step.id) this.#go(this.#steps.indexOf(step));
      const report = field === '' && problem === 'too-long' ? 'invalid.report-too-large' : key;
      return this.#fieldError(errorId, report, params, selector ? this.#root.querySelector(selector) : null);
    }
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

  // ---- the status check -------------------------------------------------------------------

  /** Shows the status check, filled in from `sent` ({reference, token}) when given. */
  #openCheck(opener, sent = null) {
    this.#checking = this.#step;
    this.#opener = opener;
    this.#check.open(sent);
    this.#showStep(true);
    this.#record();
  }

  #closeCheck() {
    this.#step = this.#checking ?? 0;
    this.#checking = null;
    this.#showStep(false);
    this.#opener?.focus();
    this.#record();
  }

  // ---- leaving --------------------------------------------------------------------------------

  /** Drops the whole draft from memory: files, hashes, addresses, text, object URLs, workers. */
  #dropEverything() {
    for (const step of this.#all()) step.drop?.();
    stopAllHashing();
    for (const url of [...this.#urls]) this.#revoke(url);
    this.#state = newState();
  }

  #resetForm() {
    const { all } = this.#ctx;
    for (const input of all('input[type="radio"], input[type="checkbox"]')) input.checked = false;
    for (const input of all('input:not([type]), input[type="email"], textarea')) input.value = '';
    for (const id of [...this.#errors.keys()]) this.#clearError(id);
    for (const step of this.#all()) step.reset?.();
    this.#applySituation();
  }
}

const DEFINED = new Set();

function newState() {
  return {
    // One key per report, kept across retries, so the endpoint stores it once.
    key: crypto.randomUUID(),
    situation: null,
    age: null, // 'yes', 'no' or 'unsure' (under 18 when the images were made)
    items: [],
    shots: [], // screenshots kept as evidence: never sent, not even their digests
    urls: [],
    accounts: [], // {platform, name}: accounts named without a link
    name: '',
    email: '',
    explanation: '',
    goodFaith: false,
    shareWithPlatforms: false, // the review's choice: share the fingerprints with platforms (issue 20)
    built: null,
    sending: false,
    retry: null,
    sendError: null,
    sent: null,
    receiptSaved: false,
    evidenceSaved: false,
  };
}
