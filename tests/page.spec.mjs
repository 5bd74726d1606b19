// The page itself: languages, accessibility, and the weight of what it loads.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { test, expect } from '@playwright/test';
import { MiB, openFilesStep, shownDigests, sparseFile, watch } from './helpers.mjs';
import { driveToReview, fulfilReports, send, vectorPath, waitSent } from './flow-helpers.mjs';

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../www/i18n/${lang}.json`, import.meta.url)));
const en = catalog('en');
const nl = catalog('nl');

// Which catalogue keys the page uses, read from its sources: data-i18n and data-i18n-label
// attributes, and the key argument of t(), #t(), format() and (#)fieldError(), with ternaries
// followed to their branches and `const` names to their values. Keys built from a prefix and a
// value (`done.${kind}`) are families, expanded below from the values the code can give.
const SOURCES = [
  'index.html', 'app.js', 'element.js', 'report/receipt.js',
  ...['steps', 'components'].flatMap((dir) => readdirSync(new URL(`../www/${dir}`, import.meta.url)).map((f) => `${dir}/${f}`)),
];
const source = (name) => readFileSync(new URL(`../www/${name}`, import.meta.url), 'utf8');
/** A source without its comments (block comments, and lines that are only a comment). */
const code = (name) =>
  source(name)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
const SITUATIONS = ['shared', 'threatened', 'minor', 'other'];
const KINDS = ['image', 'video', 'other']; // kindOf() in steps/files.js
// The core's problem codes (Problem::code in crate/src/report/problem.rs).
const PROBLEMS = [
  ...readFileSync(new URL('../crate/src/report/problem.rs', import.meta.url), 'utf8')
    .split('pub fn code(&self)')[1]
    .split('\n    }\n')[0]
    .matchAll(/=> "([a-z0-9-]+)"/g),
].map((m) => m[1]);
const FAMILIES = {
  'situation.': { values: SITUATIONS },
  'done.': { values: KINDS },
  'kind.': { values: KINDS },
  'error.': { values: ['worker-failed', 'read-failed', 'hash-failed'] }, // ReportHelperError codes
  'pdqError.': { values: ['not-an-image', 'decode-failed', 'too-large'] },
  'vpdqError.': { values: ['not-a-video', 'unsupported-codec', 'unsupported-browser', 'decode-failed', 'no-frames'] }, // video.js
  'urls.bad.': { values: ['invalid', 'scheme', 'private', 'long', 'limit', 'none'] }, // normaliseUrl(), readLine() and the 1000 limit
  'check.status.': { values: ['received', 'in_progress', 'done', 'withdrawn'] }, // the intake's statuses
  'evidence.error.': { values: ['not-a-picture', 'too-large', 'read-failed', 'redact-failed'] }, // open(), redact() in steps/evidence.js
  // A problem with no message of its own falls back to invalid.other: none is required.
  'invalid.': { values: PROBLEMS, optional: true },
};
// Key arguments that name no key themselves: the catalogue wrappers' own parameter, and the
// data-i18n attributes (read above from the markup).
const PASSED_ON = new Set(['key', 'el.dataset.i18n', 'el.dataset.i18nLabel']);

/** The index of the quote that closes the string opening at `i`, template literals included. */
function skipString(src, i) {
  const quote = src[i];
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === quote) return j;
    else if (quote === '`' && src[j] === '$' && src[j + 1] === '{') {
      for (let depth = 0, k = j + 1; k < src.length; k++) {
        if (`'"\``.includes(src[k])) k = skipString(src, k);
        else if (src[k] === '{') depth++;
        else if (src[k] === '}' && --depth === 0) {
          j = k;
          break;
        }
      }
    }
  }
  return src.length;
}

/** The arguments of the call whose `(` is just before `at`, as source text. */
function callArgs(src, at) {
  const args = [];
  let depth = 0;
  let start = at;
  for (let i = at; i < src.length; i++) {
    const c = src[i];
    if (`'"\``.includes(c)) i = skipString(src, i);
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && depth-- === 0) return [...args, src.slice(start, i)].map((a) => a.trim());
    else if (c === ',' && depth === 0) {
      args.push(src.slice(start, i));
      start = i + 1;
    }
  }
  throw new Error(`unclosed call at ${at}`);
}

/** [then, else] of a top-level conditional expression, or null. */
function branches(expr) {
  let depth = 0;
  let question = -1;
  let nested = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (`'"\``.includes(c)) i = skipString(expr, i);
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && c === '?' && !'.?'.includes(expr[i + 1]) && expr[i - 1] !== '?') {
      if (question < 0) question = i;
      else nested++;
    } else if (depth === 0 && c === ':' && question >= 0) {
      if (!nested) return [expr.slice(question + 1, i), expr.slice(i + 1)];
      nested--;
    }
  }
  return null;
}

/** The value of the last `const name = …;` before `at` in `src` (the one in scope there). */
function constBefore(src, name, at) {
  const all = [...src.slice(0, at).matchAll(new RegExp(`\\bconst ${name} = ([^;]+);`, 'g'))];
  return all.at(-1);
}

/** Adds to `found` the keys and families an expression at `at` in `src` can give. */
function keysOf(expr, src, at, found, seen = new Set()) {
  expr = expr.trim();
  const split = branches(expr);
  let m;
  if (split) for (const b of split) keysOf(b, src, at, found, seen);
  else if ((m = /^(['"])([^'"]*)\1$/.exec(expr))) found.keys.add(m[2]);
  else if ((m = /^`([^`$]*)`$/.exec(expr))) found.keys.add(m[1]);
  else if ((m = /^`([^`$]*)\$\{[^`]*\}`$/.exec(expr))) found.families.add(m[1]);
  else if (/^[A-Za-z_$][\w$]*$/.test(expr) && !seen.has(expr) && (m = constBefore(src, expr, at))) {
    keysOf(m[1], src, m.index, found, new Set([...seen, expr]));
  } else if (!PASSED_ON.has(expr)) found.unknown.add(expr);
}

/** Keys the page's sources use; `optional` ones may be missing (the code falls back). */
function usedKeys() {
  const found = { keys: new Set(), families: new Set(), unknown: new Set() };
  for (const name of SOURCES) {
    const src = code(name);
    for (const [, key] of src.matchAll(/data-i18n(?:-label)?="([^"]+)"/g)) {
      if (key.includes('${')) found.families.add(key.slice(0, key.indexOf('${')));
      else found.keys.add(key);
    }
    // [call, which argument is the key]
    for (const [re, n] of [[/\bt\(/g, 0], [/\bformat\(/g, 1], [/\bfieldError\(/g, 1]]) {
      for (const m of src.matchAll(re)) {
        const arg = callArgs(src, m.index + m[0].length)[n];
        if (arg !== undefined) keysOf(arg, src, m.index, found);
      }
    }
  }
  const used = new Set(found.keys);
  const optional = new Set();
  for (const prefix of found.families) {
    for (const v of FAMILIES[prefix]?.values ?? []) (FAMILIES[prefix].optional ? optional : used).add(`${prefix}${v}`);
  }
  return { used, optional, families: [...found.families], unknown: [...found.unknown] };
}

test('catalogues have the same keys, and every key the page uses exists', () => {
  expect(Object.keys(nl).sort()).toEqual(Object.keys(en).sort());
  for (const c of [en, nl]) for (const v of Object.values(c)) expect(v.trim()).not.toBe('');
  // The lists the families expand from are the code's own.
  expect(source('steps/situation.js')).toContain(`const SITUATIONS = [${SITUATIONS.map((s) => `'${s}'`).join(', ')}];`);
  expect(PROBLEMS).toEqual(expect.arrayContaining(['not-email', 'too-long', 'good-faith-required']));
  const { used, families, unknown } = usedKeys();
  // The scan understood every key argument, and met every family (a stale one would hide keys).
  expect(unknown).toEqual([]);
  expect(families.sort()).toEqual(Object.keys(FAMILIES).sort());
  expect(used.size).toBeGreaterThan(100);
  for (const key of used) {
    expect(Object.keys(en), `${key} in en.json`).toContain(key);
    expect(Object.keys(nl), `${key} in nl.json`).toContain(key);
  }
});

test('every key in the catalogues is used by the page', () => {
  const { used, optional } = usedKeys();
  // A plural's `K.one` is used with its `K` (format() in i18n.js).
  const unused = Object.keys(en).filter((key) => !used.has(key.replace(/\.one$/, '')) && !optional.has(key));
  expect(unused, 'dead strings in i18n/*.json').toEqual([]);
});

for (const [locale, want] of [['nl-NL', 'nl'], ['en-GB', 'en'], ['de-DE', 'en']]) {
  test(`a browser in ${locale} gets ${want}`, async ({ browser }) => {
    const page = await browser.newPage({ locale });
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', want);
    await expect(page.locator('h1')).toHaveText(catalog(want).title);
    await expect(page).toHaveTitle(catalog(want).pageTitle);
    // The element follows the page's language.
    await expect(page.locator('report-helper')).toHaveAttribute('lang', want);
    await expect(page.locator('#h-situation')).toHaveText(catalog(want)['situation.heading']);
    await page.close();
  });
}

test('the lang attribute of the page wins over the browser', async ({ browser }) => {
  const page = await browser.newPage({ locale: 'en-US' });
  await page.route('**/', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('<html>', '<html lang="nl">');
    await route.fulfill({ response, body });
  });
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText(nl.title);
  await expect(page.locator('#h-situation')).toHaveText(nl['situation.heading']);
  await page.close();
});

test('switching language re-renders everything, files included', async ({ browser }) => {
  const page = await browser.newPage({ locale: 'en-US' });
  await openFilesStep(page);
  await page.setInputFiles('#file-input', { name: 'c.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(5) });
  await shownDigests(page);
  const item = page.locator('#files > li').first();
  const status = item.locator('.status');
  await expect(status).toHaveText(en['done.other']);
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
  await expect(page.locator('report-helper')).toHaveAttribute('lang', 'nl');
  await expect(page).toHaveTitle(nl.pageTitle);
  await expect(page.locator('h1')).toHaveText(nl.title);
  await expect(page.locator('#h-files')).toHaveText(nl['files.heading']);
  await expect(page.locator('label[for=file-input]')).toHaveText(nl.choose);
  await expect(page.locator('#step-count')).toHaveText(nl.step.replace('{n}', '2').replace('{total}', '7'));
  await expect(status).toHaveText(nl['done.other']);
  await expect(item.locator('.remove')).toHaveText(nl['files.remove']);
  await expect(item.locator('.remove')).toHaveAttribute('aria-label', nl['files.removeLabel'].replace('{name}', 'c.bin'));
  await expect(item.locator('progress')).toHaveAttribute('aria-label', nl.progressLabel.replace('{name}', 'c.bin'));
  await expect(page.getByRole('button', { name: 'Nederlands' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('button', { name: 'English' })).toHaveAttribute('aria-pressed', 'false');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(status).toHaveText(en['done.other']);
  await expect(page.locator('#h-files')).toHaveText(en['files.heading']);
  await page.close();
});

test('no accessibility violations (axe-core), before and after hashing, in both languages', async ({ browser }) => {
  // axe is injected as a script, which the page's CSP would refuse: bypass it for this scan only.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  const scan = async () => {
    await page.addScriptTag({ path: axe });
    const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`);
  };
  // The first step, as the page opens.
  await page.goto('/');
  await expect(page.locator('#h-situation')).toHaveText(en['situation.heading']);
  expect(await scan()).toEqual([]);
  // The files step, before and after hashing.
  await openFilesStep(page);
  await expect(page.locator('#h-files')).toHaveText(en['files.heading']);
  expect(await scan()).toEqual([]);
  await page.setInputFiles('#file-input', [
    { name: 'd.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(7) },
  ]);
  await shownDigests(page);
  expect(await scan()).toEqual([]);
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.locator('#files .status').first()).toHaveText(nl['done.other']);
  expect(await scan()).toEqual([]);
  await context.close();
});

test('what the page loads in one language before a first file is hashed (JS, WebAssembly, CSS, a catalogue) stays under 100 KB gzipped', async ({ page, baseURL }) => {
  // What the browser actually fetched, workers included (their requests go through the context's
  // route), so a new module is counted without anyone listing it here.
  const { requests } = await watch(page);
  await openFilesStep(page);
  await page.setInputFiles('#file-input', { name: 'e.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(9) });
  await shownDigests(page);
  // Both catalogues: a visitor may switch.
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.locator('#files .status').first()).toHaveText(nl['done.other']);
  const origin = new URL(baseURL).origin;
  expect(requests.filter((r) => new URL(r.url).origin !== origin)).toEqual([]);
  const loaded = [...new Set(requests.map((r) => new URL(r.url).pathname))].sort();
  // Every module of the page is among them: the set really is what it loads.
  expect(loaded).toEqual(
    expect.arrayContaining([
      '/', '/app.js', '/i18n.js', '/report-helper.js', '/hashing.js', '/element.js', '/report.js', '/worker.js',
      '/wasm/report_helper.js', '/wasm/report_helper_bg.wasm', '/wasm/report_helper_report.js', '/style.css', '/report-helper.css',
      '/i18n/en.json', '/i18n/nl.json', '/dom.js', '/constants.js',
      ...['situation', 'files', 'urls', 'evidence', 'about', 'review', 'send', 'check'].map((s) => `/steps/${s}.js`),
      ...['quick-exit', 'drop-zone', 'area-editor'].map((c) => `/components/${c}.js`),
    ]),
  );
  const total = weigh(loaded, 'What the page loads in one language before a first file is hashed');
  expect(total).toBeLessThan(100 * 1024);
});

/**
 * The gzipped size of the built files at `paths` (as the browser asked for them), in one
 * language: a visitor reads one, so the largest catalogue is counted, and each language added
 * later is weighed on its own rather than against all the others. Printed per file.
 */
function weigh(paths, what) {
  const sizes = paths.map((path) => {
    const file = new URL(`../dist${path === '/' ? '/index.html' : path}`, import.meta.url);
    return [path, gzipSync(readFileSync(file), { level: 9 }).length];
  });
  const isCatalog = ([path]) => path.startsWith('/i18n/');
  const largestCatalog = Math.max(0, ...sizes.filter(isCatalog).map(([, n]) => n));
  const total = sizes.filter((s) => !isCatalog(s)).reduce((sum, [, n]) => sum + n, 0) + largestCatalog;
  console.log(`${what}, gzipped: ${total} bytes${largestCatalog ? ' (the largest catalogue counted)' : ''}\n${sizes.map(([p, n]) => `  ${n}\t${p}`).join('\n')}`);
  return total;
}

// The first load is what a person waits for before they can begin; the rest of the flow loads
// as they go (the report module past the files step, the sent page's part after sending). This
// weighs all of it, so nothing moved out of the first load can grow unseen. A screenshot's
// evidence module (about 20 KB) and a video's (about 78 KB) load only for those and are weighed
// on their own: they are printed, not counted.
test('the whole flow in one language (a photo and a link, sent, the status check) stays under 140 KB gzipped', async ({ page, baseURL }) => {
  const { requests } = await watch(page);
  await fulfilReports(page);
  await page.goto('/');
  await driveToReview(page, { files: [vectorPath('misc-images/c.png')], urls: ['https://example.com/a'] });
  await send(page);
  await waitSent(page);
  await page.locator('report-helper #sent-check').click();
  await expect(page.locator('#h-check')).toBeFocused();
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.locator('#h-check')).toHaveText(nl['check.heading']);
  const origin = new URL(baseURL).origin;
  expect(requests.filter((r) => new URL(r.url).origin !== origin && !r.url.endsWith('/api/reports'))).toEqual([]);
  const loaded = [...new Set(requests.map((r) => new URL(r.url).pathname))].filter((p) => !p.startsWith('/api/')).sort();
  expect(loaded).toEqual(expect.arrayContaining(['/wasm/report_helper_report_bg.wasm', '/steps/send-after.js']));
  const total = weigh(loaded, 'What the whole flow loads in one language');
  const optional = ['report_helper_evidence_bg.wasm', 'report_helper_video_bg.wasm'].map((f) => `/wasm/${f}`);
  weigh(optional, 'Loaded only for a screenshot or a video');
  // 117 KB before issue 18: room for issues 18 to 20, and a line that makes the next module think.
  expect(total).toBeLessThan(140 * 1024);
});

test('the live status changes with the state only; the percent is shown beside it', async ({ page }) => {
  const big = await sparseFile('status.bin', 1024 * MiB);
  await openFilesStep(page);
  await page.evaluate(() => {
    window.statusChanges = [];
    new MutationObserver((records) => {
      for (const r of records) {
        if (!r.target.classList?.contains('status')) continue;
        for (const node of r.addedNodes) window.statusChanges.push(node.textContent);
      }
    }).observe(document.querySelector('report-helper').shadowRoot.querySelector('#files'), { subtree: true, childList: true });
  });
  await page.setInputFiles('#file-input', big);
  const item = page.locator('#files > li').first();
  await expect(item.locator('.percent')).toHaveText(/[1-9]\d* ?%/);
  await expect(item).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const changes = await page.evaluate(() => window.statusChanges);
  expect(changes).toEqual([en.queued, en.hashing, en['done.other']]);
});

test('a catalogue that fails to load falls back to English and says so', async ({ browser }) => {
  const page = await browser.newPage({ locale: 'nl-NL' });
  await page.route('**/i18n/nl.json', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText(en.title);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('alert')).toHaveText(en['error.catalog']);
  await expect(page.locator('report-helper')).toHaveAttribute('lang', 'en');
  await expect(page.locator('#h-situation')).toHaveText(en['situation.heading']);
  await page.close();
});
