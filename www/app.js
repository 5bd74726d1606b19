// The standalone page around <report-helper>: its title and language buttons. The element
// does the rest, and follows the language chosen here through its `lang` attribute.
import { FALLBACK, format, loadCatalog, pickLanguage } from './i18n.js';

const helper = document.querySelector('report-helper');

async function setLanguage(code) {
  let messages;
  try {
    messages = await loadCatalog(code);
  } catch {
    messages = await loadCatalog(FALLBACK).catch(() => ({}));
    code = FALLBACK;
    const notice = document.querySelector('#notice');
    notice.textContent = format(messages, 'error.catalog');
    notice.hidden = false;
  }
  const t = (key) => format(messages, key);
  document.documentElement.lang = code;
  helper.setAttribute('lang', code);
  document.title = t('pageTitle');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.setAttribute('aria-pressed', String(button.dataset.lang === code));
  }
}

for (const button of document.querySelectorAll('[data-lang]')) {
  button.addEventListener('click', () => setLanguage(button.dataset.lang));
}

// Files dropped anywhere on the page go to the element while it asks for files; elsewhere a drop
// must still not make the browser open the file and lose the report.
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  if (helper.step === 'files' && !e.composedPath().includes(helper)) helper.addFiles(e.dataTransfer?.files ?? []);
});

setLanguage(pickLanguage([document.documentElement.lang, ...(navigator.languages ?? [navigator.language])]));
