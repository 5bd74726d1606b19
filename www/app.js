// The standalone page: pick or drop files, watch each one's progress, read its digests.
// All text comes from the catalogs in i18n/; file names and digests are only ever shown here.
import { hashFile } from './report-helper.js';

const LANGUAGES = ['en', 'nl'];
const FALLBACK = 'en';
const catalogs = new Map();
let lang = FALLBACK;
let messages = {};
const items = [];

const $ = (selector, root = document) => root.querySelector(selector);

function loadCatalog(code) {
  if (!catalogs.has(code)) {
    const url = new URL(`./i18n/${code}.json`, import.meta.url);
    const loading = fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status))));
    loading.catch(() => catalogs.delete(code)); // try again on the next switch
    catalogs.set(code, loading);
  }
  return catalogs.get(code);
}

/** The page's `lang` attribute if it names a language we have, else the browser's first match. */
function initialLanguage() {
  const wanted = [document.documentElement.lang, ...(navigator.languages ?? [navigator.language])];
  for (const tag of wanted) {
    const code = (tag || '').toLowerCase().split('-')[0];
    if (LANGUAGES.includes(code)) return code;
  }
  return FALLBACK;
}

const t = (key, params = {}) =>
  (messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));

async function setLanguage(code) {
  try {
    messages = await loadCatalog(code);
    lang = code;
  } catch {
    messages = await loadCatalog(FALLBACK).catch(() => ({}));
    lang = FALLBACK;
    showNotice('error.catalog');
  }
  document.documentElement.lang = lang;
  document.title = t('pageTitle');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  }
  items.forEach(render);
}

function showNotice(key) {
  const notice = $('#notice');
  notice.textContent = t(key);
  notice.hidden = false;
}

function formatSize(bytes) {
  const units = [['gigabyte', 1e9], ['megabyte', 1e6], ['kilobyte', 1e3]];
  const [unit, scale] = units.find(([, s]) => bytes >= s) ?? ['byte', 1];
  return new Intl.NumberFormat(lang, { style: 'unit', unit, maximumFractionDigits: 1 }).format(bytes / scale);
}

function render(item) {
  const { el, file, state } = item;
  $('.name', el).textContent = file.name;
  $('.size', el).textContent = formatSize(file.size);
  const progress = $('progress', el);
  progress.setAttribute('aria-label', t('progressLabel', { name: file.name }));
  progress.max = Math.max(file.size, 1);
  progress.value = state === 'done' ? progress.max : item.loaded;
  // The status is a live region: it changes with the state only, so a screen reader is not
  // read every percent. The percent is for the eye; the progress bar carries it for the ear.
  const percent = new Intl.NumberFormat(lang, { style: 'percent' }).format(file.size ? item.loaded / file.size : 0);
  $('.percent', el).textContent = state === 'hashing' ? percent : '';
  const status = {
    queued: () => t('queued'),
    hashing: () => t('hashing'),
    done: () => t('done'),
    cancelled: () => t('cancelled'),
    error: () => t(`error.${item.errorCode}`),
  }[state]();
  const statusEl = $('.status', el);
  if (statusEl.textContent !== status) statusEl.textContent = status;
  el.dataset.state = state;
  const cancel = $('.cancel', el);
  cancel.textContent = t('cancel');
  cancel.hidden = state !== 'queued' && state !== 'hashing';
  const digests = $('.digests', el);
  digests.hidden = state !== 'done';
  if (state === 'done') {
    $('.sha256', el).textContent = item.digests.sha256;
    $('.md5', el).textContent = item.digests.md5;
    // PDQ, the perceptual hash, is there for images only; its note says how far to trust it.
    const { pdq, pdqError } = item.digests;
    $('.pdq', el).textContent = pdq ? pdq.hash : '';
    const notes = pdq
      ? [t(pdq.quality >= 50 ? 'pdq.quality' : 'pdq.lowQuality', { quality: pdq.quality }), pdq.scaled ? t('pdq.scaled') : '']
      : [t(`pdqError.${pdqError?.code ?? 'decode-failed'}`)];
    $('.pdq-note', el).textContent = notes.filter(Boolean).join(' ');
  }
}

function addFiles(files) {
  if (!files.length) return;
  $('#files-heading').hidden = false;
  for (const file of files) {
    const el = $('#file-template').content.firstElementChild.cloneNode(true);
    const item = { el, file, state: 'queued', loaded: 0, controller: new AbortController() };
    $('.cancel', el).addEventListener('click', () => item.controller.abort());
    $('#files').append(el);
    items.push(item);
    render(item);
    hashFile(file, {
      signal: item.controller.signal,
      onProgress: ({ loaded }) => {
        item.state = 'hashing';
        item.loaded = loaded;
        render(item);
      },
    }).then(
      (digests) => Object.assign(item, { state: 'done', digests }),
      (error) => {
        if (error?.name === 'AbortError') item.state = 'cancelled';
        else Object.assign(item, { state: 'error', errorCode: error?.code ?? 'hash-failed' });
      },
    ).finally(() => render(item));
  }
}

const busy = () => items.some((i) => i.state === 'queued' || i.state === 'hashing');

function wire() {
  const input = $('#file-input');
  input.addEventListener('change', () => {
    addFiles([...input.files]);
    input.value = ''; // the same file can be chosen again
  });
  const drop = $('#drop');
  // The whole page takes drops: a file dropped beside the zone must not make the browser
  // navigate away and lose the list.
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  document.addEventListener('dragleave', (e) => {
    if (!e.relatedTarget) drop.classList.remove('over');
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    addFiles([...(e.dataTransfer?.files ?? [])]);
  });
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', () => setLanguage(button.dataset.lang));
  }
  window.addEventListener('beforeunload', (e) => {
    if (busy()) e.preventDefault();
  });
}

wire();
setLanguage(initialLanguage());
