// The message catalogs (i18n/<code>.json), shared by the element and the standalone page.

export const LANGUAGES = ['en', 'nl'];
export const FALLBACK = 'en';

const catalogs = new Map();

/** The catalog of `code`, fetched once; a failed fetch is tried again on the next call. */
export function loadCatalog(code) {
  if (!catalogs.has(code)) {
    const url = new URL(`./i18n/${code}.json`, import.meta.url);
    const loading = fetch(url, { credentials: 'omit' }).then((r) =>
      r.ok ? r.json() : Promise.reject(new Error(`${url}: ${r.status}`)),
    );
    loading.catch(() => catalogs.delete(code));
    catalogs.set(code, loading);
  }
  return catalogs.get(code);
}

/** The first of `tags` (BCP 47, any case) that names a language we have, else English. */
export function pickLanguage(tags) {
  for (const tag of tags) {
    const code = (tag || '').toLowerCase().split('-')[0];
    if (LANGUAGES.includes(code)) return code;
  }
  return FALLBACK;
}

/**
 * `messages[key]` with `{name}` placeholders filled in; the key itself if it is missing. With a
 * `count` of 1, `key.one` when the catalog has it (the singular): "1 line", "2 lines".
 */
export const format = (messages, key, params = {}) =>
  ((params.count === 1 ? messages[`${key}.one`] : undefined) ?? messages[key] ?? key)
    .replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
